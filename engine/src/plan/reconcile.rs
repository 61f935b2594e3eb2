//! Reconciling one instance: directory people and their grants, the app's accounts and
//! the engine's state, into ordered steps.

use std::collections::{BTreeMap, BTreeSet};

use connector_sdk::{Capability, Identity, IdentityStatus};

use super::accounts::{AccountView, Accounts};
use super::desired::{Desired, Grant};
use super::drift::{self, Drifts};
use super::fingerprint::FieldSet;
use super::index::NONE;
use super::join::{ACTIVE, FRESH, LICENSED, LINKED, Prepared};
use super::links::{LinkView, Links, StoredHash};
use super::model::{Action, ProtectedAccount, Step};
use super::removal::{orphan, removal_reason, remove};
use super::steps::{Steps, TargetRef};
use crate::attrs;
use crate::config::{Drift as DriftPolicy, ExistingAccounts, Instance};
use crate::directory::Directory;
use crate::state::LicenseState;

/// What reconciling reads.
pub(crate) struct Inputs<'a> {
    /// The instance.
    pub instance: &'a Instance,
    /// The directory.
    pub directory: &'a Directory,
    /// The app's accounts.
    pub accounts: &'a Accounts,
    /// The engine's links.
    pub links: &'a Links,
    /// Licences the engine gave: person → SKU → state.
    pub held: &'a BTreeMap<String, BTreeMap<String, LicenseState>>,
    /// What the rules give.
    pub desired: &'a Desired,
    /// The profile fields the connector maps.
    pub fields: &'a FieldSet,
}

/// An update of a linked account whose `changes` need the snapshot last applied, which
/// the state gives after reconciling (only for these, not for every link).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PendingDiff {
    /// The update's index in [`Reconciled::steps`].
    pub step: usize,
    /// The person's index in the directory.
    pub person: usize,
}

/// The steps of a person no longer in the directory, whose login (kept with the link)
/// is still to be filled in.
#[derive(Debug, Clone)]
pub(crate) struct Departed {
    /// Their steps in [`Reconciled::steps`].
    pub steps: std::ops::Range<usize>,
    /// Their person id.
    pub identity_id: String,
}

/// The steps and the accounts left alone.
pub(crate) struct Reconciled {
    /// Ordered steps.
    pub steps: Vec<Step>,
    /// Accounts the engine does not touch.
    pub protected: Vec<ProtectedAccount>,
    /// Updates whose changes are still to be filled in.
    pub pending: Vec<PendingDiff>,
    /// Steps whose login is still to be filled in.
    pub departed: Vec<Departed>,
}

/// What one pass over the directory builds.
struct Pass<'a> {
    /// The inputs.
    inputs: &'a Inputs<'a>,
    /// What the app holds that differs from the directory.
    drifts: &'a Drifts,
    /// The steps so far.
    steps: Steps<'a>,
    /// Updates waiting for their changes.
    pending: Vec<PendingDiff>,
}

/// Decides, in directory order, the steps of every person, then of the links of people
/// no longer in the directory, then of the accounts matching nobody.
pub(crate) fn decide(inputs: &Inputs, prepared: Prepared, drifts: &Drifts) -> Reconciled {
    let (accounts, links, people) = (inputs.accounts, inputs.links, &inputs.directory.people);
    let departed_links: Vec<u32> = prepared.departed().collect();
    let Prepared {
        facts,
        link_account,
        mut claimed,
        matching,
        ..
    } = prepared;
    let mut asked = 0;
    let mut pass = Pass {
        inputs,
        drifts,
        steps: Steps::new(inputs.instance),
        pending: Vec::new(),
    };
    let mut protected = Vec::new();
    let no_licenses = BTreeMap::new();
    let linked_account = |link: u32| {
        let row = link_account[link as usize];
        (row != NONE).then(|| accounts.get(row))
    };

    for (person, (who, facts)) in people.iter().zip(&facts).enumerate() {
        let grant = inputs
            .desired
            .grant(person)
            .filter(|_| who.status.is_active());
        let is_linked = facts.flags & LINKED != 0;
        let held = inputs.held.get(&who.id);
        // Nothing to do: linked, active, attributes applied, no seat either way.
        if let Some(grant) = grant
            && is_linked
            && facts.flags & (FRESH | ACTIVE | LICENSED) == FRESH | ACTIVE
            && grant.licenses.is_empty()
            && held.is_none()
            && drifts.of(person).is_none()
        {
            continue;
        }
        let held = held.unwrap_or(&no_licenses);
        let link = (facts.link != NONE).then(|| links.get(facts.link));
        let linked = link.and_then(|l| linked_account(l.row));
        let mut target = TargetRef {
            identity_id: Some(&who.id),
            login: Some(&who.login),
            ..TargetRef::default()
        };
        let candidate = if is_linked {
            None
        } else {
            asked += 1;
            matching.find(asked - 1, &claimed)
        };
        match (grant, linked, link) {
            (Some(grant), Some(account), Some(link)) => {
                set_account(&mut target, account);
                let ours = Ours {
                    person,
                    who,
                    grant,
                    account,
                    link: Some(link),
                    fresh: facts.flags & FRESH != 0,
                    held,
                };
                keep(&mut pass, &target, &ours);
            }
            (Some(grant), None, _) => match candidate {
                Some(row) => {
                    claimed[row as usize] = true;
                    let account = accounts.get(row);
                    set_account(&mut target, account);
                    existing(&mut pass, &target, person, who, grant, account);
                }
                None => create(&mut pass.steps, &target, grant, link),
            },
            (None, Some(account), _) => {
                set_account(&mut target, account);
                let why = removal_reason(inputs.desired, person, who);
                remove(
                    inputs,
                    &mut pass.steps,
                    &target,
                    account,
                    held,
                    &why,
                    who.status,
                );
            }
            (None, None, _) | (Some(_), Some(_), None) => {
                if let Some(row) = candidate {
                    claimed[row as usize] = true;
                    let account = accounts.get(row);
                    protected.push(ProtectedAccount {
                        account_id: account.id.to_owned(),
                        user_name: account.user_name.to_owned(),
                        active: account.active,
                        reason: format!(
                            "matches {}, who is not assigned here; not created by the engine",
                            who.login
                        ),
                    });
                }
            }
        }
    }

    // Links of people no longer in the directory, in person id order.
    let mut absent: Vec<(LinkView, AccountView)> = departed_links
        .into_iter()
        .filter_map(|l| Some((links.get(l), linked_account(l)?)))
        .collect();
    absent.sort_by(|a, b| a.0.identity_id.cmp(b.0.identity_id));
    let mut departed = Vec::new();
    for (link, account) in absent {
        let mut target = TargetRef {
            identity_id: Some(link.identity_id),
            // Filled in with the login kept with the link, read with the snapshots.
            login: None,
            ..TargetRef::default()
        };
        set_account(&mut target, account);
        let held = inputs.held.get(link.identity_id).unwrap_or(&no_licenses);
        let why = "no longer in the directory";
        let first = pass.steps.list.len();
        remove(
            inputs,
            &mut pass.steps,
            &target,
            account,
            held,
            why,
            IdentityStatus::Deprovisioned,
        );
        departed.push(Departed {
            steps: first..pass.steps.list.len(),
            identity_id: link.identity_id.to_owned(),
        });
    }

    for account in accounts.iter().filter(|a| !claimed[a.row as usize]) {
        orphan(inputs.instance, &mut pass.steps, &mut protected, account);
    }
    Reconciled {
        steps: pass.steps.list,
        protected,
        pending: pass.pending,
        departed,
    }
}

/// Fills the account half of a target.
fn set_account<'a>(target: &mut TargetRef<'a>, account: AccountView<'a>) {
    target.account_id = Some(account.id);
    target.user_name = Some(account.user_name);
}

/// SKUs the person visibly or recordedly holds.
pub(super) fn holding<'a>(
    account: AccountView<'a>,
    held: &'a BTreeMap<String, LicenseState>,
) -> BTreeSet<&'a str> {
    held.keys()
        .map(String::as_str)
        .chain(account.licenses())
        .collect()
}

/// A person's account the engine manages (or is about to).
struct Ours<'a> {
    /// The person's index in the directory.
    person: usize,
    /// The person.
    who: &'a Identity,
    /// What the rules give them.
    grant: &'a Grant,
    /// The account.
    account: AccountView<'a>,
    /// The link, unless the account is being adopted.
    link: Option<LinkView<'a>>,
    /// Whether the attributes last applied are the profile's now.
    fresh: bool,
    /// Licences the engine gave them.
    held: &'a BTreeMap<String, LicenseState>,
}

/// The create of an assigned person without an account, and its seats.
fn create(steps: &mut Steps, target: &TargetRef, grant: &Grant, link: Option<LinkView>) {
    let mut reason = format!("assigned by {}", grant.rules.join(", "));
    if let Some(link) = link {
        reason.push_str(&format!(
            "; linked account {} no longer exists",
            link.account_id
        ));
    }
    let policy = steps.instance.policy.create;
    if steps.gated(target, Action::Create, policy, Capability::Create, reason) {
        let skus: Vec<_> = grant
            .licenses
            .iter()
            .map(|(s, r)| (s.clone(), format!("granted by {r}")))
            .collect();
        steps.assign(target, &skus);
    }
}

/// A managed account of an assigned person: reactivate, update, licences.
fn keep(pass: &mut Pass, target: &TargetRef, ours: &Ours) {
    let inputs = pass.inputs;
    let policy = &inputs.instance.policy;
    if !ours.account.active {
        pass.steps.gated(
            target,
            Action::Enable,
            policy.deactivate,
            Capability::Reactivate,
            "assigned again",
        );
    }
    let stored = ours.link.map_or(StoredHash::Missing, |l| l.hash);
    let drifted = pass.drifts.of(ours.person);
    if let (true, Some(drift)) = (ours.fresh, drifted) {
        // The directory did not change since the last write; the app did.
        let reason = drift::reason(drift);
        match policy.drift {
            DriftPolicy::Correct => {
                let changes = drift::changes(drift);
                pass.steps.gated(
                    target,
                    Action::Update { changes },
                    policy.update,
                    Capability::Update,
                    reason,
                );
            }
            DriftPolicy::Report => pass.steps.push(
                target,
                Action::Skip {
                    skipped: "update".to_owned(),
                    code: super::model::SkipCode::DriftReported,
                },
                reason,
            ),
        }
    }
    if !ours.fresh {
        let reason = if stored == StoredHash::Missing {
            "bring the account in line with the profile"
        } else {
            "the profile changed"
        };
        // Without a link nothing was applied: every set field changes.
        let changes = match ours.link {
            Some(_) => Vec::new(),
            None => attrs::diff(None, &inputs.fields.snapshot(ours.who)),
        };
        let added = pass.steps.gated(
            target,
            Action::Update { changes },
            policy.update,
            Capability::Update,
            reason,
        );
        if added && ours.link.is_some() {
            pass.pending.push(PendingDiff {
                step: pass.steps.list.len() - 1,
                person: ours.person,
            });
        }
    }
    let holds = holding(ours.account, ours.held);
    let grant = ours.grant;
    let to_assign: Vec<_> = grant
        .licenses
        .iter()
        .filter(|(sku, _)| !holds.contains(sku.as_str()))
        .map(|(sku, rule)| (sku.clone(), format!("granted by {rule}")))
        .collect();
    pass.steps.assign(target, &to_assign);
    let ended = inputs.desired.ended(ours.person);
    for sku in holds
        .iter()
        .filter(|sku| !grant.licenses.contains_key(**sku))
    {
        let reason = ended
            .iter()
            .find(|e| e.licenses.iter().any(|l| l == sku))
            .map_or_else(
                || "no longer granted".to_owned(),
                |e| format!("grant ended {} ({})", e.until, e.rule),
            );
        pass.steps.revoke(target, [*sku], &reason);
    }
}

/// An account the engine did not create, of an assigned person: adopt or flag.
fn existing(
    pass: &mut Pass,
    target: &TargetRef,
    person: usize,
    who: &Identity,
    grant: &Grant,
    account: AccountView,
) {
    match pass.inputs.instance.policy.existing_accounts {
        ExistingAccounts::Adopt => {
            let reason = format!(
                "account {} exists and was not created by the engine; policy adopts it",
                account.user_name
            );
            pass.steps.push(target, Action::Link, reason);
            let none = BTreeMap::new();
            let ours = Ours {
                person,
                who,
                grant,
                account,
                link: None,
                fresh: false,
                held: &none,
            };
            keep(pass, target, &ours);
        }
        ExistingAccounts::Flag => {
            let reason = format!(
                "account {} ({}) exists and was not created by the engine; policy \
                 existing_accounts = \"flag\" leaves it alone and creates no duplicate",
                account.user_name, account.id
            );
            let code = super::model::SkipCode::ExistingAccountFlagged;
            pass.steps.push(
                target,
                Action::Skip {
                    skipped: "create".to_owned(),
                    code,
                },
                reason,
            );
        }
    }
}
