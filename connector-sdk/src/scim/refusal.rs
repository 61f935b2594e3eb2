//! Writes a server refuses for one attribute: which of the attributes a request carried
//! the SCIM error names, and the body without them (for the one retry).

use serde_json::Value;

use super::path::{keys, value_at};
use crate::attribute_key::{mapping_key, schema_of};
use crate::connector::RefusedAttribute;
use crate::error::Error;

/// The `scimType`s of a refusal that can be about one attribute.
const REFUSAL_TYPES: &[&str] = &["invalidPath", "invalidValue", "noTarget"];

/// Attributes never left out to save a write: without them the write means nothing.
const ESSENTIAL: &[&str] = &["userName"];

/// The paths among `carried` that the 400 `error` names in its `detail`: the full path
/// (`urn:…:User:department`, `title`), else every carried attribute of a schema URN
/// the detail names. Empty when `error` is no such refusal or names none of them.
pub(super) fn refused_paths(error: &Error, carried: &[&str]) -> Vec<String> {
    let Error::Server {
        status: 400,
        scim_type: Some(scim_type),
        detail: Some(detail),
    } = error
    else {
        return Vec::new();
    };
    if !REFUSAL_TYPES
        .iter()
        .any(|t| t.eq_ignore_ascii_case(scim_type))
    {
        return Vec::new();
    }
    let detail = detail.to_ascii_lowercase();
    let candidates = carried
        .iter()
        .filter(|path| !ESSENTIAL.iter().any(|e| e.eq_ignore_ascii_case(path)));
    let named: Vec<String> = candidates
        .clone()
        .filter(|path| names(&detail, path))
        .map(|path| (*path).to_owned())
        .collect();
    if !named.is_empty() {
        return named;
    }
    candidates
        .filter(|path| schema_of(path).is_some_and(|urn| names(&detail, urn)))
        .map(|path| (*path).to_owned())
        .collect()
}

/// Whether `detail` (lower case) names `word` as a whole path, not as part of a longer
/// name (`subtitle`, `title.x`, `urn:…:User:department` for the URN alone counts).
fn names(detail: &str, word: &str) -> bool {
    let word = word.to_ascii_lowercase();
    let name_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '$');
    // A `.` or `:` joins two names; at the end of a sentence it does not.
    let free = |chars: &mut dyn Iterator<Item = char>| match chars.next() {
        Some(c) if name_char(c) => false,
        Some(':' | '.') => !chars.next().is_some_and(name_char),
        _ => true,
    };
    detail.match_indices(&word).any(|(at, _)| {
        let before = &mut detail[..at].chars().rev();
        let after = &mut detail[at + word.len()..].chars();
        free(before) && free(after)
    })
}

/// The paths of `candidates` that `user` holds a value for.
pub(super) fn carried<'a>(user: &Value, candidates: &[&'a str]) -> Vec<&'a str> {
    candidates
        .iter()
        .copied()
        .filter(|path| value_at(user, path).is_some())
        .collect()
}

/// Removes the value at `path` from `user`, then the extension object it leaves empty
/// and that extension's entry in `schemas`.
pub(super) fn remove_at(user: &mut Value, path: &str) {
    let keys = keys(path);
    remove_keys(user, &keys);
    if let Some(urn) = schema_of(path) {
        let gone = user
            .get(urn)
            .is_none_or(|v| v.as_object().is_some_and(|o| o.is_empty()));
        if gone && let Some(object) = user.as_object_mut() {
            object.remove(urn);
            if let Some(Value::Array(schemas)) = object.get_mut("schemas") {
                schemas.retain(|s| s.as_str().is_none_or(|s| !s.eq_ignore_ascii_case(urn)));
            }
        }
    }
}

/// Lists the extension schema of `path` (if any) in `user`'s `schemas`.
pub(super) fn list_schema_of(user: &mut Value, path: &str) {
    let Some(urn) = schema_of(path) else {
        return;
    };
    if let Some(Value::Array(schemas)) = user.get_mut("schemas")
        && !schemas
            .iter()
            .any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(urn)))
    {
        schemas.push(Value::from(urn));
    }
}

/// Removes the value at `keys` (matched ignoring case) and the objects left empty below
/// the top.
fn remove_keys(json: &mut Value, keys: &[&str]) {
    let Some((first, rest)) = keys.split_first() else {
        return;
    };
    let Some(object) = json.as_object_mut() else {
        return;
    };
    let Some(key) = object
        .keys()
        .find(|k| k.eq_ignore_ascii_case(first))
        .cloned()
    else {
        return;
    };
    if rest.is_empty() {
        object.remove(&key);
        return;
    }
    if let Some(child) = object.get_mut(&key) {
        remove_keys(child, rest);
        if child.as_object().is_some_and(|o| o.is_empty()) {
            object.remove(&key);
        }
    }
}

/// The report of `paths` refused by `error`.
pub(super) fn report(paths: &[String], error: &Error) -> Vec<RefusedAttribute> {
    let reason = match error {
        Error::Server {
            status,
            scim_type,
            detail,
        } => {
            let kind = scim_type
                .as_deref()
                .map(|t| format!(" {t}"))
                .unwrap_or_default();
            let detail = detail
                .as_deref()
                .map(|d| format!(": {d}"))
                .unwrap_or_default();
            format!("{status}{kind}{detail}")
        }
        other => other.to_string(),
    };
    paths
        .iter()
        .map(|path| RefusedAttribute {
            attribute: mapping_key(path),
            reason: reason.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::attribute_key::ENTERPRISE_URN;

    fn refusal(scim_type: &str, detail: &str) -> Error {
        Error::Server {
            status: 400,
            scim_type: Some(scim_type.to_owned()),
            detail: Some(detail.to_owned()),
        }
    }

    #[test]
    fn finds_the_carried_attribute_a_refusal_names() {
        let department = format!("{ENTERPRISE_URN}:department");
        let division = format!("{ENTERPRISE_URN}:division");
        let carried = ["userName", "title", department.as_str(), division.as_str()];
        let named = refusal(
            "invalidPath",
            &format!("the attribute `{department}` is not defined"),
        );
        assert_eq!(
            refused_paths(&named, &carried),
            std::slice::from_ref(&department)
        );
        let schema = refusal(
            "invalidValue",
            &format!("the schema `{ENTERPRISE_URN}` is not supported"),
        );
        assert_eq!(
            refused_paths(&schema, &carried),
            [department.clone(), division.clone()]
        );
        let core = refusal("invalidValue", "title: too long");
        assert_eq!(refused_paths(&core, &carried), ["title"]);
        let subtitle = refusal("invalidValue", "subtitle is wrong");
        assert!(refused_paths(&subtitle, &carried).is_empty());
        let user_name = refusal("invalidValue", "userName is malformed");
        assert!(
            refused_paths(&user_name, &carried).is_empty(),
            "userName is never left out"
        );
        let conflict = Error::Server {
            status: 409,
            scim_type: Some("uniqueness".into()),
            detail: Some("title".into()),
        };
        assert!(refused_paths(&conflict, &carried).is_empty());
        assert_eq!(
            report(&[department], &named)[0].attribute,
            "enterprise.department"
        );
    }

    #[test]
    fn removes_an_attribute_and_its_empty_extension() {
        let department = format!("{ENTERPRISE_URN}:department");
        let mut user = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE_URN],
            "userName": "a", "name": {"givenName": "A"},
            ENTERPRISE_URN: {"department": "R&D"},
        });
        remove_at(&mut user, &department);
        remove_at(&mut user, "name.givenName");
        assert_eq!(
            user,
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a"})
        );
    }
}
