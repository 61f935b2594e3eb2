//! The JSON directory format: `{"people": [...], "groups": [...]}` or a bare array of
//! people. Every error names the file, line and column (see `docs/directory-format.md`).

use std::path::Path;

use connector_sdk::Identity;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::error::DirectoryError;
use super::lines::{LineIndex, Records};
use super::model::Group;

/// The document's top level, with each record kept as raw text to locate errors.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document<'a> {
    #[serde(borrow, default)]
    people: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    groups: Vec<&'a RawValue>,
}

/// People and groups parsed from a JSON document, with each record's starting line.
pub(crate) struct Parsed {
    /// People with the line each starts on.
    pub people: Records<Identity>,
    /// Groups with the line each starts on.
    pub groups: Records<Group>,
}

/// Parses `text` (the contents of `path`).
pub(crate) fn parse(path: &Path, text: &str) -> Result<Parsed, DirectoryError> {
    let at = |e: serde_json::Error| {
        DirectoryError::at(
            path,
            e.line(),
            Some(e.column()),
            e.to_string_without_location(),
        )
    };
    let (people, groups): (Vec<&RawValue>, Vec<&RawValue>) = if text.trim_start().starts_with('[') {
        (serde_json::from_str(text).map_err(at)?, Vec::new())
    } else {
        let document: Document = serde_json::from_str(text).map_err(at)?;
        (document.people, document.groups)
    };
    let lines = LineIndex::new(text);
    Ok(Parsed {
        people: records(path, text, &lines, &people)?,
        groups: records(path, text, &lines, &groups)?,
    })
}

/// Deserializes each raw record, placing errors at their absolute line and column
/// (looked up in `lines`, the newline index of `text`).
fn records<T: DeserializeOwned>(
    path: &Path,
    text: &str,
    lines: &LineIndex,
    raws: &[&RawValue],
) -> Result<Records<T>, DirectoryError> {
    let mut records = Records::with_capacity(raws.len());
    for raw in raws {
        let (line, column) = lines.position(offset_in(text, raw.get()));
        let value = serde_json::from_str(raw.get()).map_err(|e| {
            let column = if e.line() == 1 {
                column + e.column() - 1
            } else {
                e.column()
            };
            DirectoryError::at(
                path,
                line + e.line() - 1,
                Some(column),
                e.to_string_without_location(),
            )
        })?;
        records.push(value, line);
    }
    Ok(records)
}

/// The byte offset in `text` where `part` (a slice of `text`) starts.
fn offset_in(text: &str, part: &str) -> usize {
    (part.as_ptr() as usize)
        .saturating_sub(text.as_ptr() as usize)
        .min(text.len())
}

/// `serde_json`'s message without its " at line L column C" tail (we print our own).
trait WithoutLocation {
    fn to_string_without_location(&self) -> String;
}

impl WithoutLocation for serde_json::Error {
    fn to_string_without_location(&self) -> String {
        let full = self.to_string();
        match full.rfind(" at line ") {
            Some(cut) => full[..cut].to_owned(),
            None => full,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_keep_their_lines() {
        let text = "{\n  \"people\": [\n    {\"id\": \"1\", \"login\": \"a@x\", \"email\": \"a@x\"},\n    {\"id\": \"2\", \"login\": \"b@x\", \"email\": \"b@x\"}\n  ]\n}\n";
        let parsed = parse(Path::new("p.json"), text).unwrap();
        assert_eq!(parsed.people.lines, [3, 4]);
    }

    #[test]
    fn a_bad_field_is_located_inside_its_record() {
        let text = "[\n  {\"id\": \"1\", \"login\": \"a@x\", \"email\": \"a@x\"},\n  {\"id\": \"2\", \"login\": \"b@x\",\n   \"email\": \"b@x\", \"nickname\": \"b\"}\n]";
        let error = parse(Path::new("p.json"), text).err().unwrap();
        assert_eq!(error.line, Some(4), "{error}");
        assert!(error.to_string().starts_with("p.json:4:"), "{error}");
        assert!(error.message.contains("nickname"), "{error}");
    }

    #[test]
    fn syntax_errors_carry_serde_json_positions() {
        let error = parse(Path::new("p.json"), "{\"people\": [\n  {,}\n]}")
            .err()
            .unwrap();
        assert_eq!((error.line, error.column), (Some(2), Some(4)), "{error}");
    }
}
