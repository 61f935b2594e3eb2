//! Taking access away: removing a person's account (seats first, disable before delete)
//! and accounts that match no directory person (protected unless the policy prunes).

use std::collections::{BTreeMap, BTreeSet};

use connector_sdk::{Capability, Identity, IdentityStatus, LicenseMode};

use super::accounts::AccountView;
use super::desired::Desired;
use super::model::{Action, ProtectedAccount};
use super::reconcile::{Inputs, holding};
use super::steps::{Steps, TargetRef};
use crate::config::{Instance, Prune, Removal};
use crate::state::LicenseState;

/// Why an assigned-before person loses the account.
pub(super) fn removal_reason(desired: &Desired, person: usize, who: &Identity) -> String {
    match who.status {
        IdentityStatus::Suspended => "suspended in the directory".to_owned(),
        IdentityStatus::Deprovisioned => "deprovisioned in the directory".to_owned(),
        IdentityStatus::Active => match desired.ended(person).first() {
            Some(ended) => format!("access ended {} ({})", ended.until, ended.rule),
            None => "no longer assigned".to_owned(),
        },
    }
}

/// Takes a managed account away: seats first, then deactivate (or delete by policy).
pub(super) fn remove(
    inputs: &Inputs,
    steps: &mut Steps,
    target: &TargetRef,
    account: AccountView,
    held: &BTreeMap<String, LicenseState>,
    why: &str,
    status: IdentityStatus,
) {
    let instance = inputs.instance;
    let policy = &instance.policy;
    let paid: BTreeSet<&str> = holding(account, held)
        .into_iter()
        .filter(|sku| {
            instance
                .manifest
                .license(sku)
                .is_some_and(|s| s.mode != LicenseMode::Automatic)
        })
        .collect();
    if !account.active {
        if policy.reclaim_disabled && !paid.is_empty() {
            steps.revoke(
                target,
                paid.iter().copied(),
                &format!("{why}; the account is deactivated: reclaim its seats"),
            );
        }
        return;
    }
    steps.revoke(target, paid.iter().copied(), why);
    let delete = policy.removal == Removal::Delete && status != IdentityStatus::Suspended;
    if delete {
        steps.gated(
            target,
            Action::Delete,
            policy.deactivate,
            Capability::Delete,
            why,
        );
    } else {
        steps.gated(
            target,
            Action::Disable,
            policy.deactivate,
            Capability::Deactivate,
            why,
        );
    }
}

/// An account matching no directory person: protected unless the policy prunes.
pub(super) fn orphan(
    instance: &Instance,
    steps: &mut Steps,
    protected: &mut Vec<ProtectedAccount>,
    account: AccountView,
) {
    let target = TargetRef {
        account_id: Some(account.id),
        user_name: Some(account.user_name),
        ..TargetRef::default()
    };
    let policy = &instance.policy;
    let reason = "matches no directory person";
    match policy.prune {
        Prune::Disable if account.active => {
            let why = format!("{reason}; policy prune = \"disable\"");
            steps.gated(
                &target,
                Action::Disable,
                policy.deactivate,
                Capability::Deactivate,
                why,
            );
        }
        Prune::Delete => {
            let why = format!("{reason}; policy prune = \"delete\"");
            steps.gated(
                &target,
                Action::Delete,
                policy.deactivate,
                Capability::Delete,
                why,
            );
        }
        Prune::Disable => {}
        Prune::Protect => protected.push(ProtectedAccount {
            account_id: account.id.to_owned(),
            user_name: account.user_name.to_owned(),
            active: account.active,
            reason: format!("{reason}; protected (policy prune = \"protect\")"),
        }),
    }
}
