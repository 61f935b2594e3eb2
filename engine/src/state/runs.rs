//! Run records and the directory size at the last completed run.

use serde::Serialize;
use sqlx::Row;

use super::{StateError, Store};
use crate::clock;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Still running (or killed: see [`RunStatus::Interrupted`]).
    Running,
    /// Every change applied.
    Completed,
    /// Some changes failed; the rest applied.
    Partial,
    /// A safety check stopped it before any change.
    Stopped,
    /// A later run found it still `running`: the process died.
    Interrupted,
}

impl RunStatus {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Completed => "completed",
            Self::Partial => "partial",
            Self::Stopped => "stopped",
            Self::Interrupted => "interrupted",
        }
    }

    /// Reads the stored spelling.
    fn parse(text: &str) -> Self {
        match text {
            "completed" => Self::Completed,
            "partial" => Self::Partial,
            "stopped" => Self::Stopped,
            "interrupted" => Self::Interrupted,
            _ => Self::Running,
        }
    }
}

/// One run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunRecord {
    /// The run id.
    pub id: String,
    /// When it started.
    pub started_at: String,
    /// When it ended.
    pub finished_at: Option<String>,
    /// How it ended.
    pub status: RunStatus,
    /// The directory source.
    pub source: Option<String>,
    /// How many people the source returned.
    pub source_size: Option<i64>,
    /// The summary (JSON), once finished.
    pub summary: Option<serde_json::Value>,
}

/// The `meta` key of the last completed run's directory size.
const LAST_SOURCE_SIZE: &str = "last_source_size";

impl Store {
    /// Records the start of run `id`.
    ///
    /// # Errors
    ///
    /// When the store cannot be written.
    pub async fn start_run(&self, id: &str, source: &str, size: u64) -> Result<(), StateError> {
        sqlx::query(
            "INSERT INTO runs (id, started_at, status, source, source_size) VALUES (?, ?, 'running', ?, ?)",
        )
        .bind(id)
        .bind(clock::stamp(clock::now()))
        .bind(source)
        .bind(i64::try_from(size).unwrap_or(i64::MAX))
        .execute(self.pool())
        .await
        .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Records the end of run `id`; a completed or partial run also records its source
    /// size as the reference for the next run's shrink check.
    ///
    /// # Errors
    ///
    /// When the store cannot be written.
    pub async fn finish_run(
        &self,
        id: &str,
        status: RunStatus,
        summary: &serde_json::Value,
    ) -> Result<(), StateError> {
        let mut tx = self.pool().begin().await.map_err(|e| self.error(e))?;
        sqlx::query("UPDATE runs SET status = ?, finished_at = ?, summary = ? WHERE id = ?")
            .bind(status.as_str())
            .bind(clock::stamp(clock::now()))
            .bind(summary.to_string())
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.error(e))?;
        if matches!(status, RunStatus::Completed | RunStatus::Partial) {
            sqlx::query(
                "INSERT OR REPLACE INTO meta (key, value) \
                 SELECT ?, CAST(source_size AS TEXT) FROM runs WHERE id = ? AND source_size IS NOT NULL",
            )
            .bind(LAST_SOURCE_SIZE)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.error(e))?;
        }
        tx.commit().await.map_err(|e| self.error(e))
    }

    /// Marks every run still `running` as `interrupted` and returns their ids.
    ///
    /// # Errors
    ///
    /// When the store cannot be written.
    pub async fn interrupt_running(&self) -> Result<Vec<String>, StateError> {
        let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM runs WHERE status = 'running'")
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.error(e))?;
        sqlx::query("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
            .execute(self.pool())
            .await
            .map_err(|e| self.error(e))?;
        Ok(ids)
    }

    /// The directory size at the last completed run.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn last_source_size(&self) -> Result<Option<u64>, StateError> {
        let value: Option<String> = sqlx::query_scalar("SELECT value FROM meta WHERE key = ?")
            .bind(LAST_SOURCE_SIZE)
            .fetch_optional(self.pool())
            .await
            .map_err(|e| self.error(e))?;
        Ok(value.and_then(|v| v.parse().ok()))
    }

    /// The most recent runs, newest first.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn runs(&self, limit: u32) -> Result<Vec<RunRecord>, StateError> {
        let rows = sqlx::query(
            "SELECT id, started_at, finished_at, status, source, source_size, summary FROM runs \
             ORDER BY started_at DESC, rowid DESC LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.error(e))?;
        rows.iter()
            .map(|row| {
                let summary: Option<String> = row.try_get("summary")?;
                Ok(RunRecord {
                    id: row.try_get("id")?,
                    started_at: row.try_get("started_at")?,
                    finished_at: row.try_get("finished_at")?,
                    status: RunStatus::parse(row.try_get("status")?),
                    source: row.try_get("source")?,
                    source_size: row.try_get("source_size")?,
                    summary: summary.and_then(|s| serde_json::from_str(&s).ok()),
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|e| self.error(e))
    }
}
