//! SCIM attribute paths (RFC 7644 §3.10) over JSON resources.
//!
//! A path is `attr`, `attr.subAttr`, or `urn:...:Schema:attr[.subAttr]` for an extension
//! attribute: the URN is everything up to the last `:`, and its value lives at
//! `json[urn][attr]`. Keys match exactly first, then case-insensitively, as SCIM
//! attribute names are case-insensitive.

use serde_json::{Map, Value};

/// The JSON keys a path walks through, outermost first.
pub fn keys(path: &str) -> Vec<&str> {
    let mut keys = Vec::with_capacity(3);
    let mut rest = path;
    if path
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("urn:"))
        && let Some(colon) = path.rfind(':')
    {
        keys.push(&path[..colon]);
        rest = &path[colon + 1..];
    }
    match rest.split_once('.') {
        Some((attr, sub)) => {
            keys.push(attr);
            keys.push(sub);
        }
        None => keys.push(rest),
    }
    keys
}

/// The value at `path`; `None` when absent or JSON `null`.
pub fn value_at<'a>(json: &'a Value, path: &str) -> Option<&'a Value> {
    let mut current = json;
    for key in keys(path) {
        current = get(current.as_object()?, key)?;
    }
    (!current.is_null()).then_some(current)
}

/// Sets the value at `path`, creating the objects on the way. Returns `false` (and
/// changes nothing) when something on the way is not an object.
pub fn set_at(json: &mut Value, path: &str, value: Value) -> bool {
    let keys = keys(path);
    let Some((last, parents)) = keys.split_last() else {
        return false;
    };
    let mut current = json;
    for key in parents {
        let Some(object) = current.as_object_mut() else {
            return false;
        };
        let key = existing_key(object, key).unwrap_or_else(|| (*key).to_owned());
        current = object
            .entry(key)
            .or_insert_with(|| Value::Object(Map::new()));
        if current.is_null() {
            *current = Value::Object(Map::new());
        }
    }
    let Some(object) = current.as_object_mut() else {
        return false;
    };
    let key = existing_key(object, last).unwrap_or_else(|| (*last).to_owned());
    object.insert(key, value);
    true
}

/// The value of `key` in `object`, matched exactly, else case-insensitively.
fn get<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    object.get(key).or_else(|| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// The spelling of `key` already used in `object`, if any.
fn existing_key(object: &Map<String, Value>, key: &str) -> Option<String> {
    if object.contains_key(key) {
        return Some(key.to_owned());
    }
    object.keys().find(|k| k.eq_ignore_ascii_case(key)).cloned()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::scim::ENTERPRISE_USER_SCHEMA;

    #[test]
    fn splits_extension_urns_at_the_last_colon() {
        let path = format!("{ENTERPRISE_USER_SCHEMA}:department");
        assert_eq!(keys(&path), [ENTERPRISE_USER_SCHEMA, "department"]);
        let path = format!("{ENTERPRISE_USER_SCHEMA}:manager.value");
        assert_eq!(keys(&path), [ENTERPRISE_USER_SCHEMA, "manager", "value"]);
        assert_eq!(keys("name.givenName"), ["name", "givenName"]);
        assert_eq!(keys("userName"), ["userName"]);
    }

    #[test]
    fn reads_and_writes() {
        let path = format!("{ENTERPRISE_USER_SCHEMA}:department");
        let mut user = json!({"userName": "ada", "name": {"givenName": "Ada"}, "title": null});
        assert_eq!(value_at(&user, "USERNAME"), Some(&json!("ada")));
        assert_eq!(value_at(&user, "name.givenName"), Some(&json!("Ada")));
        assert_eq!(value_at(&user, "title"), None);
        assert_eq!(value_at(&user, &path), None);
        assert!(set_at(&mut user, &path, json!("R&D")));
        assert!(set_at(&mut user, "name.familyName", json!("Lovelace")));
        assert!(set_at(&mut user, "username", json!("ada2")));
        assert_eq!(value_at(&user, &path), Some(&json!("R&D")));
        assert_eq!(
            user["name"],
            json!({"givenName": "Ada", "familyName": "Lovelace"})
        );
        assert_eq!(user["userName"], json!("ada2"));
        assert!(!set_at(&mut user, "userName.x", json!(1)));
    }
}
