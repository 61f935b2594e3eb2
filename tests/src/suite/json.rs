//! Small helpers over the server's JSON records.

use serde_json::Value;

/// A record's `userName`.
pub(crate) fn user_name(record: &Value) -> Option<&str> {
    record.get("userName").and_then(Value::as_str)
}

/// A record's `active`, when present.
pub(crate) fn active(record: &Value) -> Option<bool> {
    record.get("active").and_then(Value::as_bool)
}

/// The record without the given top-level keys (e.g. `meta`, which every write changes).
pub(crate) fn without(record: &Value, keys: &[&str]) -> Value {
    let mut copy = record.clone();
    if let Some(object) = copy.as_object_mut() {
        for key in keys {
            object.remove(*key);
        }
    }
    copy
}

/// Whether any string in `value` contains `needle`, ignoring case (mappings may apply
/// `lower`/`upper`, and may embed a field in a larger value).
pub(crate) fn contains_text(value: &Value, needle: &str) -> bool {
    let needle = needle.to_lowercase();
    fn walk(value: &Value, needle: &str) -> bool {
        match value {
            Value::String(text) => text.to_lowercase().contains(needle),
            Value::Array(items) => items.iter().any(|item| walk(item, needle)),
            Value::Object(map) => map.values().any(|item| walk(item, needle)),
            _ => false,
        }
    }
    walk(value, &needle)
}

/// The value at a SCIM attribute path: `active`, `name.familyName`, or an extension path
/// `urn:...:User:attr.sub`. `None` when absent. Value filters (`emails[...]`) are not
/// supported and give `None`.
pub(crate) fn value_at<'v>(record: &'v Value, path: &str) -> Option<&'v Value> {
    let object = record.as_object()?;
    let (mut current, rest) = if path.starts_with("urn:") {
        let (schema, value) = object
            .iter()
            .filter(|(key, _)| key.starts_with("urn:"))
            .find(|(key, _)| {
                path.len() > key.len()
                    && path.starts_with(key.as_str())
                    && path.as_bytes()[key.len()] == b':'
            })?;
        (value, &path[schema.len() + 1..])
    } else {
        (record, path)
    };
    for segment in rest.split('.') {
        if segment.contains('[') {
            return None;
        }
        current = current.get(segment)?;
    }
    Some(current)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn finds_core_and_extension_paths() {
        let record = json!({
            "userName": "ada",
            "name": { "familyName": "Lovelace" },
            "urn:ietf:params:scim:schemas:extension:acme:2.0:User": { "licenseSku": "PRO" },
        });
        assert_eq!(value_at(&record, "userName"), Some(&json!("ada")));
        assert_eq!(
            value_at(&record, "name.familyName"),
            Some(&json!("Lovelace"))
        );
        assert_eq!(
            value_at(
                &record,
                "urn:ietf:params:scim:schemas:extension:acme:2.0:User:licenseSku"
            ),
            Some(&json!("PRO"))
        );
        assert_eq!(
            value_at(
                &record,
                "urn:ietf:params:scim:schemas:extension:other:2.0:User:x"
            ),
            None
        );
        assert_eq!(value_at(&record, "emails[type eq \"work\"].value"), None);
    }

    #[test]
    fn text_search_ignores_case_and_nesting() {
        let record = json!({ "name": { "formatted": "Ada LOVELACE" }, "n": 1 });
        assert!(contains_text(&record, "lovelace"));
        assert!(!contains_text(&record, "babbage"));
    }
}
