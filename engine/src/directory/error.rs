//! Errors of directory sources, located at a file and line where there is one.

use std::fmt;
use std::path::PathBuf;

/// Why a directory could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryError {
    /// The file, for file sources (`None` for API sources).
    pub file: Option<PathBuf>,
    /// 1-based line of the problem in the file, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl DirectoryError {
    /// An error at `line` (and `column`) of `file`.
    pub fn at(
        file: impl Into<PathBuf>,
        line: usize,
        column: Option<usize>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file: Some(file.into()),
            line: Some(line),
            column,
            message: message.into(),
        }
    }

    /// An error about `file` as a whole (unreadable, unknown format).
    pub fn file(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self {
            file: Some(file.into()),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// An error of a source that is not a file (an API).
    pub fn source(message: impl Into<String>) -> Self {
        Self {
            file: None,
            line: None,
            column: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for DirectoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}", file.display())?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
                if let Some(column) = self.column {
                    write!(f, ":{column}")?;
                }
            }
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for DirectoryError {}
