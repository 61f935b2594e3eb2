//! The scratch copy of the workspace the mutations are built in: the files git knows
//! (tracked, and new ones not ignored), copied once and then kept in step byte by byte, so
//! an unchanged file keeps its modification time and cargo rebuilds only what a mutation
//! touches.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A scratch workspace under the target directory.
pub(crate) struct Scratch {
    /// Its root.
    pub root: PathBuf,
}

impl Scratch {
    /// Brings `dir` in step with the workspace at `source`: writes each file whose bytes
    /// differ, removes files git no longer lists. Returns how many files were written.
    pub(crate) fn sync(source: &Path, dir: &Path) -> Result<(Self, usize), String> {
        let files = listed_files(source)?;
        let mut written = 0;
        for file in &files {
            let from = source.join(file);
            // A tracked file deleted in the worktree is left out.
            let Ok(bytes) = fs::read(&from) else {
                continue;
            };
            let to = dir.join(file);
            if fs::read(&to).is_ok_and(|old| old == bytes) {
                continue;
            }
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent)
                    .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
            }
            fs::write(&to, &bytes).map_err(|e| format!("cannot write {}: {e}", to.display()))?;
            written += 1;
        }
        let keep: BTreeSet<PathBuf> = files.iter().map(PathBuf::from).collect();
        prune(dir, dir, &keep)?;
        Ok((
            Self {
                root: dir.to_path_buf(),
            },
            written,
        ))
    }

    /// Writes `text` as the spec at `relative` (under the scratch root).
    pub(crate) fn write(&self, relative: &Path, text: &str) -> Result<(), String> {
        let path = self.root.join(relative);
        fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    }
}

/// `git ls-files --cached --others --exclude-standard`: what a clean copy of the worktree
/// holds, including new files not committed yet.
fn listed_files(source: &Path) -> Result<Vec<String>, String> {
    let output = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(source)
        .output()
        .map_err(|e| format!("cannot run git in {}: {e}", source.display()))?;
    if !output.status.success() {
        return Err(format!(
            "`git ls-files` failed in {}: {}",
            source.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let listing = String::from_utf8(output.stdout)
        .map_err(|_| "`git ls-files` printed a path that is not UTF-8".to_owned())?;
    Ok(listing
        .split('\0')
        .filter(|f| !f.is_empty())
        .map(str::to_owned)
        .collect())
}

/// Removes the files under `dir` that are not in `keep` (paths relative to `root`).
fn prune(root: &Path, dir: &Path, keep: &BTreeSet<PathBuf>) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .path();
        if path.is_dir() {
            prune(root, &path, keep)?;
        } else if let Ok(relative) = path.strip_prefix(root)
            && !keep.contains(relative)
        {
            fs::remove_file(&path).map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::prune;
    use std::collections::BTreeSet;
    use std::fs;
    use std::path::PathBuf;

    #[test]
    fn files_git_no_longer_lists_are_removed_and_the_others_kept() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("a/tests")).unwrap();
        fs::write(dir.path().join("a/tests/kept.rs"), "x").unwrap();
        fs::write(dir.path().join("a/tests/gone.rs"), "y").unwrap();
        let keep: BTreeSet<PathBuf> = [PathBuf::from("a/tests/kept.rs")].into();
        prune(dir.path(), dir.path(), &keep).unwrap();
        assert!(dir.path().join("a/tests/kept.rs").exists());
        assert!(!dir.path().join("a/tests/gone.rs").exists());
    }
}
