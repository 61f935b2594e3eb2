//! The rows the journal writes: an intent before each call, an outcome (with the state
//! changes it commits) after it, as callers give them and as the writer takes them.

use serde::Serialize;

use super::links::{LicenseState, Link};
use super::tasks::ManualTaskRecord;
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
    pub(super) fn parse(text: &str) -> Option<Self> {
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
    /// Record whether the engine left a linked account active or disabled.
    Active {
        /// The instance.
        instance: String,
        /// The person.
        identity_id: String,
        /// Whether the account is now active.
        active: bool,
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
    /// Link or unlink a pushed group.
    Group(super::groups::GroupEffect),
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

/// An intent as the writer takes it: owned, and stamped with its time.
#[derive(Debug)]
pub(super) struct IntentRow {
    /// The run.
    pub run_id: String,
    /// The instance.
    pub instance: String,
    /// The person.
    pub identity_id: Option<String>,
    /// The account.
    pub account_id: Option<String>,
    /// The action.
    pub action: String,
    /// The SKU.
    pub sku: Option<String>,
    /// The plan step as JSON.
    pub step: String,
    /// When it was recorded.
    pub at: String,
}

impl IntentRow {
    /// `intent`, stamped now.
    pub(super) fn now(intent: &Intent<'_>) -> Self {
        Self {
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
}

/// An outcome and its state changes, as the writer takes them.
#[derive(Debug)]
pub(super) struct OutcomeRow {
    /// The journal row, if any.
    pub entry: Option<i64>,
    /// How the call ended.
    pub outcome: Outcome,
    /// The detail.
    pub detail: Option<String>,
    /// The state changes.
    pub effects: Vec<Effect>,
    /// When it was recorded.
    pub at: String,
}

impl OutcomeRow {
    /// The outcome of journal entry `entry` (if any) with its `effects`, stamped now.
    pub(super) fn now(
        entry: Option<i64>,
        outcome: Outcome,
        detail: Option<&str>,
        effects: Vec<Effect>,
    ) -> Self {
        Self {
            entry,
            outcome,
            detail: detail.map(str::to_owned),
            effects,
            at: clock::stamp(clock::now()),
        }
    }
}

/// One write of the journal: an intent (which gets an id) or an outcome.
#[derive(Debug)]
pub(super) enum Write {
    /// Insert an intent.
    Intent(IntentRow),
    /// Record an outcome and apply its effects, in one transaction.
    Outcome(OutcomeRow),
}
