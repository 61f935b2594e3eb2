//! Attribute paths (RFC 7644 §3.10): `attr`, `attr.sub`, `urn:...:Schema:attr[.sub]`.

use std::fmt;

/// URN of the core User schema.
pub(crate) const CORE_USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// URN of the core Group schema.
pub(crate) const CORE_GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// URN of the enterprise User extension.
pub(crate) const ENTERPRISE_USER_SCHEMA: &str =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// A parsed attribute path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AttrPath {
    /// The extension schema URN holding the attribute; `None` for core attributes.
    pub urn: Option<String>,
    /// The attribute name.
    pub attr: String,
    /// The sub-attribute, if any.
    pub sub: Option<String>,
}

impl AttrPath {
    /// A core attribute path.
    #[cfg(test)]
    pub(crate) fn core(attr: &str) -> Self {
        Self {
            urn: None,
            attr: attr.to_owned(),
            sub: None,
        }
    }

    /// Parses `text`. A core schema URN prefix is dropped (the attribute is then core).
    /// `None` when the text is not a well-formed path.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (urn, rest) = if starts_with_urn(text) {
            let colon = text.rfind(':')?;
            (Some(&text[..colon]), &text[colon + 1..])
        } else {
            (None, text)
        };
        let (attr, sub) = match rest.split_once('.') {
            Some((attr, sub)) => (attr, Some(sub)),
            None => (rest, None),
        };
        if !is_name(attr) || sub.is_some_and(|s| !is_name(s)) {
            return None;
        }
        let urn = urn.filter(|u| !is_core_schema(u)).map(str::to_owned);
        Some(Self {
            urn,
            attr: attr.to_owned(),
            sub: sub.map(str::to_owned),
        })
    }

    /// Whether this is the core attribute `name` (any sub-attribute), ignoring case.
    pub(crate) fn is_core(&self, name: &str) -> bool {
        self.urn.is_none() && self.attr.eq_ignore_ascii_case(name)
    }

    /// The path in lower case, `attr.sub` or `urn:attr.sub`, for comparisons.
    pub(crate) fn key(&self) -> String {
        self.to_string().to_ascii_lowercase()
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(urn) = &self.urn {
            write!(f, "{urn}:")?;
        }
        f.write_str(&self.attr)?;
        if let Some(sub) = &self.sub {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

/// Whether `text` starts with `urn:` (any case).
pub(crate) fn starts_with_urn(text: &str) -> bool {
    text.get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("urn:"))
}

/// Whether `urn` is the core User or Group schema.
pub(crate) fn is_core_schema(urn: &str) -> bool {
    urn.eq_ignore_ascii_case(CORE_USER_SCHEMA) || urn.eq_ignore_ascii_case(CORE_GROUP_SCHEMA)
}

/// An attribute name: a letter, `$` (for `$ref`) or `_`, then letters, digits, `_` or `-`.
fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '$' || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_core_sub_and_extension_paths() {
        assert_eq!(
            AttrPath::parse("userName"),
            Some(AttrPath::core("userName"))
        );
        let name = AttrPath::parse("name.givenName").unwrap();
        assert_eq!(
            (name.attr.as_str(), name.sub.as_deref()),
            ("name", Some("givenName"))
        );
        let dept = AttrPath::parse(&format!("{ENTERPRISE_USER_SCHEMA}:manager.value")).unwrap();
        assert_eq!(dept.urn.as_deref(), Some(ENTERPRISE_USER_SCHEMA));
        assert_eq!(
            (dept.attr.as_str(), dept.sub.as_deref()),
            ("manager", Some("value"))
        );
        let core = AttrPath::parse(&format!("{CORE_USER_SCHEMA}:userName")).unwrap();
        assert_eq!(core, AttrPath::core("userName"));
        assert_eq!(
            AttrPath::parse("members.$ref").unwrap().sub.as_deref(),
            Some("$ref")
        );
        assert!(AttrPath::parse("").is_none());
        assert!(AttrPath::parse("a b").is_none());
        assert!(AttrPath::parse("a.b.c").is_none());
        assert_eq!(
            dept.to_string(),
            format!("{ENTERPRISE_USER_SCHEMA}:manager.value")
        );
    }
}
