//! The shape a SAML Response must have before its signatures are even checked.
//!
//! XML signature wrapping (XSW) attacks keep a validly signed element somewhere in the
//! document and put unsigned content where the SP reads. These checks refuse every shape
//! but the plain one: a `samlp:Response` root, exactly one `saml:Assertion` in the whole
//! document and it a direct child of the root, unique `ID`s, and each `ds:Signature` a
//! direct child of the Response or the Assertion whose single Reference points at its own
//! parent's `ID`. Signature *verification* is xmlsec's job (through samael), not this
//! module's.

use std::collections::HashSet;

use connector_sso::check::weak_xml_algorithm;
use connector_sso::xml::{self, Element};

use crate::rejection::Rejection;

/// The SAML protocol namespace.
pub const SAMLP_NS: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
/// The SAML assertion namespace.
pub const SAML_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
/// The XML Signature namespace.
pub const DS_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// The success status code.
pub const STATUS_SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";

/// What the structural pass learned about a Response (none of it is trusted yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// The Response's `ID`.
    pub response_id: String,
    /// The Response's `Destination`.
    pub destination: Option<String>,
    /// The Response's `InResponseTo`.
    pub in_response_to: Option<String>,
    /// The top-level StatusCode value.
    pub status: Option<String>,
    /// The Assertion's `ID`.
    pub assertion_id: String,
    /// Whether the Response carries a signature.
    pub response_signed: bool,
    /// Whether the Assertion carries a signature.
    pub assertion_signed: bool,
    /// The X.509 certificates (base64) the signatures' KeyInfo carry, if any.
    pub embedded_certificates: Vec<String>,
}

/// Checks the shape of `xml` (a decoded SAML Response).
///
/// # Errors
///
/// [`Rejection::Malformed`], [`Rejection::Unsupported`] (encrypted assertions),
/// [`Rejection::Unsigned`], [`Rejection::WeakAlgorithm`] or
/// [`Rejection::SignatureWrapping`], each saying what was found.
pub fn inspect(xml: &str) -> Result<Shape, Rejection> {
    let root = xml::parse(xml).map_err(|e| Rejection::Malformed(format!("XML error at {e}")))?;
    refuse_comments(xml)?;
    if !root.is(SAMLP_NS, "Response") {
        return Err(Rejection::Malformed(format!(
            "the root element is `{}`, not samlp:Response",
            root.name
        )));
    }
    let response_id = required_id(&root, "Response")?;

    let all = root.descendants();
    let mut ids = HashSet::new();
    for element in &all {
        if let Some(id) = element.attribute("ID")
            && !ids.insert(id)
        {
            return Err(Rejection::SignatureWrapping(format!(
                "the ID `{id}` appears on more than one element (line {})",
                element.line
            )));
        }
    }
    if all.iter().any(|e| e.is(SAML_NS, "EncryptedAssertion")) {
        return Err(Rejection::Unsupported(
            "encrypted assertions are not supported by this SP".to_owned(),
        ));
    }
    let assertions: Vec<&&Element> = all.iter().filter(|e| e.is(SAML_NS, "Assertion")).collect();
    let assertion = match assertions.as_slice() {
        [] => {
            return Err(Rejection::Malformed(
                "the Response holds no Assertion".to_owned(),
            ));
        }
        [one] => **one,
        many => {
            return Err(Rejection::SignatureWrapping(format!(
                "the Response holds {} Assertion elements (lines {}); exactly one is accepted",
                many.len(),
                many.iter()
                    .map(|a| a.line.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    };
    if !root.children.iter().any(|c| std::ptr::eq(c, assertion)) {
        let parent = all
            .iter()
            .find(|e| e.children.iter().any(|c| std::ptr::eq(c, assertion)))
            .map_or_else(|| "?".to_owned(), |p| p.name.clone());
        return Err(Rejection::SignatureWrapping(format!(
            "the Assertion (line {}) is inside `{parent}`, not a direct child of the Response",
            assertion.line
        )));
    }
    let assertion_id = required_id(assertion, "Assertion")?;

    let mut response_signed = false;
    let mut assertion_signed = false;
    let mut embedded_certificates = Vec::new();
    for parent in &all {
        for signature in parent.children_named(DS_NS, "Signature") {
            let (owner, owner_id) = if std::ptr::eq(*parent, &root) {
                response_signed = true;
                ("Response", &response_id)
            } else if std::ptr::eq(*parent, assertion) {
                assertion_signed = true;
                ("Assertion", &assertion_id)
            } else {
                return Err(Rejection::SignatureWrapping(format!(
                    "a signature (line {}) sits inside `{}`, not in the Response or its Assertion",
                    signature.line, parent.name
                )));
            };
            check_signature(signature, owner, owner_id)?;
            embedded_certificates.extend(
                signature
                    .descendants()
                    .into_iter()
                    .filter(|e| e.is(DS_NS, "X509Certificate"))
                    .map(|e| e.text.split_whitespace().collect::<String>()),
            );
        }
    }
    if !response_signed && !assertion_signed {
        return Err(Rejection::Unsigned);
    }

    Ok(Shape {
        response_id,
        destination: root.attribute("Destination").map(str::to_owned),
        in_response_to: root.attribute("InResponseTo").map(str::to_owned),
        status: root
            .child(SAMLP_NS, "Status")
            .and_then(|s| s.child(SAMLP_NS, "StatusCode"))
            .and_then(|c| c.attribute("Value"))
            .map(str::to_owned),
        assertion_id,
        response_signed,
        assertion_signed,
        embedded_certificates,
    })
}

/// Refuses comments and processing instructions inside the document.
///
/// Exclusive canonicalization drops comments, so `alice@example.com<!---->.evil.example`
/// keeps the signature of `alice@example.com.evil.example` while a reader that stops at
/// the comment sees `alice@example.com` (the comment-truncation attack). IdPs do not put
/// comments in Responses, so none are accepted.
fn refuse_comments(xml: &str) -> Result<(), Rejection> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut depth = 0usize;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(_)) => depth += 1,
            Ok(quick_xml::events::Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(quick_xml::events::Event::Comment(_)) if depth > 0 => {
                return Err(Rejection::Malformed(
                    "comments are not accepted inside a SAML Response (they are outside the \
                     signature and can truncate values)"
                        .to_owned(),
                ));
            }
            Ok(quick_xml::events::Event::PI(_)) if depth > 0 => {
                return Err(Rejection::Malformed(
                    "processing instructions are not accepted inside a SAML Response".to_owned(),
                ));
            }
            Ok(quick_xml::events::Event::Eof) => return Ok(()),
            Ok(_) => {}
            // The tree parse above already accepted the document.
            Err(error) => return Err(Rejection::Malformed(format!("XML error: {error}"))),
        }
    }
}

fn required_id(element: &Element, what: &str) -> Result<String, Rejection> {
    match element.attribute("ID") {
        Some(id) if !id.is_empty() => Ok(id.to_owned()),
        _ => Err(Rejection::Malformed(format!("the {what} has no ID"))),
    }
}

/// A signature must hold one Reference to its parent, with strong algorithms.
fn check_signature(signature: &Element, owner: &str, owner_id: &str) -> Result<(), Rejection> {
    let Some(signed_info) = signature.child(DS_NS, "SignedInfo") else {
        return Err(Rejection::Malformed(format!(
            "the {owner}'s signature has no SignedInfo"
        )));
    };
    let references: Vec<&Element> = signed_info.children_named(DS_NS, "Reference").collect();
    let [reference] = references.as_slice() else {
        return Err(Rejection::SignatureWrapping(format!(
            "the {owner}'s signature has {} References; exactly one (to the {owner}) is accepted",
            references.len()
        )));
    };
    let uri = reference.attribute("URI").unwrap_or_default();
    if uri.strip_prefix('#') != Some(owner_id) {
        return Err(Rejection::SignatureWrapping(format!(
            "the {owner}'s signature references `{uri}`, not the {owner} itself (`#{owner_id}`)"
        )));
    }
    let method = signed_info
        .child(DS_NS, "SignatureMethod")
        .and_then(|m| m.attribute("Algorithm"))
        .unwrap_or_default();
    let digest = reference
        .child(DS_NS, "DigestMethod")
        .and_then(|m| m.attribute("Algorithm"))
        .unwrap_or_default();
    for algorithm in [method, digest] {
        if weak_xml_algorithm(algorithm) {
            return Err(Rejection::WeakAlgorithm(format!(
                "the {owner}'s signature uses {algorithm}; only SHA-256 or stronger is accepted"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(body: &str) -> String {
        format!(
            r##"<samlp:Response xmlns:samlp="{SAMLP_NS}" xmlns:saml="{SAML_NS}" xmlns:ds="{DS_NS}" ID="r1" Destination="https://sp/acs">{body}</samlp:Response>"##
        )
    }

    fn signature(reference: &str) -> String {
        format!(
            r##"<ds:Signature><ds:SignedInfo><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#{reference}"><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/></ds:Reference></ds:SignedInfo></ds:Signature>"##
        )
    }

    #[test]
    fn the_plain_shape_passes() {
        let xml = response(&format!(
            r#"<saml:Assertion ID="a1">{}</saml:Assertion>"#,
            signature("a1")
        ));
        let shape = inspect(&xml).unwrap();
        assert!(shape.assertion_signed && !shape.response_signed);
        assert_eq!(shape.destination.as_deref(), Some("https://sp/acs"));
    }

    #[test]
    fn wrapping_shapes_are_refused() {
        let two = response(&format!(
            r#"<saml:Assertion ID="evil"/><saml:Assertion ID="a1">{}</saml:Assertion>"#,
            signature("a1")
        ));
        assert_eq!(inspect(&two).unwrap_err().code(), "signature_wrapping");
        let moved = response(&format!(
            r#"<samlp:Extensions><saml:Assertion ID="a1">{}</saml:Assertion></samlp:Extensions>"#,
            signature("a1")
        ));
        assert!(
            inspect(&moved)
                .unwrap_err()
                .to_string()
                .contains("inside `Extensions`")
        );
        let elsewhere = response(&format!(r#"{}<saml:Assertion ID="a1"/>"#, signature("a1")));
        assert!(
            inspect(&elsewhere)
                .unwrap_err()
                .to_string()
                .contains("references `#a1`")
        );
        let duplicate = response(&format!(
            r#"<saml:Assertion ID="r1">{}</saml:Assertion>"#,
            signature("r1")
        ));
        assert!(
            inspect(&duplicate)
                .unwrap_err()
                .to_string()
                .contains("more than one")
        );
        let unsigned = response(r#"<saml:Assertion ID="a1"/>"#);
        assert_eq!(inspect(&unsigned).unwrap_err(), Rejection::Unsigned);
        let sha1 = response(&format!(
            r#"<saml:Assertion ID="a1">{}</saml:Assertion>"#,
            signature("a1").replace("xmlenc#sha256", "xmldsig#sha1")
        ));
        assert_eq!(inspect(&sha1).unwrap_err().code(), "weak_algorithm");
        assert_eq!(inspect("<x/>").unwrap_err().code(), "malformed");
        assert_eq!(inspect("<<").unwrap_err().code(), "malformed");
    }
}
