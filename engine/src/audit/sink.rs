//! Where audit lines go besides the state: a file (appended) or standard output.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A destination for audit JSON lines.
#[derive(Debug, Default)]
pub enum AuditSink {
    /// Only the state keeps the events.
    #[default]
    None,
    /// Standard output, one line per event.
    Stdout,
    /// A file, appended to.
    File {
        /// The file.
        path: PathBuf,
        /// The open file.
        file: Mutex<File>,
    },
}

impl AuditSink {
    /// A sink appending to `path` (created if missing).
    ///
    /// # Errors
    ///
    /// When the file cannot be opened.
    pub fn file(path: &Path) -> std::io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Self::File {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        })
    }

    /// Writes one event line. Errors are logged, never fatal: the state keeps the event.
    pub fn write(&self, line: &str) {
        match self {
            Self::None => {}
            Self::Stdout => println!("{line}"),
            Self::File { path, file } => {
                let mut file = file
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if let Err(error) = writeln!(file, "{line}") {
                    tracing::warn!(path = %path.display(), %error, "cannot write an audit line");
                }
            }
        }
    }
}
