//! Audit events of the decisions apply carries out by not acting: skipped steps,
//! protected accounts, instances not reached, changes not attempted, and runs stopped by
//! a safety check. Each is an OCSF Account Change event (class 3001) with activity
//! `Other` (99), an `activity_name` saying what was decided (`Skip`, `Protect`, `Not
//! Reached`, `Not Attempted`, `Stop`), status `Other` (or `Failure` for an instance not
//! reached) and the reason in `status_detail`; `unmapped.decision` carries a stable code.
//! They are stored in the state's `audit_events` table and written to the sink like the
//! events of calls.

use serde_json::Value;

use super::ocsf::{ChangeRecord, ChangeStatus, activity, event};
use super::sink::AuditSink;
use crate::apply::{StepResult, StepStatus};
use crate::clock;
use crate::plan::{Action, InstancePlan, Plan, SkipCode, Target};
use crate::state::{Effect, Outcome, StateError, Store};

/// The `instance` of a decision about the whole run (a source guard stop).
pub const WHOLE_RUN: &str = "*";

/// One decision to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The instance ([`WHOLE_RUN`] for the run as a whole).
    pub instance: String,
    /// The connector (`slack`), empty when none applies.
    pub connector: String,
    /// The engine's name of the decision (`skip`, `protect`, `not_reached`,
    /// `not_attempted`, `stop`): the OCSF `api.operation` and `activity_name`.
    pub kind: &'static str,
    /// A stable code (`policy_off`, `circuit_breaker`, ...): `unmapped.decision`.
    pub code: String,
    /// The action not taken, when one was planned (`create`, `disable`, ...).
    pub action: Option<String>,
    /// Who it is about.
    pub target: Target,
    /// How it ended for the OCSF `status_id`.
    pub status: ChangeStatus,
    /// Why, in words (`status_detail`).
    pub detail: String,
}

/// The spelling of a skip code, as in the plan JSON.
fn skip_code(code: SkipCode) -> String {
    serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "skip".to_owned())
}

/// The decisions a plan's instances carry before any call: each `skip` step, each
/// protected account, each instance that could not be planned (not reached).
pub fn planned(plan: &Plan) -> Vec<Decision> {
    let mut decisions = Vec::new();
    for instance in &plan.instances {
        if let Some(error) = &instance.error {
            decisions.push(Decision {
                instance: instance.instance.clone(),
                connector: instance.connector.clone(),
                kind: "not_reached",
                code: "instance_not_reached".to_owned(),
                action: None,
                target: Target::default(),
                status: ChangeStatus::Failure,
                detail: format!(
                    "the instance was not reached: nothing was planned nor changed there: {error}"
                ),
            });
        }
        decisions.extend(skips(instance));
        decisions.extend(instance.protected.iter().map(|account| Decision {
            instance: instance.instance.clone(),
            connector: instance.connector.clone(),
            kind: "protect",
            code: "protected_account".to_owned(),
            action: None,
            target: Target {
                identity_id: None,
                login: None,
                account_id: Some(account.account_id.clone()),
                user_name: Some(account.user_name.clone()),
            },
            status: ChangeStatus::Other,
            detail: format!("left alone: {}", account.reason),
        }));
    }
    decisions
}

/// The `skip` steps of one instance.
fn skips(instance: &InstancePlan) -> impl Iterator<Item = Decision> + '_ {
    instance.steps.iter().filter_map(move |step| {
        let Action::Skip { skipped, code } = &step.action else {
            return None;
        };
        Some(Decision {
            instance: instance.instance.clone(),
            connector: instance.connector.clone(),
            kind: "skip",
            code: skip_code(*code),
            action: Some(skipped.clone()),
            target: step.target.clone(),
            status: ChangeStatus::Other,
            detail: format!("{skipped} not done: {}", step.reason),
        })
    })
}

/// One decision per instance whose removal circuit breaker tripped: the run stopped
/// before any call.
pub fn breaker_stop(plan: &Plan, stopped: &str) -> Vec<Decision> {
    plan.instances
        .iter()
        .filter(|i| i.removals.tripped)
        .map(|i| Decision {
            instance: i.instance.clone(),
            connector: i.connector.clone(),
            kind: "stop",
            code: "circuit_breaker".to_owned(),
            action: None,
            target: Target::default(),
            status: ChangeStatus::Other,
            detail: format!(
                "{} planned, at most {} allowed: {stopped}",
                i.removals.counted(),
                i.removals.max
            ),
        })
        .collect()
}

/// The decision of a run the source guard stopped.
pub fn source_stop(reason: &str) -> Decision {
    Decision {
        instance: WHOLE_RUN.to_owned(),
        connector: String::new(),
        kind: "stop",
        code: "source_guard".to_owned(),
        action: None,
        target: Target::default(),
        status: ChangeStatus::Other,
        detail: format!("the run stopped before any change: {reason}"),
    }
}

/// Changes apply left without a call and without a journal entry (so without an audit
/// event of their own): an earlier step of the account failed, or the instance's
/// breaker opened before them. `journaled` holds the step ids that have one.
pub fn not_attempted(
    plan: &Plan,
    results: &[StepResult],
    journaled: &std::collections::HashSet<String>,
) -> Vec<Decision> {
    let steps: std::collections::HashMap<&str, (&InstancePlan, &crate::plan::Step)> = plan
        .instances
        .iter()
        .flat_map(|i| i.steps.iter().map(move |s| (s.id.as_str(), (i, s))))
        .collect();
    results
        .iter()
        .filter(|r| {
            r.attempts == 0 && r.status != StepStatus::Applied && !journaled.contains(&r.step)
        })
        .filter_map(|r| {
            let (instance, step) = steps.get(r.step.as_str())?;
            Some(Decision {
                instance: instance.instance.clone(),
                connector: instance.connector.clone(),
                kind: "not_attempted",
                code: if r.detail.as_deref().is_some_and(|d| d.contains("unhealthy")) {
                    "instance_unhealthy".to_owned()
                } else {
                    "earlier_step_failed".to_owned()
                },
                action: Some(step.action.name().to_owned()),
                target: step.target.clone(),
                status: ChangeStatus::Other,
                detail: format!(
                    "{} not attempted: {}",
                    step.action.name(),
                    r.detail.as_deref().unwrap_or("left alone")
                ),
            })
        })
        .collect()
}

/// The OCSF event of `decision`, the `n`th decision of run `run_id`.
pub fn decision_event(run_id: &str, n: usize, decision: &Decision) -> Value {
    let record = ChangeRecord {
        run_id,
        request_id: None,
        instance: &decision.instance,
        connector: &decision.connector,
        action: decision.kind,
        identity_id: decision.target.identity_id.as_deref(),
        login: decision.target.login.as_deref(),
        account_id: decision.target.account_id.as_deref(),
        user_name: decision.target.user_name.as_deref(),
        sku: None,
        changes: &[],
        status: decision.status,
        detail: Some(&decision.detail),
        time: clock::now(),
    };
    let mut event = event(&record);
    // Decisions have no journal row: their uid is the run's and their place in it.
    let uid = format!("{run_id}-d{n}");
    event["metadata"]["uid"] = Value::from(uid.as_str());
    event["api"]["request"]["uid"] = Value::from(uid);
    if decision.connector.is_empty() {
        event["api"]["service"] = serde_json::json!({ "name": "connector-engine" });
    }
    let unmapped = &mut event["unmapped"];
    unmapped["decision"] = Value::from(decision.code.as_str());
    if let Some(action) = &decision.action {
        unmapped["not_taken"] = Value::from(action.as_str());
    }
    event
}

/// Stores `decisions` as audit events of run `run_id` (one transaction), then writes
/// their lines to `sink`. `first` numbers them within the run (their `metadata.uid`);
/// the next free number is returned.
///
/// # Errors
///
/// When the state cannot be written (nothing is then written to the sink).
pub async fn record(
    store: &Store,
    sink: &AuditSink,
    run_id: &str,
    first: usize,
    decisions: &[Decision],
) -> Result<usize, StateError> {
    if decisions.is_empty() {
        return Ok(first);
    }
    let mut lines = Vec::with_capacity(decisions.len());
    let mut effects = Vec::with_capacity(decisions.len());
    for (i, decision) in decisions.iter().enumerate() {
        let event = decision_event(run_id, first + i, decision);
        let line = serde_json::to_string(&event).unwrap_or_default();
        effects.push(Effect::Audit {
            run_id: run_id.to_owned(),
            instance: decision.instance.clone(),
            identity_id: decision.target.identity_id.clone(),
            activity: activity(decision.kind).1.to_owned(),
            status: decision.status.as_str().to_owned(),
            time_ms: event["time"].as_i64().unwrap_or_default(),
            event: line.clone(),
        });
        lines.push(line);
    }
    store
        .record_outcome(None, Outcome::Ok, None, effects)
        .await?;
    for line in &lines {
        sink.write(line);
    }
    Ok(first + decisions.len())
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::plan::{Step, Summary};

    fn step(id: &str, action: Action) -> Step {
        Step {
            id: id.to_owned(),
            target: Target {
                identity_id: Some("00u1".into()),
                login: Some("ada@x.io".into()),
                ..Target::default()
            },
            action,
            reason: "rule".into(),
        }
    }

    fn result(id: &str, status: StepStatus, attempts: u32, detail: &str) -> StepResult {
        StepResult {
            step: id.to_owned(),
            instance: "zoom".into(),
            action: "create".into(),
            target: "ada@x.io".into(),
            status,
            detail: Some(detail.to_owned()),
            attempts,
        }
    }

    #[test]
    fn only_changes_without_a_journal_entry_are_not_attempted_decisions() {
        let instance = InstancePlan {
            instance: "zoom".into(),
            connector: "zoom".into(),
            display_name: "Zoom".into(),
            accounts: 0,
            looked_up: false,
            from_links: false,
            error: None,
            warnings: Vec::new(),
            steps: vec![
                step("zoom#1", Action::Create),
                step("zoom#2", Action::Enable),
                step("zoom#3", Action::Disable),
            ],
            groups: Vec::new(),
            protected: Vec::new(),
            sso: Default::default(),
            removals: Default::default(),
            reclaim: Default::default(),
        };
        let plan = Plan {
            format_version: 1,
            warnings: Vec::new(),
            generated_at: String::new(),
            source: crate::plan::SourceSummary {
                description: String::new(),
                people: 1,
                groups: 0,
                previous_people: None,
            },
            instances: vec![instance],
            summary: Summary::default(),
        };
        let results = [
            result("zoom#1", StepStatus::Failed, 2, "HTTP 500"),
            result(
                "zoom#2",
                StepStatus::Skipped,
                0,
                "an earlier step of this account failed",
            ),
            result(
                "zoom#3",
                StepStatus::Skipped,
                0,
                "not attempted: instance unhealthy (3)",
            ),
        ];
        // zoom#3 reached the journal (and so has its own event); zoom#2 did not.
        let journaled: HashSet<String> = ["zoom#1", "zoom#3"].map(str::to_owned).into();
        let left = not_attempted(&plan, &results, &journaled);
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].code, "earlier_step_failed");
        assert_eq!(left[0].action.as_deref(), Some("enable"));
        let event = decision_event("r1", 4, &left[0]);
        assert_eq!(event["activity_name"], "Not Attempted");
        assert_eq!(event["metadata"]["uid"], "r1-d4");
        assert_eq!(event["unmapped"]["not_taken"], "enable");
        assert_eq!(event["user"]["name"], "ada@x.io");
    }
}
