//! Names that pass for other names: invisible characters, and letters of several scripts
//! in one label (`pаypal` with a Cyrillic `а`). A small table of the scripts whose
//! letters look alike (after Unicode's Scripts.txt), in the spirit of UTS #39's
//! "highly restrictive" level: Latin may mix with Han, Hiragana, Katakana, Hangul and
//! Bopomofo (Japanese, Korean, Chinese names); any other mix within a label is flagged.

use std::collections::BTreeSet;

use super::is_invisible;

/// A writing system, as far as lookalike names are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Script {
    /// Latin.
    Latin,
    /// Greek.
    Greek,
    /// Cyrillic.
    Cyrillic,
    /// Armenian.
    Armenian,
    /// Hebrew.
    Hebrew,
    /// Arabic.
    Arabic,
    /// Devanagari.
    Devanagari,
    /// Thai.
    Thai,
    /// Georgian.
    Georgian,
    /// Cherokee.
    Cherokee,
    /// Han, Hiragana, Katakana, Hangul and Bopomofo, which mix in one name.
    Cjk,
    /// A letter of a script not in the table.
    Other,
}

impl Script {
    /// The script's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Latin => "Latin",
            Self::Greek => "Greek",
            Self::Cyrillic => "Cyrillic",
            Self::Armenian => "Armenian",
            Self::Hebrew => "Hebrew",
            Self::Arabic => "Arabic",
            Self::Devanagari => "Devanagari",
            Self::Thai => "Thai",
            Self::Georgian => "Georgian",
            Self::Cherokee => "Cherokee",
            Self::Cjk => "CJK",
            Self::Other => "other",
        }
    }

    /// The script of `c`, when `c` is a letter (digits, punctuation and combining marks
    /// belong to every script and give `None`).
    pub fn of(c: char) -> Option<Self> {
        if !c.is_alphabetic() {
            return None;
        }
        let code = u32::from(c);
        let found = RANGES.binary_search_by(|&(start, end, _)| {
            if end < code {
                std::cmp::Ordering::Less
            } else if start > code {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        });
        match found {
            Ok(index) => RANGES[index].2,
            Err(_) => Some(Self::Other),
        }
    }
}

/// Code point ranges (inclusive, sorted) and their script; `None` for letters common to
/// every script or inherited from the base letter (combining marks, modifier letters).
const RANGES: &[(u32, u32, Option<Script>)] = &[
    (0x0041, 0x005A, Some(Script::Latin)),
    (0x0061, 0x007A, Some(Script::Latin)),
    (0x00AA, 0x00AA, Some(Script::Latin)),
    (0x00B5, 0x00B5, Some(Script::Greek)),
    (0x00BA, 0x00BA, Some(Script::Latin)),
    (0x00C0, 0x024F, Some(Script::Latin)),
    (0x0250, 0x02AF, Some(Script::Latin)),
    (0x02B0, 0x036F, None),
    (0x0370, 0x03FF, Some(Script::Greek)),
    (0x0400, 0x052F, Some(Script::Cyrillic)),
    (0x0530, 0x058F, Some(Script::Armenian)),
    (0x0590, 0x05FF, Some(Script::Hebrew)),
    (0x0600, 0x06FF, Some(Script::Arabic)),
    (0x0750, 0x077F, Some(Script::Arabic)),
    (0x0900, 0x097F, Some(Script::Devanagari)),
    (0x0E00, 0x0E7F, Some(Script::Thai)),
    (0x10A0, 0x10FF, Some(Script::Georgian)),
    (0x1100, 0x11FF, Some(Script::Cjk)),
    (0x13A0, 0x13FF, Some(Script::Cherokee)),
    (0x1C80, 0x1C8F, Some(Script::Cyrillic)),
    (0x1C90, 0x1CBF, Some(Script::Georgian)),
    (0x1D00, 0x1D7F, Some(Script::Latin)),
    (0x1E00, 0x1EFF, Some(Script::Latin)),
    (0x1F00, 0x1FFF, Some(Script::Greek)),
    (0x2C60, 0x2C7F, Some(Script::Latin)),
    (0x2D00, 0x2D2F, Some(Script::Georgian)),
    (0x2DE0, 0x2DFF, Some(Script::Cyrillic)),
    (0x2E80, 0x2FDF, Some(Script::Cjk)),
    (0x3005, 0x3007, Some(Script::Cjk)),
    (0x3021, 0x3029, Some(Script::Cjk)),
    (0x3031, 0x303C, Some(Script::Cjk)),
    (0x3041, 0x31FF, Some(Script::Cjk)),
    (0x3400, 0x4DBF, Some(Script::Cjk)),
    (0x4E00, 0x9FFF, Some(Script::Cjk)),
    (0xA640, 0xA69F, Some(Script::Cyrillic)),
    (0xA720, 0xA7FF, Some(Script::Latin)),
    (0xAB30, 0xAB6F, Some(Script::Latin)),
    (0xAB70, 0xABBF, Some(Script::Cherokee)),
    (0xAC00, 0xD7AF, Some(Script::Cjk)),
    (0xF900, 0xFAFF, Some(Script::Cjk)),
    (0xFB00, 0xFB06, Some(Script::Latin)),
    (0xFB13, 0xFB17, Some(Script::Armenian)),
    (0xFB1D, 0xFB4F, Some(Script::Hebrew)),
    (0xFB50, 0xFDFF, Some(Script::Arabic)),
    (0xFE70, 0xFEFF, Some(Script::Arabic)),
    (0xFF21, 0xFF3A, Some(Script::Latin)),
    (0xFF41, 0xFF5A, Some(Script::Latin)),
    (0xFF66, 0xFFDC, Some(Script::Cjk)),
    (0x20000, 0x3134F, Some(Script::Cjk)),
];

/// What makes `name` (a login, an email, a user name) look like another name, if
/// anything: `invisible characters (U+200B)`, `mixed scripts: Latin+Cyrillic`, or both
/// joined by `; `. Scripts are compared within each label: the runs of letters between
/// digits, spaces and punctuation (`@`, `.`, `-`), so `иван.petrov@example.com` passes
/// and `pаypal` does not.
pub fn suspicious(name: &str) -> Option<String> {
    let mut problems = Vec::new();
    let invisible: BTreeSet<char> = name.chars().filter(|c| is_invisible(*c)).collect();
    if !invisible.is_empty() {
        let codes: Vec<String> = invisible
            .iter()
            .map(|c| format!("U+{:04X}", u32::from(*c)))
            .collect();
        problems.push(format!("invisible characters ({})", codes.join(", ")));
    }
    let mut mixed: BTreeSet<Script> = BTreeSet::new();
    for label in labels(name) {
        let scripts: BTreeSet<Script> = label.chars().filter_map(Script::of).collect();
        if mixes(&scripts) {
            mixed.extend(scripts);
        }
    }
    if !mixed.is_empty() {
        let names: Vec<&str> = mixed.iter().map(|s| s.name()).collect();
        problems.push(format!("mixed scripts: {}", names.join("+")));
    }
    (!problems.is_empty()).then(|| problems.join("; "))
}

/// The labels of `name`: runs of letters, combining marks and invisible characters (an
/// invisible character inside a word must not split it).
fn labels(name: &str) -> impl Iterator<Item = &str> {
    name.split(|c: char| !(c.is_alphabetic() || is_mark(c) || is_invisible(c)))
        .filter(|label| !label.is_empty())
}

/// Whether `c` is a combining mark of the common blocks.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}')
}

/// Whether one label's `scripts` are a suspicious mix (Latin with CJK is not).
fn mixes(scripts: &BTreeSet<Script>) -> bool {
    let allowed = [Script::Latin, Script::Cjk];
    scripts.len() > 1 && !scripts.iter().all(|s| allowed.contains(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_sorted_and_disjoint() {
        for pair in RANGES.windows(2) {
            assert!(pair[0].0 <= pair[0].1 && pair[0].1 < pair[1].0, "{pair:?}");
        }
    }

    #[test]
    fn plain_names_pass() {
        for name in [
            "alice@example.com",
            "Zoë Ångström",
            "José.Müller@bücher.de",
            "Иван Петров",
            "иван.petrov@example.com",
            "Σωκράτης",
            "山田太郎",
            "やまだ タロウ",
            "김민준",
            "Tanaka太郎",
            "o'brien-smith_2@example.co.uk",
            "",
        ] {
            assert_eq!(suspicious(name), None, "{name}");
        }
    }

    #[test]
    fn lookalikes_are_flagged() {
        // `а` (U+0430) and `о` (U+043E) are Cyrillic.
        assert_eq!(
            suspicious("\u{0430}lice@example.com").as_deref(),
            Some("mixed scripts: Latin+Cyrillic")
        );
        assert_eq!(
            suspicious("admin@ex\u{0430}mple.c\u{043e}m").as_deref(),
            Some("mixed scripts: Latin+Cyrillic")
        );
        // Greek omicron in a Latin word.
        assert_eq!(
            suspicious("j\u{03bf}hn.doe").as_deref(),
            Some("mixed scripts: Latin+Greek")
        );
        // Armenian `օ` (U+0585).
        assert_eq!(
            suspicious("g\u{0585}\u{0585}gle").as_deref(),
            Some("mixed scripts: Latin+Armenian")
        );
        assert_eq!(
            suspicious("bob\u{200b}@example.com").as_deref(),
            Some("invisible characters (U+200B)")
        );
        // An invisible character does not split the label it hides in.
        assert_eq!(
            suspicious("p\u{2060}\u{0430}ypal\u{feff}").as_deref(),
            Some("invisible characters (U+2060, U+FEFF); mixed scripts: Latin+Cyrillic")
        );
        assert_eq!(
            suspicious("\u{200d}ceo").as_deref(),
            Some("invisible characters (U+200D)")
        );
    }

    #[test]
    fn scripts_of_letters() {
        assert_eq!(Script::of('a'), Some(Script::Latin));
        assert_eq!(Script::of('ж'), Some(Script::Cyrillic));
        assert_eq!(Script::of('7'), None);
        assert_eq!(Script::of('@'), None);
        assert_eq!(Script::of('ᏼ'), Some(Script::Cherokee));
    }
}
