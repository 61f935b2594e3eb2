//! Running the flows an event matches: the steps that change accounts become the
//! event's [`StepFilter`] (its scoped apply keeps only those changes), the others run
//! through `connector_sdk::cards::run`, each run audited with the triggering event's
//! uuid in its run id and caller.

use std::path::Path;

use serde_json::{Value, json};

use super::step::StepRun;
use super::template::{Context, has_holes, parse};
use super::{Flow, FlowStep, Flows, StepFilter, event_card};
use crate::audit::AuditSink;
use crate::directory::Directory;
use crate::state::EventRecord;
use crate::{Engine, EngineError};

/// What the flows decided for a batch of events: the changes the apply may make, and
/// what the card steps did (for the events' details).
#[derive(Debug, Clone, Default)]
pub(crate) struct Decision {
    /// The changes allowed, per person.
    pub filter: StepFilter,
    /// Per event (queue id): one line per step run, skipped or failed, in order.
    pub notes: std::collections::BTreeMap<i64, Vec<String>>,
}

/// Matches each event (with its person's directory id) against `flows`, runs the card
/// steps and returns the apply's filter.
///
/// # Errors
///
/// Only when the state cannot record a card run's audit event.
pub(crate) async fn prepare(
    flows: &Flows,
    engine: &Engine,
    directory: &Directory,
    due: &[EventRecord],
    people: &[String],
    run_id: &str,
    audit_log: Option<&Path>,
) -> Result<Decision, EngineError> {
    let mut decision = Decision::default();
    let sink = match audit_log {
        Some(path) => AuditSink::file(path)
            .map_err(|e| EngineError::Other(format!("audit log {}: {e}", path.display())))?,
        None => AuditSink::None,
    };
    for (event, person) in due.iter().zip(people) {
        let Some(card) = event_card(&event.event_type) else {
            continue;
        };
        let output = event_output(event, directory);
        for flow in flows.flows.iter().filter(|f| matches(f, card, &output)) {
            let mut context = Context::default();
            context.add("event", &output);
            for step in &flow.steps {
                let run = StepRun {
                    engine,
                    sink: &sink,
                    flow,
                    step,
                    event,
                    run_id,
                };
                if !run.run(person, &mut context, &mut decision).await? {
                    break;
                }
            }
        }
    }
    Ok(decision)
}

/// Whether `flow` starts from `card` and its `when` holds for `output`.
fn matches(flow: &Flow, card: &str, output: &Value) -> bool {
    flow.on.iter().any(|c| c == card) && flow.when.as_ref().is_none_or(|when| holds(when, output))
}

/// A partial match: every field of `when` equals the event's (an array: any of).
fn holds(when: &Value, output: &Value) -> bool {
    match when {
        Value::Object(fields) => fields
            .iter()
            .all(|(k, v)| output.get(k).is_some_and(|o| holds(v, o))),
        Value::Array(any) => any.iter().any(|v| holds(v, output)),
        other => other == output,
    }
}

/// Whether `step` runs: it has no `if`, or its `if` renders to a non-empty text other
/// than `false`.
pub(super) fn condition_holds(step: &FlowStep, context: &Context) -> bool {
    step.condition.as_ref().is_none_or(|condition| {
        context
            .render(condition)
            .is_some_and(|v| !v.trim().is_empty() && v.trim() != "false")
    })
}

/// `text` rendered, when it is a template; as is otherwise.
pub(super) fn render(text: &str, context: &Context) -> Option<String> {
    if !has_holes(text) {
        return Some(text.replace("{{", "{").replace("}}", "}"));
    }
    let (template, _) = parse(text).ok()?;
    context.render(&template)
}

/// The input with every template rendered; the first that reads a missing value.
pub(super) fn render_input(input: &Value, context: &Context) -> Result<Value, String> {
    Ok(match input {
        Value::String(text) => Value::from(
            render(text, context)
                .ok_or_else(|| format!("`{text}` reads a value that is not there"))?,
        ),
        Value::Array(items) => items
            .iter()
            .map(|i| render_input(i, context))
            .collect::<Result<_, _>>()?,
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| Ok((k.clone(), render_input(v, context)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

/// The event card's output for a queued event (the person's display name from the
/// directory; `group.id` is Okta's id for the group, empty for an event queued before
/// the queue kept it).
pub(crate) fn event_output(event: &EventRecord, directory: &Directory) -> Value {
    let person = directory.people.iter().find(|p| {
        event.person.as_deref() == Some(p.id.as_str())
            || event
                .login
                .as_deref()
                .is_some_and(|l| l.eq_ignore_ascii_case(&p.login))
    });
    let mut output = json!({
        "event_id": event.uuid,
        "published": event.published.clone().unwrap_or_default(),
        "person": {
            "id": event.person.clone().or_else(|| person.map(|p| p.id.clone())).unwrap_or_default(),
            "login": event.login.clone().or_else(|| person.map(|p| p.login.clone())).unwrap_or_default(),
        },
    });
    if let Some(name) = person.and_then(|p| p.display_name.clone()) {
        output["person"]["display_name"] = Value::from(name);
    }
    if let Some(group) = &event.group_name {
        // Events queued before the queue kept the group's id have none: empty.
        let id = event.group_id.clone().unwrap_or_default();
        output["group"] = json!({ "id": id, "name": group });
    }
    output
}
