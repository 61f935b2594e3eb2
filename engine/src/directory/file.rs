//! [`FileSource`]: people (and optionally groups) from JSON or CSV files.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use connector_sdk::Identity;

use super::error::DirectoryError;
use super::lines::Records;
use super::model::{Directory, Group, Item};
use super::{DirectorySource, csv_format, json_format};

/// A directory read from files: `people` is a JSON directory document (people, and
/// groups if it has them) or a people CSV; `groups` is an optional groups file (JSON
/// document with only `groups`, or CSV). The format follows the extension.
#[derive(Debug, Clone)]
pub struct FileSource {
    people: PathBuf,
    groups: Option<PathBuf>,
}

/// Records read from files, each with its file and line.
#[derive(Default)]
struct Located {
    /// The files read, in order.
    files: Vec<PathBuf>,
    /// People, in file order.
    people: Vec<Identity>,
    /// Where each person is: (index into `files`, line).
    people_at: Vec<(usize, usize)>,
    /// Groups, in file order.
    groups: Vec<Group>,
    /// Where each group is: (index into `files`, line).
    groups_at: Vec<(usize, usize)>,
}

impl Located {
    /// `file:line` of `item`.
    fn place(&self, item: Item) -> (&Path, usize) {
        let (file, line) = match item {
            Item::Person(i) => self.people_at[i],
            Item::Group(i) => self.groups_at[i],
        };
        (&self.files[file], line)
    }
}

impl FileSource {
    /// A source reading `people` and, when given, `groups`.
    pub fn new(people: impl Into<PathBuf>, groups: Option<PathBuf>) -> Self {
        Self {
            people: people.into(),
            groups,
        }
    }

    /// Reads and checks the files now (what [`DirectorySource::load`] does). Linear in
    /// the size of the files.
    ///
    /// # Errors
    ///
    /// A [`DirectoryError`] naming the file and line of the first problem; a clash with
    /// an earlier record (a duplicate id or address) names that record's line too.
    pub fn load_now(&self) -> Result<Directory, DirectoryError> {
        let mut located = Located::default();
        read_file(&self.people, &mut located)?;
        if let Some(groups) = &self.groups {
            read_file(groups, &mut located)?;
        }
        let people = std::mem::take(&mut located.people);
        let groups = std::mem::take(&mut located.groups);
        Directory::assemble(people, groups).map_err(|problems| {
            let problem = &problems[0];
            let (file, line) = located.place(problem.item);
            let mut message = problem.message.clone();
            if let Some(earlier) = problem.earlier {
                let (file, line) = located.place(earlier);
                message.push_str(&format!(" ({}:{line})", file.display()));
            }
            DirectoryError::at(file, line, None, message)
        })
    }
}

/// Reads one file into `located`, by its extension.
fn read_file(path: &Path, located: &mut Located) -> Result<(), DirectoryError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| DirectoryError::file(path, format!("cannot read: {e}")))?;
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let file = located.files.len();
    located.files.push(path.to_path_buf());
    let (people, groups) = match extension.as_deref() {
        Some("json") => {
            let parsed = json_format::parse(path, &text)?;
            (parsed.people, parsed.groups)
        }
        Some("csv") if located.people.is_empty() && !is_groups_csv(&text) => (
            csv_format::parse_people(path, &text)?,
            Records::with_capacity(0),
        ),
        Some("csv") => (
            Records::with_capacity(0),
            csv_format::parse_groups(path, &text)?,
        ),
        _ => {
            return Err(DirectoryError::file(
                path,
                "unknown directory format: use a .json or .csv file",
            ));
        }
    };
    drop(text);
    append(&mut located.people, &mut located.people_at, people, file);
    append(&mut located.groups, &mut located.groups_at, groups, file);
    Ok(())
}

/// Adds `records` of file `file` to `items` and their places to `at`, moving the records
/// without a copy when `items` is empty (the usual case).
fn append<T>(items: &mut Vec<T>, at: &mut Vec<(usize, usize)>, records: Records<T>, file: usize) {
    if items.is_empty() {
        *items = records.items;
    } else {
        items.extend(records.items);
    }
    at.extend(records.lines.into_iter().map(|line| (file, line)));
}

/// Whether a CSV file's header is a groups header (its first column is `name`).
fn is_groups_csv(text: &str) -> bool {
    text.lines()
        .find(|line| !line.trim_start().starts_with('#') && !line.trim().is_empty())
        .and_then(|header| header.split(',').next())
        .is_some_and(|first| first.trim() == "name")
}

#[async_trait]
impl DirectorySource for FileSource {
    fn describe(&self) -> String {
        match &self.groups {
            Some(groups) => format!("files {} + {}", self.people.display(), groups.display()),
            None => format!("file {}", self.people.display()),
        }
    }

    async fn load(&self) -> Result<Directory, DirectoryError> {
        let source = self.clone();
        tokio::task::spawn_blocking(move || source.load_now())
            .await
            .map_err(|e| DirectoryError::source(format!("directory reader failed: {e}")))?
    }
}

#[cfg(test)]
mod tests {
    use super::super::lines;
    use super::*;

    #[test]
    fn unknown_group_member_is_reported_at_the_group_line() {
        let dir = tempfile::tempdir().unwrap();
        let people = dir.path().join("people.csv");
        let groups = dir.path().join("groups.csv");
        std::fs::write(&people, "id,login,email\n1,a@x,a@x\n").unwrap();
        std::fs::write(&groups, "name,members\neng,1\nai,2\n").unwrap();
        let error = FileSource::new(&people, Some(groups.clone()))
            .load_now()
            .unwrap_err();
        assert_eq!(error.file.as_deref(), Some(groups.as_path()));
        assert_eq!(error.line, Some(3), "{error}");
    }

    #[test]
    fn duplicate_ids_in_json_point_at_the_second_record() {
        let dir = tempfile::tempdir().unwrap();
        let people = dir.path().join("people.json");
        std::fs::write(
            &people,
            "{\"people\": [\n {\"id\": \"1\", \"login\": \"a@x\", \"email\": \"a@x\"},\n \
             {\"id\": \"1\", \"login\": \"b@x\", \"email\": \"b@x\"}\n]}\n",
        )
        .unwrap();
        let error = FileSource::new(&people, None).load_now().unwrap_err();
        assert_eq!(error.line, Some(3), "{error}");
        assert!(error.message.contains("duplicate person id"), "{error}");
    }

    #[test]
    fn emails_differing_in_case_are_refused_at_both_lines() {
        let dir = tempfile::tempdir().unwrap();
        let people = dir.path().join("people.csv");
        let mut text = String::from("# staff\nid,login,email\n1,ada,ada@example.com\n");
        for i in 2..=6 {
            text.push_str(&format!("{i},p{i},p{i}@example.com\n"));
        }
        text.push_str("7,ada2,ADA@example.com\n");
        std::fs::write(&people, &text).unwrap();
        let error = FileSource::new(&people, None).load_now().unwrap_err();
        assert_eq!(error.line, Some(9), "{error}");
        assert_eq!(
            error.message,
            format!(
                "duplicate email `ADA@example.com`: person `1` has `ada@example.com`, the same \
                 address in a different case ({}:3)",
                people.display()
            )
        );
    }

    /// A people file of `n` people in `format` (`csv` or `json`), one record a line after
    /// `header` lines, whose last person repeats the first one's email in upper case.
    fn large_file(dir: &Path, n: usize, format: &str) -> (PathBuf, usize) {
        let path = dir.join(format!("people.{format}"));
        let mut text = String::with_capacity(n * 64);
        let header = match format {
            "csv" => "id,login,email,department\n",
            _ => "{\"people\": [\n",
        };
        text.push_str(header);
        for i in 0..n {
            let email = if i + 1 == n {
                "P0@EXAMPLE.COM".to_owned()
            } else {
                format!("p{i}@example.com")
            };
            match format {
                "csv" => text.push_str(&format!("{i},u{i},{email},Engineering\n")),
                _ => text.push_str(&format!(
                    "  {{\"id\": \"{i}\", \"login\": \"u{i}\", \"email\": \"{email}\"}}{}\n",
                    if i + 1 == n { "" } else { "," }
                )),
            }
        }
        if format == "json" {
            text.push_str("]}\n");
        }
        std::fs::write(&path, &text).unwrap();
        (path, text.len())
    }

    /// Loading is linear: each byte is scanned for newlines once (not once per record,
    /// which made 100,000 people take two minutes), and the lines are still exact at the
    /// end of a large file. Not a timed test.
    #[test]
    fn large_files_are_scanned_once_and_located_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let n = 200_000;
        for format in ["csv", "json"] {
            let (path, size) = large_file(dir.path(), n, format);
            lines::SCANNED.with(|s| s.set(0));
            let error = FileSource::new(&path, None).load_now().unwrap_err();
            // The header is line 1; person i is on line i + 2.
            assert_eq!(error.line, Some(n + 1), "{format}: {error}");
            assert!(
                error.message.ends_with(&format!("({}:2)", path.display())),
                "{format}: {error}"
            );
            let scanned = lines::SCANNED.with(std::cell::Cell::get);
            assert_eq!(
                scanned, size,
                "{format}: the file was scanned {scanned} bytes"
            );
        }
        // A syntax error at the very end is located too.
        let path = dir.path().join("bad.csv");
        let mut text = String::from("id,login,email\n");
        let n = n / 10;
        for i in 0..n {
            text.push_str(&format!("{i},u{i},u{i}@x\n"));
        }
        text.push_str("x,y\n");
        std::fs::write(&path, &text).unwrap();
        let error = FileSource::new(&path, None).load_now().unwrap_err();
        assert_eq!(error.line, Some(n + 2), "{error}");
    }
}
