//! `status`: what the state says about past runs and open work.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::EngineError;
use crate::state::{
    EventRecord, EventState, JournalEntry, ManualTaskRecord, RunRecord, SourceCursor, Store,
};

/// The state at a glance.
#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    /// The state file.
    pub state: String,
    /// The schema version.
    pub schema_version: i64,
    /// The directory size at the last completed run.
    pub last_source_size: Option<u64>,
    /// The latest runs, newest first.
    pub runs: Vec<RunRecord>,
    /// Linked accounts per instance.
    pub links: BTreeMap<String, i64>,
    /// Manual tasks not done.
    pub manual_tasks: Vec<ManualTaskRecord>,
    /// Calls without an outcome (an interrupted run; the next apply settles them).
    pub pending_intents: Vec<JournalEntry>,
    /// Events of `connector serve` per queue state (`pending`, `done`, `ignored`,
    /// `dead`).
    pub events: BTreeMap<String, i64>,
    /// The newest dead letters (at most 20), for `connector events retry`.
    pub dead_letters: Vec<EventRecord>,
    /// Where each polled event source (the Okta System Log) stands.
    pub event_sources: Vec<SourceCursor>,
}

/// Reads the status from `store`.
pub(crate) async fn status(store: &Store) -> Result<StatusReport, EngineError> {
    Ok(StatusReport {
        state: store.path().display().to_string(),
        schema_version: store.schema_version().await?,
        last_source_size: store.last_source_size().await?,
        runs: store.runs(10).await?,
        links: store.link_counts().await?,
        manual_tasks: store.open_manual_tasks().await?,
        pending_intents: store.pending_intents().await?,
        events: store.event_counts().await?,
        dead_letters: store.events(Some(EventState::Dead), 20).await?,
        event_sources: store.source_cursors().await?,
    })
}
