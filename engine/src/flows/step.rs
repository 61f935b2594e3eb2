//! One step of a matched flow, run for one event: skipped (its `if`), kept as a rule of
//! the event's apply (the cards that change accounts), or run through
//! `connector_sdk::cards::run` on its instance or, with `instance = "*"`, on every
//! instance the person has an account in; every card run or skip is audited.

use serde_json::Value;

use super::convert::convert;
use super::run::{Decision, condition_holds, render, render_input};
use super::template::Context;
use super::{Flow, FlowStep, Route, StepRule};
use crate::audit::cards::{CardRun, record_card};
use crate::audit::{AuditSink, ChangeStatus};
use crate::state::EventRecord;
use crate::{Engine, EngineError};

/// A step of a flow, for one event: what running and auditing it needs.
pub(super) struct StepRun<'a> {
    /// The engine (its instances, connectors and state).
    pub engine: &'a Engine,
    /// Where audit events go besides the state.
    pub sink: &'a AuditSink,
    /// The flow.
    pub flow: &'a Flow,
    /// The step.
    pub step: &'a FlowStep,
    /// The event that started the flow.
    pub event: &'a EventRecord,
    /// The event's run id.
    pub run_id: &'a str,
}

impl StepRun<'_> {
    /// Runs the step for `person` (skipped when its `if` is not met), noting what it
    /// did in `decision`. Whether the flow goes on to its next step.
    ///
    /// # Errors
    ///
    /// Only when the state cannot record an audit event.
    pub(super) async fn run(
        &self,
        person: &str,
        context: &mut Context,
        decision: &mut Decision,
    ) -> Result<bool, EngineError> {
        if !condition_holds(self.step, context) {
            self.skip("its `if` is not met", decision).await?;
            return Ok(true);
        }
        match (self.step.route, &self.step.instance) {
            (Route::Apply(actions), _) => {
                self.keep_changes(actions, person, context, decision)
                    .await?;
                Ok(true)
            }
            (Route::Card, Some(instance)) => self.card_on(instance, context, decision).await,
            (Route::Card, None) => self.card_everywhere(person, context, decision).await,
        }
    }

    /// Adds a line about this step to `decision`'s notes.
    fn note(&self, decision: &mut Decision, what: &str) {
        decision
            .notes
            .entry(self.event.id)
            .or_default()
            .push(format!(
                "flow {}: step {} {what}",
                self.flow.name, self.step.name
            ));
    }

    /// Audits the step as not run (`why`), as a card event with status `other` and no
    /// HTTP status, so that the audit trail shows every step a flow reached.
    async fn skip(&self, why: &str, decision: &mut Decision) -> Result<(), EngineError> {
        let instance = self.step.instance.as_deref().unwrap_or_default();
        let caller = self.caller();
        let detail = format!("{caller}: skipped ({why})");
        let run = CardRun {
            run_id: self.run_id,
            instance,
            connector: self.connector(instance),
            card: &self.step.card,
            caller: &caller,
            http_status: None,
            status: ChangeStatus::Other,
            detail: &detail,
            account_id: None,
        };
        record_card(self.engine.store(), self.sink, &run).await?;
        self.note(decision, &format!("skipped ({why})"));
        Ok(())
    }

    /// Keeps the changes of `actions` for `person` in the event's apply (on the step's
    /// instance, of its SKU when it names one).
    async fn keep_changes(
        &self,
        actions: &'static [&'static str],
        person: &str,
        context: &Context,
        decision: &mut Decision,
    ) -> Result<(), EngineError> {
        // A SKU that reads a missing value narrows to nothing, never widens to every SKU.
        let sku = match self.step.input.get("sku").and_then(Value::as_str) {
            None => None,
            Some(text) => match render(text, context) {
                Some(sku) => Some(sku),
                None => {
                    return self
                        .skip("`sku` reads a value that is not there", decision)
                        .await;
                }
            },
        };
        decision
            .filter
            .rules
            .entry(person.to_owned())
            .or_default()
            .push(StepRule {
                instance: self.step.instance.clone(),
                actions,
                sku,
            });
        Ok(())
    }

    /// Runs the card on its one instance; its output is what later steps read. A
    /// failure ends the flow.
    async fn card_on(
        &self,
        instance: &str,
        context: &mut Context,
        decision: &mut Decision,
    ) -> Result<bool, EngineError> {
        match self.card(instance, context).await? {
            Ok(out) => {
                context.add(&format!("steps.{}", self.step.name), &out);
                self.note(decision, &format!("ran `{}`", self.step.card));
                Ok(true)
            }
            Err(why) => {
                self.note(
                    decision,
                    &format!("failed ({why}); the flow's later steps were not run"),
                );
                Ok(false)
            }
        }
    }

    /// Runs the card (`instance = "*"`) on every instance `person` has an account in,
    /// each run audited; a failure on one does not stop the others, and ends the flow
    /// once they have all run. No later step reads its outputs (the checker refuses).
    async fn card_everywhere(
        &self,
        person: &str,
        context: &Context,
        decision: &mut Decision,
    ) -> Result<bool, EngineError> {
        let (mut ran, mut failed) = (Vec::new(), Vec::new());
        for instance in self.linked_instances(person).await? {
            match self.card(&instance, context).await? {
                Ok(_) => ran.push(instance),
                Err(why) => failed.push(format!("{instance} ({why})")),
            }
        }
        self.note(decision, &everywhere_note(&self.step.card, &ran, &failed));
        Ok(failed.is_empty())
    }

    /// The instances where `person` has an account (a link in the state) and whose
    /// connector has the step's card, in name order.
    async fn linked_instances(&self, person: &str) -> Result<Vec<String>, EngineError> {
        let mut linked = Vec::new();
        for name in self.engine.assignments().instances.keys() {
            if self
                .engine
                .store()
                .links_of(name, &[person])
                .await?
                .is_empty()
            {
                continue;
            }
            let has_card = match self.engine.connectors(std::slice::from_ref(name)).get(name) {
                Some(Ok(live)) => live.cards().iter().any(|c| c.name == self.step.card),
                // It cannot connect: the run says why, as a failure.
                _ => true,
            };
            if has_card {
                linked.push(name.clone());
            }
        }
        Ok(linked)
    }

    /// Runs the card on `instance` with the step's input rendered over `context` and
    /// converted to the card's types, and audits it. The inner error is the run's
    /// failure; the outer one, the state's.
    async fn card(
        &self,
        instance: &str,
        context: &Context,
    ) -> Result<Result<Value, String>, EngineError> {
        let step = self.step;
        let caller = self.caller();
        let input = render_input(&step.input, context)
            .and_then(|input| convert(input, &step.conversions, &step.card));
        let result = match input {
            Err(why) => Err(why),
            Ok(input) => match self
                .engine
                .connectors(&[instance.to_owned()])
                .remove(instance)
            {
                Some(Ok(live)) => connector_sdk::cards::run(live.as_ref(), &step.card, input)
                    .await
                    .map_err(|e| e.to_string()),
                Some(Err(why)) => Err(why),
                None => Err(format!("no instance `{instance}`")),
            },
        };
        let account = match &result {
            Ok(out) => out
                .pointer("/account/id")
                .and_then(Value::as_str)
                .map(str::to_owned),
            Err(_) => None,
        };
        let detail = match &result {
            Ok(_) => format!("{caller}: ran"),
            Err(why) => format!("{caller}: {why}"),
        };
        let run = CardRun {
            run_id: self.run_id,
            instance,
            connector: self.connector(instance),
            card: &step.card,
            caller: &caller,
            http_status: Some(if result.is_ok() { 200 } else { 502 }),
            status: if result.is_ok() {
                ChangeStatus::Success
            } else {
                ChangeStatus::Failure
            },
            detail: &detail,
            account_id: account.as_deref(),
        };
        record_card(self.engine.store(), self.sink, &run).await?;
        Ok(result)
    }

    /// The connector of `instance` (empty when there is none).
    fn connector(&self, instance: &str) -> &'static str {
        self.engine
            .assignments()
            .instance(instance)
            .map_or("", |i| i.manifest.name)
    }

    /// Who runs the step, as its audit events name the caller.
    fn caller(&self) -> String {
        format!(
            "flow {} step {} (event {} {})",
            self.flow.name, self.step.name, self.event.uuid, self.event.event_type
        )
    }
}

/// The note of a `"*"` card step: the instances it ran on and those it failed on.
fn everywhere_note(card: &str, ran: &[String], failed: &[String]) -> String {
    let ran = if ran.is_empty() {
        "no instance".to_owned()
    } else {
        ran.join(", ")
    };
    if failed.is_empty() {
        format!("ran `{card}` on {ran}")
    } else {
        format!(
            "ran `{card}` on {ran}; failed on {}; the flow's later steps were not run",
            failed.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::everywhere_note;

    #[test]
    fn the_note_of_a_step_on_every_instance_says_where_it_ran_and_failed() {
        let names = |n: &[&str]| n.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            everywhere_note("ping", &names(&["chatgpt", "zoom"]), &[]),
            "ran `ping` on chatgpt, zoom"
        );
        assert_eq!(
            everywhere_note("ping", &names(&["zoom"]), &names(&["chatgpt (timed out)"])),
            "ran `ping` on zoom; failed on chatgpt (timed out); the flow's later steps were not run"
        );
        assert_eq!(
            everywhere_note("ping", &[], &[]),
            "ran `ping` on no instance"
        );
    }
}
