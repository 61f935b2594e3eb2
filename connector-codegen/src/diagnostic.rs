//! Diagnostics that point into the spec file: `path:line:col: message`, a source snippet
//! with a caret, and an optional help line.

use std::fmt;
use std::ops::Range;

/// One problem found in a spec, located by byte range in the spec's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Byte range in the spec text the problem is about.
    pub span: Range<usize>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it, when there is something useful to say.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at `span`.
    pub fn new(span: Range<usize>, message: impl Into<String>) -> Self {
        Self {
            span,
            message: message.into(),
            help: None,
        }
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Renders the diagnostic against the spec's text, as the compiler and `cargo xtask`
    /// print it.
    pub fn render(&self, path: &str, source: &str) -> String {
        let location = Location::of(source, self.span.start);
        let mut out = format!(
            "{path}:{}:{}: {}",
            location.line, location.column, self.message
        );
        let line_text = source.lines().nth(location.line - 1).unwrap_or("");
        let gutter = location.line.to_string().len();
        let caret_width = self
            .span
            .len()
            .min(line_text.len().saturating_sub(location.column - 1))
            .max(1);
        let pad = " ".repeat(gutter);
        out.push_str(&format!(
            "\n{pad} |\n{} | {line_text}\n{pad} | {}{}",
            location.line,
            " ".repeat(
                line_text[..(location.column - 1).min(line_text.len())]
                    .chars()
                    .count()
            ),
            "^".repeat(caret_width)
        ));
        if let Some(help) = &self.help {
            out.push_str(&format!("\n{pad} = help: {help}"));
        }
        out
    }
}

/// A 1-based line and column (in bytes) in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl Location {
    /// The line and column of byte `offset` in `source`.
    pub fn of(source: &str, offset: usize) -> Self {
        let offset = offset.min(source.len());
        let before = &source[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Self {
            line,
            column: offset - line_start + 1,
        }
    }
}

/// All the problems found in one spec, rendered one after another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecErrors {
    /// The spec's path as shown to the user.
    pub path: String,
    /// The spec's text.
    pub source: String,
    /// The problems, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl SpecErrors {
    /// Each diagnostic rendered with path, line, column and snippet.
    pub fn rendered(&self) -> Vec<String> {
        self.diagnostics
            .iter()
            .map(|d| d.render(&self.path, &self.source))
            .collect()
    }
}

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rendered().join("\n\n"))
    }
}

impl std::error::Error for SpecErrors {}

/// The closest of `candidates` to `word`, when it is close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

/// ` (did you mean `x`?)` or nothing.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    suggest(word, candidates)
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_line_column_snippet_and_help() {
        let source = "[mapping]\nuserName = \"{emial}\"\n";
        let start = source.find("emial").unwrap();
        let d = Diagnostic::new(start..start + 5, "unknown field `emial`").with_help("use `email`");
        assert_eq!(
            d.render("x.toml", source),
            "x.toml:2:14: unknown field `emial`\n  |\n2 | userName = \"{emial}\"\n  |              ^^^^^\n  = help: use `email`"
        );
    }

    #[test]
    fn suggests_close_words_only() {
        assert_eq!(
            suggest("first_nme", ["first_name", "last_name"]),
            Some("first_name")
        );
        assert_eq!(suggest("xyz", ["first_name"]), None);
    }
}
