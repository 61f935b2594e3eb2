//! The apply lock: one apply per state file, whatever name it is reached by.
//!
//! The lock is an OS file lock (`flock` on Unix, `LockFileEx` on Windows, through std's
//! `File::try_lock`) on `<canonical state path>.apply-lock`. The canonical path resolves
//! symlinks and `..`, so `alias.db -> state.db` and `dir/../state.db` take the same lock.
//! The OS releases it when the holder exits, even when it is killed. The holder writes
//! its pid into the file so a refused run can say who holds it.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use super::{StateError, Store};

/// A held apply lock; released when dropped (or when the process ends).
#[derive(Debug)]
pub struct ApplyLock {
    /// The open, locked file.
    _file: File,
    /// The lock file's path.
    path: PathBuf,
}

impl ApplyLock {
    /// The lock file (`<canonical state path>.apply-lock`).
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The lock file of the state at canonical path `state`.
fn lock_path(state: &Path) -> PathBuf {
    let mut name = state.as_os_str().to_owned();
    name.push(".apply-lock");
    PathBuf::from(name)
}

impl Store {
    /// Takes the apply lock of this state file, or says that another run holds it (with
    /// its pid). In-memory stores have none (`Ok(None)`).
    ///
    /// # Errors
    ///
    /// When another process (or another open of the same file in this one) holds the
    /// lock, or the lock file cannot be opened.
    pub fn lock_apply(&self) -> Result<Option<ApplyLock>, StateError> {
        let Some(state) = &self.canonical else {
            return Ok(None);
        };
        let path = lock_path(state);
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| {
                self.error(format!(
                    "cannot open the apply lock {}: {e}",
                    path.display()
                ))
            })?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let holder =
                    holder(&mut file).map_or_else(String::new, |pid| format!("pid {pid} "));
                return Err(self.error(format!(
                    "another apply is running on this state ({holder}holds the lock {}); \
                     wait for it to end",
                    path.display()
                )));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(self.error(format!("cannot lock {}: {e}", path.display())));
            }
        }
        // Who holds it, for the message of a refused run; the lock stands without it.
        let _ = file
            .set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| writeln!(file, "{}", std::process::id()))
            .and_then(|()| file.flush());
        Ok(Some(ApplyLock { _file: file, path }))
    }
}

/// The pid the holder wrote into the lock file, when it did.
fn holder(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}
