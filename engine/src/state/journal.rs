//! The journal: an intent row before each connector call, its outcome after, and the
//! state changes of that outcome committed in the same transaction.

use serde::Serialize;
use sqlx::Row;

use super::links::{LicenseState, Link};
use super::tasks::ManualTaskRecord;
use super::writer::{IntentRow, OutcomeRow};
use super::{StateError, Store};
use crate::clock;

/// How a journaled call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The call succeeded.
    Ok,
    /// The connector returned a task for a person.
    Manual,
    /// The call failed (after retries); the detail says why.
    Failed,
    /// Not attempted (an earlier step of the same account failed), or left alone by a
    /// policy decided at the call (an existing account the policy flags).
    Skipped,
    /// The account found belongs to another person: nothing was linked.
    Conflict,
    /// The app answered the write without some of the values sent (dropped or changed).
    NotStored,
    /// After a crash: the re-read found the change done, and the state was completed.
    Recovered,
    /// After a crash: the re-read found the change not done; the next plan redoes it.
    NotDone,
    /// After a crash: left to the next plan, which re-reads the account.
    Rechecked,
}

impl Outcome {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Manual => "manual",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
            Self::Conflict => "conflict",
            Self::NotStored => "not_stored",
            Self::Recovered => "recovered",
            Self::NotDone => "not_done",
            Self::Rechecked => "rechecked",
        }
    }

    /// Reads the stored spelling.
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "ok" => Self::Ok,
            "manual" => Self::Manual,
            "failed" => Self::Failed,
            "skipped" => Self::Skipped,
            "conflict" => Self::Conflict,
            "not_stored" => Self::NotStored,
            "recovered" => Self::Recovered,
            "not_done" => Self::NotDone,
            "rechecked" => Self::Rechecked,
            _ => return None,
        })
    }
}

/// One journal row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    /// Row id (the request id in audit events).
    pub id: i64,
    /// The run.
    pub run_id: String,
    /// The instance.
    pub instance: String,
    /// The directory person, when the step is about one.
    pub identity_id: Option<String>,
    /// The account, when known at intent time.
    pub account_id: Option<String>,
    /// The action (`create`, `disable`, ...).
    pub action: String,
    /// The licence SKU, for licence actions.
    pub sku: Option<String>,
    /// The plan step, as JSON.
    pub step: String,
    /// When the intent was written.
    pub intent_at: String,
    /// The outcome; `None` while the call is in flight (or was cut short by a crash).
    pub outcome: Option<Outcome>,
    /// The outcome's detail (error message, account id).
    pub detail: Option<String>,
}

/// A state change committed with an outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Insert or replace a link.
    Link(Link),
    /// Record the attribute snapshot last applied to a linked account.
    Attributes {
        /// The instance.
        instance: String,
        /// The person.
        identity_id: String,
        /// The snapshot's hash.
        hash: String,
        /// The snapshot (JSON).
        attributes: String,
    },
    /// Remove the link of a person.
    Unlink {
        /// The instance.
        instance: String,
        /// The person.
        identity_id: String,
    },
    /// Set (`Some`) or clear (`None`) a licence the engine gave.
    License {
        /// The instance.
        instance: String,
        /// The person.
        identity_id: String,
        /// The SKU.
        sku: String,
        /// The new state.
        state: Option<LicenseState>,
    },
    /// Record a manual task.
    ManualTask(ManualTaskRecord),
    /// Record an audit event.
    Audit {
        /// The run.
        run_id: String,
        /// The instance.
        instance: String,
        /// The person.
        identity_id: Option<String>,
        /// OCSF activity name.
        activity: String,
        /// `success`, `failure` or `other`.
        status: String,
        /// Event time.
        time_ms: i64,
        /// The event, as one JSON line.
        event: String,
    },
}

/// What an intent records before the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent<'a> {
    /// The run.
    pub run_id: &'a str,
    /// The instance.
    pub instance: &'a str,
    /// The person.
    pub identity_id: Option<&'a str>,
    /// The account, if known.
    pub account_id: Option<&'a str>,
    /// The action.
    pub action: &'a str,
    /// The SKU.
    pub sku: Option<&'a str>,
    /// The plan step as JSON.
    pub step: &'a str,
}

/// An intent as the writer takes it, stamped now.
fn intent_row(intent: &Intent<'_>) -> IntentRow {
    IntentRow {
        run_id: intent.run_id.to_owned(),
        instance: intent.instance.to_owned(),
        identity_id: intent.identity_id.map(str::to_owned),
        account_id: intent.account_id.map(str::to_owned),
        action: intent.action.to_owned(),
        sku: intent.sku.map(str::to_owned),
        step: intent.step.to_owned(),
        at: clock::stamp(clock::now()),
    }
}

impl Store {
    /// Writes an intent (committed before returning) and returns its id.
    ///
    /// Intents and outcomes of concurrent callers share commits (see `writer`).
    ///
    /// # Errors
    ///
    /// When the store cannot be written.
    pub async fn record_intent(&self, intent: &Intent<'_>) -> Result<i64, StateError> {
        let row = intent_row(intent);
        self.writer.intent(row).await.map_err(|e| self.error(e))
    }

    /// Queues an intent; once it is committed, `then` is called with its id, on the
    /// journal's thread (so it must only hand work on: send on a channel). The receiver
    /// gives the id, or the error when the intent could not be written (`then` is then
    /// dropped uncalled). Apply hands each step's call on this way: the call follows the
    /// commit without waking the step in between.
    pub(crate) fn record_intent_then(
        &self,
        intent: &Intent<'_>,
        then: super::writer::Then,
    ) -> tokio::sync::oneshot::Receiver<Result<i64, String>> {
        self.writer.intent_then(intent_row(intent), then)
    }

    /// Queues the outcome of journal entry `entry` (if any) and its `effects` (one
    /// transaction, as [`record_outcome`](Self::record_outcome)); once they are
    /// committed, `done` runs on the journal's thread (so it must be quick). The
    /// receiver gives the result (`done` is dropped unrun on an error). Apply confirms
    /// outcomes this way without waking each step.
    pub(crate) fn record_outcome_then(
        &self,
        entry: Option<i64>,
        outcome: Outcome,
        detail: Option<&str>,
        effects: Vec<Effect>,
        done: super::writer::Done,
    ) -> tokio::sync::oneshot::Receiver<Result<(), String>> {
        let row = OutcomeRow {
            entry,
            outcome,
            detail: detail.map(str::to_owned),
            effects,
            at: clock::stamp(clock::now()),
        };
        self.writer.outcome_then(row, done)
    }

    /// Records the outcome of journal entry `entry` (if any) and applies `effects`, in one
    /// transaction.
    ///
    /// # Errors
    ///
    /// When the store cannot be written (nothing is then written).
    pub async fn record_outcome(
        &self,
        entry: Option<i64>,
        outcome: Outcome,
        detail: Option<&str>,
        effects: &[Effect],
    ) -> Result<(), StateError> {
        let row = OutcomeRow {
            entry,
            outcome,
            detail: detail.map(str::to_owned),
            effects: effects.to_vec(),
            at: clock::stamp(clock::now()),
        };
        self.writer.outcome(row).await.map_err(|e| self.error(e))
    }

    /// Journal entries whose call never reported an outcome (a crash cut them short).
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn pending_intents(&self) -> Result<Vec<JournalEntry>, StateError> {
        self.journal_where("outcome IS NULL", None).await
    }

    /// The journal of run `run_id`.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn journal(&self, run_id: &str) -> Result<Vec<JournalEntry>, StateError> {
        self.journal_where("run_id = ?", Some(run_id)).await
    }

    /// Journal rows matching `condition` (a fixed SQL fragment with at most one `?`).
    async fn journal_where(
        &self,
        condition: &'static str,
        value: Option<&str>,
    ) -> Result<Vec<JournalEntry>, StateError> {
        let sql = match condition {
            "outcome IS NULL" => {
                "SELECT id, run_id, instance, identity_id, account_id, action, sku, step, intent_at, outcome, detail \
                 FROM journal WHERE outcome IS NULL ORDER BY id"
            }
            _ => {
                "SELECT id, run_id, instance, identity_id, account_id, action, sku, step, intent_at, outcome, detail \
                 FROM journal WHERE run_id = ? ORDER BY id"
            }
        };
        let mut query = sqlx::query(sql);
        if let Some(value) = value {
            query = query.bind(value);
        }
        let rows = query
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.error(e))?;
        rows.iter()
            .map(|row| {
                let outcome: Option<String> = row.try_get("outcome")?;
                Ok(JournalEntry {
                    id: row.try_get("id")?,
                    run_id: row.try_get("run_id")?,
                    instance: row.try_get("instance")?,
                    identity_id: row.try_get("identity_id")?,
                    account_id: row.try_get("account_id")?,
                    action: row.try_get("action")?,
                    sku: row.try_get("sku")?,
                    step: row.try_get("step")?,
                    intent_at: row.try_get("intent_at")?,
                    outcome: outcome.as_deref().and_then(Outcome::parse),
                    detail: row.try_get("detail")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|e| self.error(e))
    }
}
