//! The plan: what each instance needs so that its accounts and seats match the directory
//! and the assignments. Planning reads the apps (import) and the state; it writes nothing.

mod desired;
mod model;
mod reconcile;
mod removal;
pub mod render;
mod steps;

use std::collections::{BTreeMap, HashSet};

use connector_sdk::{Account, Capability, Connector, LicenseMode, list_all};
use time::OffsetDateTime;

pub use model::{
    Action, InstancePlan, PLAN_FORMAT_VERSION, Plan, ProtectedAccount, Reclaim, RemovalCheck,
    SkipCode, SourceSummary, SsoPlan, Step, Summary, Target,
};

use crate::attrs;
use crate::config::{Assignments, Instance};
use crate::directory::Directory;
use crate::state::{LicenseState, Store};
pub(crate) use desired::desired;

/// Plans one instance: imports its accounts, reconciles, counts removals and reclaim.
/// An import failure is reported on the instance, which then plans nothing.
pub(crate) async fn plan_instance(
    assignments: &Assignments,
    instance: &Instance,
    connector: Result<&dyn Connector, String>,
    directory: &Directory,
    store: &Store,
    now: OffsetDateTime,
    allow_removals: bool,
) -> Result<InstancePlan, crate::EngineError> {
    let manifest = instance.manifest;
    let mut plan = InstancePlan {
        instance: instance.name.clone(),
        connector: manifest.name.to_owned(),
        display_name: manifest.display_name.to_owned(),
        accounts: 0,
        error: None,
        steps: Vec::new(),
        protected: Vec::new(),
        sso: SsoPlan::default(),
        removals: RemovalCheck::default(),
        reclaim: Reclaim {
            currency: assignments.settings.currency.clone(),
            ..Reclaim::default()
        },
    };
    let desired = desired(assignments, &instance.name, directory, now);
    let links = store.links(&instance.name).await?;
    let held = store.licenses(&instance.name).await?;
    let accounts = match connector {
        Ok(connector) => import(connector, directory).await,
        Err(error) => Err(error),
    };
    let accounts = match accounts {
        Ok(accounts) => accounts,
        Err(error) => {
            plan.error = Some(error);
            return Ok(plan);
        }
    };
    plan.accounts = accounts.len() as u64;
    let fields = attrs::mapped_fields(manifest);
    let reconciled = reconcile::reconcile(&reconcile::Inputs {
        instance,
        directory,
        accounts: &accounts,
        links: &links,
        held: &held,
        desired: &desired,
        fields: &fields,
    });
    plan.steps = reconciled.steps;
    plan.protected = reconciled.protected;
    plan.sso = sso_plan(instance, directory, &desired);
    plan.removals = removals(instance, &plan.steps, accounts.len(), allow_removals);
    plan.reclaim = reclaim(instance, &plan.steps, &held, &assignments.settings.currency);
    Ok(plan)
}

/// Every account of the instance: the full listing when the connector imports, else a
/// `find` per directory person. Duplicates (index paging is not
/// stable) are dropped.
async fn import(connector: &dyn Connector, directory: &Directory) -> Result<Vec<Account>, String> {
    let accounts = if connector.manifest().can(Capability::Import) {
        list_all(connector)
            .await
            .map_err(|e| format!("cannot import accounts: {e}"))?
    } else {
        let mut found = Vec::new();
        for who in directory.people.iter() {
            if let Some(account) = connector
                .find(who)
                .await
                .map_err(|e| format!("cannot find {}: {e}", who.login))?
            {
                found.push(account);
            }
        }
        found
    };
    let mut seen = HashSet::new();
    Ok(accounts
        .into_iter()
        .filter(|a| seen.insert(a.id.clone()))
        .collect())
}

/// The sign-in side: who holds the assignment and how the tile works.
fn sso_plan(instance: &Instance, directory: &Directory, desired: &desired::Desired) -> SsoPlan {
    let sso = &instance.manifest.sso;
    let people = directory.by_id();
    let login = |id: &String| {
        people
            .get(id.as_str())
            .map(|p| p.login.clone())
            .unwrap_or_else(|| id.clone())
    };
    let provisioned: HashSet<&String> = desired
        .grants
        .keys()
        .filter(|id| {
            people
                .get(id.as_str())
                .is_some_and(|p| p.status.is_active())
        })
        .collect();
    let mut plan = SsoPlan {
        managed: desired.sso_managed,
        tile: if sso.sp_initiated_only {
            "bookmark"
        } else {
            "app"
        }
        .to_owned(),
        login_url: sso.login_url.map(|url| {
            connector_sdk::config::render_template(url, &instance.connection.variables)
                .unwrap_or_else(|_| url.to_owned())
        }),
        assigned: desired.sso.iter().map(login).collect(),
        ..SsoPlan::default()
    };
    if desired.sso_managed {
        plan.sso_only = desired
            .sso
            .iter()
            .filter(|id| !provisioned.contains(id))
            .map(login)
            .collect();
        plan.provisioned_without_sso = provisioned
            .iter()
            .filter(|id| !desired.sso.contains(**id))
            .map(|id| login(id))
            .collect();
        plan.provisioned_without_sso.sort();
    }
    plan
}

/// The circuit breaker: disables, deletes and revokes against the instance's limits.
fn removals(instance: &Instance, steps: &[Step], accounts: usize, allow: bool) -> RemovalCheck {
    let policy = &instance.policy;
    let count = steps.iter().filter(|s| s.action.is_removal()).count() as u64;
    let over_count = count > u64::from(policy.max_removals);
    let over_percent = policy
        .max_removal_percent
        .is_some_and(|p| count as f64 > p / 100.0 * accounts.max(1) as f64);
    RemovalCheck {
        count,
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
