//! The directory groups the rules name, checked against the loaded directory: a rule
//! naming a group the directory does not have (a typo, a renamed group) would silently
//! assign nobody and, on the next apply, remove everyone it used to cover.

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;

use serde_spanned::Spanned;

use super::Assignments;
use super::diag::{ConfigError, Diagnostic, Diagnostics};
use crate::directory::Directory;

/// A group named in a rule's `groups`, with where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupReference {
    /// The group's name.
    pub name: String,
    /// The assignments file.
    pub file: PathBuf,
    /// 1-based line of the name.
    pub line: usize,
    /// 1-based column of the name.
    pub column: usize,
}

impl GroupReference {
    /// The reference written at `group`'s span of the file `diags` reads.
    pub(super) fn new(diags: &Diagnostics, group: &Spanned<String>) -> Self {
        let (line, column) = diags.position(group.span().start);
        Self {
            name: group.get_ref().clone(),
            file: diags.file().to_path_buf(),
            line,
            column,
        }
    }
}

impl Assignments {
    /// Checks that every group a rule names exists in `directory`: a group of its
    /// groups list, or one a person is in. Linear in the directory, and only scans the
    /// people when a rule names a group the groups list lacks.
    ///
    /// # Errors
    ///
    /// Each unknown group at its `file:line:column`, with the closest existing name.
    pub fn check_groups(&self, directory: &Directory) -> Result<(), ConfigError> {
        let declared: HashSet<&str> = directory.groups.iter().map(|g| g.name.as_str()).collect();
        let mut missing: HashSet<&str> = self
            .group_references
            .iter()
            .map(|r| r.name.as_str())
            .filter(|name| !declared.contains(name))
            .collect();
        for person in &directory.people {
            if missing.is_empty() {
                return Ok(());
            }
            for group in &person.groups {
                missing.remove(group.as_str());
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        let known: BTreeSet<&str> = declared
            .iter()
            .copied()
            .chain(
                directory
                    .people
                    .iter()
                    .flat_map(|p| p.groups.iter().map(String::as_str)),
            )
            .collect();
        let diagnostics = self
            .group_references
            .iter()
            .filter(|r| missing.contains(r.name.as_str()))
            .map(|r| Diagnostic {
                file: r.file.clone(),
                line: r.line,
                column: r.column,
                message: unknown_group(&r.name, &known),
            })
            .collect();
        Err(ConfigError { diagnostics })
    }
}

/// The message for a group `name` not among `known`.
fn unknown_group(name: &str, known: &BTreeSet<&str>) -> String {
    let hint = match closest(name, known) {
        Some(near) => format!(" (did you mean `{near}`?)"),
        None if known.is_empty() => " (the directory has no groups)".to_owned(),
        None => String::new(),
    };
    format!(
        "no group `{name}` in the directory{hint}: the rule would assign nobody through it. \
         A group that is empty on purpose must be listed in the directory's groups"
    )
}

/// The known name closest to `name` by edit distance (ignoring case), when it is close
/// enough to be a typo.
fn closest<'a>(name: &str, known: &BTreeSet<&'a str>) -> Option<&'a str> {
    let folded = name.to_lowercase();
    known
        .iter()
        .map(|candidate| {
            (
                edit_distance(&folded, &candidate.to_lowercase()),
                *candidate,
            )
        })
        .filter(|(distance, candidate)| {
            *distance <= (name.chars().count().max(candidate.chars().count()) / 3).max(1)
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// The Levenshtein distance between `a` and `b`, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_are_suggested_and_strangers_are_not() {
        let known = BTreeSet::from(["engineering", "ai-pilot", "Sales"]);
        assert_eq!(closest("enginering", &known), Some("engineering"));
        assert_eq!(closest("sales", &known), Some("Sales"));
        assert_eq!(closest("ai-pilto", &known), Some("ai-pilot"));
        assert_eq!(closest("finance", &known), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
