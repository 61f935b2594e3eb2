//! The CSV directory format: a people file with one column per profile field, and an
//! optional groups file. Errors name the file and the record's line
//! (see `docs/directory-format.md`).

use std::path::Path;

use connector_sdk::Identity;
use connector_sdk::profile::{FieldKind, PROFILE_FIELDS};
use serde_json::{Map, Value};

use super::error::DirectoryError;
use super::model::Group;

/// The text columns of a people file: the profile's non-list fields, named as the
/// `Identity` fields.
fn text_columns() -> impl Iterator<Item = &'static str> {
    PROFILE_FIELDS
        .iter()
        .filter(|f| f.kind != FieldKind::List)
        .map(|f| f.name)
}

/// The separator of list cells (`groups`, `members`, `custom.NAME[]`).
const LIST_SEPARATOR: char = ';';

/// One column of a people file.
enum Column {
    /// A text field of the profile.
    Text(String),
    /// The `groups` list.
    Groups,
    /// `custom.NAME`: a text custom attribute.
    CustomText(String),
    /// `custom.NAME[]`: a list custom attribute.
    CustomList(String),
}

/// Parses a people file: each person with the line their record starts on.
pub(crate) fn parse_people(
    path: &Path,
    text: &str,
) -> Result<Vec<(Identity, usize)>, DirectoryError> {
    let mut reader = reader(text);
    let headers = reader
        .headers()
        .map_err(|e| csv_error(path, text, &e))?
        .clone();
    let columns = headers
        .iter()
        .enumerate()
        .map(|(index, name)| column(name).ok_or_else(|| unknown_column(path, index, name)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut people = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(path, text, &e))?;
        let line = record_line(text, &record);
        let mut object = Map::new();
        let mut custom = Map::new();
        for (column, cell) in columns.iter().zip(record.iter()) {
            if cell.is_empty() {
                continue;
            }
            match column {
                Column::Text(name) => {
                    object.insert(name.clone(), Value::from(cell));
                }
                Column::Groups => {
                    object.insert("groups".into(), list(cell));
                }
                Column::CustomText(name) => {
                    custom.insert(name.clone(), Value::from(cell));
                }
                Column::CustomList(name) => {
                    custom.insert(name.clone(), list(cell));
                }
            }
        }
        for required in ["id", "login", "email"] {
            if !object.contains_key(required) {
                return Err(DirectoryError::at(
                    path,
                    line,
                    None,
                    format!("person has no `{required}`"),
                ));
            }
        }
        if !custom.is_empty() {
            object.insert("custom".into(), Value::Object(custom));
        }
        let person: Identity = serde_json::from_value(Value::Object(object))
            .map_err(|e| DirectoryError::at(path, line, None, e.to_string()))?;
        people.push((person, line));
    }
    Ok(people)
}

/// Parses a groups file (`name`, `description`, `members`): each group with its line.
pub(crate) fn parse_groups(path: &Path, text: &str) -> Result<Vec<(Group, usize)>, DirectoryError> {
    let mut reader = reader(text);
    let headers = reader
        .headers()
        .map_err(|e| csv_error(path, text, &e))?
        .clone();
    for (index, name) in headers.iter().enumerate() {
        if !["name", "description", "members"].contains(&name) {
            return Err(DirectoryError::at(
                path,
                1,
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
        return Err(DirectoryError::at(path, 1, None, "no `name` column"));
    };
    let mut groups = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(path, text, &e))?;
        let cell = |index: Option<usize>| {
            index
                .and_then(|i| record.get(i))
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
        groups.push((group, record_line(text, &record)));
    }
    Ok(groups)
}

/// A CSV reader over `text`: a header row, trimmed cells, every row the same width.
fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes())
}

/// What a header names, if it is a known column.
fn column(header: &str) -> Option<Column> {
    if text_columns().any(|name| name == header) {
        return Some(Column::Text(header.to_owned()));
    }
    if header == "groups" {
        return Some(Column::Groups);
    }
    let custom = header.strip_prefix("custom.")?;
    let valid = |name: &str| {
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    match custom.strip_suffix("[]") {
        Some(name) if valid(name) => Some(Column::CustomList(name.to_owned())),
        None if valid(custom) => Some(Column::CustomText(custom.to_owned())),
        _ => None,
    }
}

/// The error for an unknown header.
fn unknown_column(path: &Path, index: usize, name: &str) -> DirectoryError {
    DirectoryError::at(
        path,
        1,
        Some(index + 1),
        format!(
            "unknown column `{name}`: use a profile field ({}), `groups`, \
             `custom.NAME` or `custom.NAME[]`",
            text_columns().collect::<Vec<_>>().join(", ")
        ),
    )
}

/// A `;`-separated cell as a JSON list.
fn list(cell: &str) -> Value {
    Value::Array(split(cell).map(Value::from).collect())
}

/// The non-empty, trimmed items of a `;`-separated cell.
fn split(cell: &str) -> impl Iterator<Item = String> + '_ {
    cell.split(LIST_SEPARATOR)
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
}

/// The line a record starts on, counted from its byte offset (the `csv` crate's own line
/// count skips blank lines).
fn record_line(text: &str, record: &csv::StringRecord) -> usize {
    record.position().map_or(0, |p| {
        // The position may point at blank lines skipped before the record.
        let start = usize::try_from(p.byte())
            .unwrap_or(usize::MAX)
            .min(text.len());
        let skipped = text[start..].len() - text[start..].trim_start_matches(['\r', '\n']).len();
        line_at(text, (start + skipped) as u64)
    })
}

/// The 1-based line of byte `offset` in `text`.
fn line_at(text: &str, offset: u64) -> usize {
    let offset = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// A `csv` error located at its record's line.
fn csv_error(path: &Path, text: &str, error: &csv::Error) -> DirectoryError {
    let line = error.position().map(|p| line_at(text, p.byte()));
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
    use connector_sdk::{CustomValue, IdentityStatus};

    use super::*;

    #[test]
    fn people_columns_fill_the_profile() {
        let text = "id,login,email,first_name,status,groups,custom.start_date,custom.tags[]\n\
                    1,ada@x.io,ada@x.io,Ada,suspended,eng; ai,2026-01-01,a;b\n";
        let people = parse_people(Path::new("p.csv"), text).unwrap();
        let (ada, line) = &people[0];
        assert_eq!(*line, 2);
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
    fn groups_file_lists_members() {
        let text = "name,members\neng,1; ada@x.io\n";
        let groups = parse_groups(Path::new("g.csv"), text).unwrap();
        assert_eq!(groups[0].0.members, ["1", "ada@x.io"]);
        assert_eq!(groups[0].1, 2);
    }
}
