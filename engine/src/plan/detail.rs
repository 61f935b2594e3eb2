//! What the steps show that planning does not otherwise need, read from the state for
//! those steps only: the changes of updates (the snapshot last applied against the
//! profile now) and the logins of people no longer in the directory.

use std::collections::HashMap;

use super::fingerprint::{self, FieldSet};
use super::model::{Action, Step};
use super::parallel;
use super::reconcile::{Departed, PendingDiff};
use crate::attrs::AttributeChange;
use crate::directory::Directory;
use crate::state::{StateError, Store};

/// What the state keeps with a link that few steps show: the login when linked and the
/// attribute snapshot last applied.
pub(super) struct Detail {
    /// The login.
    login: String,
    /// The snapshot (JSON), if any.
    attributes: Option<String>,
}

/// The details of the links of `wanted` people.
pub(super) async fn read(
    store: &Store,
    instance: &str,
    wanted: &[String],
) -> Result<HashMap<String, Detail>, StateError> {
    // In key order, SQLite's lookups walk the index forwards.
    let mut ids: Vec<&str> = wanted.iter().map(String::as_str).collect();
    ids.sort_unstable();
    let mut found = HashMap::with_capacity(ids.len());
    store
        .for_each_link_detail(instance, &ids, |id, login, attributes| {
            let detail = Detail {
                login: login.to_owned(),
                attributes: attributes.map(str::to_owned),
            };
            found.insert(id.to_owned(), detail);
        })
        .await?;
    Ok(found)
}

/// Fills in what the steps still lack: the changes of updates (the profile now against
/// the snapshot last applied, computed on every core) and the logins of people no longer
/// in the directory.
pub(super) fn fill_in(
    steps: &mut [Step],
    pending: &[PendingDiff],
    departed: &[Departed],
    details: &HashMap<String, Detail>,
    directory: &Directory,
    fields: &FieldSet,
) {
    let mut changes: Vec<Vec<AttributeChange>> = vec![Vec::new(); pending.len()];
    parallel::for_chunks(&mut changes, |start, out| {
        for (diff, slot) in pending[start..].iter().zip(out) {
            let who = &directory.people[diff.person];
            let before = details.get(&who.id).and_then(|d| d.attributes.as_deref());
            *slot = fingerprint::changes(before, &fields.snapshot(who));
        }
    });
    for (diff, changes) in pending.iter().zip(changes) {
        if let Some(Step {
            action: Action::Update { changes: slot },
            ..
        }) = steps.get_mut(diff.step)
        {
            *slot = changes;
        }
    }
    for gone in departed {
        let login = details.get(&gone.identity_id).map(|d| d.login.clone());
        for step in steps.get_mut(gone.steps.clone()).into_iter().flatten() {
            step.target.login.clone_from(&login);
        }
    }
}
