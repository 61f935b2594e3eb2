//! A small, namespace-aware XML tree read with quick-xml, for inspecting SAML documents.
//!
//! It is for *reading structure* (IdP metadata, the shape of a SAML Response before its
//! signature is checked), never for canonicalization or signatures. It refuses DTDs (no
//! entity expansion, no external entities), unknown entity references, undeclared
//! namespace prefixes and documents nested deeper than [`MAX_DEPTH`]. Errors carry the
//! 1-based line and column.

use std::fmt;

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

use super::text::line_column;

/// The deepest element nesting accepted (SAML documents are a dozen levels deep).
pub const MAX_DEPTH: usize = 128;

/// An XML element with its namespace resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// The namespace URI, or `None` for an unqualified element.
    pub namespace: Option<String>,
    /// The local name (`EntityDescriptor`).
    pub name: String,
    /// The attributes, in document order (namespace declarations left out).
    pub attributes: Vec<Attribute>,
    /// The child elements, in document order.
    pub children: Vec<Element>,
    /// The element's own text and CDATA, concatenated, with references resolved.
    pub text: String,
    /// The 1-based line of the start tag.
    pub line: usize,
}

/// An attribute with its namespace resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// The namespace URI; `None` for an unprefixed attribute.
    pub namespace: Option<String>,
    /// The local name.
    pub name: String,
    /// The value, with references resolved and white space normalized as XML requires.
    pub value: String,
}

impl Element {
    /// Whether the element is `name` in namespace `namespace`.
    pub fn is(&self, namespace: &str, name: &str) -> bool {
        self.name == name && self.namespace.as_deref() == Some(namespace)
    }

    /// The value of the unprefixed attribute `name`.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.namespace.is_none() && a.name == name)
            .map(|a| a.value.as_str())
    }

    /// The child elements `namespace:name`.
    pub fn children_named<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.is(namespace, name))
    }

    /// The first child element `namespace:name`.
    pub fn child(&self, namespace: &str, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.is(namespace, name))
    }

    /// This element and every element below it, depth first, in document order.
    pub fn descendants(&self) -> Vec<&Element> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(element) = stack.pop() {
            out.push(element);
            stack.extend(element.children.iter().rev());
        }
        out
    }

    /// The text with surrounding white space removed.
    pub fn trimmed_text(&self) -> &str {
        self.text.trim()
    }
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for XmlError {}

/// Reads `xml` into its root element.
///
/// # Errors
///
/// [`XmlError`] for malformed XML, a DTD, an unknown entity or namespace prefix, more than
/// one root, text outside the root, or nesting deeper than [`MAX_DEPTH`].
pub fn parse(xml: &str) -> Result<Element, XmlError> {
    let mut reader = NsReader::from_str(xml);
    let at = |offset: u64, message: String| {
        let (line, column) = line_column(xml, usize::try_from(offset).unwrap_or(usize::MAX));
        XmlError {
            line,
            column,
            message,
        }
    };
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let start = reader.buffer_position();
        let (resolved, event) = match reader.read_resolved_event() {
            Ok((resolved, event)) => (namespace_of(resolved), event),
            Err(error) => return Err(at(reader.error_position(), error.to_string())),
        };
        match event {
            Event::Start(ref tag) | Event::Empty(ref tag) => {
                let is_empty = matches!(event, Event::Empty(_));
                let namespace = resolved.map_err(|prefix| {
                    at(start, format!("undeclared namespace prefix `{prefix}`"))
                })?;
                if root.is_some() {
                    return Err(at(start, "more than one root element".to_owned()));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(at(
                        start,
                        format!("elements nested deeper than {MAX_DEPTH}"),
                    ));
                }
                let mut attributes = Vec::new();
                for attribute in tag.attributes() {
                    let attribute = attribute.map_err(|e| at(start, e.to_string()))?;
                    let key = attribute.key;
                    if key.as_namespace_binding().is_some() {
                        continue;
                    }
                    let (ns, local) = reader.resolver().resolve_attribute(key);
                    let namespace = namespace_of(ns).map_err(|prefix| {
                        at(start, format!("undeclared namespace prefix `{prefix}`"))
                    })?;
                    let value = attribute
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|e| at(start, e.to_string()))?;
                    attributes.push(Attribute {
                        namespace,
                        name: local.as_ref().to_owned(),
                        value: value.into_owned(),
                    });
                }
                let element = Element {
                    namespace,
                    name: tag.local_name().as_ref().to_owned(),
                    attributes,
                    children: Vec::new(),
                    text: String::new(),
                    line: line_column(xml, usize::try_from(start).unwrap_or(usize::MAX)).0,
                };
                if is_empty {
                    attach(&mut stack, &mut root, element);
                } else {
                    stack.push(element);
                }
            }
            Event::End(_) => {
                let Some(element) = stack.pop() else {
                    return Err(at(start, "unexpected end tag".to_owned()));
                };
                attach(&mut stack, &mut root, element);
            }
            Event::Text(text) => {
                let content = text.xml_content(quick_xml::XmlVersion::Implicit1_0);
                push_text(&mut stack, &content).map_err(|m| at(start, m))?;
            }
            Event::CData(cdata) => {
                let content = cdata.xml_content(quick_xml::XmlVersion::Implicit1_0);
                push_text(&mut stack, &content).map_err(|m| at(start, m))?;
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match &*reference {
                        "lt" => "<".to_owned(),
                        "gt" => ">".to_owned(),
                        "amp" => "&".to_owned(),
                        "apos" => "'".to_owned(),
                        "quot" => "\"".to_owned(),
                        other => {
                            return Err(at(start, format!("unknown entity `&{other};`")));
                        }
                    },
                    Err(error) => return Err(at(start, error.to_string())),
                };
                push_text(&mut stack, &resolved).map_err(|m| at(start, m))?;
            }
            Event::DocType(_) => {
                return Err(at(
                    start,
                    "a DOCTYPE is not allowed in SAML documents (no DTDs or entities)".to_owned(),
                ));
            }
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(open) = stack.last() {
        return Err(XmlError {
            line: open.line,
            column: 1,
            message: format!("element `{}` is not closed", open.name),
        });
    }
    root.ok_or_else(|| at(0, "the document has no root element".to_owned()))
}

/// The namespace of a resolved name, or the unknown prefix.
fn namespace_of(resolved: ResolveResult<'_>) -> Result<Option<String>, String> {
    match resolved {
        ResolveResult::Bound(ns) => Ok(Some(ns.as_ref().to_owned())),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(prefix) => Err(prefix.to_string()),
    }
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

fn push_text(stack: &mut [Element], text: &str) -> Result<(), String> {
    match stack.last_mut() {
        Some(element) => {
            element.text.push_str(text);
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err("text outside the root element".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_namespaces_attributes_text_and_lines() {
        let root = parse(
            "<?xml version=\"1.0\"?>\n<md:A xmlns:md=\"urn:m\" x=\"1 &amp; 2\">\n  \
             <md:B>t&#x41;<![CDATA[<c>]]></md:B><C/>\n</md:A>",
        )
        .unwrap();
        assert!(root.is("urn:m", "A"));
        assert_eq!(root.attribute("x"), Some("1 & 2"));
        assert_eq!(root.line, 2);
        let b = root.child("urn:m", "B").unwrap();
        assert_eq!(b.text, "tA<c>");
        assert_eq!(b.line, 3);
        assert_eq!(root.children[1].namespace, None);
        assert_eq!(root.descendants().len(), 3);
    }

    #[test]
    fn refuses_dtds_bad_prefixes_and_reports_the_line() {
        let error = parse("<!DOCTYPE a [<!ENTITY x \"y\">]>\n<a>&x;</a>").unwrap_err();
        assert!(error.message.contains("DOCTYPE"), "{error}");
        let error = parse("<a>\n<b:c/></a>").unwrap_err();
        assert_eq!(error.line, 2, "{error}");
        assert!(error.message.contains("prefix `b`"), "{error}");
        let error = parse("<a>\n\n<b></a>").unwrap_err();
        assert_eq!(error.line, 3, "{error}");
        assert!(parse("<a/><b/>").is_err());
        assert!(parse("").is_err());
        assert!(parse("<a>&bogus;</a>").is_err());
    }
}
