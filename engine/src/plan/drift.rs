//! Drift: what an app holds, compared with what the directory gives. The state records
//! what the engine last wrote, but a value changed by hand in the app, or one the app
//! never kept, shows only in the app itself: the listing the plan imports keeps each
//! account's managed attributes ([`Connector::managed_part`]), and here every linked
//! person's are compared with their mapping ([`Connector::drift`]), on every core.

use std::collections::HashMap;

use connector_sdk::{Connector, Drift};

use super::index::NONE;
use super::join::{LINKED, Prepared};
use super::parallel;
use super::reconcile::Inputs;
use crate::attrs::AttributeChange;

/// The drifted attributes of each person who has any, by directory index.
#[derive(Debug, Default)]
pub(crate) struct Drifts(HashMap<usize, Vec<Drift>>);

impl Drifts {
    /// The drifted attributes of the person at `person`.
    pub(super) fn of(&self, person: usize) -> Option<&[Drift]> {
        self.0.get(&person).map(Vec::as_slice)
    }
}

/// Compares every linked person's account, as the app listed it, with their mapping.
pub(crate) fn detect(connector: &dyn Connector, inputs: &Inputs, prepared: &Prepared) -> Drifts {
    let people = &inputs.directory.people;
    let parts = parallel::map_ranges(people.len(), |range| {
        let mut found = Vec::new();
        for person in range {
            let facts = prepared.facts[person];
            if facts.flags & LINKED == 0 {
                continue;
            }
            let row = prepared.link_account[facts.link as usize];
            if row == NONE {
                continue;
            }
            let Some(held) = inputs.accounts.get(row).held else {
                continue;
            };
            let Ok(held) = serde_json::from_str(held) else {
                continue;
            };
            let drift = connector.drift(&held, &people[person]);
            if !drift.is_empty() {
                found.push((person, drift));
            }
        }
        found
    });
    Drifts(parts.into_iter().flatten().collect())
}

/// The drifted attributes as the changes an update makes.
pub(crate) fn changes(drift: &[Drift]) -> Vec<AttributeChange> {
    drift
        .iter()
        .map(|d| AttributeChange {
            field: d.path.clone(),
            before: d.held.clone().unwrap_or_default(),
            after: d.wanted.clone().unwrap_or_default(),
        })
        .collect()
}

/// The reason of a drift step.
pub(crate) fn reason(drift: &[Drift]) -> String {
    let paths: Vec<_> = drift.iter().map(|d| d.path.as_str()).collect();
    format!(
        "the app holds other values than the directory gives (drift): {}",
        paths.join(", ")
    )
}
