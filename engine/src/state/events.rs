//! The event queue's table: accepted events stored before the hook is answered,
//! de-duplicated by the source's event id, handed out one per person in arrival order,
//! retried with a backoff, dead-lettered, re-driven. The policy (how many attempts, how
//! long to wait) is `crate::events::queue`'s; this module is only the SQL.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{StateError, Store};
use crate::clock;

/// Where an event stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EventState {
    /// Waiting to be processed (again, after a failed attempt).
    Pending,
    /// Processed.
    Done,
    /// Recorded, not acted on (an event type no flow handles).
    Ignored,
    /// Out of attempts: waits for `connector events retry`.
    Dead,
}

impl EventState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Done => "done",
            Self::Ignored => "ignored",
            Self::Dead => "dead",
        }
    }

    /// The state named `name`.
    fn parse(name: &str) -> Self {
        match name {
            "done" => Self::Done,
            "ignored" => Self::Ignored,
            "dead" => Self::Dead,
            _ => Self::Pending,
        }
    }
}

impl std::fmt::Display for EventState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An event to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// The source's event id (Okta's `uuid`).
    pub uuid: String,
    /// Where it came from (`okta-hook`).
    pub source: String,
    /// Its type (`user.lifecycle.deactivate`).
    pub event_type: String,
    /// When the source says it happened.
    pub published: Option<String>,
    /// The person's directory id.
    pub person: Option<String>,
    /// The person's login.
    pub login: Option<String>,
    /// The group of a membership event.
    pub group_name: Option<String>,
    /// The directory's id for the group of a membership event (Okta's group id).
    pub group_id: Option<String>,
    /// The event as received (JSON).
    pub payload: String,
    /// Why it is stored as [`EventState::Ignored`] rather than pending (a type no flow
    /// handles), if it is.
    pub ignored: Option<String>,
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventRecord {
    /// Queue id (what `connector events retry` takes).
    pub id: i64,
    /// The source's event id.
    pub uuid: String,
    /// Where it came from.
    pub source: String,
    /// Its type.
    pub event_type: String,
    /// When the source says it happened.
    pub published: Option<String>,
    /// The person's directory id.
    pub person: Option<String>,
    /// The person's login.
    pub login: Option<String>,
    /// The group of a membership event.
    pub group_name: Option<String>,
    /// The directory's id for the group of a membership event (Okta's group id).
    pub group_id: Option<String>,
    /// Where it stands.
    pub state: EventState,
    /// Processing attempts started.
    pub attempts: i64,
    /// Not before this time (Unix milliseconds).
    pub next_at: i64,
    /// Why the last attempt failed, or what was decided.
    pub detail: Option<String>,
    /// The apply run of the last attempt.
    pub run_id: Option<String>,
    /// When it was stored.
    pub received_at: String,
    /// When it was done, ignored or dead-lettered.
    pub finished_at: Option<String>,
    /// Whether a person re-drove it past the removal circuit breaker
    /// (`connector events retry --allow-removals`).
    pub allow_removals: bool,
}

/// The columns [`record`] reads.
const COLUMNS: &str = "id, uuid, source, event_type, published, person, login, group_name, \
                       group_id, state, attempts, next_at, detail, run_id, received_at, finished_at, \
                       allow_removals";

/// A row as an [`EventRecord`].
fn record(row: &SqliteRow) -> EventRecord {
    EventRecord {
        id: row.get("id"),
        uuid: row.get("uuid"),
        source: row.get("source"),
        event_type: row.get("event_type"),
        published: row.get("published"),
        person: row.get("person"),
        login: row.get("login"),
        group_name: row.get("group_name"),
        group_id: row.get("group_id"),
        state: EventState::parse(row.get::<&str, _>("state")),
        attempts: row.get("attempts"),
        next_at: row.get("next_at"),
        detail: row.get("detail"),
        run_id: row.get("run_id"),
        received_at: row.get("received_at"),
        finished_at: row.get("finished_at"),
        allow_removals: row.get::<i64, _>("allow_removals") != 0,
    }
}

impl Store {
    /// Stores `events` in one transaction (all or none); an event whose uuid is already
    /// stored is left as it is. Returns, for each event, whether it was new.
    ///
    /// # Errors
    ///
    /// When the store cannot be written (then nothing was stored).
    pub async fn enqueue_events(&self, events: &[NewEvent]) -> Result<Vec<bool>, StateError> {
        let now = clock::now();
        let (stamp, ms) = (clock::stamp(now), clock::epoch_ms(now));
        let mut tx = self.pool().begin().await.map_err(|e| self.error(e))?;
        let mut fresh = Vec::with_capacity(events.len());
        for event in events {
            let state = match event.ignored {
                Some(_) => EventState::Ignored,
                None => EventState::Pending,
            };
            let done = sqlx::query(
                "INSERT INTO events (uuid, source, event_type, published, person, login, \
                 group_name, group_id, payload, state, next_at, received_at, finished_at, \
                 detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (uuid) DO NOTHING",
            )
            .bind(&event.uuid)
            .bind(&event.source)
            .bind(&event.event_type)
            .bind(&event.published)
            .bind(&event.person)
            .bind(&event.login)
            .bind(&event.group_name)
            .bind(&event.group_id)
            .bind(&event.payload)
            .bind(state.as_str())
            .bind(ms)
            .bind(&stamp)
            .bind(event.ignored.as_ref().map(|_| &stamp))
            .bind(&event.ignored)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.error(e))?;
            fresh.push(done.rows_affected() == 1);
        }
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(fresh)
    }

    /// Up to `limit` pending events due at `now_ms`, each the oldest pending event of its
    /// person (a person's later events wait for the earlier ones), oldest first.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn due_events(
        &self,
        now_ms: i64,
        limit: u32,
    ) -> Result<Vec<EventRecord>, StateError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM events e WHERE state = 'pending' AND next_at <= ? \
             AND NOT EXISTS (SELECT 1 FROM events p WHERE p.state = 'pending' \
                 AND p.person = e.person AND p.id < e.id) \
             ORDER BY id LIMIT ?"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now_ms)
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.error(e))?;
        Ok(rows.iter().map(record).collect())
    }

    /// When the next pending event is due (Unix milliseconds), if any is pending.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn next_event_due(&self) -> Result<Option<i64>, StateError> {
        sqlx::query_scalar("SELECT MIN(next_at) FROM events WHERE state = 'pending'")
            .fetch_one(self.pool())
            .await
            .map_err(|e| self.error(e))
    }

    /// Counts an attempt of each event in `ids`, before it is made: an attempt that
    /// never ends (the process was killed) still counts.
    ///
    /// # Errors
    ///
    /// When the store cannot be written.
    pub async fn start_event_attempts(&self, ids: &[i64], run_id: &str) -> Result<(), StateError> {
        let mut tx = self.pool().begin().await.map_err(|e| self.error(e))?;
        for id in ids {
            sqlx::query("UPDATE events SET attempts = attempts + 1, run_id = ? WHERE id = ?")
                .bind(run_id)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(|e| self.error(e))?;
        }
        tx.commit().await.map_err(|e| self.error(e))
    }

    /// Ends event `id` as `state` (done, ignored or dead) with `detail`.
    ///
    /// # Errors
    ///
    /// When the store cannot be written.
    pub async fn finish_event(
        &self,
        id: i64,
        state: EventState,
        detail: &str,
    ) -> Result<(), StateError> {
        sqlx::query("UPDATE events SET state = ?, detail = ?, finished_at = ? WHERE id = ?")
            .bind(state.as_str())
            .bind(detail)
            .bind(clock::stamp(clock::now()))
            .bind(id)
            .execute(self.pool())
            .await
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Leaves event `id` pending until `next_at` (Unix milliseconds), saying why.
    ///
    /// # Errors
    ///
    /// When the store cannot be written.
    pub async fn defer_event(&self, id: i64, next_at: i64, detail: &str) -> Result<(), StateError> {
        sqlx::query("UPDATE events SET next_at = ?, detail = ? WHERE id = ? AND state = 'pending'")
            .bind(next_at)
            .bind(detail)
            .bind(id)
            .execute(self.pool())
            .await
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Puts dead-lettered event `id` back in the queue with its attempts reset, past the
    /// removal circuit breaker when `allow_removals` says so (a person looked). Returns
    /// the event as it was, or `None` when there is no such event.
    ///
    /// # Errors
    ///
    /// When the store cannot be written.
    pub async fn retry_event(
        &self,
        id: i64,
        allow_removals: bool,
    ) -> Result<Option<EventRecord>, StateError> {
        let Some(before) = self.event(id).await? else {
            return Ok(None);
        };
        if before.state == EventState::Dead {
            sqlx::query(
                "UPDATE events SET state = 'pending', attempts = 0, next_at = 0, \
                 finished_at = NULL, allow_removals = ? WHERE id = ? AND state = 'dead'",
            )
            .bind(allow_removals)
            .bind(id)
            .execute(self.pool())
            .await
            .map_err(|e| self.error(e))?;
        }
        Ok(Some(before))
    }

    /// Event `id`.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn event(&self, id: i64) -> Result<Option<EventRecord>, StateError> {
        let sql = format!("SELECT {COLUMNS} FROM events WHERE id = ?");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await
            .map_err(|e| self.error(e))?;
        Ok(row.as_ref().map(record))
    }

    /// The newest `limit` events, in `state` when given, newest first.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn events(
        &self,
        state: Option<EventState>,
        limit: u32,
    ) -> Result<Vec<EventRecord>, StateError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM events WHERE (?1 IS NULL OR state = ?1) ORDER BY id DESC LIMIT ?2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(state.map(EventState::as_str))
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.error(e))?;
        Ok(rows.iter().map(record).collect())
    }

    /// How many events are in each state.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn event_counts(&self) -> Result<BTreeMap<String, i64>, StateError> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT state, COUNT(*) FROM events GROUP BY state")
                .fetch_all(self.pool())
                .await
                .map_err(|e| self.error(e))?;
        Ok(rows.into_iter().collect())
    }
}
