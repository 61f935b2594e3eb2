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
    /// A byte range of the spec text that may hold a secret (a value refused where a
    /// variable name belongs): the snippet shows only its first characters, so a pasted
    /// credential does not end up in a build log.
    pub masked: Option<Range<usize>>,
}

impl Diagnostic {
    /// A diagnostic at `span`.
    pub fn new(span: Range<usize>, message: impl Into<String>) -> Self {
        Self {
            span,
            message: message.into(),
            help: None,
            masked: None,
        }
    }

    /// Masks `range` of the spec text in the snippet (see [`Diagnostic::masked`]).
    pub fn with_masked(mut self, range: Range<usize>) -> Self {
        self.masked = Some(range);
        self
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Renders the diagnostic against the spec's text, as the compiler and `cargo xtask`
    /// print it.
    pub fn render(&self, path: &str, source: &str) -> String {
        self.render_masking(path, source, self.masked.as_slice())
    }

    /// Renders the diagnostic with every range of `masks` masked in the snippet.
    fn render_masking(&self, path: &str, source: &str, masks: &[Range<usize>]) -> String {
        let location = Location::of(source, self.span.start);
        let mut out = format!(
            "{path}:{}:{}: {}",
            location.line, location.column, self.message
        );
        let line_text = source.lines().nth(location.line - 1).unwrap_or("");
        let line_start = self.span.start.min(source.len()) - (location.column - 1);
        let shown = ShownLine::new(line_text, line_start, masks);
        let in_line = |offset: usize| offset.saturating_sub(line_start).min(line_text.len());
        let caret_start = shown.columns[in_line(self.span.start)];
        let caret_end = shown.columns[in_line(self.span.end)];
        let caret_width = caret_end.saturating_sub(caret_start).max(1);
        let gutter = location.line.to_string().len();
        let pad = " ".repeat(gutter);
        out.push_str(&format!(
            "\n{pad} |\n{} | {}\n{pad} | {}{}",
            location.line,
            shown.text,
            " ".repeat(caret_start),
            "^".repeat(caret_width)
        ));
        if let Some(help) = &self.help {
            out.push_str(&format!("\n{pad} = help: {help}"));
        }
        out
    }
}

/// One line of the spec as a snippet shows it: masked ranges cut down to their first
/// characters and `…`.
struct ShownLine {
    /// The text shown.
    text: String,
    /// For each byte offset of the original line (and its end), the column (in
    /// characters) where it appears in `text`.
    columns: Vec<usize>,
}

impl ShownLine {
    fn new(line: &str, line_start: usize, masks: &[Range<usize>]) -> Self {
        let mut text = String::with_capacity(line.len());
        let mut columns = vec![0; line.len() + 1];
        let mut shown_chars = 0;
        let mut at = 0;
        while at < line.len() {
            let absolute = line_start + at;
            if let Some(mask) = masks.iter().find(|m| m.contains(&absolute)) {
                let end = (mask.end - line_start).min(line.len());
                let secret = line.get(at..end).unwrap_or("");
                let replacement = if absolute == mask.start {
                    mask_secret(secret)
                } else {
                    "\u{2026}".to_owned()
                };
                columns[at..end].fill(shown_chars);
                shown_chars += replacement.chars().count();
                text.push_str(&replacement);
                at = end.max(at + 1);
                continue;
            }
            let Some(c) = line[at..].chars().next() else {
                break;
            };
            columns[at..at + c.len_utf8()].fill(shown_chars);
            shown_chars += 1;
            text.push(c);
            at += c.len_utf8();
        }
        columns[line.len()] = shown_chars;
        Self { text, columns }
    }
}

/// A secret as a snippet shows it: its first four characters (fewer for a short value)
/// and `…`, enough to recognise what was pasted without the build log holding it.
pub fn mask_secret(secret: &str) -> String {
    let count = secret.chars().count();
    let keep = if count >= 12 { 4 } else { count / 3 };
    let mut shown: String = secret.chars().take(keep).collect();
    shown.push('\u{2026}');
    shown
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
    /// A range masked by one diagnostic is masked in every snippet that shows it.
    pub fn rendered(&self) -> Vec<String> {
        let masks: Vec<Range<usize>> = self
            .diagnostics
            .iter()
            .filter_map(|d| d.masked.clone())
            .collect();
        self.diagnostics
            .iter()
            .map(|d| d.render_masking(&self.path, &self.source, &masks))
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
    fn a_masked_range_shows_only_its_first_characters() {
        let source = "[auth]\ntoken_env = \"xoxp-1234567890-abcdef\"  # pasted\n";
        let start = source.find('"').unwrap();
        let end = source.rfind('"').unwrap() + 1;
        let d = Diagnostic::new(start..end, "not a name").with_masked(start + 1..end - 1);
        let rendered = d.render("x.toml", source);
        assert_eq!(
            rendered,
            "x.toml:2:13: not a name\n  |\n2 | token_env = \"xoxp\u{2026}\"  # pasted\n  |             ^^^^^^^"
        );
        assert!(!rendered.contains("1234567890"));
        // Another diagnostic on the same line masks it too.
        let other = Diagnostic::new(0..6, "elsewhere");
        let second_line = Diagnostic::new(start - 12..start - 3, "key");
        let errors = SpecErrors {
            path: "x.toml".to_owned(),
            source: source.to_owned(),
            diagnostics: vec![other, second_line, d],
        };
        let all = errors.to_string();
        assert!(!all.contains("1234567890"), "{all}");
        assert!(
            all.contains("2 | token_env = \"xoxp\u{2026}\"  # pasted\n  | ^^^^^^^^^"),
            "{all}"
        );
    }

    #[test]
    fn short_values_keep_fewer_characters() {
        assert_eq!(mask_secret("abcdefghijklmnop"), "abcd\u{2026}");
        assert_eq!(mask_secret("abcdef"), "ab\u{2026}");
        assert_eq!(mask_secret("ab"), "\u{2026}");
        assert_eq!(mask_secret("ééééééééééééé"), "éééé\u{2026}");
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
