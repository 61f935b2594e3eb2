//! The CSV directory format: a people file with one column per profile field, and an
//! optional groups file. Errors name the file and the record's line
//! (see `docs/directory-format.md`).

use std::path::Path;

use connector_sdk::{CustomValue, Identity, IdentityStatus};
use serde::Deserialize;
use serde::de::value::StrDeserializer;

use super::error::DirectoryError;
use super::lines::{LineIndex, Records};
use super::model::Group;
use super::profile_column::{ProfileColumn, text_columns};

/// The separator of list cells (`groups`, `members`, `custom.NAME[]`).
const LIST_SEPARATOR: char = ';';

/// Parses a people file: each person with the line their record starts on. Each record
/// becomes an [`Identity`] directly (no intermediate JSON value).
pub(crate) fn parse_people(path: &Path, text: &str) -> Result<Records<Identity>, DirectoryError> {
    let lines = LineIndex::new(text);
    let mut reader = reader(text);
    let mut headers = reader
        .headers()
        .map_err(|e| csv_error(path, &lines, &e))?
        .clone();
    headers.trim();
    no_duplicate_columns(path, text, &lines, &headers)?;
    let columns = headers
        .iter()
        .enumerate()
        .map(|(index, name)| {
            ProfileColumn::parse(name).ok_or_else(|| {
                unknown_column(path, record_line(text, &lines, &headers), index, name)
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    // At most one person a line: no reallocation (a million people are half a GiB).
    let mut people = Records::with_capacity(lines.count().saturating_sub(1));
    let mut record = csv::StringRecord::new();
    while reader
        .read_record(&mut record)
        .map_err(|e| csv_error(path, &lines, &e))?
    {
        let line = record_line(text, &lines, &record);
        let mut person = Identity::default();
        for (column, cell) in columns.iter().zip(record.iter()) {
            let cell = cell.trim();
            if cell.is_empty() {
                continue;
            }
            match column {
                ProfileColumn::Text(field) => {
                    person.set_text(*field, cell.to_owned());
                }
                ProfileColumn::Status => {
                    person.status = IdentityStatus::deserialize(StrDeserializer::<
                        serde::de::value::Error,
                    >::new(cell))
                    .map_err(|e| DirectoryError::at(path, line, None, e.to_string()))?;
                }
                ProfileColumn::Groups => person.groups = split(cell).collect(),
                ProfileColumn::CustomText(name) => {
                    person
                        .custom
                        .insert(name.clone(), CustomValue::Text(cell.to_owned()));
                }
                ProfileColumn::CustomList(name) => {
                    person
                        .custom
                        .insert(name.clone(), CustomValue::List(split(cell).collect()));
                }
            }
        }
        for (required, value) in [
            ("id", &person.id),
            ("login", &person.login),
            ("email", &person.email),
        ] {
            if value.is_empty() {
                return Err(DirectoryError::at(
                    path,
                    line,
                    None,
                    format!("person has no `{required}`"),
                ));
            }
        }
        people.push(person, line);
    }
    Ok(people)
}

/// Parses a groups file (`name`, `description`, `members`): each group with its line.
pub(crate) fn parse_groups(path: &Path, text: &str) -> Result<Records<Group>, DirectoryError> {
    let lines = LineIndex::new(text);
    let mut reader = reader(text);
    let mut headers = reader
        .headers()
        .map_err(|e| csv_error(path, &lines, &e))?
        .clone();
    headers.trim();
    no_duplicate_columns(path, text, &lines, &headers)?;
    let header_line = record_line(text, &lines, &headers);
    for (index, name) in headers.iter().enumerate() {
        if !["name", "description", "members"].contains(&name) {
            return Err(DirectoryError::at(
                path,
                header_line,
                Some(index + 1),
                format!("unknown column `{name}` (expected name, description, members)"),
            ));
        }
    }
    let position = |wanted: &str| headers.iter().position(|h| h == wanted);
    let (name, description, members) = (
        position("name"),
        position("description"),
        position("members"),
    );
    let Some(name) = name else {
        return Err(DirectoryError::at(
            path,
            header_line,
            None,
            "no `name` column",
        ));
    };
    let mut groups = Records::with_capacity(0);
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(path, &lines, &e))?;
        let cell = |index: Option<usize>| {
            index
                .and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
        };
        let group = Group {
            name: cell(Some(name)).unwrap_or_default(),
            description: cell(description),
            members: cell(members)
                .map(|m| split(&m).collect())
                .unwrap_or_default(),
        };
        groups.push(group, record_line(text, &lines, &record));
    }
    Ok(groups)
}

/// A CSV reader over `text`: a header row, every row the same width. Cells are trimmed
/// by the parsers as they read them (cheaper than the reader's trimming, which copies
/// every record).
fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes())
}

/// Refuses a header that names a column twice: which of the two cells would count is
/// anyone's guess, so neither does.
fn no_duplicate_columns(
    path: &Path,
    text: &str,
    lines: &LineIndex,
    headers: &csv::StringRecord,
) -> Result<(), DirectoryError> {
    for (index, name) in headers.iter().enumerate() {
        if let Some(first) = headers.iter().take(index).position(|h| h == name) {
            return Err(DirectoryError::at(
                path,
                record_line(text, lines, headers),
                Some(index + 1),
                format!(
                    "duplicate column `{name}` (columns {} and {})",
                    first + 1,
                    index + 1
                ),
            ));
        }
    }
    Ok(())
}

/// The error for an unknown header on line `line`.
fn unknown_column(path: &Path, line: usize, index: usize, name: &str) -> DirectoryError {
    DirectoryError::at(
        path,
        line,
        Some(index + 1),
        format!(
            "unknown column `{name}`: use a profile field ({}), `groups`, \
             `custom.NAME` or `custom.NAME[]`",
            text_columns().collect::<Vec<_>>().join(", ")
        ),
    )
}

/// The non-empty, trimmed items of a `;`-separated cell.
fn split(cell: &str) -> impl Iterator<Item = String> + '_ {
    cell.split(LIST_SEPARATOR)
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
}

/// The line a record starts on, from its byte offset looked up in `lines` (the `csv`
/// crate's own line count skips blank lines).
fn record_line(text: &str, lines: &LineIndex, record: &csv::StringRecord) -> usize {
    record.position().map_or(0, |p| {
        // The position may point at blank and comment lines skipped before the record.
        let bytes = text.as_bytes();
        let mut start = byte_offset(p.byte()).min(text.len());
        while let Some(byte) = bytes.get(start) {
            match byte {
                b'\r' | b'\n' => start += 1,
                b'#' => {
                    start = bytes[start..]
                        .iter()
                        .position(|b| *b == b'\n')
                        .map_or(text.len(), |end| start + end + 1);
                }
                _ => break,
            }
        }
        lines.line(start)
    })
}

/// A byte position of the `csv` crate as an offset.
fn byte_offset(byte: u64) -> usize {
    usize::try_from(byte).unwrap_or(usize::MAX)
}

/// A `csv` error located at its record's line.
fn csv_error(path: &Path, lines: &LineIndex, error: &csv::Error) -> DirectoryError {
    let line = error.position().map(|p| lines.line(byte_offset(p.byte())));
    let message = match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("this record has {len} fields; the header has {expected_len}"),
        _ => error.to_string(),
    };
    DirectoryError {
        file: Some(path.to_path_buf()),
        line,
        column: None,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_columns_fill_the_profile() {
        let text = "id,login,email,first_name,status,groups,custom.start_date,custom.tags[]\n\
                    1,ada@x.io,ada@x.io,Ada,suspended,eng; ai,2026-01-01,a;b\n";
        let people = parse_people(Path::new("p.csv"), text).unwrap();
        let (ada, line) = (&people.items[0], people.lines[0]);
        assert_eq!(line, 2);
        assert_eq!(ada.first_name.as_deref(), Some("Ada"));
        assert_eq!(ada.status, IdentityStatus::Suspended);
        assert_eq!(ada.groups, ["eng", "ai"]);
        assert_eq!(ada.custom_text("start_date"), Some("2026-01-01"));
        assert_eq!(
            ada.custom.get("tags"),
            Some(&CustomValue::List(vec!["a".into(), "b".into()]))
        );
    }

    #[test]
    fn errors_name_the_record_line() {
        let text = "id,login,email,status\n1,a@x,a@x,active\n\n2,b@x,b@x,gone\n";
        let error = parse_people(Path::new("p.csv"), text).unwrap_err();
        assert_eq!(error.line, Some(4), "{error}");
        assert!(error.to_string().starts_with("p.csv:4: "), "{error}");
        assert!(error.message.contains("gone"), "{error}");

        let error = parse_people(Path::new("p.csv"), "id,login,email\n1,a@x\n").unwrap_err();
        assert_eq!(error.line, Some(2), "{error}");

        let error = parse_people(Path::new("p.csv"), "id,login,mail\n").unwrap_err();
        assert_eq!((error.line, error.column), (Some(1), Some(3)), "{error}");
    }

    #[test]
    fn a_duplicate_column_is_refused_at_the_header_line() {
        let text = "# people\nid,login,email,title,email\n1,a@x,a@x,Eng,b@x\n";
        let error = parse_people(Path::new("p.csv"), text).unwrap_err();
        assert_eq!((error.line, error.column), (Some(2), Some(5)), "{error}");
        assert_eq!(
            error.to_string(),
            "p.csv:2:5: duplicate column `email` (columns 3 and 5)"
        );

        let error =
            parse_groups(Path::new("g.csv"), "name,members,members\neng,1,2\n").unwrap_err();
        assert_eq!((error.line, error.column), (Some(1), Some(3)), "{error}");
        assert!(error.message.contains("`members`"), "{error}");
    }

    #[test]
    fn every_profile_column_fills_its_field() {
        for name in text_columns().filter(|n| !["id", "login", "email"].contains(n)) {
            let value = if name == "status" { "suspended" } else { "x" };
            let text = format!("id,login,email,{name}\n1,a@x,a@x,{value}\n");
            let person = &parse_people(Path::new("p.csv"), &text).unwrap().items[0];
            let json = serde_json::to_value(person).unwrap();
            assert_eq!(json[name], value, "{name}");
        }
    }

    #[test]
    fn groups_file_lists_members() {
        let text = "name,members\neng,1; ada@x.io\n";
        let groups = parse_groups(Path::new("g.csv"), text).unwrap();
        assert_eq!(groups.items[0].members, ["1", "ada@x.io"]);
        assert_eq!(groups.lines[0], 2);
    }
}
