//! Linking an account to a person: the one place that decides whether an account found
//! in an app may become a person's, so that every path that links (a create, a create
//! refused because the account exists, an adoption, a crash recovery) applies the same
//! rules: one account, one person, per instance; an account the engine did not create is
//! adopted only where the policy says so; a conflict is reported, never resolved by
//! taking the account from someone else.

use std::collections::HashMap;
use std::sync::Mutex;

use connector_sdk::{AccountRef, Identity};

use crate::config::ExistingAccounts;
use crate::state::{Link, Origin, Store};

/// The accounts linked during the current run of one instance, before their links are
/// committed: two concurrent steps that meet one account see each other.
#[derive(Debug, Default)]
pub(crate) struct Claims(Mutex<HashMap<String, (String, String)>>);

impl Claims {
    /// Claims `account_id` for `who`; the other person's id and login when someone else
    /// claimed it first in this run.
    fn claim(&self, account_id: &str, who: &Identity) -> Option<(String, String)> {
        let mut claims = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (id, login) = claims
            .entry(account_id.to_owned())
            .or_insert_with(|| (who.id.clone(), who.login.clone()));
        (*id != who.id).then(|| (id.clone(), login.clone()))
    }
}

/// What may be done with an account found for a person.
#[derive(Debug)]
pub(crate) enum Decision {
    /// Link it.
    Link(Link),
    /// Leave it alone: it exists, the engine did not create it, and the policy flags.
    Flag(String),
    /// Another person holds it: report both, link nothing.
    Conflict(String),
}

/// How the account came to be found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Found {
    /// The engine's create made it (the service answered with it, or an ambiguous
    /// attempt of this step reached the app).
    Created,
    /// It existed before: the create was refused, or the plan matched it.
    Existing,
}

/// Decides whether `account` may be linked to `who` in `instance`.
///
/// # Errors
///
/// When the state cannot be read (the step then fails and the next run decides).
pub(crate) async fn decide(
    store: &Store,
    claims: &Claims,
    instance: &str,
    policy: ExistingAccounts,
    who: &Identity,
    account: &AccountRef,
    found: Found,
) -> Result<Decision, String> {
    let origin = match (found, policy) {
        (Found::Created, _) => Origin::Created,
        (Found::Existing, ExistingAccounts::Adopt) => Origin::Adopted,
        (Found::Existing, ExistingAccounts::Flag) => {
            return Ok(Decision::Flag(format!(
                "account {} ({}) exists and was not created by the engine; policy \
                 existing_accounts = \"flag\" leaves it alone and creates no duplicate",
                account.user_name, account.id
            )));
        }
    };
    let owner = store
        .account_owner(instance, &account.id)
        .await
        .map_err(|e| e.to_string())?;
    let other = match owner {
        Some((id, login)) if id != who.id => Some((id, login)),
        _ => claims.claim(&account.id, who),
    };
    if let Some((other_id, other_login)) = other {
        return Ok(Decision::Conflict(conflict(
            who,
            account,
            &other_id,
            &other_login,
        )));
    }
    Ok(Decision::Link(Link {
        instance: instance.to_owned(),
        identity_id: who.id.clone(),
        login: who.login.clone(),
        account_id: account.id.clone(),
        user_name: account.user_name.clone(),
        // A created account is active; an adopted one is as it was found.
        active: (origin == Origin::Created).then_some(true),
        origin,
        attributes_hash: None,
        attributes: None,
    }))
}

/// The report of an account that two people would hold.
pub(crate) fn conflict(
    who: &Identity,
    account: &AccountRef,
    other_id: &str,
    other: &str,
) -> String {
    format!(
        "conflict: account {} ({}) already belongs to {other} (id {other_id}); not linked to \
         {} (id {}): two people must not share one account — fix the directory or the \
         mapping, then rerun",
        account.user_name, account.id, who.login, who.id
    )
}

/// The account half of a link, for the chain's later steps.
pub(crate) fn reference(link: &Link) -> AccountRef {
    AccountRef {
        id: link.account_id.clone(),
        user_name: link.user_name.clone(),
    }
}
