//! The `event_sources` table: where each polled event source (the Okta System Log)
//! stopped reading, so a restarted `connector serve` continues from there. The polling
//! itself is `crate::events::okta_log`'s; this module is only the SQL.

use serde::Serialize;
use sqlx::Row;

use super::{StateError, Store};
use crate::clock;

/// Where a polled source stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SourceCursor {
    /// The source and what it reads (`okta-log https://acme.okta.com`).
    pub name: String,
    /// The `rel="next"` link of the last page read: where the next poll starts.
    pub next_url: Option<String>,
    /// The `published` time of the newest event read.
    pub last_published: Option<String>,
    /// Events read so far (new, or already queued by a hook).
    pub events_read: i64,
    /// When the last poll ended.
    pub polled_at: Option<String>,
    /// Why the last poll failed, if it did.
    pub last_error: Option<String>,
}

impl Store {
    /// The cursor of source `name`, if it was ever polled.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn source_cursor(&self, name: &str) -> Result<Option<SourceCursor>, StateError> {
        let row = sqlx::query(
            "SELECT name, next_url, last_published, events_read, polled_at, last_error \
             FROM event_sources WHERE name = ?",
        )
        .bind(name)
        .fetch_optional(self.pool())
        .await
        .map_err(|e| self.error(e))?;
        Ok(row.as_ref().map(cursor))
    }

    /// Every polled source's cursor, by name.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn source_cursors(&self) -> Result<Vec<SourceCursor>, StateError> {
        let rows = sqlx::query(
            "SELECT name, next_url, last_published, events_read, polled_at, last_error \
             FROM event_sources ORDER BY name",
        )
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.error(e))?;
        Ok(rows.iter().map(cursor).collect())
    }

    /// Moves source `name`'s cursor to `next_url` after `read` more events, the newest
    /// published at `last_published` (kept as it was when `None`), and clears its error.
    /// Called after the events read were queued, so a crash in between re-reads them
    /// (and the queue's uuid de-duplication drops the repeats).
    ///
    /// # Errors
    ///
    /// When the store cannot be written.
    pub async fn advance_source_cursor(
        &self,
        name: &str,
        next_url: &str,
        last_published: Option<&str>,
        read: i64,
    ) -> Result<(), StateError> {
        sqlx::query(
            "INSERT INTO event_sources (name, next_url, last_published, events_read, polled_at) \
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (name) DO UPDATE SET \
             next_url = ?2, last_published = COALESCE(?3, last_published), \
             events_read = events_read + ?4, polled_at = ?5, last_error = NULL",
        )
        .bind(name)
        .bind(next_url)
        .bind(last_published)
        .bind(read)
        .bind(clock::stamp(clock::now()))
        .execute(self.pool())
        .await
        .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Records that polling source `name` failed with `error` (its cursor stays).
    ///
    /// # Errors
    ///
    /// When the store cannot be written.
    pub async fn source_failed(&self, name: &str, error: &str) -> Result<(), StateError> {
        sqlx::query(
            "INSERT INTO event_sources (name, polled_at, last_error) VALUES (?1, ?2, ?3) \
             ON CONFLICT (name) DO UPDATE SET polled_at = ?2, last_error = ?3",
        )
        .bind(name)
        .bind(clock::stamp(clock::now()))
        .bind(error)
        .execute(self.pool())
        .await
        .map_err(|e| self.error(e))?;
        Ok(())
    }
}

/// A row as a [`SourceCursor`].
fn cursor(row: &sqlx::sqlite::SqliteRow) -> SourceCursor {
    SourceCursor {
        name: row.get("name"),
        next_url: row.get("next_url"),
        last_published: row.get("last_published"),
        events_read: row.get("events_read"),
        polled_at: row.get("polled_at"),
        last_error: row.get("last_error"),
    }
}
