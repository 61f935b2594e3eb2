//! Handling due events: a batch (each the oldest pending event of its person) becomes
//! one apply, scoped to the batch's people, over the directory read now. The plan,
//! policies, breaker, journal and audit are the reconcile's own; only the scope and,
//! for a leaver, the person's status differ.
//!
//! The directory source is the truth for the joiner, the mover and a reactivation (the
//! decision uses current data, not the event's snapshot). A leaver event also forces
//! the person's status down to what the event says (suspended or deprovisioned) when the
//! source still shows them active: a file exported before they left must not keep
//! their access. Acting on a leaver event can only remove access.

use std::collections::{BTreeMap, BTreeSet};

use connector_sdk::IdentityStatus;
use serde::Serialize;

use super::{EventKind, QueuePolicy};
use crate::apply::StepStatus;
use crate::audit::AuditSink;
use crate::directory::{Directory, DirectorySource};
use crate::state::{EventRecord, EventState};
use crate::{ApplyOptions, ApplyReport, Engine, EngineError, PlanOptions, clock};

/// How one event of a batch ended.
#[derive(Debug, Clone, Serialize)]
pub struct EventOutcome {
    /// Queue id.
    pub id: i64,
    /// The source's event id.
    pub uuid: String,
    /// Its type.
    pub event_type: String,
    /// Where it stands now (`done`, `pending` again after a failure, `dead`).
    pub state: EventState,
    /// What was done, or why it failed.
    pub detail: String,
    /// Which attempt this was.
    pub attempt: i64,
}

/// What one batch did.
#[derive(Debug, Clone, Serialize)]
pub struct BatchReport {
    /// The apply run (its audit events' `correlation_uid`).
    pub run_id: String,
    /// Each event's outcome.
    pub outcomes: Vec<EventOutcome>,
}

/// Processes the events due now, if any: one scoped apply for up to `policy.batch`
/// people. Returns `None` when nothing is due.
///
/// # Errors
///
/// Only when the queue itself cannot be read or written; a failed apply is the events'
/// outcome (retried or dead-lettered), not an error.
pub async fn process_due(
    engine: &Engine,
    source: &dyn DirectorySource,
    policy: &QueuePolicy,
) -> Result<Option<BatchReport>, EngineError> {
    let store = engine.store();
    let now = clock::epoch_ms(clock::now());
    let due = store.due_events(now, policy.batch.max(1)).await?;
    let Some(first) = due.first() else {
        return Ok(None);
    };
    let run_id = run_id(first, due.len());
    let ids: Vec<i64> = due.iter().map(|e| e.id).collect();
    store.start_event_attempts(&ids, &run_id).await?;
    let result = apply(engine, source, policy, &due, &run_id).await;
    let mut outcomes = Vec::with_capacity(due.len());
    for (event, verdict) in due.iter().zip(judge(&due, &result)) {
        let attempt = event.attempts + 1;
        let (state, detail) = match verdict {
            Verdict::Done(detail) => (EventState::Done, detail),
            Verdict::Stop(reason) => (EventState::Dead, reason),
            Verdict::Retry(reason) if attempt >= i64::from(policy.max_attempts) => (
                EventState::Dead,
                format!("failed {attempt} times; last: {reason}"),
            ),
            Verdict::Retry(reason) => (EventState::Pending, reason),
        };
        match state {
            EventState::Pending => {
                let wait = policy.backoff_after(attempt);
                let next = clock::epoch_ms(clock::now()) + wait.as_millis() as i64;
                store.defer_event(event.id, next, &detail).await?;
            }
            _ => store.finish_event(event.id, state, &detail).await?,
        }
        outcomes.push(EventOutcome {
            id: event.id,
            uuid: event.uuid.clone(),
            event_type: event.event_type.clone(),
            state,
            detail,
            attempt,
        });
    }
    Ok(Some(BatchReport { run_id, outcomes }))
}

/// The run id of a batch: its first event's uuid (only letters, digits and `-`), the
/// attempt and the time in milliseconds (a re-driven event counts its attempts again),
/// so each attempt's run is distinct and names the event.
fn run_id(first: &EventRecord, size: usize) -> String {
    let uuid: String = first
        .uuid
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(64)
        .collect();
    let now = clock::epoch_ms(clock::now());
    let mut id = format!("ev-{uuid}-a{}-{now:x}", first.attempts + 1);
    if size > 1 {
        id.push_str(&format!("-n{size}"));
    }
    id
}

/// What a batch's apply came to, before it is judged per event.
struct Applied {
    /// The report.
    report: ApplyReport,
    /// Each event's person in the directory's ids (the scope).
    people: Vec<String>,
}

/// Reads the directory, adjusts leavers, applies for the batch's people.
async fn apply(
    engine: &Engine,
    source: &dyn DirectorySource,
    policy: &QueuePolicy,
    due: &[EventRecord],
    run_id: &str,
) -> Result<Applied, EngineError> {
    let mut directory = source.load().await?;
    let people: Vec<String> = due
        .iter()
        .map(|event| person_of(&mut directory, event))
        .collect();
    let audit = match &policy.audit_log {
        Some(path) => AuditSink::file(path)
            .map_err(|e| EngineError::Other(format!("audit log {}: {e}", path.display())))?,
        None => AuditSink::None,
    };
    let kinds: BTreeSet<&str> = due.iter().map(|e| e.event_type.as_str()).collect();
    let description = format!(
        "{} (event {}{})",
        source.describe(),
        due[0].uuid,
        if kinds.len() == 1 && due.len() == 1 {
            format!(", {}", due[0].event_type)
        } else {
            format!(" and {} more", due.len() - 1)
        }
    );
    // With flows, the apply keeps only the changes the matched flows' steps name.
    let only = match &policy.flows {
        Some(flows) => Some(
            crate::flows::prepare(
                flows,
                engine,
                &directory,
                due,
                &people,
                run_id,
                policy.audit_log.as_deref(),
            )
            .await?
            .filter,
        ),
        None => None,
    };
    let options = ApplyOptions {
        plan: PlanOptions {
            scope: Some(people.iter().cloned().collect()),
            only,
            ..PlanOptions::default()
        },
        audit,
        concurrency: policy.concurrency,
        run_id: Some(run_id.to_owned()),
        ..ApplyOptions::default()
    };
    let report = engine
        .apply_directory(directory, &description, options)
        .await?;
    Ok(Applied { report, people })
}

/// The directory id of the event's person (by Okta id, else login, case-insensitive),
/// after forcing a leaver's status. Someone the directory does not have keeps the
/// event's id: their links, if any, are planned as people who left.
fn person_of(directory: &mut Directory, event: &EventRecord) -> String {
    let found = directory.people.iter().position(|who| {
        event.person.as_deref() == Some(who.id.as_str())
            || event
                .login
                .as_deref()
                .is_some_and(|login| login.eq_ignore_ascii_case(&who.login))
    });
    let Some(index) = found else {
        return event
            .person
            .clone()
            .or_else(|| event.login.clone())
            .unwrap_or_default();
    };
    let who = &mut directory.people[index];
    let forced = match EventKind::of(&event.event_type) {
        EventKind::Deactivated => Some(IdentityStatus::Deprovisioned),
        EventKind::Suspended => Some(IdentityStatus::Suspended),
        _ => None,
    };
    if let Some(status) = forced
        && who.status == IdentityStatus::Active
    {
        who.status = status;
    }
    who.id.clone()
}

/// An event's verdict.
enum Verdict {
    /// Processed: what was done.
    Done(String),
    /// Failed for a reason that may pass: retry after the backoff.
    Retry(String),
    /// Stopped by a safety check or a configuration error: dead-letter now.
    Stop(String),
}

/// Each event's verdict from the batch's result.
fn judge(due: &[EventRecord], result: &Result<Applied, EngineError>) -> Vec<Verdict> {
    let applied = match result {
        Ok(applied) => applied,
        Err(error) => {
            let stop = matches!(error, EngineError::SourceStop(_) | EngineError::Config(_));
            return due
                .iter()
                .map(|_| match stop {
                    true => Verdict::Stop(error.to_string()),
                    false => Verdict::Retry(error.to_string()),
                })
                .collect();
        }
    };
    let report = &applied.report;
    if let Some(stopped) = &report.stopped {
        return due.iter().map(|_| Verdict::Stop(stopped.clone())).collect();
    }
    // Who each step is about, and each instance the plan could not reach.
    let owner: BTreeMap<&str, &str> = report
        .plan
        .instances
        .iter()
        .flat_map(|i| &i.steps)
        .filter_map(|s| Some((s.id.as_str(), s.target.identity_id.as_deref()?)))
        .collect();
    let unreached: Vec<String> = report
        .plan
        .instances
        .iter()
        .filter_map(|i| {
            let error = i.error.as_ref()?;
            Some(format!("instance {} not reached: {error}", i.instance))
        })
        .collect();
    applied
        .people
        .iter()
        .map(|person| {
            let mine = report
                .results
                .iter()
                .filter(|r| owner.get(r.step.as_str()) == Some(&person.as_str()));
            let mut failed = Vec::new();
            let (mut applied, mut manual) = (0, 0);
            for result in mine {
                match result.status {
                    StepStatus::Applied => applied += 1,
                    StepStatus::Manual => manual += 1,
                    StepStatus::Failed | StepStatus::NotStored | StepStatus::Skipped => {
                        failed.push(format!(
                            "{} {} {}: {} ({})",
                            result.instance,
                            result.action,
                            result.target,
                            result.status.as_str(),
                            result.detail.as_deref().unwrap_or("no detail")
                        ));
                    }
                }
            }
            failed.extend(unreached.iter().cloned());
            if !failed.is_empty() {
                return Verdict::Retry(failed.join("; "));
            }
            Verdict::Done(if applied + manual == 0 {
                "nothing to do: no change in any instance for this person".to_owned()
            } else {
                format!("{applied} changes applied, {manual} manual tasks")
            })
        })
        .collect()
}
