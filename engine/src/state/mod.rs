//! The engine's state in one SQLite file: links between people and app accounts, the
//! last applied attributes, licences held, runs, the journal of every call (intent
//! before, outcome after), manual tasks and audit events. Migrations are versioned and
//! embedded (`engine/migrations`). Opening refuses files that are not a state
//! (`open`); one apply at a time holds a file lock (`lock`); `backup` copies it online.

mod audit;
mod backup;
mod batch;
mod effects;
mod events;
mod groups;
mod journal;
mod links;
mod lock;
mod open;
mod rows;
mod runs;
mod sources;
mod tasks;
mod writer;

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};

pub use audit::AuditFilter;
pub use backup::Checkpoint;
pub use events::{EventRecord, EventState, NewEvent};
pub use groups::{GroupEffect, GroupLink};
pub use links::{LicenseState, Link, LinkRow, LinkVisitor, Origin};
pub use lock::ApplyLock;
pub use rows::{Effect, Intent, JournalEntry, Outcome};
pub use runs::{RunRecord, RunStatus};
pub use sources::SourceCursor;
pub use tasks::ManualTaskRecord;

/// Why the state store failed.
#[derive(Debug, thiserror::Error)]
#[error("state {path}: {message}")]
pub struct StateError {
    /// The state file (`:memory:` for an in-memory store).
    pub path: String,
    /// What failed.
    pub message: String,
}

/// The state store.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    path: String,
    /// The state file with symlinks and `..` resolved (`None` in memory): what the apply
    /// lock is keyed by.
    canonical: Option<PathBuf>,
    /// Commits journal writes in groups.
    writer: writer::Writer,
}

/// The embedded migrations, in order.
fn migrator() -> Migrator {
    Migrator::with_migrations(vec![
        Migration::new(
            1,
            "state".into(),
            MigrationType::Simple,
            include_str!("../../migrations/0001_state.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            2,
            "events".into(),
            MigrationType::Simple,
            include_str!("../../migrations/0002_events.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            3,
            "event sources".into(),
            MigrationType::Simple,
            include_str!("../../migrations/0003_event_sources.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            4,
            "group links".into(),
            MigrationType::Simple,
            include_str!("../../migrations/0004_group_links.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            5,
            "event group id".into(),
            MigrationType::Simple,
            include_str!("../../migrations/0005_event_group_id.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            6,
            "link active".into(),
            MigrationType::Simple,
            include_str!("../../migrations/0006_link_active.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            7,
            "event breaker".into(),
            MigrationType::Simple,
            include_str!("../../migrations/0007_event_breaker.sql").into_sql_str(),
            false,
        ),
    ])
}

impl Store {
    /// Opens the state file at `path`, creating a new state when there is no file.
    ///
    /// # Errors
    ///
    /// When the file cannot be opened or migrated, or is not a state: an empty file, a
    /// file that is not SQLite, an SQLite database of something else, a state written by
    /// a newer version.
    pub async fn open(path: &Path) -> Result<Self, StateError> {
        if path.symlink_metadata().is_err() {
            open::create(path).await.map_err(|message| StateError {
                path: path.display().to_string(),
                message,
            })?;
        }
        Self::open_existing(path).await
    }

    /// Opens the state file at `path`, which must exist (`state backup`, readers that
    /// must not create a state by mistake).
    ///
    /// # Errors
    ///
    /// As [`open`](Self::open), and when there is no file.
    pub async fn open_existing(path: &Path) -> Result<Self, StateError> {
        let error = |message: String| StateError {
            path: path.display().to_string(),
            message,
        };
        open::check_file(path).map_err(error)?;
        let canonical = std::fs::canonicalize(path)
            .map_err(|e| error(format!("cannot resolve the path: {e}")))?;
        let pool = open::pool(open::options(path)).await.map_err(error)?;
        let checked = async {
            open::identify(&pool).await?;
            open::ensure_wal(&pool).await?;
            open::migrate(&pool).await
        }
        .await;
        if let Err(message) = checked {
            pool.close().await;
            return Err(error(message));
        }
        Ok(Self::with_pool(
            pool,
            path.display().to_string(),
            Some(canonical),
        ))
    }

    /// A fresh in-memory store (tests, dry runs).
    ///
    /// # Errors
    ///
    /// When SQLite cannot start.
    pub async fn in_memory() -> Result<Self, StateError> {
        let error = |message: String| StateError {
            path: ":memory:".into(),
            message,
        };
        let options =
            SqliteConnectOptions::from_str("sqlite::memory:").map_err(|e| error(e.to_string()))?;
        let pool = open::pool(options).await.map_err(error)?;
        open::migrate(&pool).await.map_err(error)?;
        Ok(Self::with_pool(pool, ":memory:".to_owned(), None))
    }

    /// A store over an open, checked and migrated pool; starts the writer thread.
    fn with_pool(pool: SqlitePool, path: String, canonical: Option<PathBuf>) -> Self {
        let writer = writer::Writer::start(pool.clone());
        Self {
            pool,
            path,
            canonical,
            writer,
        }
    }

    /// The path of the state file.
    pub fn path(&self) -> PathBuf {
        PathBuf::from(&self.path)
    }

    /// The schema version this build writes: its latest migration.
    pub fn latest_schema_version() -> i64 {
        open::latest_version()
    }

    /// The schema version (the latest applied migration).
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn schema_version(&self) -> Result<i64, StateError> {
        sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.error(e))
    }

    /// A state error for this store.
    fn error(&self, error: impl std::fmt::Display) -> StateError {
        StateError {
            path: self.path.clone(),
            message: error.to_string(),
        }
    }

    /// The connection pool.
    fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn migrates_a_new_file_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let store = Store::open(&path).await.unwrap();
        assert_eq!(store.schema_version().await.unwrap(), 7);
        assert_eq!(Store::latest_schema_version(), 7);
        drop(store);
        let again = Store::open(&path).await.unwrap();
        assert_eq!(again.schema_version().await.unwrap(), 7);
    }
}
