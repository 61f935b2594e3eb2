//! Applying a plan: every instance at once, each account's steps in order, bounded by a
//! global and a per-instance semaphore. Each call is journaled (intent before, outcome
//! after); a failing account is recorded failed and never stops the run. Each change's
//! requests share one retry budget ([`RETRIES_PER_CHANGE`]); an instance whose changes
//! keep failing with server errors is left alone for the rest of the run (`health`).

mod groups;
mod health;
mod linking;
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
pub use step::{RETRIES_PER_CHANGE, StepResult, StepStatus};

pub(crate) use groups::execute as execute_groups;
pub(crate) use health::Health;
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
    /// Connector calls per step: the call, then redos of an ambiguous create (the SDK
    /// retries requests, within the change's budget).
    pub max_attempts: u32,
    /// Pause before a step retry, times the attempt number.
    pub backoff: Duration,
    /// Who hears about each finished change.
    pub progress: Option<ProgressHandle>,
    /// Each instance's breaker.
    pub health: Health,
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
    /// Writes the app answered without some of the values sent (it dropped or changed
    /// them): never counted as applied.
    pub not_stored: u64,
    /// Changes not attempted: an earlier step of the account failed, or the instance's
    /// breaker opened (`policy.unhealthy_after`).
    pub skipped: u64,
    /// Instances that could not be planned.
    pub failed_instances: u64,
}

impl ApplyReport {
    /// Whether every change was applied (manual tasks count as done for this).
    pub fn succeeded(&self) -> bool {
        self.stopped.is_none()
            && self.counts.failed == 0
            && self.counts.not_stored == 0
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
    let count = chains.iter().map(|(_, c)| c.len()).sum();
    let results = Arc::new(Results::new(count));
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
            let slot = Slot {
                results: results.clone(),
                index: order,
            };
            order += 1;
            tokio::spawn(async move {
                let chain = Chain {
                    directory: &directory,
                    who,
                    steps: chain,
                };
                slot.fill(run_chain(&ctx, &run, &gate, chain).await);
            });
        }
    }
    let results = results.all().await;
    // Every gate is gone with its chains: the callers end.
    while callers.join_next().await.is_some() {}
    if let Some(progress) = &ctx.progress {
        progress.0.finished();
    }
    results
}

/// The results of a run's chains, by chain, and a wake-up when the last is in (one
/// wake-up for the run, not one per chain as a `JoinSet` would).
struct Results {
    /// Each chain's results, once in.
    chains: std::sync::Mutex<Vec<Option<Vec<StepResult>>>>,
    /// Chains still running.
    running: std::sync::atomic::AtomicUsize,
    /// Woken when none is.
    finished: tokio::sync::Notify,
}

impl Results {
    /// Room for `chains` chains.
    fn new(chains: usize) -> Self {
        Self {
            chains: std::sync::Mutex::new((0..chains).map(|_| None).collect()),
            running: std::sync::atomic::AtomicUsize::new(chains),
            finished: tokio::sync::Notify::new(),
        }
    }

    /// Every chain's results in order, once all are in (each with its outcomes
    /// committed).
    async fn all(&self) -> Vec<StepResult> {
        while self.running.load(std::sync::atomic::Ordering::Acquire) > 0 {
            self.finished.notified().await;
        }
        let chains = match self.chains.lock() {
            Ok(mut chains) => std::mem::take(&mut *chains),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        };
        let lost = chains.iter().filter(|c| c.is_none()).count();
        if lost > 0 {
            tracing::error!(lost, "apply tasks panicked; their steps have no result");
        }
        chains.into_iter().flatten().flatten().collect()
    }
}

/// A chain's place in [`Results`]; counts the chain done when dropped, filled or not (a
/// panicking chain must not leave the run waiting).
struct Slot {
    /// Where.
    results: Arc<Results>,
    /// Which chain.
    index: usize,
}

impl Slot {
    /// Puts the chain's results in.
    fn fill(self, results: Vec<StepResult>) {
        if let Ok(mut chains) = self.results.chains.lock()
            && let Some(slot) = chains.get_mut(self.index)
        {
            *slot = Some(results);
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let before = self
            .results
            .running
            .fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
        if before == 1 {
            self.results.finished.notify_one();
        }
    }
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

/// One account's steps in order; after a failure the rest are skipped, and so is every
/// step once the instance's breaker is open. Each step starts once the previous one's
/// outcome is committed.
async fn run_chain(
    ctx: &Arc<ApplyContext>,
    run: &Arc<InstanceRun>,
    gate: &Gate,
    chain: Chain<'_>,
) -> Vec<StepResult> {
    let mut state = ChainState::default();
    let mut results: Vec<StepResult> = Vec::new();
    let mut failed = false;
    let health = ctx.health.of(&run.instance);
    for step in chain.steps {
        let unhealthy = health.is_open();
        let result = if failed || unhealthy {
            let detail = if unhealthy {
                health.detail()
            } else {
                "an earlier step of this account failed or was left alone".to_owned()
            };
            StepResult::new(&run.instance.name, &step, StepStatus::Skipped, Some(detail))
        } else {
            let step = Arc::new(step);
            let mut result = apply_step(
                ctx,
                run,
                gate,
                chain.directory,
                chain.who,
                &step,
                &mut state,
            )
            .await;
            // Queued before the breaker opened, but never called.
            let left_alone = result.attempts == 0
                && result
                    .detail
                    .as_deref()
                    .is_some_and(|d| d.starts_with(health::NOT_ATTEMPTED));
            if left_alone {
                result.status = StepStatus::Skipped;
            }
            failed = stops_chain(&result);
            result
        };
        if let Some(progress) = &ctx.progress {
            progress.0.step_finished(&result);
        }
        results.push(result);
    }
    results
}

/// Whether the account's later steps cannot run after `result`: it failed, or the
/// account was left alone (flagged), so no account is known for them.
fn stops_chain(result: &StepResult) -> bool {
    matches!(result.status, StepStatus::Failed | StepStatus::Skipped)
}

/// Totals over step results.
pub(crate) fn count(results: &[StepResult], failed_instances: u64) -> ApplyCounts {
    let mut counts = ApplyCounts {
        failed_instances,
        ..ApplyCounts::default()
    };
    for result in results {
        match result.status {
            StepStatus::Applied => counts.applied += 1,
            StepStatus::Manual => counts.manual += 1,
            StepStatus::Failed => counts.failed += 1,
            StepStatus::NotStored => counts.not_stored += 1,
            StepStatus::Skipped => counts.skipped += 1,
        }
    }
    counts
}
