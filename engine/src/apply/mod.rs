//! Applying a plan: every instance at once, each account's steps in order, bounded by a
//! global and a per-instance semaphore. Each call is journaled (intent before, outcome
//! after); a failing account is retried, then recorded failed, and never stops the run.

mod progress;
mod resume;
mod step;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

pub use progress::{ApplyProgress, ProgressHandle};
pub use resume::ResumedIntent;
pub use step::StepResult;

pub(crate) use resume::resume;
pub(crate) use step::{ChainState, Gate, InstanceRun, RETRY_BACKOFF, apply_step};

use crate::audit::AuditSink;
use crate::directory::Directory;
use crate::plan::{InstancePlan, Plan, Step};
use crate::state::{RunStatus, Store};

/// Shared by every step of a run.
pub(crate) struct ApplyContext {
    /// The state.
    pub store: Store,
    /// Where audit lines go besides the state.
    pub sink: Arc<AuditSink>,
    /// The run.
    pub run_id: String,
    /// Calls per step for transient errors (the SDK retries each HTTP request too).
    pub max_attempts: u32,
    /// Pause before a step retry, times the attempt number.
    pub backoff: Duration,
    /// Who hears about each finished change.
    pub progress: Option<ProgressHandle>,
}

/// What an apply did.
#[derive(Debug, Clone, Serialize)]
pub struct ApplyReport {
    /// The run id (`metadata.correlation_uid` of its audit events).
    pub run_id: String,
    /// How the run ended.
    pub status: RunStatus,
    /// Why the run stopped before touching anything, if it did.
    pub stopped: Option<String>,
    /// Calls an earlier, interrupted run left without an outcome, and what was found.
    pub resumed: Vec<ResumedIntent>,
    /// The plan that was applied.
    pub plan: Plan,
    /// Each step's result, in plan order per instance.
    pub results: Vec<StepResult>,
    /// Totals.
    pub counts: ApplyCounts,
}

/// Totals of an apply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ApplyCounts {
    /// Changes made.
    pub applied: u64,
    /// Manual tasks raised.
    pub manual: u64,
    /// Changes that failed (after retries).
    pub failed: u64,
    /// Changes not attempted because an earlier step of the account failed.
    pub skipped: u64,
    /// Instances that could not be planned.
    pub failed_instances: u64,
}

impl ApplyReport {
    /// Whether every change was applied (manual tasks count as done for this).
    pub fn succeeded(&self) -> bool {
        self.stopped.is_none()
            && self.counts.failed == 0
            && self.counts.skipped == 0
            && self.counts.failed_instances == 0
    }
}

/// Runs every instance's steps; returns the results in plan order.
pub(crate) async fn execute(
    ctx: Arc<ApplyContext>,
    runs: BTreeMap<String, Arc<InstanceRun>>,
    plans: &[InstancePlan],
    directory: Arc<Directory>,
    concurrency: usize,
) -> Vec<StepResult> {
    let global = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = JoinSet::new();
    let mut callers = JoinSet::new();
    let chains: Vec<(&InstancePlan, Vec<Vec<Step>>)> = plans
        .iter()
        .map(|plan| (plan, chains(&plan.steps)))
        .collect();
    let ids = plans
        .iter()
        .flat_map(|plan| &plan.steps)
        .filter_map(|step| step.target.identity_id.as_deref());
    let people = people_of(&directory, ids);
    let mut order = 0usize;
    if let Some(progress) = &ctx.progress {
        let totals: Vec<(String, u64)> = chains
            .iter()
            .filter(|(plan, _)| runs.contains_key(&plan.instance))
            .map(|(plan, chains)| {
                let changes: usize = chains.iter().map(Vec::len).sum();
                (plan.instance.clone(), changes as u64)
            })
            .collect();
        progress.0.started(&totals);
    }
    for (plan, chains) in chains {
        let Some(run) = runs.get(&plan.instance) else {
            continue;
        };
        let gate = Gate::new(
            global.clone(),
            run.instance.policy.concurrency,
            &mut callers,
        );
        for chain in chains {
            let who = chain[0]
                .target
                .identity_id
                .as_deref()
                .and_then(|id| people.get(id).copied());
            let (ctx, run, gate) = (ctx.clone(), run.clone(), gate.clone());
            let directory = directory.clone();
            let index = order;
            order += 1;
            tasks.spawn(async move {
                let chain = Chain {
                    directory: &directory,
                    who,
                    steps: chain,
                };
                (index, run_chain(&ctx, &run, &gate, chain).await)
            });
        }
    }
    let mut done = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(result) => done.push(result),
            Err(error) => tracing::error!(%error, "an apply task panicked"),
        }
    }
    // Every gate is gone with its chains: the callers end.
    while callers.join_next().await.is_some() {}
    if let Some(progress) = &ctx.progress {
        progress.0.finished();
    }
    done.sort_by_key(|(index, _)| *index);
    done.into_iter().flat_map(|(_, results)| results).collect()
}

/// The directory index of the people with ids `ids` (the last person listed with an id).
fn people_of<'a>(
    directory: &Directory,
    ids: impl Iterator<Item = &'a str>,
) -> HashMap<&'a str, usize> {
    let mut people: HashMap<&str, usize> = ids.map(|id| (id, usize::MAX)).collect();
    for (index, who) in directory.people.iter().enumerate() {
        if let Some(slot) = people.get_mut(who.id.as_str()) {
            *slot = index;
        }
    }
    people.retain(|_, index| *index != usize::MAX);
    people
}

/// The plan's changes grouped by account, in plan order (skips dropped).
fn chains(steps: &[Step]) -> Vec<Vec<Step>> {
    let mut keys: Vec<String> = Vec::new();
    let mut by_key: BTreeMap<String, Vec<Step>> = BTreeMap::new();
    for step in steps.iter().filter(|s| s.action.is_change()) {
        let key = step.target.key();
        if !by_key.contains_key(&key) {
            keys.push(key.clone());
        }
        by_key.entry(key).or_default().push(step.clone());
    }
    keys.into_iter().filter_map(|k| by_key.remove(&k)).collect()
}

/// One account's steps, and its person.
struct Chain<'a> {
    /// The directory.
    directory: &'a Arc<Directory>,
    /// The person, in `directory`.
    who: Option<usize>,
    /// The steps, in order.
    steps: Vec<Step>,
}

/// One account's steps in order; after a failure the rest are skipped.
async fn run_chain(
    ctx: &Arc<ApplyContext>,
    run: &Arc<InstanceRun>,
    gate: &Gate,
    chain: Chain<'_>,
) -> Vec<StepResult> {
    let mut state = ChainState::default();
    let mut results = Vec::new();
    let mut failed = false;
    for step in chain.steps {
        let result = if failed {
            StepResult {
                step: step.id.clone(),
                instance: run.instance.name.clone(),
                action: step.action.name().to_owned(),
                target: step.target.label().to_owned(),
                status: "skipped".to_owned(),
                detail: Some("an earlier step of this account failed".to_owned()),
                attempts: 0,
            }
        } else {
            let step = Arc::new(step);
            apply_step(
                ctx,
                run,
                gate,
                chain.directory,
                chain.who,
                &step,
                &mut state,
            )
            .await
        };
        failed = failed || result.status == "failed";
        if let Some(progress) = &ctx.progress {
            progress.0.step_finished(&result);
        }
        results.push(result);
    }
    results
}

/// Totals over step results.
pub(crate) fn count(results: &[StepResult], failed_instances: u64) -> ApplyCounts {
    let mut counts = ApplyCounts {
        failed_instances,
        ..ApplyCounts::default()
    };
    for result in results {
        match result.status.as_str() {
            "applied" => counts.applied += 1,
            "manual" => counts.manual += 1,
            "failed" => counts.failed += 1,
            _ => counts.skipped += 1,
        }
    }
    counts
}
