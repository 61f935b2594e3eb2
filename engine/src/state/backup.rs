//! Copies of the state: an online backup (`VACUUM INTO`, a consistent snapshot while
//! other processes read and write), and the checkpoint that ends each run so the main
//! file alone holds everything.

use std::path::Path;
use std::time::Duration;

use sqlx::Connection;

use super::open::{self, BUSY_TIMEOUT};
use super::{StateError, Store};

/// How long the end-of-run checkpoint waits for readers in other processes.
const CHECKPOINT_WAIT: Duration = Duration::from_secs(5);

/// What a checkpoint did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    /// Every page of the `-wal` file is in the main file and the `-wal` file is empty.
    /// False when a reader in another process kept part of it (the next checkpoint
    /// takes it).
    pub complete: bool,
}

impl Store {
    /// Writes a consistent copy of the state to `dest` while it may be in use (SQLite's
    /// `VACUUM INTO`, synced to disk, then moved into place). An existing `dest` is
    /// refused unless `replace`; the state file itself is always refused.
    ///
    /// # Errors
    ///
    /// When `dest` exists (without `replace`), is the state itself, is not UTF-8, or the
    /// copy cannot be written.
    pub async fn backup(&self, dest: &Path, replace: bool) -> Result<u64, StateError> {
        let shown = dest.display();
        let exists = dest.symlink_metadata().is_ok();
        if exists && !replace {
            return Err(self.error(format!(
                "the backup file {shown} exists; give --force to replace it"
            )));
        }
        if let (Some(state), Ok(target)) = (&self.canonical, std::fs::canonicalize(dest))
            && state == &target
        {
            return Err(self.error(format!("{shown} is the state file itself")));
        }
        let private = open::private_name(dest, "backup");
        let result = self.write_copy(&private).await.and_then(|size| {
            match open::place(&private, dest, replace) {
                Ok(true) => Ok(size),
                Ok(false) => Err(format!(
                    "the backup file {shown} appeared meanwhile; give --force to replace it"
                )),
                Err(error) => Err(error),
            }
        });
        let _ = std::fs::remove_file(&private);
        result.map_err(|e| self.error(format!("cannot back up to {shown}: {e}")))
    }

    /// `VACUUM INTO private`, synced; the copy's size.
    async fn write_copy(&self, private: &Path) -> Result<u64, String> {
        let name = private
            .to_str()
            .ok_or_else(|| "the path is not UTF-8".to_owned())?;
        sqlx::query("VACUUM INTO ?")
            .bind(name)
            .execute(self.pool())
            .await
            .map_err(|e| e.to_string())?;
        // SQLite does not sync the file VACUUM INTO writes.
        let file = std::fs::File::open(private).map_err(|e| e.to_string())?;
        file.sync_all().map_err(|e| e.to_string())?;
        let size = file.metadata().map_err(|e| e.to_string())?.len();
        if let Some(dir) = private.parent().filter(|d| !d.as_os_str().is_empty()) {
            // The directory entry too, where the platform allows opening a directory.
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(size)
    }

    /// Moves everything in the `-wal` file into the main file and empties it
    /// (`PRAGMA wal_checkpoint(TRUNCATE)`), waiting at most a few seconds for readers in
    /// other processes. After a complete checkpoint a plain copy of the main file is a
    /// full backup.
    ///
    /// # Errors
    ///
    /// When the store cannot be written.
    pub async fn checkpoint(&self) -> Result<Checkpoint, StateError> {
        let mut conn = self.pool().acquire().await.map_err(|e| self.error(e))?;
        let wait = |d: Duration| format!("PRAGMA busy_timeout = {}", d.as_millis());
        sqlx::raw_sql(sqlx::AssertSqlSafe(wait(CHECKPOINT_WAIT)))
            .execute(&mut *conn)
            .await
            .map_err(|e| self.error(e))?;
        let done: Result<(i64, i64, i64), _> = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&mut *conn)
            .await;
        let restored = sqlx::raw_sql(sqlx::AssertSqlSafe(wait(BUSY_TIMEOUT)))
            .execute(&mut *conn)
            .await;
        if restored.is_err() {
            // Never hand back a connection with the short timeout.
            let _ = conn.detach().close().await;
        }
        let (busy, _, _) = done.map_err(|e| self.error(format!("cannot checkpoint: {e}")))?;
        Ok(Checkpoint {
            complete: busy == 0,
        })
    }
}
