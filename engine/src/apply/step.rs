//! Applying one step: the intent, the connector call (retried), the outcome with its
//! state changes, and the audit event.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use connector_sdk::http::RetryBudget;
use connector_sdk::{AccountRef, Connector, Identity, LicenseMode, LicenseOutcome};
use serde::Serialize;
use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore, mpsc, oneshot};
use tokio::task::JoinSet;

use super::ApplyContext;
use super::health::{NOT_ATTEMPTED, Verdict};
use super::linking::{self, Claims, Decision, Found};
use crate::attrs::AttributeChange;
use crate::audit::{ChangeRecord, ChangeStatus, event};
use crate::clock;
use crate::config::Instance;
use crate::directory::Directory;
use crate::plan::{Action, FieldSet, Step};
use crate::state::{Effect, Intent, LicenseState, ManualTaskRecord, Origin, Outcome};

/// How one step ended, as apply reports it (`applied`, `manual`, `not_stored`, `failed`,
/// `skipped` in JSON and text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// The change was made.
    Applied,
    /// The connector raised a manual task (counted as done).
    Manual,
    /// The app answered the write without some of the values sent.
    NotStored,
    /// The change failed (after retries), or its outcome could not be recorded.
    Failed,
    /// Not attempted (an earlier step of the account failed, the instance's breaker is
    /// open), or left alone by a policy (an existing account that is flagged).
    Skipped,
}

impl StepStatus {
    /// The spelling in JSON and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Manual => "manual",
            Self::NotStored => "not_stored",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
        }
    }

    /// The status of a step whose call ended with `outcome`.
    fn of(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Failed | Outcome::Conflict => Self::Failed,
            Outcome::NotStored => Self::NotStored,
            Outcome::Manual => Self::Manual,
            Outcome::Skipped => Self::Skipped,
            Outcome::Ok | Outcome::Recovered | Outcome::NotDone | Outcome::Rechecked => {
                Self::Applied
            }
        }
    }
}

impl std::fmt::Display for StepStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad`, so that widths and alignment (`{:<8}`) apply.
        f.pad(self.as_str())
    }
}

/// What happened to one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepResult {
    /// The plan step id.
    pub step: String,
    /// The instance.
    pub instance: String,
    /// The action.
    pub action: String,
    /// Who.
    pub target: String,
    /// How it ended.
    pub status: StepStatus,
    /// Why it failed or was skipped, or the manual task.
    pub detail: Option<String>,
    /// Connector calls made (retries included).
    pub attempts: u32,
}

impl StepResult {
    /// The result of `step` of `instance`, with `status` and no call made yet.
    pub(crate) fn new(
        instance: &str,
        step: &Step,
        status: StepStatus,
        detail: Option<String>,
    ) -> Self {
        Self {
            step: step.id.clone(),
            instance: instance.to_owned(),
            action: step.action.name().to_owned(),
            target: step.target.label().to_owned(),
            status,
            detail,
            attempts: 0,
        }
    }
}

/// One instance's connector and facts the steps need.
pub(crate) struct InstanceRun {
    /// The instance.
    pub instance: Instance,
    /// Its connector.
    pub connector: Arc<dyn Connector>,
    /// The profile fields its mapping reads.
    pub fields: FieldSet,
    /// Licences held before the run: person → SKU → state.
    pub held: BTreeMap<String, BTreeMap<String, LicenseState>>,
    /// Accounts linked in this run, before their links are committed.
    pub claims: Claims,
}

/// The account a chain of steps works on, filled by a create.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChainState {
    /// The account, once known.
    pub account: Option<AccountRef>,
}

/// What a successful call produced.
struct Done {
    outcome: Outcome,
    effects: Vec<Effect>,
    detail: Option<String>,
    account: Option<AccountRef>,
}

/// A call, as a caller runs it.
type CallFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Where an instance's calls are made: a fixed set of callers (as many as the instance
/// allows calls in flight, each taking a place in the run's limit per call) takes the
/// queued calls in turn. A caller that finishes a call starts the next one queued at
/// once, as a loop sending requests would, rather than waking a step that then has to
/// be scheduled to take the place.
///
/// [`Gate::ahead`] bounds the steps between the start of their intent and the end of
/// their call ([`AHEAD`] times the instance's calls): the next intents are committed
/// while calls are in flight, so that a caller does not wait for a commit, even a slow
/// one (a WAL checkpoint syncs the file).
#[derive(Debug, Clone)]
pub(crate) struct Gate {
    /// Steps between intent and the end of their call.
    ahead: Arc<Semaphore>,
    /// The callers' queue.
    calls: mpsc::UnboundedSender<CallFuture>,
}

/// How many intents per place for a call may be journaled ahead of their call: an
/// interrupted run leaves at most this many times the instance's concurrency open.
pub(crate) const AHEAD: usize = 4;

impl Gate {
    /// The gate of an instance allowing `concurrency` calls, within `global`; the
    /// callers are spawned in `tasks`, and end once every gate of the instance is gone.
    pub(crate) fn new(global: Arc<Semaphore>, concurrency: usize, tasks: &mut JoinSet<()>) -> Self {
        let concurrency = concurrency.max(1);
        let (calls, queue) = mpsc::unbounded_channel::<CallFuture>();
        let queue = Arc::new(Mutex::new(queue));
        for _ in 0..concurrency {
            let (queue, global) = (queue.clone(), global.clone());
            tasks.spawn(async move {
                loop {
                    let call = queue.lock().await.recv().await;
                    let Some(call) = call else { break };
                    let place = global.clone().acquire_owned().await.ok();
                    call.await;
                    drop(place);
                }
            });
        }
        Self {
            ahead: Arc::new(Semaphore::new(concurrency.saturating_mul(AHEAD))),
            calls,
        }
    }

    /// A place among the steps ahead of their call, held from before the intent until
    /// the call returns.
    pub(crate) async fn ahead(&self) -> Option<OwnedSemaphorePermit> {
        self.ahead.clone().acquire_owned().await.ok()
    }

    /// Makes `call` on one of the instance's callers, in turn with the other steps'
    /// calls; `None` when the callers are gone (the run stopped).
    pub(crate) async fn call<T: Send + 'static>(
        &self,
        call: impl Future<Output = T> + Send + 'static,
    ) -> Option<T> {
        let (reply, answer) = oneshot::channel();
        let queued: CallFuture = Box::pin(async move {
            // The step may be gone (the run stopped): then nobody reads the answer.
            let _ = reply.send(call.await);
        });
        self.calls.send(queued).ok()?;
        answer.await.ok()
    }
}

/// One step's connector call (with its retries), as a caller makes it.
struct StepCall {
    /// The run.
    ctx: Arc<ApplyContext>,
    /// The instance.
    run: Arc<InstanceRun>,
    /// The directory.
    directory: Arc<Directory>,
    /// The step's person in `directory`.
    who: Option<usize>,
    /// The step.
    step: Arc<Step>,
    /// The account, when known.
    account: Option<AccountRef>,
}

/// What a call did: the calls made (retries included) and the result.
struct Called {
    /// Connector calls made.
    attempts: u32,
    /// What the call produced, or why it failed.
    done: Result<Done, String>,
}

impl StepCall {
    /// Makes the call within the change's [`RETRIES_PER_CHANGE`]; calls nothing once the
    /// instance's breaker is open.
    ///
    /// The SDK retries each request (drawing on the change's budget); the engine redoes
    /// the call (which then starts with a lookup) only after an ambiguous outcome — a
    /// create that failed with a timeout or another transient error, so the account may
    /// exist — while `max_attempts`, the budget and the instance's health allow. Any other
    /// failure stands: retrying it is the SDK's job, and it has done it.
    async fn make(self) -> Called {
        let who = self.who.and_then(|i| self.directory.people.get(i));
        let (ctx, run, step) = (&*self.ctx, &*self.run, &*self.step);
        let health = ctx.health.of(&run.instance);
        if health.is_open() {
            return Called {
                attempts: 0,
                done: Err(health.detail()),
            };
        }
        let budget = RetryBudget::new(RETRIES_PER_CHANGE);
        let account = self.account.as_ref();
        let (attempts, outcome) = budget
            .run(async {
                let mut attempts = 0;
                loop {
                    attempts += 1;
                    match call(ctx, run, who, step, account, attempts).await {
                        Ok(done) => break (attempts, Ok(done)),
                        Err(error)
                            if ambiguous(&step.action, &error)
                                && attempts < ctx.max_attempts
                                && !health.is_open()
                                && budget.take() =>
                        {
                            tokio::time::sleep(ctx.backoff * attempts).await;
                        }
                        Err(error) => break (attempts, Err(error)),
                    }
                }
            })
            .await;
        let verdict = match &outcome {
            Ok(_) => Verdict::Answered,
            Err(error) => Verdict::of(error),
        };
        if health.record(verdict) {
            tracing::warn!(
                instance = %run.instance.name,
                "{}; its remaining changes are not attempted",
                health.detail().replace(NOT_ATTEMPTED, "the instance is unhealthy")
            );
        }
        Called {
            attempts,
            done: outcome.map_err(|error| error.to_string()),
        }
    }
}

/// Whether a failed call may have changed the app after all: a create that timed out or
/// failed transiently may have made the account, which a redo's lookup finds. Updates,
/// disables and licence calls set a state, so the SDK's retries of their requests are
/// all they need.
fn ambiguous(action: &Action, error: &connector_sdk::Error) -> bool {
    matches!(action, Action::Create) && error.is_transient()
}

/// Applies `step` (of the person at `who` in `directory`); on success the chain's
/// account is updated.
///
/// 1. The intent is journaled (committed before the call; within `gate`'s bound on
///    steps ahead, so that the next intents commit while calls are in flight).
/// 2. One of the instance's callers makes the call, with its retries.
/// 3. The outcome is journaled with its state changes and the audit event, outside the
///    bound, so that journaling never holds up the next call; the audit line goes to
///    the sink once the event is committed.
pub(crate) async fn apply_step(
    ctx: &Arc<ApplyContext>,
    run: &Arc<InstanceRun>,
    gate: &Gate,
    directory: &Arc<Directory>,
    who: Option<usize>,
    step: &Arc<Step>,
    chain: &mut ChainState,
) -> StepResult {
    let failed = |detail: String| {
        StepResult::new(&run.instance.name, step, StepStatus::Failed, Some(detail))
    };
    let account = chain.account.clone().or_else(|| {
        Some(AccountRef {
            id: step.target.account_id.clone()?,
            user_name: step.target.user_name.clone().unwrap_or_default(),
        })
    });
    let sku = match &step.action {
        Action::AssignLicense { sku, .. }
        | Action::RevokeLicense { sku, .. }
        | Action::ManualTask { sku, .. } => Some(sku.as_str()),
        _ => None,
    };
    let step_json = match serde_json::to_string(&**step) {
        Ok(json) => json,
        Err(error) => return failed(format!("cannot write the step to the journal: {error}")),
    };
    let intent = Intent {
        run_id: &ctx.run_id,
        instance: &run.instance.name,
        identity_id: step.target.identity_id.as_deref(),
        account_id: account.as_ref().map(|a| a.id.as_str()),
        action: step.action.name(),
        sku,
        step: &step_json,
    };

    // 1. The intent.
    let ahead = gate.ahead().await;
    let entry = match ctx.store.record_intent(&intent).await {
        Ok(entry) => entry,
        Err(error) => return failed(format!("cannot journal the intent: {error}")),
    };

    // 2. The call.
    let call = StepCall {
        ctx: ctx.clone(),
        run: run.clone(),
        directory: directory.clone(),
        who,
        step: step.clone(),
        account: account.clone(),
    };
    let Some(Called { attempts, done }) = gate.call(call.make()).await else {
        return failed("the call was not made: the run stopped".to_owned());
    };
    drop(ahead);

    // 3. The outcome, its state changes and the audit event.
    let (outcome, status, detail, mut effects) = match done {
        Ok(done) => {
            if let Some(account) = &done.account {
                chain.account = Some(account.clone());
            }
            let status = match done.outcome {
                Outcome::Manual | Outcome::Skipped | Outcome::NotStored => ChangeStatus::Other,
                Outcome::Conflict => ChangeStatus::Failure,
                _ => ChangeStatus::Success,
            };
            (done.outcome, status, done.detail, done.effects)
        }
        Err(message) => (
            Outcome::Failed,
            ChangeStatus::Failure,
            Some(message),
            Vec::new(),
        ),
    };
    let changes: &[AttributeChange] = match &step.action {
        Action::Update { changes } => changes,
        _ => &[],
    };
    let account_now = chain.account.as_ref().or(account.as_ref());
    let record = ChangeRecord {
        run_id: &ctx.run_id,
        request_id: Some(entry),
        instance: &run.instance.name,
        connector: run.instance.manifest.name,
        action: step.action.name(),
        identity_id: step.target.identity_id.as_deref(),
        login: step.target.login.as_deref(),
        account_id: account_now.map(|a| a.id.as_str()),
        user_name: account_now.map(|a| a.user_name.as_str()),
        sku,
        changes,
        status,
        detail: detail.as_deref(),
        time: clock::now(),
    };
    // A `serde_json::Value` always prints as JSON (its keys are strings).
    let line = event(&record).to_string();
    effects.push(Effect::Audit {
        run_id: ctx.run_id.clone(),
        instance: run.instance.name.clone(),
        identity_id: step.target.identity_id.clone(),
        activity: crate::audit::activity(step.action.name()).1.to_owned(),
        status: status.as_str().to_owned(),
        time_ms: clock::epoch_ms(record.time),
        event: line.clone(),
    });
    let committed = ctx
        .store
        .record_outcome(Some(entry), outcome, detail.as_deref(), effects)
        .await;
    if let Err(error) = committed {
        let mut result = failed(format!(
            "the call returned but its outcome cannot be recorded: {error}"
        ));
        result.attempts = attempts;
        return result;
    }
    ctx.sink.write(&line);
    StepResult {
        attempts,
        ..StepResult::new(&run.instance.name, step, StepStatus::of(outcome), detail)
    }
}

/// Makes the connector call of a step and says what it changes in the state.
async fn call(
    ctx: &ApplyContext,
    run: &InstanceRun,
    who: Option<&Identity>,
    step: &Step,
    account: Option<&AccountRef>,
    attempt: u32,
) -> connector_sdk::Result<Done> {
    let instance = &run.instance.name;
    let connector = run.connector.as_ref();
    let person = step.target.identity_id.clone();
    let need_who = || {
        who.ok_or_else(|| {
            connector_sdk::Error::Config(format!("{} is not in the directory", step.target.label()))
        })
    };
    let need_account = || {
        account.ok_or_else(|| {
            connector_sdk::Error::Config(format!("no account is known for {}", step.target.label()))
        })
    };
    let snapshot_effects = |who: &Identity| run.fields.applied(who);
    let ok = |effects: Vec<Effect>| Done {
        outcome: Outcome::Ok,
        effects,
        detail: None,
        account: None,
    };
    let _ = ctx;
    match &step.action {
        Action::Create => {
            let who = need_who()?;
            // A retry first looks for the account an ambiguous attempt may have created.
            let existing = if attempt > 1 {
                connector.find(who).await?
            } else {
                None
            };
            let (account, found) = match existing {
                Some(account) => (account, Found::Created),
                None => match connector.create(who).await {
                    Ok(account) => (account, Found::Created),
                    Err(connector_sdk::Error::AlreadyExists { existing, cause }) => {
                        tracing::info!(%instance, id = %existing.id, %cause, "create refused: the account exists");
                        (*existing, Found::Existing)
                    }
                    Err(error) => return Err(error),
                },
            };
            let mut done = link(ctx, run, who, &account.reference(), found).await?;
            if let (Some(Effect::Link(link)), Found::Created) = (done.effects.first_mut(), found) {
                done.detail = Some(
                    match connector_sdk::RefusedAttribute::summary(&account.refused) {
                        Some(refused) => format!("account {}; {refused}", account.id),
                        None => format!("account {}", account.id),
                    },
                );
                if account.not_stored.is_empty() {
                    // Every mapped attribute was sent with the create, and kept.
                    let (hash, attributes) = snapshot_effects(who);
                    link.attributes_hash = Some(hash);
                    link.attributes = Some(attributes);
                } else {
                    // Linked, with nothing recorded as applied: the next plan shows it.
                    done.outcome = Outcome::NotStored;
                    done.detail = Some(format!(
                        "account {}; {}",
                        account.id,
                        not_stored(&account.not_stored)
                    ));
                }
            }
            Ok(done)
        }
        Action::Link => {
            let who = need_who()?;
            let account = need_account()?;
            link(ctx, run, who, account, Found::Existing).await
        }
        Action::Update { .. } => {
            let who = need_who()?;
            let written = connector.update(need_account()?, who).await?;
            if !written.not_stored.is_empty() {
                // The snapshot is not recorded as applied: the next plan shows the drift.
                return Ok(Done {
                    outcome: Outcome::NotStored,
                    detail: Some(not_stored(&written.not_stored)),
                    account: None,
                    effects: Vec::new(),
                });
            }
            let (hash, attributes) = snapshot_effects(who);
            Ok(Done {
                detail: connector_sdk::RefusedAttribute::summary(&written.refused),
                ..ok(vec![Effect::Attributes {
                    instance: instance.clone(),
                    identity_id: who.id.clone(),
                    hash,
                    attributes,
                }])
            })
        }
        Action::Enable => {
            connector.enable(need_account()?).await?;
            Ok(ok(left_active(instance, person, true)))
        }
        Action::Disable | Action::Delete => {
            let account = need_account()?;
            if matches!(step.action, Action::Delete) {
                connector.delete(account).await?;
            } else {
                connector.disable(account).await?;
            }
            let mut effects = match step.action {
                Action::Disable => left_active(instance, person.clone(), false),
                _ => Vec::new(),
            };
            if let Some(person) = person {
                if matches!(step.action, Action::Delete) {
                    effects.push(Effect::Unlink {
                        instance: instance.clone(),
                        identity_id: person,
                    });
                } else {
                    // Automatic seats go with the account.
                    for sku in run.held.get(&person).into_iter().flat_map(|h| h.keys()) {
                        let automatic = run
                            .instance
                            .manifest
                            .license(sku)
                            .is_some_and(|s| s.mode == LicenseMode::Automatic);
                        if automatic {
                            effects.push(license_effect(instance, &person, sku, None));
                        }
                    }
                }
            }
            Ok(ok(effects))
        }
        Action::AssignLicense { sku, .. }
        | Action::RevokeLicense { sku, .. }
        | Action::ManualTask { sku, .. } => {
            let assign = match &step.action {
                Action::AssignLicense { .. } => true,
                Action::ManualTask { operation, .. } => operation == "assign",
                _ => false,
            };
            let account = need_account()?;
            let definition = run.instance.manifest.license(sku).ok_or_else(|| {
                connector_sdk::Error::NotFound {
                    what: format!("licence `{sku}`"),
                }
            })?;
            let outcome = if assign {
                connector.assign_license(account, definition).await?
            } else {
                connector.revoke_license(account, definition).await?
            };
            let person = person.unwrap_or_default();
            let held = |state| if assign { Some(state) } else { None };
            Ok(match outcome {
                LicenseOutcome::Applied | LicenseOutcome::Automatic => ok(vec![license_effect(
                    instance,
                    &person,
                    sku,
                    held(LicenseState::Held),
                )]),
                LicenseOutcome::ManualActionRequired(task) => {
                    let record = ManualTaskRecord {
                        id: None,
                        run_id: ctx.run_id.clone(),
                        instance: instance.clone(),
                        identity_id: Some(person.clone()),
                        account_id: Some(account.id.clone()),
                        sku: sku.clone(),
                        action: if assign {
                            "assign_license"
                        } else {
                            "revoke_license"
                        }
                        .to_owned(),
                        instructions: task.instructions.clone(),
                        url: task.url.clone(),
                        created_at: None,
                    };
                    Done {
                        outcome: Outcome::Manual,
                        detail: Some(task.instructions),
                        account: None,
                        effects: vec![
                            license_effect(instance, &person, sku, held(LicenseState::Requested)),
                            Effect::ManualTask(record),
                        ],
                    }
                }
            })
        }
        Action::Skip { .. } => Ok(ok(Vec::new())),
    }
}

/// The report of values a write did not store.
fn not_stored(drift: &[connector_sdk::Drift]) -> String {
    let values: Vec<_> = drift
        .iter()
        .map(|d| match &d.held {
            Some(held) => format!(
                "`{}` (sent {}, the app holds {held})",
                d.path,
                show(&d.wanted)
            ),
            None => format!(
                "`{}` (sent {}, the app holds nothing)",
                d.path,
                show(&d.wanted)
            ),
        })
        .collect();
    format!("not stored by the app: {}", values.join(", "))
}

/// A value in a report.
fn show(value: &Option<serde_json::Value>) -> String {
    value
        .as_ref()
        .map_or_else(|| "nothing".to_owned(), ToString::to_string)
}

/// Links `account` to `who` when the linking rules allow it; otherwise the step is
/// flagged (skipped, nothing linked) or fails with the conflict.
async fn link(
    ctx: &ApplyContext,
    run: &InstanceRun,
    who: &Identity,
    account: &AccountRef,
    found: Found,
) -> connector_sdk::Result<Done> {
    let instance = &run.instance.name;
    let policy = run.instance.policy.existing_accounts;
    let decision = linking::decide(
        &ctx.store,
        &run.claims,
        instance,
        policy,
        who,
        account,
        found,
    )
    .await
    .map_err(|e| connector_sdk::Error::Config(format!("cannot read the state: {e}")))?;
    Ok(match decision {
        Decision::Link(link) => {
            let detail = match link.origin {
                Origin::Adopted => Some(format!(
                    "account {} existed and was not created by the engine; adopted \
                     (existing_accounts = \"adopt\")",
                    account.id
                )),
                Origin::Created => None,
            };
            Done {
                outcome: Outcome::Ok,
                detail,
                account: Some(linking::reference(&link)),
                effects: vec![Effect::Link(link)],
            }
        }
        Decision::Flag(reason) => Done {
            outcome: Outcome::Skipped,
            detail: Some(reason),
            account: None,
            effects: Vec::new(),
        },
        Decision::Conflict(reason) => Done {
            outcome: Outcome::Conflict,
            detail: Some(reason),
            account: None,
            effects: Vec::new(),
        },
    })
}

/// Sets or clears a licence row.
fn license_effect(instance: &str, person: &str, sku: &str, state: Option<LicenseState>) -> Effect {
    Effect::License {
        instance: instance.to_owned(),
        identity_id: person.to_owned(),
        sku: sku.to_owned(),
        state,
    }
}

/// The default pause before a redo of an ambiguous create (times the attempt number).
pub(crate) const RETRY_BACKOFF: Duration = Duration::from_millis(300);

/// Re-sends one change may make in all: every SDK retry of any of its requests (after a
/// 5xx, a timeout, a dropped connection or a 429) and every engine redo takes one. A
/// change thus makes at most the requests it needs once plus this many; see
/// `engine/README.md`, "Requests per change".
pub const RETRIES_PER_CHANGE: u32 = 4;

/// The effect recording that the engine left `person`'s account on `instance` active or
/// disabled (none for a step about no person).
fn left_active(instance: &str, person: Option<String>, active: bool) -> Vec<Effect> {
    person
        .map(|identity_id| Effect::Active {
            instance: instance.to_owned(),
            identity_id,
            active,
        })
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_keep_their_json_and_report_spelling() {
        let all = [
            (StepStatus::Applied, "applied"),
            (StepStatus::Manual, "manual"),
            (StepStatus::NotStored, "not_stored"),
            (StepStatus::Failed, "failed"),
            (StepStatus::Skipped, "skipped"),
        ];
        for (status, spelling) in all {
            assert_eq!(serde_json::to_value(status).unwrap(), spelling);
            assert_eq!(status.as_str(), spelling);
        }
        assert_eq!(format!("{:<8}|", StepStatus::Failed), "failed  |");
    }

    #[test]
    fn outcomes_map_to_statuses() {
        assert_eq!(StepStatus::of(Outcome::Ok), StepStatus::Applied);
        assert_eq!(StepStatus::of(Outcome::Conflict), StepStatus::Failed);
        assert_eq!(StepStatus::of(Outcome::Failed), StepStatus::Failed);
        assert_eq!(StepStatus::of(Outcome::NotStored), StepStatus::NotStored);
        assert_eq!(StepStatus::of(Outcome::Manual), StepStatus::Manual);
        assert_eq!(StepStatus::of(Outcome::Skipped), StepStatus::Skipped);
    }
}
