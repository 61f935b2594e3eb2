//! The engine's state in one SQLite file: links between people and app accounts, the
//! last applied attributes, licences held, runs, the journal of every call (intent
//! before, outcome after), manual tasks and audit events. Migrations are versioned and
//! embedded (`engine/migrations`).

mod audit;
mod batch;
mod effects;
mod journal;
mod links;
mod runs;
mod tasks;
mod writer;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use audit::AuditFilter;
pub use journal::{Effect, Intent, JournalEntry, Outcome};
pub use links::{LicenseState, Link, LinkRow, LinkVisitor, Origin};
pub use runs::{RunRecord, RunStatus};
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
    /// Commits journal writes in groups.
    writer: writer::Writer,
}

/// The embedded migrations, in order.
fn migrator() -> Migrator {
    Migrator::with_migrations(vec![Migration::new(
        1,
        "state".into(),
        MigrationType::Simple,
        include_str!("../../migrations/0001_state.sql").into_sql_str(),
        false,
    )])
}

impl Store {
    /// Opens (creating and migrating when needed) the state file at `path`.
    ///
    /// # Errors
    ///
    /// When the file cannot be opened or migrated.
    pub async fn open(path: &Path) -> Result<Self, StateError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true);
        Self::connect(options, path.display().to_string()).await
    }

    /// A fresh in-memory store (tests, dry runs).
    ///
    /// # Errors
    ///
    /// When SQLite cannot start.
    pub async fn in_memory() -> Result<Self, StateError> {
        let options =
            SqliteConnectOptions::from_str("sqlite::memory:").map_err(|e| StateError {
                path: ":memory:".into(),
                message: e.to_string(),
            })?;
        Self::connect(options, ":memory:".to_owned()).await
    }

    /// Connects one serialized connection (SQLite has one writer) and migrates.
    async fn connect(options: SqliteConnectOptions, path: String) -> Result<Self, StateError> {
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            // A local file does not go stale: no ping (a round trip to SQLite's thread)
            // before every statement.
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(|e| StateError {
                path: path.clone(),
                message: format!("cannot open: {e}"),
            })?;
        // Two processes opening a new file race to migrate it; the loser's insert of
        // the version fails (the DDL is idempotent), and its retry finds it applied.
        let mut attempt = 0;
        while let Err(error) = migrator().run(&pool).await {
            attempt += 1;
            if attempt >= 3 {
                return Err(StateError {
                    path,
                    message: format!("cannot migrate: {error}"),
                });
            }
            tokio::time::sleep(Duration::from_millis(50 * attempt)).await;
        }
        let writer = writer::Writer::start(pool.clone());
        Ok(Self { pool, path, writer })
    }

    /// The path of the state file.
    pub fn path(&self) -> PathBuf {
        PathBuf::from(&self.path)
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
        assert_eq!(store.schema_version().await.unwrap(), 1);
        drop(store);
        let again = Store::open(&path).await.unwrap();
        assert_eq!(again.schema_version().await.unwrap(), 1);
    }
}
