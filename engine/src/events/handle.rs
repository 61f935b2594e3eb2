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

use std::collections::{BTreeMap, BTreeSet, HashMap};

use connector_sdk::IdentityStatus;
use serde::Serialize;

use super::{EventKind, QueuePolicy};
use crate::apply::StepStatus;
use crate::audit::AuditSink;
use crate::directory::{Directory, DirectorySource};
use crate::state::{EventRecord, EventState};
use crate::{ApplyOptions, ApplyReport, Engine, EngineError, PlanOptions, clock};

/// The window of the events' circuit breaker: an event's apply weighs its removals with
/// those events made on the same instance in the last hour, against `max_removals`.
pub const BREAKER_WINDOW: time::Duration = time::Duration::hours(1);

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
/// people, each with their oldest pending event. Returns `None` when nothing is due.
///
/// A batch never holds two events of one person: an event whose person (found in the
/// directory by id or login) is already in the batch waits for a later one. When the
/// batch's removals trip an instance's circuit breaker (nothing was changed then), each
/// of its events is processed again alone at once, so the breaker counts one event's
/// removals as it does with a batch of one.
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
    let now = clock::epoch_ms(clock::now());
    let due = engine.store().due_events(now, policy.batch.max(1)).await?;
    if due.is_empty() {
        return Ok(None);
    }
    let loaded = source.load().await.map_err(EngineError::from);
    let (due, prepared) = match loaded {
        Ok(mut directory) => {
            let (due, people) = one_event_per_person(&mut directory, due);
            (due, Ok((directory, people)))
        }
        Err(error) => (due, Err(error)),
    };
    let (report, tripped) = process(engine, source, policy, &due, prepared).await?;
    if !tripped || due.len() < 2 {
        return Ok(Some(report));
    }
    let mut outcomes = Vec::with_capacity(due.len());
    for event in &due {
        let prepared = source
            .load()
            .await
            .map_err(EngineError::from)
            .map(|mut directory| {
                let person = person_of(&mut directory, event);
                (directory, vec![person])
            });
        let (alone, _) = process(
            engine,
            source,
            policy,
            std::slice::from_ref(event),
            prepared,
        )
        .await?;
        // The batch's run id heads the report: each outcome names its own run.
        outcomes.extend(alone.outcomes.into_iter().map(|mut outcome| {
            outcome.detail = format!("{} (alone, run {})", outcome.detail, alone.run_id);
            outcome
        }));
    }
    Ok(Some(BatchReport {
        run_id: report.run_id,
        outcomes,
    }))
}

/// Keeps, in order, the first event of each person (the directory's id) and those
/// people, after forcing the kept leavers' status; a later event of a person already
/// kept stays pending for a later batch.
fn one_event_per_person(
    directory: &mut Directory,
    due: Vec<EventRecord>,
) -> (Vec<EventRecord>, Vec<String>) {
    let index = PeopleIndex::of(directory);
    let mut people = Vec::with_capacity(due.len());
    let mut kept = Vec::with_capacity(due.len());
    let mut seen = BTreeSet::new();
    for event in due {
        let found = index.find(&event);
        let id = found.map_or_else(|| fallback_id(&event), |i| directory.people[i].id.clone());
        if !seen.insert(id.clone()) {
            continue;
        }
        if let Some(i) = found {
            force_status(&mut directory.people[i], &event);
        }
        people.push(id);
        kept.push(event);
    }
    (kept, people)
}

/// The directory's people by id and by lower-case login (the first of each).
struct PeopleIndex {
    by_id: HashMap<String, usize>,
    by_login: HashMap<String, usize>,
}

impl PeopleIndex {
    fn of(directory: &Directory) -> Self {
        let mut by_id = HashMap::with_capacity(directory.people.len());
        let mut by_login = HashMap::with_capacity(directory.people.len());
        for (i, who) in directory.people.iter().enumerate() {
            by_id.entry(who.id.clone()).or_insert(i);
            by_login.entry(who.login.to_ascii_lowercase()).or_insert(i);
        }
        Self { by_id, by_login }
    }

    /// As [`find`]: the first person whose id is the event's, or whose login is.
    fn find(&self, event: &EventRecord) -> Option<usize> {
        let by_id = event.person.as_deref().and_then(|id| self.by_id.get(id));
        let by_login = event
            .login
            .as_deref()
            .and_then(|login| self.by_login.get(&login.to_ascii_lowercase()));
        match (by_id, by_login) {
            (Some(a), Some(b)) => Some(*a.min(b)),
            (a, b) => a.or(b).copied(),
        }
    }
}

/// One batch's attempt: counts it, applies, records each event's outcome. Also says
/// whether the removal circuit breaker stopped the apply.
async fn process(
    engine: &Engine,
    source: &dyn DirectorySource,
    policy: &QueuePolicy,
    due: &[EventRecord],
    prepared: Result<(Directory, Vec<String>), EngineError>,
) -> Result<(BatchReport, bool), EngineError> {
    let store = engine.store();
    let first = &due[0];
    let run_id = run_id(first, due.len());
    let ids: Vec<i64> = due.iter().map(|e| e.id).collect();
    store.start_event_attempts(&ids, &run_id).await?;
    let result = match prepared {
        Ok((directory, people)) => {
            apply(engine, source, policy, due, directory, people, &run_id).await
        }
        Err(error) => Err(error),
    };
    let tripped = matches!(&result, Ok(applied) if applied.report.plan.summary.blocked);
    if tripped && due.len() > 1 {
        // Nothing was changed: each event is tried again alone by the caller. The
        // attempt stays counted (it was, before the apply started).
        let outcomes = due
            .iter()
            .map(|event| EventOutcome {
                id: event.id,
                uuid: event.uuid.clone(),
                event_type: event.event_type.clone(),
                state: EventState::Pending,
                detail: format!(
                    "the batch of {} people tripped the removal circuit breaker: retried alone",
                    due.len()
                ),
                attempt: event.attempts + 1,
            })
            .collect();
        return Ok((BatchReport { run_id, outcomes }, true));
    }
    let mut outcomes = Vec::with_capacity(due.len());
    for (event, verdict) in due.iter().zip(judge(due, &result)) {
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
    Ok((BatchReport { run_id, outcomes }, tripped))
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
    /// What each event's flows did besides the apply (queue id → one line per step).
    notes: BTreeMap<i64, Vec<String>>,
}

/// Applies for the batch's people (`people[i]` is `due[i]`'s) over `directory`, read
/// for this batch with its leavers' status adjusted.
async fn apply(
    engine: &Engine,
    source: &dyn DirectorySource,
    policy: &QueuePolicy,
    due: &[EventRecord],
    directory: Directory,
    people: Vec<String>,
    run_id: &str,
) -> Result<Applied, EngineError> {
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
    let (only, notes) = match &policy.flows {
        Some(flows) => {
            let decision = crate::flows::prepare(
                flows,
                engine,
                &directory,
                due,
                &people,
                run_id,
                policy.audit_log.as_deref(),
            )
            .await?;
            (Some(decision.filter), decision.notes)
        }
        None => (None, BTreeMap::new()),
    };
    let removals_before = engine
        .store()
        .event_removals_since(clock::now() - BREAKER_WINDOW)
        .await?;
    let options = ApplyOptions {
        plan: PlanOptions {
            scope: Some(people.iter().cloned().collect()),
            removals_before,
            only,
            // A leaver's account is disabled without a read on the first attempt; a
            // retry (the app no longer had it, say) reads.
            trust_links: due.iter().all(|event| event.attempts == 0),
            // Past the breaker only when a person re-drove every event of the batch so.
            allow_removals: due.iter().all(|event| event.allow_removals),
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
    Ok(Applied {
        report,
        people,
        notes,
    })
}

/// The directory id of the event's person (by Okta id, else login, case-insensitive),
/// after forcing a leaver's status. Someone the directory does not have keeps the
/// event's id: their links, if any, are planned as people who left.
fn person_of(directory: &mut Directory, event: &EventRecord) -> String {
    let Some(index) = find(directory, event) else {
        return fallback_id(event);
    };
    force_status(&mut directory.people[index], event);
    directory.people[index].id.clone()
}

/// Lowers a leaver's status to what the event says when the directory has them active.
fn force_status(who: &mut connector_sdk::Identity, event: &EventRecord) {
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
}

/// Where the event's person is in the directory (by Okta id, else login,
/// case-insensitive).
fn find(directory: &Directory, event: &EventRecord) -> Option<usize> {
    directory.people.iter().position(|who| {
        event.person.as_deref() == Some(who.id.as_str())
            || event
                .login
                .as_deref()
                .is_some_and(|login| login.eq_ignore_ascii_case(&who.login))
    })
}

/// The id an event's person is planned under when the directory does not have them.
fn fallback_id(event: &EventRecord) -> String {
    event
        .person
        .clone()
        .or_else(|| event.login.clone())
        .unwrap_or_default()
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
        let reason = breaker_reason(report).unwrap_or_else(|| stopped.clone());
        return due.iter().map(|_| Verdict::Stop(reason.clone())).collect();
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
    let notes = &applied.notes;
    applied
        .people
        .iter()
        .zip(due)
        .map(|(person, event)| {
            let with_notes = |detail: String| match notes.get(&event.id) {
                Some(lines) if !lines.is_empty() => format!("{detail}; {}", lines.join("; ")),
                _ => detail,
            };
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
                return Verdict::Retry(with_notes(failed.join("; ")));
            }
            Verdict::Done(with_notes(if applied + manual == 0 {
                "nothing to do: no change in any instance for this person".to_owned()
            } else {
                format!("{applied} changes applied, {manual} manual tasks")
            }))
        })
        .collect()
}

/// Why the circuit breaker stopped an event's apply, instance by instance, with the
/// removals events made before in its window; `None` when it did not trip.
fn breaker_reason(report: &ApplyReport) -> Option<String> {
    let tripped: Vec<String> = report
        .plan
        .instances
        .iter()
        .filter(|i| i.removals.tripped)
        .map(|i| {
            let r = &i.removals;
            format!(
                "{}: {}, after {} made by events in the last hour, over max_removals {}",
                i.instance,
                r.counted(),
                r.earlier,
                r.max
            )
        })
        .collect();
    (!tripped.is_empty()).then(|| {
        format!(
            "the removal circuit breaker tripped ({}): nothing was changed; re-drive \
             it with `connector events retry <id> --allow-removals` after looking, or \
             without the flag once the hour has passed",
            tripped.join("; ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use connector_sdk::Identity;

    fn event(id: i64, person: Option<&str>, login: Option<&str>) -> EventRecord {
        EventRecord {
            id,
            uuid: format!("u{id}"),
            source: "okta-hook".to_owned(),
            event_type: "user.lifecycle.deactivate".to_owned(),
            published: None,
            person: person.map(str::to_owned),
            login: login.map(str::to_owned),
            group_name: None,
            group_id: None,
            state: EventState::Pending,
            attempts: 0,
            next_at: 0,
            detail: None,
            run_id: None,
            received_at: String::new(),
            finished_at: None,
            allow_removals: false,
        }
    }

    #[test]
    fn a_batch_keeps_one_event_per_person_found_by_id_or_login() {
        let mut directory = Directory::default();
        for (id, login) in [("00u1", "ada@example.com"), ("00u2", "alan@example.com")] {
            directory.people.push(Identity {
                id: id.to_owned(),
                login: login.to_owned(),
                ..Identity::default()
            });
        }
        let due = vec![
            event(1, None, Some("ADA@example.com")),
            event(2, Some("00u2"), None),
            event(3, Some("00u1"), None),
            event(4, None, Some("nobody@example.com")),
            event(5, None, Some("nobody@example.com")),
        ];
        let (kept, people) = one_event_per_person(&mut directory, due);
        let ids: Vec<i64> = kept.iter().map(|e| e.id).collect();
        assert_eq!(ids, [1, 2, 4], "Ada's second event and the stranger's wait");
        assert_eq!(people, ["00u1", "00u2", "nobody@example.com"]);
        assert!(
            directory
                .people
                .iter()
                .all(|who| who.status == IdentityStatus::Deprovisioned),
            "the kept leavers' status is forced"
        );
    }
}
