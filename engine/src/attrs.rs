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
        .flat_map(|attribute| template_fields(attribute.mapping))
        .collect()
}

/// The field names in a mapping template's `{...}` holes (function names excluded).
fn template_fields(template: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let chars: Vec<char> = template.chars().collect();
    let mut i = 0;
    let mut depth = 0usize;
    while i < chars.len() {
        let c = chars[i];
        if depth == 0 {
            if c == '{' && chars.get(i + 1) == Some(&'{') {
                i += 2;
                continue;
            }
            if c == '{' {
                depth = 1;
            }
            i += 1;
            continue;
        }
        match c {
            '}' => depth = 0,
            '"' => {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let start = i;
                while i + 1 < chars.len()
                    && (chars[i + 1].is_ascii_alphanumeric() || chars[i + 1] == '_')
                {
                    i += 1;
                }
                let name: String = chars[start..=i].iter().collect();
                let mut next = i + 1;
                while next < chars.len() && chars[next] == ' ' {
                    next += 1;
                }
                if chars.get(next) != Some(&'(') {
                    fields.push(name);
                }
            }
            _ => {}
        }
        i += 1;
    }
    fields
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
    fn template_fields_skip_functions_strings_and_escapes() {
        assert_eq!(template_fields("{lower(local_part(email))}"), ["email"]);
        assert_eq!(
            template_fields("{{x}} {first_name} {default(department, \"none x\")}"),
            ["first_name", "department"]
        );
    }

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
