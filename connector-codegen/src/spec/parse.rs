//! TOML text to [`SpecFile`], with parse errors turned into located diagnostics.

use super::bounds;
use super::model::SpecFile;
use crate::diagnostic::{Diagnostic, did_you_mean};

/// Parses a spec's text. A syntax error, an unknown key or a value of the wrong shape
/// becomes one diagnostic at the offending span, with a suggestion for near-miss names.
pub fn parse_spec(source: &str) -> Result<SpecFile, Diagnostic> {
    toml::from_str::<SpecFile>(source).map_err(|error| {
        let span = error.span().unwrap_or(0..0);
        let message = error.message().trim().to_owned();
        let described = not_a_whole_number(&message, key_before(source, span.start).as_deref())
            .unwrap_or_else(|| describe(&message));
        let mut diagnostic = Diagnostic::new(span, described);
        if let Some(help) = suggestion(&message) {
            diagnostic = diagnostic.with_help(help);
        }
        diagnostic
    })
}

/// Rewords serde's messages so they read as statements about the spec.
fn describe(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let key = rest.split(',').next().unwrap_or(rest);
        return format!("unknown key {key} in the spec format");
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        return format!("missing required key {rest}");
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let value = rest.split(',').next().unwrap_or(rest);
        return format!("unknown value {value}");
    }
    if message.starts_with("data did not match any variant of untagged enum MappingValue") {
        return "a mapping must be a template string, a boolean or an integer".to_owned();
    }
    message.to_owned()
}

/// serde's `invalid type: string "ten", expected u32` (or `invalid value: integer `-1`,
/// ...`) as `` `page_size` must be a whole number between 1 and 10000, not the string
/// "ten" ``: the bounds the checker enforces for that key, else those of the type.
fn not_a_whole_number(message: &str, key: Option<&str>) -> Option<String> {
    let (found, expected) = message.rsplit_once(", expected ")?;
    let type_max = match expected {
        "u8" => u64::from(u8::MAX),
        "u16" => u64::from(u16::MAX),
        "u32" => u64::from(u32::MAX),
        "u64" => u64::MAX,
        _ => return None,
    };
    let found = found
        .strip_prefix("invalid type: ")
        .or_else(|| found.strip_prefix("invalid value: "))?
        .replace('`', "");
    let (min, max) = key
        .and_then(|key| bounds::of_key(key.rsplit('.').next().unwrap_or(key)))
        .map_or((0, type_max), |range| (*range.start(), *range.end()));
    let subject = key.map_or_else(|| "this value".to_owned(), |key| format!("`{key}`"));
    let found = match found.split_once(' ') {
        Some(("string", text)) => format!("the string {text}"),
        Some(("floating", rest)) => rest.trim_start_matches("point ").to_owned(),
        Some((_, value)) => value.to_owned(),
        None => found,
    };
    Some(if min == max {
        format!("{subject} must be {min}, not {found}")
    } else {
        format!("{subject} must be a whole number between {min} and {max}, not {found}")
    })
}

/// The full key (`provisioning.dialect.page_size`) of the value that starts at `offset`,
/// when the key is on the value's line: the table header above it, then the key (a quoted
/// key without its quotes; in an inline table or array, the innermost key).
fn key_before(source: &str, offset: usize) -> Option<String> {
    let before = source.get(..offset)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let (left, _) = before[line_start..].rsplit_once('=')?;
    let key = left
        .rsplit(['{', ','])
        .next()
        .unwrap_or(left)
        .trim()
        .trim_matches(['"', '\'']);
    if key.is_empty() {
        return None;
    }
    let inline = left.contains('{');
    let table = before[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|line| line.starts_with('['))
        .map(|header| header.trim_matches(['[', ']']).trim());
    Some(match table {
        Some(table) if !inline && !table.is_empty() => format!("{table}.{key}"),
        _ => key.to_owned(),
    })
}

/// `did you mean` and the allowed names, from serde's `expected one of ...` tail.
fn suggestion(message: &str) -> Option<String> {
    let (head, expected) = message.split_once("expected one of ")?;
    let word = head.split('`').nth(1)?;
    let candidates: Vec<&str> = expected
        .split(", ")
        .map(|c| c.trim().trim_matches('`'))
        .collect();
    let mean = did_you_mean(word, candidates.iter().copied());
    let allowed = candidates
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ");
    Some(if mean.is_empty() {
        format!("the allowed names here are {allowed}")
    } else {
        format!(
            "{} The allowed names here are {allowed}",
            mean.trim().trim_matches(['(', ')'])
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_is_located_and_suggested() {
        let source = "spec_versoin = 1\n";
        let d = parse_spec(source).unwrap_err();
        assert_eq!(d.span.start, 0);
        assert!(
            d.message.contains("unknown key `spec_versoin`"),
            "{}",
            d.message
        );
        assert!(
            d.help
                .as_deref()
                .unwrap()
                .contains("did you mean `spec_version`?"),
            "{:?}",
            d.help
        );
    }

    /// The Zoom spec with its `page_size` set to `value`.
    fn zoom_with_page_size(value: &str) -> Diagnostic {
        let spec = include_str!("../../../connectors/zoom/connector.toml");
        assert!(spec.contains("page_size = 100"));
        parse_spec(&spec.replace("page_size = 100", &format!("page_size = {value}"))).unwrap_err()
    }

    #[test]
    fn a_number_of_the_wrong_kind_says_which_numbers_fit() {
        for (value, found) in [
            ("\"ten\"", "the string \"ten\""),
            ("-1", "-1"),
            ("2.5", "2.5"),
            ("5000000000", "5000000000"),
            ("true", "true"),
        ] {
            let d = zoom_with_page_size(value);
            assert_eq!(
                d.message,
                format!(
                    "`provisioning.dialect.page_size` must be a whole number between 1 and \
                     10000, not {found}"
                )
            );
            assert!(d.span.len() >= value.len(), "{d:?}");
        }
    }

    #[test]
    fn numbers_without_a_checked_range_name_their_type_range() {
        let spec = include_str!("../../../connectors/zoom/connector.toml");
        let d = parse_spec(&spec.replace("spec_version = 1", "spec_version = \"1\"")).unwrap_err();
        assert_eq!(d.message, "`spec_version` must be 1, not the string \"1\"");
        assert_eq!(
            not_a_whole_number("invalid type: string \"x\", expected u16", None).as_deref(),
            Some("this value must be a whole number between 0 and 65535, not the string \"x\"")
        );
        assert_eq!(
            not_a_whole_number("invalid type: string \"x\", expected u32", Some("retries"))
                .as_deref(),
            Some("`retries` must be a whole number between 0 and 4294967295, not the string \"x\"")
        );
    }

    #[test]
    fn the_key_is_read_with_its_table() {
        let source =
            "[a.b]\nx = 1\n\n[rest.create]\nsuccess = [200, \"ok\"]\nt = { status = \"x\" }\n";
        let at = |text: &str| key_before(source, source.find(text).unwrap());
        assert_eq!(at("\"ok\"").as_deref(), Some("rest.create.success"));
        assert_eq!(at("\"x\"").as_deref(), Some("status"));
        assert_eq!(at("[a.b]"), None);
    }

    #[test]
    fn invalid_toml_is_located() {
        let d = parse_spec("spec_version = = 1\n").unwrap_err();
        assert!(d.span.start > 0, "{d:?}");
    }
}
