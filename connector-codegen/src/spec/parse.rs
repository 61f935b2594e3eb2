//! TOML text to [`SpecFile`], with parse errors turned into located diagnostics.

use super::model::SpecFile;
use crate::diagnostic::{Diagnostic, did_you_mean};

/// Parses a spec's text. A syntax error, an unknown key or a value of the wrong shape
/// becomes one diagnostic at the offending span, with a suggestion for near-miss names.
pub fn parse_spec(source: &str) -> Result<SpecFile, Diagnostic> {
    toml::from_str::<SpecFile>(source).map_err(|error| {
        let span = error.span().unwrap_or(0..0);
        let message = error.message().trim().to_owned();
        let mut diagnostic = Diagnostic::new(span, describe(&message));
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

    #[test]
    fn invalid_toml_is_located() {
        let d = parse_spec("spec_version = = 1\n").unwrap_err();
        assert!(d.span.start > 0, "{d:?}");
    }
}
