//! The directory groups the rules name, checked against the loaded directory: a rule
//! naming a group the directory does not have (a typo, a renamed group) would silently
//! assign nobody and, on the next apply, remove everyone it used to cover.

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;

use serde_spanned::Spanned;

use super::Assignments;
use super::diag::{ConfigError, Diagnostic, Diagnostics};
use super::suggest;
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
    /// Checks every group a rule names against `directory`: a group of its groups list,
    /// or one a person is in. A name close to an existing group is a typo, refused at
    /// its `file:line:column` with the group it resembles. Any other missing group is
    /// taken as empty (its last member left: their access must still go) and comes back
    /// as a warning for the plan. Linear in the directory; the people are scanned only
    /// when a rule names a group the groups list lacks.
    ///
    /// # Errors
    ///
    /// Each misspelt group at its `file:line:column`, with the closest existing name.
    pub fn check_groups(&self, directory: &Directory) -> Result<Vec<String>, ConfigError> {
        let declared: HashSet<&str> = directory.groups.iter().map(|g| g.name.as_str()).collect();
        let mut missing: HashSet<&str> = self
            .group_references
            .iter()
            .map(|r| r.name.as_str())
            .filter(|name| !declared.contains(name))
            .collect();
        for person in &directory.people {
            if missing.is_empty() {
                return Ok(Vec::new());
            }
            for group in &person.groups {
                missing.remove(group.as_str());
            }
        }
        if missing.is_empty() {
            return Ok(Vec::new());
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
        let mut diagnostics = Vec::new();
        let mut warnings = Vec::new();
        for reference in self
            .group_references
            .iter()
            .filter(|r| missing.contains(r.name.as_str()))
        {
            match suggest::closest(&reference.name, known.iter().copied()) {
                Some(near) => diagnostics.push(Diagnostic {
                    file: reference.file.clone(),
                    line: reference.line,
                    column: reference.column,
                    message: format!(
                        "no group `{}` in the directory (did you mean `{near}`?): the rule \
                         would assign nobody through it",
                        reference.name
                    ),
                }),
                None => warnings.push(format!(
                    "{}:{}:{}: nobody is in group `{}` in the directory: the rule assigns \
                     nobody through it, and whom it assigned loses that access (list the \
                     group in the directory's groups to say it is empty on purpose)",
                    reference.file.display(),
                    reference.line,
                    reference.column,
                    reference.name
                )),
            }
        }
        if diagnostics.is_empty() {
            Ok(warnings)
        } else {
            Err(ConfigError { diagnostics })
        }
    }
}
