//! Text from a directory or an app, made safe to print on a terminal.
//!
//! Every printer (the plan, `status`, `audit`, the apply report, error messages) passes
//! the values it quotes through [`escape`] (or [`Escaped`]): control characters (C0, DEL,
//! C1, so every ESC sequence), bidirectional overrides and isolates, and invisible
//! characters print as visible escapes such as `\u{1b}`, so a name cannot erase, reorder
//! or fake lines of the output. [`escape_lines`] does the same to a whole multi-line text
//! and keeps its line breaks. [`suspicious`] flags names that look like another name:
//! invisible characters, or letters of several scripts in one label.

mod script;

use std::borrow::Cow;
use std::fmt;

pub use script::{Script, suspicious};

/// Whether `c` must not reach a terminal as it is.
///
/// C0 controls, DEL and C1 controls; the bidirectional marks, embeddings, overrides and
/// isolates (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069); the invisible
/// characters that can hide inside a name (U+00AD, U+200B–U+200D, U+2060–U+2064,
/// U+FEFF); and the line and paragraph separators U+2028 and U+2029.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_invisible(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Whether `c` changes the direction of the text around it.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Whether `c` prints as nothing (zero-width characters, the soft hyphen, the BOM).
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}'
    )
}

/// `text` with every [unsafe](is_unsafe) character written as a visible escape: `\n`,
/// `\r`, `\t`, else `\u{hex}`. Borrows when there is nothing to escape.
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_except(text, None)
}

/// Like [`escape`], but keeps line breaks (`\n`): for a text made of lines, such as a
/// rendered report or a multi-line error, whose values were escaped already.
pub fn escape_lines(text: &str) -> Cow<'_, str> {
    escape_except(text, Some('\n'))
}

/// [`escape`], keeping `kept` as it is.
fn escape_except(text: &str, kept: Option<char>) -> Cow<'_, str> {
    let must = |c: char| is_unsafe(c) && Some(c) != kept;
    if !text.chars().any(must) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if must(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Appends the visible escape of `c`.
fn push_escape(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        other => {
            use fmt::Write;
            let _ = write!(out, "\\u{{{:x}}}", u32::from(other));
        }
    }
}

/// A value that [`escape`]s itself when displayed: `format!("{}", Escaped(name))`.
#[derive(Debug, Clone, Copy)]
pub struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escape(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi() {
        assert_eq!(escape("alice"), "alice");
        assert!(matches!(escape("Zoë Ångström"), Cow::Borrowed(_)));
        // An ESC sequence that would move the cursor up and erase the line.
        assert_eq!(escape("eve\u{1b}[1A\u{1b}[2K"), "eve\\u{1b}[1A\\u{1b}[2K");
        assert_eq!(
            escape("a\nb\r\tc\u{7f}\u{85}\0"),
            "a\\nb\\r\\tc\\u{7f}\\u{85}\\u{0}"
        );
        assert_eq!(
            escape("admin\u{202e}gnp.exe\u{2066}\u{2069}\u{200e}\u{200f}\u{61c}"),
            "admin\\u{202e}gnp.exe\\u{2066}\\u{2069}\\u{200e}\\u{200f}\\u{61c}"
        );
        assert_eq!(escape("bo\u{200b}b\u{feff}"), "bo\\u{200b}b\\u{feff}");
        assert_eq!(escape("x\u{2028}y"), "x\\u{2028}y");
        assert_eq!(format!("[{}]", Escaped("\u{9b}31m")), "[\\u{9b}31m]");
    }

    #[test]
    fn escape_lines_keeps_line_breaks_only() {
        assert_eq!(escape_lines("one\ntwo\u{1b}c\r\n"), "one\ntwo\\u{1b}c\\r\n");
    }
}
