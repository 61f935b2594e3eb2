//! Applying group push: after every account step of the run, each instance's group steps
//! in plan order (instances side by side). Each step is journaled like an account step
//! (intent before the call, outcome with its state changes and audit events after), so an
//! interrupted run is resumed by the next plan, which finds a created group by its
//! `externalId`. Members whose account this run created are found in the state's links;
//! a member without an account (its create failed) is left out and named in the detail.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use connector_sdk::http::RetryBudget;
use tokio::task::JoinSet;

use super::ApplyContext;
use super::health::{NOT_ATTEMPTED, Verdict};
use super::step::{InstanceRun, RETRIES_PER_CHANGE, StepResult, StepStatus};
use crate::audit::{ChangeStatus, GroupRecord, group_event};
use crate::clock;
use crate::plan::{GroupAction, GroupStep, InstancePlan, Member};
use crate::state::{Effect, GroupEffect, GroupLink, Intent, Origin, Outcome};

/// Runs the group steps of every instance; the results in plan order.
pub(crate) async fn execute(
    ctx: &Arc<ApplyContext>,
    runs: &BTreeMap<String, Arc<InstanceRun>>,
    plans: &[InstancePlan],
) -> Vec<StepResult> {
    let mut tasks = JoinSet::new();
    for (order, plan) in plans.iter().enumerate() {
        let Some(run) = runs.get(&plan.instance) else {
            continue;
        };
        let steps: Vec<GroupStep> = plan
            .groups
            .iter()
            .filter(|s| s.action.is_change())
            .cloned()
            .collect();
        if steps.is_empty() {
            continue;
        }
        let (ctx, run) = (ctx.clone(), run.clone());
        tasks.spawn(async move { (order, run_instance(&ctx, &run, steps).await) });
    }
    let mut done: Vec<(usize, Vec<StepResult>)> = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(results) => done.push(results),
            Err(error) => tracing::error!(%error, "a group push task panicked"),
        }
    }
    done.sort_by_key(|(order, _)| *order);
    done.into_iter().flat_map(|(_, results)| results).collect()
}

/// One instance's group steps, in order; a group's later steps are skipped after one of
/// its steps fails, and every step once the instance's breaker is open.
async fn run_instance(
    ctx: &Arc<ApplyContext>,
    run: &Arc<InstanceRun>,
    steps: Vec<GroupStep>,
) -> Vec<StepResult> {
    let instance = &run.instance.name;
    let health = ctx.health.of(&run.instance);
    let mut links: HashMap<String, GroupLink> = match ctx.store.group_links(instance).await {
        Ok(links) => links
            .into_iter()
            .map(|l| (l.directory_group.clone(), l))
            .collect(),
        Err(error) => {
            let detail = format!("cannot read the group links: {error}");
            return steps
                .iter()
                .map(|s| result(instance, s, StepStatus::Failed, Some(detail.clone()), 0))
                .collect();
        }
    };
    let mut failed: Vec<String> = Vec::new();
    let mut results = Vec::with_capacity(steps.len());
    for step in steps {
        if health.is_open() {
            results.push(result(
                instance,
                &step,
                StepStatus::Skipped,
                Some(health.detail()),
                0,
            ));
            continue;
        }
        if failed.contains(&step.directory_group) {
            let detail = "an earlier step of this group failed".to_owned();
            results.push(result(
                instance,
                &step,
                StepStatus::Skipped,
                Some(detail),
                0,
            ));
            continue;
        }
        let group_id = step.app_group_id.clone().or_else(|| {
            links
                .get(&step.directory_group)
                .map(|l| l.app_group_id.clone())
        });
        let outcome = apply_group_step(ctx, run, &step, group_id, &mut links).await;
        if matches!(outcome.status, StepStatus::Failed) {
            failed.push(step.directory_group.clone());
        }
        results.push(outcome);
    }
    results
}

/// The result of a group step.
fn result(
    instance: &str,
    step: &GroupStep,
    status: StepStatus,
    detail: Option<String>,
    attempts: u32,
) -> StepResult {
    StepResult {
        step: step.id.clone(),
        instance: instance.to_owned(),
        action: step.action.name().to_owned(),
        target: step.name.clone(),
        status,
        detail,
        attempts,
    }
}

/// What a group call did: the detail, the state changes and the members it touched.
struct GroupDone {
    /// What it did, in words.
    detail: Option<String>,
    /// The group link's change.
    effect: Option<GroupEffect>,
    /// The members added or removed (one audit event each).
    members: Vec<Member>,
}

/// Journals, calls and records one group step.
async fn apply_group_step(
    ctx: &Arc<ApplyContext>,
    run: &Arc<InstanceRun>,
    step: &GroupStep,
    group_id: Option<String>,
    links: &mut HashMap<String, GroupLink>,
) -> StepResult {
    let instance = &run.instance.name;
    let failed = |detail: String| result(instance, step, StepStatus::Failed, Some(detail), 0);
    let step_json = match serde_json::to_string(step) {
        Ok(json) => json,
        Err(error) => return failed(format!("cannot write the step to the journal: {error}")),
    };
    let intent = Intent {
        run_id: &ctx.run_id,
        instance,
        identity_id: None,
        account_id: group_id.as_deref(),
        action: step.action.name(),
        sku: None,
        step: &step_json,
    };
    let entry = match ctx.store.record_intent(&intent).await {
        Ok(entry) => entry,
        Err(error) => return failed(format!("cannot journal the intent: {error}")),
    };
    let budget = RetryBudget::new(RETRIES_PER_CHANGE);
    let called = budget
        .run(call(ctx, run, step, group_id.as_deref(), links))
        .await;
    let health = ctx.health.of(&run.instance);
    let verdict = match &called {
        Ok(_) => Verdict::Answered,
        Err(error) => Verdict::of(error),
    };
    if health.record(verdict) {
        tracing::warn!(
            instance = %run.instance.name,
            "{}; its remaining group changes are not attempted",
            health.detail().replace(NOT_ATTEMPTED, "the instance is unhealthy")
        );
    }
    let (outcome, status, detail, done) = match called {
        Ok(done) => (
            Outcome::Ok,
            ChangeStatus::Success,
            done.detail.clone(),
            Some(done),
        ),
        Err(error) => (
            Outcome::Failed,
            ChangeStatus::Failure,
            Some(error.to_string()),
            None,
        ),
    };
    let group_now = done
        .as_ref()
        .and_then(|d| match &d.effect {
            Some(GroupEffect::Link(link)) => Some(link.app_group_id.clone()),
            _ => None,
        })
        .or(group_id);
    let mut effects = Vec::new();
    let time = clock::now();
    let mut lines = Vec::new();
    let members: Vec<&Member> = match (&step.action, &done) {
        (GroupAction::AddMembers { .. } | GroupAction::RemoveMembers { .. }, Some(done)) => {
            done.members.iter().collect()
        }
        (GroupAction::AddMembers { members } | GroupAction::RemoveMembers { members }, None) => {
            members.iter().collect()
        }
        _ => Vec::new(),
    };
    let subjects: Vec<Option<&Member>> = if members.is_empty() {
        vec![None]
    } else {
        members.into_iter().map(Some).collect()
    };
    let records: Vec<GroupRecord<'_>> = subjects
        .into_iter()
        .map(|member| GroupRecord {
            run_id: &ctx.run_id,
            request_id: Some(entry),
            instance,
            connector: run.instance.manifest.name,
            action: step.action.name(),
            directory_group: &step.directory_group,
            name: &step.name,
            group_id: group_now.as_deref(),
            member: member.map(|m| {
                (
                    m.identity_id.as_deref(),
                    m.label.as_str(),
                    m.account_id.as_deref(),
                )
            }),
            status,
            detail: detail.as_deref(),
            time,
        })
        .collect();
    for record in &records {
        let line = group_event(record).to_string();
        effects.push(Effect::Audit {
            run_id: ctx.run_id.clone(),
            instance: instance.clone(),
            identity_id: record.member.and_then(|(id, _, _)| id.map(str::to_owned)),
            activity: crate::audit::group_activity(step.action.name())
                .1
                .to_owned(),
            status: status.as_str().to_owned(),
            time_ms: clock::epoch_ms(record.time),
            event: line.clone(),
        });
        lines.push(line);
    }
    if let Some(effect) = done.as_ref().and_then(|d| d.effect.clone()) {
        match &effect {
            GroupEffect::Link(link) => {
                links.insert(link.directory_group.clone(), link.clone());
            }
            GroupEffect::Unlink {
                directory_group, ..
            } => {
                links.remove(directory_group);
            }
            GroupEffect::Members { .. } => {}
        }
        effects.push(Effect::Group(effect));
    }
    if let Err(error) = ctx
        .store
        .record_outcome(Some(entry), outcome, detail.as_deref(), effects)
        .await
    {
        return failed(format!(
            "the call returned but its outcome cannot be recorded: {error}"
        ));
    }
    for line in &lines {
        ctx.sink.write(line);
    }
    let status = match outcome {
        // Members to add, none of whom has an account yet: nothing was changed.
        Outcome::Ok
            if matches!(step.action, GroupAction::AddMembers { .. })
                && done.as_ref().is_some_and(|d| d.members.is_empty()) =>
        {
            StepStatus::Skipped
        }
        Outcome::Ok => StepStatus::Applied,
        _ => StepStatus::Failed,
    };
    // A link only records what is known: no call to the app.
    let calls = u32::from(!matches!(step.action, GroupAction::LinkGroup { .. }));
    result(instance, step, status, detail, calls)
}

/// Makes the connector call of a group step.
async fn call(
    ctx: &ApplyContext,
    run: &InstanceRun,
    step: &GroupStep,
    group_id: Option<&str>,
    links: &HashMap<String, GroupLink>,
) -> connector_sdk::Result<GroupDone> {
    let connector = run.connector.as_ref();
    let instance = &run.instance.name;
    let need_group = || {
        group_id.ok_or_else(|| {
            connector_sdk::Error::Config(format!(
                "no app group is known for directory group `{}`",
                step.directory_group
            ))
        })
    };
    let link = |app_group_id: &str, name: &str, origin: Origin, deletable: bool| GroupLink {
        instance: instance.clone(),
        directory_group: step.directory_group.clone(),
        app_group_id: app_group_id.to_owned(),
        name: name.to_owned(),
        origin,
        deletable,
    };
    let done = |detail: String, effect: Option<GroupEffect>| GroupDone {
        detail: Some(detail),
        effect,
        members: Vec::new(),
    };
    match &step.action {
        GroupAction::CreateGroup { deletable } => {
            let created = connector
                .create_group(&step.name, &step.directory_group)
                .await?;
            let effect = GroupEffect::Link(link(
                &created.id,
                &created.name,
                Origin::Created,
                *deletable,
            ));
            Ok(done(format!("group {}", created.id), Some(effect)))
        }
        GroupAction::LinkGroup { origin, deletable } => {
            let id = need_group()?;
            let origin = if origin == Origin::Created.as_str() {
                Origin::Created
            } else {
                Origin::Adopted
            };
            let effect = GroupEffect::Link(link(id, &step.name, origin, *deletable));
            Ok(done(
                format!("group {id} linked ({})", origin.as_str()),
                Some(effect),
            ))
        }
        GroupAction::RenameGroup { from } => {
            let id = need_group()?;
            connector.rename_group(id, &step.name).await?;
            let (origin, deletable) = links
                .get(&step.directory_group)
                .map_or((Origin::Adopted, false), |l| (l.origin, l.deletable));
            let effect = GroupEffect::Link(link(id, &step.name, origin, deletable));
            Ok(done(format!("renamed from `{from}`"), Some(effect)))
        }
        GroupAction::DeleteGroup => {
            let id = need_group()?;
            match connector.delete_group(id).await {
                Ok(()) | Err(connector_sdk::Error::NotFound { .. }) => {}
                Err(error) => return Err(error),
            }
            let effect = GroupEffect::Unlink {
                instance: instance.clone(),
                directory_group: step.directory_group.clone(),
            };
            Ok(done(format!("group {id} deleted"), Some(effect)))
        }
        GroupAction::AddMembers { members } => {
            let id = need_group()?;
            let (members, missing) = resolve(ctx, instance, members).await?;
            let accounts: Vec<String> = members
                .iter()
                .filter_map(|m| m.account_id.clone())
                .collect();
            if !accounts.is_empty() {
                connector.add_members(id, &accounts).await?;
            }
            let mut detail = format!("{} added", accounts.len());
            if !missing.is_empty() {
                detail.push_str(&format!(
                    "; left out, without an account: {}",
                    missing.join(", ")
                ));
            }
            Ok(GroupDone {
                detail: Some(detail),
                effect: Some(members_effect(instance, step, accounts, Vec::new())),
                members,
            })
        }
        GroupAction::RemoveMembers { members } => {
            let id = need_group()?;
            let accounts: Vec<String> = members
                .iter()
                .filter_map(|m| m.account_id.clone())
                .collect();
            connector.remove_members(id, &accounts).await?;
            Ok(GroupDone {
                detail: Some(format!("{} removed", accounts.len())),
                effect: Some(members_effect(instance, step, Vec::new(), accounts)),
                members: members.clone(),
            })
        }
        GroupAction::Skip { .. } => Ok(GroupDone {
            detail: None,
            effect: None,
            members: Vec::new(),
        }),
    }
}

/// The record of members added to and removed from the step's group.
fn members_effect(
    instance: &str,
    step: &GroupStep,
    added: Vec<String>,
    removed: Vec<String>,
) -> GroupEffect {
    GroupEffect::Members {
        instance: instance.to_owned(),
        directory_group: step.directory_group.clone(),
        added,
        removed,
    }
}

/// The members with their accounts: those planned without one (created by this run) are
/// looked up in the state's links. Returns the members with an account, and the labels
/// of those still without one.
async fn resolve(
    ctx: &ApplyContext,
    instance: &str,
    members: &[Member],
) -> connector_sdk::Result<(Vec<Member>, Vec<String>)> {
    let unknown: Vec<&str> = members
        .iter()
        .filter(|m| m.account_id.is_none())
        .filter_map(|m| m.identity_id.as_deref())
        .collect();
    let found: HashMap<String, String> = if unknown.is_empty() {
        HashMap::new()
    } else {
        ctx.store
            .links_of(instance, &unknown)
            .await
            .map_err(|e| connector_sdk::Error::Config(format!("cannot read the links: {e}")))?
            .into_iter()
            .map(|l| (l.identity_id, l.account_id))
            .collect()
    };
    let mut resolved = Vec::with_capacity(members.len());
    let mut missing = Vec::new();
    for member in members {
        let account = member.account_id.clone().or_else(|| {
            member
                .identity_id
                .as_ref()
                .and_then(|id| found.get(id).cloned())
        });
        match account {
            Some(account) => resolved.push(Member {
                account_id: Some(account),
                ..member.clone()
            }),
            None => missing.push(member.label.clone()),
        }
    }
    Ok((resolved, missing))
}
