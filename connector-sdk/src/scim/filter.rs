//! SCIM filter expressions (RFC 7644 §3.4.2.2) with correctly quoted values.
//!
//! A filter's string value is a JSON string (`compValue` in the RFC's grammar): it is
//! written in double quotes with `\` and `"` escaped, and control characters too.

use serde_json::Value;

/// `value` as a filter string literal: `o"brien` → `"o\"brien"`.
pub fn string_literal(value: &str) -> String {
    Value::String(value.to_owned()).to_string()
}

/// `attribute eq "value"`, e.g. `userName eq "ada@example.com"`.
///
/// `attribute` is a path from the connector's spec and is written as is.
pub fn eq(attribute: &str, value: &str) -> String {
    format!("{attribute} eq {}", string_literal(value))
}

/// A value-path filter on a multi-valued attribute, e.g. `members[value eq "2819c223"]`
/// (a PATCH path selecting one member).
pub fn value_path(attribute: &str, sub_attribute: &str, value: &str) -> String {
    format!("{attribute}[{}]", eq(sub_attribute, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(eq("userName", "ada@x.com"), r#"userName eq "ada@x.com""#);
        assert_eq!(
            eq("userName", r#"o"brien@x.com"#),
            r#"userName eq "o\"brien@x.com""#
        );
        assert_eq!(eq("userName", r"dom\ada"), r#"userName eq "dom\\ada""#);
        assert_eq!(eq("userName", r#"\""#), r#"userName eq "\\\"""#);
        assert_eq!(eq("displayName", "a\nb"), r#"displayName eq "a\nb""#);
        assert_eq!(
            eq("displayName", "Zoë ) or (x"),
            r#"displayName eq "Zoë ) or (x""#
        );
        assert_eq!(
            eq("emails.value", "o'brien@x.com"),
            r#"emails.value eq "o'brien@x.com""#
        );
    }

    #[test]
    fn value_paths() {
        assert_eq!(
            value_path("members", "value", r#"id"1"#),
            r#"members[value eq "id\"1"]"#
        );
    }
}
