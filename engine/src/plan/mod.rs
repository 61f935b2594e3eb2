//! The plan: what each instance needs so that its accounts and seats match the directory
//! and the assignments. Planning reads the apps (import) and the state; it writes nothing.

mod accounts;
mod arena;
mod basis;
mod collisions;
mod desired;
mod detail;
mod drift;
mod fingerprint;
mod groups;
mod index;
mod join;
mod links;
mod lookup;
mod model;
mod parallel;
mod reconcile;
mod removal;
pub mod render;
mod sso;
mod steps;

use std::collections::BTreeMap;

use connector_sdk::{Connector, LicenseMode};
use time::OffsetDateTime;

pub use model::{
    Action, GroupAction, GroupSkipCode, GroupStep, InstancePlan, Member, PLAN_FORMAT_VERSION, Plan,
    ProtectedAccount, Reclaim, RemovalCheck, SkipCode, SourceSummary, SsoPlan, Step, Summary,
    Target,
};

use crate::attrs;
use crate::config::{Assignments, Instance};
use crate::directory::Directory;
use crate::state::{LicenseState, Store};
use basis::{Basis, Scoped, full_basis, people_in, scoped_basis};
pub use fingerprint::FieldSet;
use links::Links;

/// Warnings about the mapped attributes the app does not declare (one read of its
/// schemas, before anything is written).
async fn undeclared(connector: &dyn Connector, instance: &str) -> Vec<String> {
    match connector.undeclared_attributes().await {
        Ok(Some(paths)) => paths
            .into_iter()
            .map(|path| {
                format!(
                    "the app does not declare the schema of `{path}`: it will refuse or drop \
                     it; leave it out with `exclude_attributes` on instance {instance}"
                )
            })
            .collect(),
        Ok(None) => Vec::new(),
        Err(error) => {
            tracing::debug!(%instance, %error, "cannot read the app's schemas");
            Vec::new()
        }
    }
}

/// Plans one instance: imports its accounts, reconciles, counts removals and reclaim.
/// An import failure is reported on the instance, which then plans nothing. Of
/// `options`, the breaker override and the scope are read here (the time is `now`).
pub(crate) async fn plan_instance(
    assignments: &Assignments,
    instance: &Instance,
    connector: Result<&dyn Connector, String>,
    directory: &Directory,
    store: &Store,
    now: OffsetDateTime,
    options: &crate::PlanOptions,
) -> Result<InstancePlan, crate::EngineError> {
    let manifest = instance.manifest;
    let mut plan = InstancePlan {
        instance: instance.name.clone(),
        connector: manifest.name.to_owned(),
        display_name: manifest.display_name.to_owned(),
        accounts: 0,
        looked_up: false,
        from_links: false,
        error: None,
        warnings: Vec::new(),
        steps: Vec::new(),
        groups: Vec::new(),
        protected: Vec::new(),
        sso: SsoPlan::default(),
        removals: RemovalCheck::default(),
        reclaim: Reclaim {
            currency: assignments.settings.currency.clone(),
            ..Reclaim::default()
        },
    };
    let mut phases = Phases::start(&instance.name);
    let live = connector.as_ref().ok().copied();
    if let Some(connector) = live {
        plan.warnings = undeclared(connector, &instance.name).await;
    }
    let scoped = match (live, &options.scope) {
        (Some(connector), Some(scope)) if options.scope_reads != crate::ScopeReads::List => {
            let scoped = Scoped {
                scope,
                trust: options.trust_links,
                fewest: options.scope_reads == crate::ScopeReads::Fewest,
                paced: instance.connection.client_rate_limit
                    && manifest.provisioning.rate_limit.is_some(),
            };
            let basis = scoped_basis(
                assignments,
                instance,
                connector,
                directory,
                store,
                now,
                scoped,
            )
            .await?;
            phases.done("read the scope's accounts");
            basis
        }
        _ => None,
    };
    let Basis {
        directory,
        desired,
        accounts,
        links,
        held,
        linked,
        looked_up,
        from_links,
    } = match scoped {
        Some(basis) => basis,
        None => {
            full_basis(
                assignments,
                instance,
                connector,
                directory,
                store,
                now,
                &mut phases,
            )
            .await?
        }
    };
    let directory = directory.as_ref();
    plan.looked_up = looked_up;
    plan.from_links = from_links;
    let accounts = match accounts {
        Ok(accounts) => accounts,
        Err(error) => {
            plan.error = Some(error);
            return Ok(plan);
        }
    };
    plan.accounts = accounts.count() as u64;
    let fields = FieldSet::new(&attrs::mapped_fields_except(
        manifest,
        &instance.exclude_attributes,
    ));
    let inputs = reconcile::Inputs {
        instance,
        directory,
        accounts: &accounts,
        links: &links,
        held: &held,
        desired: &desired,
        fields: &fields,
    };
    let prepared = join::prepare(&inputs);
    phases.done("join");
    // The few details the steps show are read while the steps are decided.
    let details = {
        let wanted = prepared.wanted(&inputs);
        let (store, name) = (store.clone(), instance.name.clone());
        tokio::spawn(async move { detail::read(&store, &name, &wanted).await })
    };
    let drifts = match live {
        Some(connector) => drift::detect(connector, &inputs, &prepared),
        None => drift::Drifts::default(),
    };
    phases.done("drift");
    let mut reconciled = reconcile::decide(&inputs, prepared, &drifts);
    if let Some(connector) = live {
        collisions::refuse_shared_accounts(
            connector,
            directory,
            &accounts,
            &links,
            &mut reconciled.steps,
        );
    }
    phases.done("decide");
    // Group push: on full plans, and on the scoped plans of events for the people in
    // scope (a leaver leaves the pushed groups at once); a flow's plan changes only
    // what its steps name.
    if let Some(connector) = live
        && options.only.is_none()
    {
        let mut pushed = push_groups(
            assignments,
            &instance.name,
            connector,
            store,
            directory,
            &desired,
            &links,
            &reconciled.steps,
        )
        .await?;
        if let Some(scope) = &options.scope {
            groups::keep_scope(&mut pushed, scope);
        }
        plan.groups = pushed.steps;
        plan.warnings.extend(pushed.warnings);
        phases.done("groups");
    }
    drop((links, accounts));
    let details = details.await.map_err(|e| lost(store, &e))??;
    phases.done("details");
    plan.steps = reconciled.steps;
    detail::fill_in(
        &mut plan.steps,
        &reconciled.pending,
        &reconciled.departed,
        &details,
        directory,
        &fields,
    );
    phases.done("changes");
    plan.protected = reconciled.protected;
    if let Some(scope) = &options.scope {
        // Only the people in scope: the breaker and the reclaim count their steps alone.
        plan.steps.retain(|step| {
            step.target
                .identity_id
                .as_ref()
                .is_some_and(|id| scope.contains(id))
        });
        plan.protected.clear();
    }
    if let Some(only) = &options.only {
        // An event's flows: only the changes their steps name.
        plan.steps.retain(|step| only.keeps(&instance.name, step));
    }
    plan.sso = match &options.scope {
        // A scoped plan's sign-in summary is about its people.
        Some(scope) if !looked_up => {
            let people = people_in(directory, scope);
            let desired = desired::desired(assignments, &instance.name, &people, now);
            sso::plan(instance, &people, &desired)
        }
        _ => sso::plan(instance, directory, &desired),
    };
    // A plan that read only the scope's accounts weighs removals against the accounts
    // the engine holds links to (at least those it read).
    let weighed = if looked_up {
        (plan.accounts as usize).max(linked)
    } else {
        plan.accounts as usize
    };
    plan.removals = removals(
        instance,
        &plan.steps,
        &plan.groups,
        weighed,
        options
            .removals_before
            .get(&instance.name)
            .copied()
            .unwrap_or(0),
        options.allow_removals,
    );
    plan.reclaim = reclaim(instance, &plan.steps, &held, &assignments.settings.currency);
    Ok(plan)
}

/// Plans the instance's group push (`[[push_groups]]`), when a rule pushes groups to it
/// or the state links groups it pushed. A listing of the app's groups that fails plans
/// no group step and says so in the warnings.
#[allow(clippy::too_many_arguments)]
async fn push_groups(
    assignments: &Assignments,
    instance: &str,
    connector: &dyn Connector,
    store: &Store,
    directory: &Directory,
    desired: &desired::Desired,
    links: &Links,
    steps: &[Step],
) -> Result<groups::GroupPlan, crate::EngineError> {
    let rules: Vec<_> = assignments
        .push_groups
        .iter()
        .filter(|r| r.instance == instance)
        .collect();
    let group_links = store.group_links(instance).await?;
    let listed = connector
        .manifest()
        .provisioning
        .dialect
        .group_members_listed;
    let pushed_members = if listed {
        None
    } else {
        Some(store.group_members(instance).await?)
    };
    if rules.is_empty() && group_links.is_empty() {
        return Ok(groups::GroupPlan {
            steps: Vec::new(),
            warnings: Vec::new(),
        });
    }
    let not_planned = |error: connector_sdk::Error| groups::GroupPlan {
        steps: Vec::new(),
        warnings: vec![format!(
            "group push not planned: the app's groups cannot be read: {error}"
        )],
    };
    let mut app_groups = match connector.list_groups().await {
        Ok(groups) => groups,
        Err(error) => return Ok(not_planned(error)),
    };
    // Members listed per group (REST): read for the groups the push may touch only.
    let wanted = groups::candidates(&rules, &group_links, &app_groups);
    for group in app_groups.iter_mut() {
        if group.members.is_none() && wanted.contains(group.id.as_str()) {
            match connector.group_members(&group.id).await {
                Ok(members) => group.members = Some(members),
                Err(error) => return Ok(not_planned(error)),
            }
        }
    }
    Ok(groups::plan(&groups::GroupInputs {
        instance,
        rules,
        app_groups: &app_groups,
        group_links: &group_links,
        pushed_members: pushed_members.as_ref(),
        directory,
        desired,
        links,
        steps,
    }))
}

/// The error of a state-reading task that did not finish.
fn lost(store: &Store, error: &tokio::task::JoinError) -> crate::state::StateError {
    crate::state::StateError {
        path: store.path().display().to_string(),
        message: format!("reading the state failed: {error}"),
    }
}

/// Logs how long each phase of planning an instance took, at debug level
/// (`RUST_LOG=connector_engine=debug`).
struct Phases<'a> {
    /// The instance.
    instance: &'a str,
    /// When the phase started.
    since: std::time::Instant,
}

impl<'a> Phases<'a> {
    /// Starts the first phase.
    fn start(instance: &'a str) -> Self {
        Self {
            instance,
            since: std::time::Instant::now(),
        }
    }

    /// Ends `phase`, starting the next.
    fn done(&mut self, phase: &str) {
        let now = std::time::Instant::now();
        let ms = (now - self.since).as_secs_f64() * 1000.0;
        tracing::debug!(instance = self.instance, phase, ms, "plan phase");
        self.since = now;
    }
}

/// The circuit breaker: disables, deletes and revokes, and members removed from pushed
/// groups, with the `earlier` removals of its window, against the instance's limits.
fn removals(
    instance: &Instance,
    steps: &[Step],
    groups: &[GroupStep],
    accounts: usize,
    earlier: u64,
    allow: bool,
) -> RemovalCheck {
    let policy = &instance.policy;
    let count = steps.iter().filter(|s| s.action.is_removal()).count() as u64
        + groups.iter().map(|g| g.action.removals()).sum::<u64>();
    // Nothing to remove never trips, whatever was removed before.
    let weighed = if count == 0 { 0 } else { count + earlier };
    let over_count = weighed > u64::from(policy.max_removals);
    let over_percent = policy
        .max_removal_percent
        .is_some_and(|p| weighed as f64 > p / 100.0 * accounts.max(1) as f64);
    RemovalCheck {
        count,
        earlier,
        max: u64::from(policy.max_removals),
        max_percent: policy.max_removal_percent,
        tripped: (over_count || over_percent) && !allow,
    }
}

/// Seats given back: revoked SKUs, and automatic seats of accounts being removed.
fn reclaim(
    instance: &Instance,
    steps: &[Step],
    held: &BTreeMap<String, BTreeMap<String, LicenseState>>,
    currency: &str,
) -> Reclaim {
    let mut reclaim = Reclaim {
        currency: currency.to_owned(),
        ..Reclaim::default()
    };
    let mut count = |sku: &str| {
        reclaim.seats += 1;
        *reclaim.by_sku.entry(sku.to_owned()).or_default() += 1;
        reclaim.monthly_saving += instance.prices.get(sku).copied().unwrap_or(0.0);
    };
    for step in steps {
        match &step.action {
            Action::RevokeLicense { sku, .. } => count(sku),
            Action::ManualTask { sku, operation, .. } if operation == "revoke" => count(sku),
            Action::Disable | Action::Delete => {
                let person = step.target.identity_id.as_deref().unwrap_or_default();
                for sku in held.get(person).into_iter().flat_map(|h| h.keys()) {
                    let automatic = instance
                        .manifest
                        .license(sku)
                        .is_some_and(|s| s.mode == LicenseMode::Automatic);
                    if automatic {
                        count(sku);
                    }
                }
            }
            _ => {}
        }
    }
    reclaim
}
