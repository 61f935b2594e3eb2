//! People who would share one account. A service's user name is unique, and the mapping
//! that makes it is known without a call (Slack's is the lower-cased local part of the
//! email, so `ada@eng.example.com` and `ada@sales.example.com` are both `ada`). Before
//! anything is created, every planned create whose user name another planned create
//! shares, or an account of the app already holds, becomes a reported conflict instead:
//! creating would end with two people on one account.

use std::collections::{HashMap, HashSet};

use connector_sdk::Connector;

use super::accounts::{Accounts, lower};
use super::links::Links;
use super::model::{Action, SkipCode, Step};
use crate::directory::Directory;

/// Replaces the creates that would share an account, and the seat steps that needed
/// the account, with conflict skips.
pub(crate) fn refuse_shared_accounts(
    connector: &dyn Connector,
    directory: &Directory,
    accounts: &Accounts,
    links: &Links,
    steps: &mut [Step],
) {
    let creating: HashSet<&str> = steps
        .iter()
        .filter(|s| s.action == Action::Create)
        .filter_map(|s| s.target.identity_id.as_deref())
        .collect();
    if creating.is_empty() {
        return;
    }
    // The user name of each person to create, lower-cased (services compare it so).
    let mut names: HashMap<String, Vec<(&str, &str)>> = HashMap::new();
    for who in directory
        .people
        .iter()
        .filter(|p| creating.contains(p.id.as_str()))
    {
        if let Some(name) = connector.user_name_for(who) {
            names
                .entry(lower(&name).into_owned())
                .or_default()
                .push((&who.id, &who.login));
        }
    }
    // Accounts already holding one of those names, and whose they are.
    let mut taken: HashMap<&str, (&str, &str)> = HashMap::new();
    for account in accounts.iter() {
        let name = lower(account.user_name);
        if let Some((key, _)) = names.get_key_value(name.as_ref()) {
            taken.insert(key.as_str(), (account.id, account.user_name));
        }
    }
    let owners: HashMap<&str, &str> = if taken.is_empty() {
        HashMap::new()
    } else {
        let ids: HashSet<&str> = taken.values().map(|(id, _)| *id).collect();
        (0..links.len() as u32)
            .map(|row| links.get(row))
            .filter(|link| ids.contains(link.account_id))
            .map(|link| (link.account_id, link.identity_id))
            .collect()
    };
    let mut refused: HashMap<&str, String> = HashMap::new();
    for (name, people) in &names {
        let reason = match taken.get(name.as_str()) {
            Some((id, user_name)) => {
                let holder = owners
                    .get(id)
                    .map_or("nobody the engine manages".to_owned(), |p| {
                        format!("directory person {p}")
                    });
                format!(
                    "conflict: user name `{name}` is already account {user_name} ({id}), held \
                     by {holder}; creating would put two people on one account"
                )
            }
            None if people.len() > 1 => {
                let who: Vec<_> = people.iter().map(|(_, login)| *login).collect();
                format!(
                    "conflict: {} all map to user name `{name}`; none is created, since they \
                     would share one account — change the mapping or the directory",
                    who.join(", ")
                )
            }
            None => continue,
        };
        for (id, _) in people {
            refused.insert(id, reason.clone());
        }
    }
    if refused.is_empty() {
        return;
    }
    // Steps keep their places: later phases address them by index.
    for step in steps.iter_mut() {
        let Some(reason) = step
            .target
            .identity_id
            .as_deref()
            .and_then(|id| refused.get(id))
        else {
            continue;
        };
        match &step.action {
            Action::Create => step.reason = reason.clone(),
            // The seats of an account that is not created.
            Action::AssignLicense { .. } | Action::ManualTask { .. } => {
                step.reason = "no account: its create is refused as a conflict".to_owned();
            }
            _ => continue,
        }
        step.action = Action::Skip {
            skipped: step.action.name().to_owned(),
            code: SkipCode::SharedAccount,
        };
    }
}
