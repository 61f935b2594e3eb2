//! Reconciling one instance: directory people and their grants, the app's accounts and
//! the engine's state, into ordered steps.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use connector_sdk::{Account, Capability, Identity, IdentityStatus};

use super::desired::{Desired, Grant};
use super::model::{Action, ProtectedAccount, Step, Target};
use super::removal::{orphan, removal_reason, remove};
use super::steps::Steps;
use crate::attrs::{self, Snapshot};
use crate::config::{ExistingAccounts, Instance};
use crate::directory::Directory;
use crate::state::{LicenseState, Link};

/// What reconciling reads.
pub(crate) struct Inputs<'a> {
    /// The instance.
    pub instance: &'a Instance,
    /// The directory.
    pub directory: &'a Directory,
    /// The app's accounts.
    pub accounts: &'a [Account],
    /// The engine's links, by person id.
    pub links: &'a BTreeMap<String, Link>,
    /// Licences the engine gave: person → SKU → state.
    pub held: &'a BTreeMap<String, BTreeMap<String, LicenseState>>,
    /// What the rules give.
    pub desired: &'a Desired,
    /// The profile fields the connector maps.
    pub fields: &'a BTreeSet<String>,
}

/// The steps and the accounts left alone.
pub(crate) struct Reconciled {
    /// Ordered steps.
    pub steps: Vec<Step>,
    /// Accounts the engine does not touch.
    pub protected: Vec<ProtectedAccount>,
}

/// Finds accounts for people: by `externalId` = person id, email, or user name = login
/// or email (case-insensitive).
struct AccountIndex<'a> {
    by_key: HashMap<String, &'a Account>,
}

impl<'a> AccountIndex<'a> {
    fn new(accounts: &'a [Account]) -> Self {
        let mut by_key = HashMap::new();
        for account in accounts {
            if let Some(external) = &account.external_id {
                by_key.entry(format!("x:{external}")).or_insert(account);
            }
            if let Some(email) = &account.email {
                by_key
                    .entry(format!("k:{}", email.to_lowercase()))
                    .or_insert(account);
            }
            by_key
                .entry(format!("k:{}", account.user_name.to_lowercase()))
                .or_insert(account);
        }
        Self { by_key }
    }

    /// The unclaimed account matching `who`.
    fn find(&self, who: &Identity, claimed: &HashSet<String>) -> Option<&'a Account> {
        [
            format!("x:{}", who.id),
            format!("k:{}", who.email.to_lowercase()),
            format!("k:{}", who.login.to_lowercase()),
        ]
        .iter()
        .filter_map(|key| self.by_key.get(key))
        .find(|account| !claimed.contains(&account.id))
        .copied()
    }
}

/// Reconciles one instance.
pub(crate) fn reconcile(inputs: &Inputs) -> Reconciled {
    let by_id: HashMap<&str, &Account> =
        inputs.accounts.iter().map(|a| (a.id.as_str(), a)).collect();
    let mut claimed: HashSet<String> = inputs
        .links
        .values()
        .filter(|l| by_id.contains_key(l.account_id.as_str()))
        .map(|l| l.account_id.clone())
        .collect();
    let index = AccountIndex::new(inputs.accounts);
    let mut steps = Steps::new(inputs.instance);
    let mut protected = Vec::new();
    let no_licenses = BTreeMap::new();

    for who in &inputs.directory.people {
        let link = inputs.links.get(&who.id);
        let linked = link.and_then(|l| by_id.get(l.account_id.as_str()).copied());
        let grant = inputs
            .desired
            .grants
            .get(&who.id)
            .filter(|_| who.status.is_active());
        let held = inputs.held.get(&who.id).unwrap_or(&no_licenses);
        let mut target = Target {
            identity_id: Some(who.id.clone()),
            login: Some(who.login.clone()),
            ..Target::default()
        };
        match (grant, linked, link) {
            (Some(grant), Some(account), Some(link)) => {
                set_account(&mut target, account);
                keep(
                    inputs,
                    &mut steps,
                    &target,
                    who,
                    grant,
                    account,
                    Some(link),
                    held,
                );
            }
            (Some(grant), None, _) => match index.find(who, &claimed) {
                Some(account) => {
                    claimed.insert(account.id.clone());
                    set_account(&mut target, account);
                    existing(inputs, &mut steps, &target, who, grant, account);
                }
                None => {
                    let mut reason = format!("assigned by {}", grant.rules.join(", "));
                    if let Some(link) = link {
                        reason.push_str(&format!(
                            "; linked account {} no longer exists",
                            link.account_id
                        ));
                    }
                    if steps.gated(
                        &target,
                        Action::Create,
                        inputs.instance.policy.create,
                        Capability::Create,
                        &reason,
                    ) {
                        let skus: Vec<_> = grant
                            .licenses
                            .iter()
                            .map(|(s, r)| (s.clone(), format!("granted by {r}")))
                            .collect();
                        steps.assign(&target, &skus);
                    }
                }
            },
            (None, Some(account), _) => {
                set_account(&mut target, account);
                let why = removal_reason(inputs.desired, who);
                remove(inputs, &mut steps, &target, account, held, &why, who.status);
            }
            (None, None, _) | (Some(_), Some(_), None) => {
                if let Some(account) = index.find(who, &claimed) {
                    claimed.insert(account.id.clone());
                    protected.push(ProtectedAccount {
                        account_id: account.id.clone(),
                        user_name: account.user_name.clone(),
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

    let present: HashSet<&str> = inputs
        .directory
        .people
        .iter()
        .map(|p| p.id.as_str())
        .collect();
    for link in inputs
        .links
        .values()
        .filter(|l| !present.contains(l.identity_id.as_str()))
    {
        if let Some(account) = by_id.get(link.account_id.as_str()) {
            let mut target = Target {
                identity_id: Some(link.identity_id.clone()),
                login: Some(link.login.clone()),
                ..Target::default()
            };
            set_account(&mut target, account);
            let held = inputs.held.get(&link.identity_id).unwrap_or(&no_licenses);
            let why = "no longer in the directory";
            remove(
                inputs,
                &mut steps,
                &target,
                account,
                held,
                why,
                IdentityStatus::Deprovisioned,
            );
        }
    }

    for account in inputs.accounts.iter().filter(|a| !claimed.contains(&a.id)) {
        orphan(inputs.instance, &mut steps, &mut protected, account);
    }
    Reconciled {
        steps: steps.list,
        protected,
    }
}

/// Fills the account half of a target.
fn set_account(target: &mut Target, account: &Account) {
    target.account_id = Some(account.id.clone());
    target.user_name = Some(account.user_name.clone());
}

/// SKUs the person visibly or recordedly holds.
pub(super) fn holding(
    account: &Account,
    held: &BTreeMap<String, LicenseState>,
) -> BTreeSet<String> {
    held.keys()
        .cloned()
        .chain(account.licenses.iter().cloned())
        .collect()
}

/// A managed account of an assigned person: reactivate, update, licences.
#[allow(clippy::too_many_arguments)]
fn keep(
    inputs: &Inputs,
    steps: &mut Steps,
    target: &Target,
    who: &Identity,
    grant: &Grant,
    account: &Account,
    link: Option<&Link>,
    held: &BTreeMap<String, LicenseState>,
) {
    let policy = &inputs.instance.policy;
    if !account.active {
        steps.gated(
            target,
            Action::Enable,
            policy.deactivate,
            Capability::Reactivate,
            "assigned again",
        );
    }
    let snapshot = attrs::snapshot(who, inputs.fields);
    let hash = attrs::hash(&snapshot);
    if link.and_then(|l| l.attributes_hash.as_deref()) != Some(hash.as_str()) {
        let before: Option<Snapshot> = link
            .and_then(|l| l.attributes.as_deref())
            .and_then(|a| serde_json::from_str(a).ok());
        let changes = attrs::diff(before.as_ref(), &snapshot);
        let reason = if link.is_some_and(|l| l.attributes_hash.is_some()) {
            "the profile changed"
        } else {
            "bring the account in line with the profile"
        };
        steps.gated(
            target,
            Action::Update { changes },
            policy.update,
            Capability::Update,
            reason,
        );
    }
    let holds = holding(account, held);
    let to_assign: Vec<_> = grant
        .licenses
        .iter()
        .filter(|(sku, _)| !holds.contains(*sku))
        .map(|(sku, rule)| (sku.clone(), format!("granted by {rule}")))
        .collect();
    steps.assign(target, &to_assign);
    let ended = inputs.desired.ended.get(&who.id);
    for sku in holds
        .iter()
        .filter(|sku| !grant.licenses.contains_key(*sku))
    {
        let reason = ended
            .and_then(|e| e.iter().find(|e| e.licenses.contains(sku)))
            .map_or_else(
                || "no longer granted".to_owned(),
                |e| format!("grant ended {} ({})", e.until, e.rule),
            );
        steps.revoke(target, &BTreeSet::from([sku.clone()]), &reason);
    }
}

/// An account the engine did not create, of an assigned person: adopt or flag.
fn existing(
    inputs: &Inputs,
    steps: &mut Steps,
    target: &Target,
    who: &Identity,
    grant: &Grant,
    account: &Account,
) {
    match inputs.instance.policy.existing_accounts {
        ExistingAccounts::Adopt => {
            let reason = format!(
                "account {} exists and was not created by the engine; policy adopts it",
                account.user_name
            );
            steps.push(target, Action::Link, reason);
            keep(
                inputs,
                steps,
                target,
                who,
                grant,
                account,
                None,
                &BTreeMap::new(),
            );
        }
        ExistingAccounts::Flag => {
            let reason = format!(
                "account {} ({}) exists and was not created by the engine; policy \
                 existing_accounts = \"flag\" leaves it alone and creates no duplicate",
                account.user_name, account.id
            );
            let code = super::model::SkipCode::ExistingAccountFlagged;
            steps.push(
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
