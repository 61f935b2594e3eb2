//! Unfilled placeholders: a string value that starts with `TODO` (`"TODO: the SCIM base
//! URL, e.g. https://api.acme.com/scim/v2"`), as `cargo xtask gen new` writes them into a
//! fresh spec. Each one is an error at its value that says what to put there.
//!
//! The scan runs on the TOML document before the spec is deserialized, so a placeholder
//! stands anywhere a value does (a URL, an enumeration, a number) and is reported as
//! a placeholder rather than as a malformed URL or an unknown value.

use serde_spanned::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostic::Diagnostic;

/// The word that opens a placeholder.
pub const PLACEHOLDER_PREFIX: &str = "TODO";

/// Every unfilled placeholder of a spec's text, in file order. Text that is not valid
/// TOML has none (the parser reports the syntax error instead).
pub fn find_placeholders(source: &str) -> Vec<Diagnostic> {
    let Ok(document) = DeTable::parse(source) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    walk_table(source, document.get_ref(), "", &mut found);
    found.sort_by_key(|d| (d.span.start, d.span.end));
    found
}

/// What a placeholder asks for (the text after `TODO:`), or `None` when `value` is not
/// a placeholder. `TODO` must be followed by the end, `:` or white space, so a name like
/// `TODOist` is not one.
pub fn placeholder_request(value: &str) -> Option<&str> {
    let rest = value.trim_start().strip_prefix(PLACEHOLDER_PREFIX)?;
    if !(rest.is_empty() || rest.starts_with(':') || rest.starts_with(char::is_whitespace)) {
        return None;
    }
    Some(rest.trim_start_matches(':').trim())
}

fn walk_table(source: &str, table: &DeTable<'_>, path: &str, found: &mut Vec<Diagnostic>) {
    for (key, value) in table {
        let path = join_key(path, key.get_ref());
        walk_value(source, value, &path, found);
    }
}

fn walk_value(source: &str, value: &Spanned<DeValue<'_>>, path: &str, found: &mut Vec<Diagnostic>) {
    match value.get_ref() {
        DeValue::String(text) => {
            if let Some(request) = placeholder_request(text) {
                found.push(diagnostic(source, value.span(), path, request));
            }
        }
        DeValue::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                walk_value(source, item, &format!("{path}[{index}]"), found);
            }
        }
        DeValue::Table(table) => walk_table(source, table, path, found),
        DeValue::Integer(_) | DeValue::Float(_) | DeValue::Boolean(_) | DeValue::Datetime(_) => {}
    }
}

/// The error for one placeholder, with the caret under the string's contents.
fn diagnostic(source: &str, span: std::ops::Range<usize>, path: &str, request: &str) -> Diagnostic {
    let raw = source.get(span.clone()).unwrap_or_default();
    let quote = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        3
    } else {
        1
    };
    let inner = if raw.len() >= 2 * quote {
        span.start + quote..span.end - quote
    } else {
        span
    };
    let message = if request.is_empty() {
        format!("`{path}` is an unfilled placeholder")
    } else {
        format!("`{path}` is an unfilled placeholder: {request}")
    };
    Diagnostic::new(inner, message).with_help(
        "replace the whole quoted string, `TODO` included, with the real value (unquoted if \
         it is a number); docs/spec.md explains every key",
    )
}

/// `a.b` for a bare key, `a."b.c"` for one that needs quotes in TOML.
fn join_key(path: &str, key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let key = if bare {
        key.to_owned()
    } else {
        format!("\"{key}\"")
    };
    if path.is_empty() {
        key
    } else {
        format!("{path}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_placeholder_is_reported_at_its_contents_with_what_to_put_there() {
        let source = "[provisioning]\nbase_url = \"TODO: the SCIM base URL, e.g. https://api.acme.com/scim/v2\"\n";
        let found = find_placeholders(source);
        assert_eq!(found.len(), 1, "{found:?}");
        let d = &found[0];
        assert_eq!(
            d.message,
            "`provisioning.base_url` is an unfilled placeholder: the SCIM base URL, e.g. https://api.acme.com/scim/v2"
        );
        assert_eq!(&source[d.span.start..d.span.start + 5], "TODO:");
        assert_eq!(source.as_bytes()[d.span.end], b'"');
    }

    #[test]
    fn placeholders_are_found_in_arrays_inline_tables_and_quoted_keys() {
        let source = r#"
spec_version = 1
[mapping]
"name.givenName" = "TODO"
[provisioning]
capabilities = ["create", "TODO: more"]
[sso]
attributes = { mail = '''TODO: the mail attribute''' }
"#;
        let paths: Vec<String> = find_placeholders(source)
            .into_iter()
            .map(|d| d.message)
            .collect();
        assert_eq!(
            paths,
            [
                "`mapping.\"name.givenName\"` is an unfilled placeholder",
                "`provisioning.capabilities[1]` is an unfilled placeholder: more",
                "`sso.attributes.mail` is an unfilled placeholder: the mail attribute",
            ]
        );
    }

    #[test]
    fn words_that_merely_start_with_todo_are_values() {
        assert_eq!(placeholder_request("TODOist"), None);
        assert_eq!(placeholder_request("Todo: lowercase is a value"), None);
        assert_eq!(placeholder_request("  TODO  "), Some(""));
        assert_eq!(placeholder_request("TODO: x"), Some("x"));
        assert!(find_placeholders("product = \"TODOist Business\"\n").is_empty());
        assert!(find_placeholders("not toml = = 1").is_empty());
    }
}
