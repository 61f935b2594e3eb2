//! Resuming after a crash: every intent without an outcome is settled by re-reading the
//! app before anything is planned again, so a create that reached the app is linked (no
//! duplicate) and one that did not is redone by the next plan (no lost change).

use std::collections::BTreeMap;
use std::sync::Arc;

use connector_sdk::{Connector, Identity};
use serde::Serialize;

use super::linking::{self, Claims, Decision, Found};
use crate::config::ExistingAccounts;
use crate::directory::Directory;
use crate::state::{Effect, Outcome, StateError, Store};

/// What resuming found for one interrupted call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResumedIntent {
    /// The journal row.
    pub entry: i64,
    /// The run it belonged to.
    pub run_id: String,
    /// The instance.
    pub instance: String,
    /// The action.
    pub action: String,
    /// The outcome recorded now (`recovered`, `not_done`, `rechecked`, `conflict`: the
    /// account found belongs to another person), or `pending`
    /// when the app could not be read (the intent stays open).
    pub outcome: String,
    /// What was found.
    pub detail: String,
}

/// Settles every pending intent; marks runs left `running` as interrupted.
pub(crate) async fn resume(
    store: &Store,
    connectors: &BTreeMap<String, Arc<dyn Connector>>,
    directory: &Directory,
) -> Result<Vec<ResumedIntent>, StateError> {
    // A run still `running` died (one apply runs at a time), with or without open calls.
    store.interrupt_running().await?;
    let pending = store.pending_intents().await?;
    let claims = Claims::default();
    let mut resumed = Vec::new();
    for entry in pending {
        let mut report = ResumedIntent {
            entry: entry.id,
            run_id: entry.run_id.clone(),
            instance: entry.instance.clone(),
            action: entry.action.clone(),
            outcome: "rechecked".to_owned(),
            detail: "the next plan re-reads the account".to_owned(),
        };
        if entry.action != "create" {
            store
                .record_outcome(
                    Some(entry.id),
                    Outcome::Rechecked,
                    Some(&report.detail),
                    Vec::new(),
                )
                .await?;
            resumed.push(report);
            continue;
        }
        let Some(connector) = connectors.get(&entry.instance) else {
            report.outcome = "pending".to_owned();
            report.detail = "the instance is not configured any more".to_owned();
            resumed.push(report);
            continue;
        };
        let who = person(&entry, directory);
        match connector.find(&who).await {
            Ok(Some(account)) => {
                // The intent was a create the plan made for nobody's account: what is
                // found now was made by it, unless another person already holds it.
                let decision = linking::decide(
                    store,
                    &claims,
                    &entry.instance,
                    ExistingAccounts::Flag,
                    &who,
                    &account.reference(),
                    Found::Created,
                )
                .await
                .map_err(|message| StateError {
                    path: store.path().display().to_string(),
                    message,
                })?;
                let (outcome, effects) = match decision {
                    Decision::Link(link) => {
                        // Unknown whether every attribute reached the app: the next plan
                        // updates.
                        report.outcome = "recovered".to_owned();
                        report.detail =
                            format!("the create reached the app: account {} linked", account.id);
                        (Outcome::Recovered, vec![Effect::Link(link)])
                    }
                    Decision::Flag(reason) | Decision::Conflict(reason) => {
                        report.outcome = "conflict".to_owned();
                        report.detail = reason;
                        (Outcome::Conflict, Vec::new())
                    }
                };
                store
                    .record_outcome(Some(entry.id), outcome, Some(&report.detail), effects)
                    .await?;
            }
            Ok(None) => {
                report.outcome = "not_done".to_owned();
                report.detail =
                    "the create did not reach the app; the next plan creates".to_owned();
                store
                    .record_outcome(
                        Some(entry.id),
                        Outcome::NotDone,
                        Some(&report.detail),
                        Vec::new(),
                    )
                    .await?;
            }
            Err(error) => {
                report.outcome = "pending".to_owned();
                report.detail = format!("cannot re-read the account: {error}");
            }
        }
        resumed.push(report);
    }
    Ok(resumed)
}

/// The person of a create intent: from the directory, else rebuilt from the step.
fn person(entry: &crate::state::JournalEntry, directory: &Directory) -> Identity {
    let id = entry.identity_id.clone().unwrap_or_default();
    if let Some(who) = directory.person(&id) {
        return who.clone();
    }
    let login = serde_json::from_str::<serde_json::Value>(&entry.step)
        .ok()
        .and_then(|step| step["target"]["login"].as_str().map(str::to_owned))
        .unwrap_or_default();
    Identity {
        id,
        email: login.clone(),
        login,
        ..Identity::default()
    }
}
