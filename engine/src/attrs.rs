//! The attributes a connector maps from the profile: which profile fields matter to it,
//! the snapshot of those fields that was last applied, its hash, and readable diffs.

use std::collections::{BTreeMap, BTreeSet};

use connector_sdk::{Identity, Manifest};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

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

/// The values of `fields` for `who` (`null` when unset).
pub fn snapshot(who: &Identity, fields: &BTreeSet<String>) -> Snapshot {
    let profile = serde_json::to_value(who).unwrap_or(Value::Null);
    fields
        .iter()
        .map(|field| {
            let value = match profile.get(field.as_str()) {
                Some(value) if field != "custom" => value.clone(),
                _ => who
                    .custom
                    .get(field)
                    .and_then(|v| serde_json::to_value(v).ok())
                    .unwrap_or(Value::Null),
            };
            (field.clone(), value)
        })
        .collect()
}

/// The SHA-256 of a snapshot's canonical JSON, in hex.
pub fn hash(snapshot: &Snapshot) -> String {
    let json = serde_json::to_string(snapshot).unwrap_or_default();
    Sha256::digest(json.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
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
    fn snapshot_reads_profile_and_custom_fields_and_diffs() {
        let mut who = Identity {
            title: Some("Engineer".into()),
            ..Identity::default()
        };
        who.custom.insert(
            "start_date".into(),
            connector_sdk::CustomValue::Text("2026-01-01".into()),
        );
        let fields: BTreeSet<String> = ["title", "start_date", "phone"].map(String::from).into();
        let before = snapshot(&who, &fields);
        assert_eq!(before["start_date"], Value::from("2026-01-01"));
        who.title = Some("Manager".into());
        let after = snapshot(&who, &fields);
        assert_ne!(hash(&before), hash(&after));
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
