//! [`FileSource`]: people (and optionally groups) from JSON or CSV files.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use connector_sdk::Identity;

use super::error::DirectoryError;
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
    people: Vec<(Identity, PathBuf, usize)>,
    groups: Vec<(Group, PathBuf, usize)>,
}

impl FileSource {
    /// A source reading `people` and, when given, `groups`.
    pub fn new(people: impl Into<PathBuf>, groups: Option<PathBuf>) -> Self {
        Self {
            people: people.into(),
            groups,
        }
    }

    /// Reads and checks the files now (what [`DirectorySource::load`] does).
    ///
    /// # Errors
    ///
    /// A [`DirectoryError`] naming the file and line of the first problem.
    pub fn load_now(&self) -> Result<Directory, DirectoryError> {
        let mut located = Located::default();
        read_file(&self.people, &mut located)?;
        if let Some(groups) = &self.groups {
            read_file(groups, &mut located)?;
        }
        let people = located.people.iter().map(|(p, ..)| p.clone()).collect();
        let groups = located.groups.iter().map(|(g, ..)| g.clone()).collect();
        Directory::assemble(people, groups).map_err(|problems| {
            let problem = &problems[0];
            let (file, line) = match problem.item {
                Item::Person(i) => (&located.people[i].1, located.people[i].2),
                Item::Group(i) => (&located.groups[i].1, located.groups[i].2),
            };
            DirectoryError::at(file, line, None, problem.message.clone())
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
    let owned = || path.to_path_buf();
    match extension.as_deref() {
        Some("json") => {
            let parsed = json_format::parse(path, &text)?;
            located
                .people
                .extend(parsed.people.into_iter().map(|(p, l)| (p, owned(), l)));
            located
                .groups
                .extend(parsed.groups.into_iter().map(|(g, l)| (g, owned(), l)));
        }
        Some("csv") if located.people.is_empty() && !is_groups_csv(&text) => {
            let people = csv_format::parse_people(path, &text)?;
            located
                .people
                .extend(people.into_iter().map(|(p, l)| (p, owned(), l)));
        }
        Some("csv") => {
            let groups = csv_format::parse_groups(path, &text)?;
            located
                .groups
                .extend(groups.into_iter().map(|(g, l)| (g, owned(), l)));
        }
        _ => {
            return Err(DirectoryError::file(
                path,
                "unknown directory format: use a .json or .csv file",
            ));
        }
    }
    Ok(())
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
}
