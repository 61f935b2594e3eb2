//! The attributes a connector maps from the profile: which profile fields matter to it,
//! the snapshot type, and readable diffs. Snapshots and their hash are computed in one
//! place, `plan::FieldSet`.

use std::collections::{BTreeMap, BTreeSet};

use connector_sdk::Manifest;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The profile fields a connector's mapping reads, by name.
pub type Snapshot = BTreeMap<String, Value>;

/// One changed field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeChange {
    /// The profile field (`title`, `start_date`).
    pub field: String,
    /// The value last applied (`null` when unknown or unset).
    pub before: Value,
    /// The value to apply (`null` to clear).
    pub after: Value,
}

/// The profile fields (and custom attributes) the connector's mapping templates read.
pub fn mapped_fields(manifest: &Manifest) -> BTreeSet<String> {
    mapped_fields_except(manifest, &[])
}

/// The profile fields the mapping templates read, except those only `excluded`
/// attributes (manifest attribute paths) read: a change to them updates nothing.
pub fn mapped_fields_except(manifest: &Manifest, excluded: &[&str]) -> BTreeSet<String> {
    manifest
        .attributes
        .iter()
        .filter(|attribute| !excluded.contains(&attribute.path))
        .flat_map(|attribute| attribute.reads.iter().map(|field| (*field).to_owned()))
        .collect()
}

/// The fields whose value differs between `before` (unknown when `None`) and `after`.
pub fn diff(before: Option<&Snapshot>, after: &Snapshot) -> Vec<AttributeChange> {
    after
        .iter()
        .filter_map(|(field, value)| {
            let old = before
                .and_then(|b| b.get(field))
                .cloned()
                .unwrap_or(Value::Null);
            let unknown_and_empty = before.is_none() && value.is_null();
            (old != *value && !unknown_and_empty).then(|| AttributeChange {
                field: field.clone(),
                before: old,
                after: value.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_name_the_changed_fields() {
        let before: Snapshot = [("title", "Engineer"), ("start_date", "2026-01-01")]
            .map(|(k, v)| (k.to_owned(), Value::from(v)))
            .into();
        let mut after = before.clone();
        after.insert("title".into(), Value::from("Manager"));
        after.insert("phone".into(), Value::Null);
        let changes = diff(Some(&before), &after);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field, "title");
        assert_eq!(
            diff(None, &after).len(),
            2,
            "unknown before: every set field"
        );
    }
}
