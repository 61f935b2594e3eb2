//! The on-disk spool of an HTTP audit delivery: a directory where events wait until the
//! collector has taken them. Lines are appended to `pending.jsonl` as they are recorded;
//! a flush seals it into the next numbered batch file (`batch-000000000001.jsonl`, ...)
//! and sends the batches in number order, each deleted (or cut down to its unsent lines)
//! only after a 2xx. A process that stops, or a collector that is down, leaves the files
//! for the next run or flush, so nothing is lost and order is kept. The spool holds only
//! event lines: never a token.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The file events are appended to until the next flush seals it.
const PENDING: &str = "pending.jsonl";
/// The prefix of sealed batch files.
const BATCH_PREFIX: &str = "batch-";
/// The suffix of sealed batch files.
const BATCH_SUFFIX: &str = ".jsonl";

/// A spool directory.
#[derive(Debug)]
pub struct Spool {
    /// The directory.
    dir: PathBuf,
    /// `pending.jsonl`, opened on first append.
    pending: Mutex<Option<File>>,
}

impl Spool {
    /// The spool in `dir`, created if missing.
    ///
    /// # Errors
    ///
    /// When the directory cannot be created.
    pub fn open(dir: &Path) -> io::Result<Self> {
        fs::create_dir_all(dir)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            pending: Mutex::new(None),
        })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Appends one event line to `pending.jsonl`.
    ///
    /// # Errors
    ///
    /// When the file cannot be opened or written.
    pub fn append(&self, line: &str) -> io::Result<()> {
        let mut pending = self
            .pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if pending.is_none() {
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(self.dir.join(PENDING))?;
            *pending = Some(file);
        }
        let file = pending.as_mut().expect("opened above");
        // One write per line: a line is never interleaved with another.
        file.write_all(format!("{line}\n").as_bytes())
    }

    /// Seals `pending.jsonl` (if it has lines) into the next batch file, synced to disk.
    ///
    /// # Errors
    ///
    /// When the directory cannot be read or the file renamed.
    pub fn seal(&self) -> io::Result<()> {
        let mut pending = self
            .pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(file) = pending.take() {
            file.sync_all()?;
        }
        let path = self.dir.join(PENDING);
        match fs::metadata(&path) {
            Ok(meta) if meta.len() > 0 => {}
            Ok(_) => return fs::remove_file(&path),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        }
        let next = self.batches()?.last().map_or(0, |(n, _)| *n) + 1;
        let sealed = self
            .dir
            .join(format!("{BATCH_PREFIX}{next:012}{BATCH_SUFFIX}"));
        fs::rename(&path, &sealed)?;
        sync_dir(&self.dir);
        Ok(())
    }

    /// The sealed batch files, oldest first, with their numbers.
    ///
    /// # Errors
    ///
    /// When the directory cannot be read.
    pub fn batches(&self) -> io::Result<Vec<(u64, PathBuf)>> {
        let mut batches = Vec::new();
        for entry in fs::read_dir(&self.dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let Some(number) = name
                .to_str()
                .and_then(|n| n.strip_prefix(BATCH_PREFIX))
                .and_then(|n| n.strip_suffix(BATCH_SUFFIX))
                .and_then(|n| n.parse::<u64>().ok())
            else {
                continue;
            };
            batches.push((number, entry.path()));
        }
        batches.sort();
        Ok(batches)
    }

    /// The event lines of a batch file.
    ///
    /// # Errors
    ///
    /// When the file cannot be read.
    pub fn lines(path: &Path) -> io::Result<Vec<String>> {
        Ok(fs::read_to_string(path)?
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect())
    }

    /// Replaces the batch at `path` by its `rest` lines (deletes it when none are left):
    /// written beside it and renamed over it, so a crash leaves either version.
    ///
    /// # Errors
    ///
    /// When the file cannot be written, renamed or removed.
    pub fn keep_only(path: &Path, rest: &[String]) -> io::Result<()> {
        if rest.is_empty() {
            fs::remove_file(path)?;
        } else {
            let temporary = path.with_extension("jsonl.tmp");
            let mut text = rest.join("\n");
            text.push('\n');
            let mut file = File::create(&temporary)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            fs::rename(&temporary, path)?;
        }
        if let Some(dir) = path.parent() {
            sync_dir(dir);
        }
        Ok(())
    }

    /// Event lines waiting: sealed or still pending.
    ///
    /// # Errors
    ///
    /// When the spool cannot be read.
    pub fn waiting(&self) -> io::Result<usize> {
        let mut count = 0;
        for (_, path) in self.batches()? {
            count += Self::lines(&path)?.len();
        }
        let pending = self.dir.join(PENDING);
        if pending.exists() {
            count += Self::lines(&pending)?.len();
        }
        Ok(count)
    }
}

/// Makes a rename in `dir` durable (best effort: not every platform can open a folder).
fn sync_dir(dir: &Path) {
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_batches_keep_their_order_across_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::open(dir.path()).unwrap();
        spool.append("{\"n\":1}").unwrap();
        spool.seal().unwrap();
        spool.seal().unwrap();
        drop(spool);
        let spool = Spool::open(dir.path()).unwrap();
        spool.append("{\"n\":2}").unwrap();
        spool.append("{\"n\":3}").unwrap();
        spool.seal().unwrap();
        let batches = spool.batches().unwrap();
        assert_eq!(batches.iter().map(|b| b.0).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(
            Spool::lines(&batches[1].1).unwrap(),
            ["{\"n\":2}", "{\"n\":3}"]
        );
        Spool::keep_only(&batches[1].1, &["{\"n\":3}".to_owned()]).unwrap();
        assert_eq!(spool.waiting().unwrap(), 2);
        Spool::keep_only(&batches[0].1, &[]).unwrap();
        assert_eq!(spool.batches().unwrap().len(), 1);
    }
}
