//! Attributes of a schema the tenant does not declare, under its
//! [`UndeclaredAttributes`] mode: left to the RFC-strict checks (`Invalid`), refused by
//! name with 400 `invalidPath` (`Refuse`), or removed before the write (`Drop`).
//!
//! `schemas` entries naming an undeclared schema are removed in `Refuse` and `Drop`
//! modes: what such servers judge is the attributes, not the list.

use serde_json::{Map, Value};

use super::Kind;
use crate::config::UndeclaredAttributes;
use crate::scim::attr_path::starts_with_urn;
use crate::scim::error::{ScimError, ScimResult};
use crate::scim::value::get_ci_mut;

/// The schemas a resource may use: its core schema and the declared extensions.
struct Declared<'a> {
    kind: Kind,
    extensions: &'a [String],
}

impl Declared<'_> {
    /// Whether `key` (a URN, or a URN-qualified attribute path) belongs to a declared
    /// schema. Keys without a URN are core attributes.
    fn covers(&self, key: &str) -> bool {
        if !starts_with_urn(key) {
            return true;
        }
        let head = key.split('[').next().unwrap_or(key);
        std::iter::once(self.kind.core_schema())
            .chain(self.extensions.iter().map(String::as_str))
            .any(|urn| {
                head.len() >= urn.len()
                    && head[..urn.len()].eq_ignore_ascii_case(urn)
                    && matches!(head.as_bytes().get(urn.len()), None | Some(b':'))
            })
    }
}

/// Applies `mode` to a User or Group body of a POST or PUT: refuses or removes the
/// attributes of undeclared schemas. `Invalid` leaves the body to `check_schemas`.
pub(crate) fn screen_resource(
    body: &mut Map<String, Value>,
    kind: Kind,
    extensions: &[String],
    mode: UndeclaredAttributes,
) -> ScimResult<()> {
    if mode == UndeclaredAttributes::Invalid {
        return Ok(());
    }
    let declared = Declared { kind, extensions };
    let found = undeclared_keys(body, &declared);
    if mode == UndeclaredAttributes::Refuse && !found.is_empty() {
        return Err(refusal(&attribute_names(body, &found)));
    }
    for key in &found {
        body.remove(key);
    }
    strip_schemas(body, &declared);
    Ok(())
}

/// Applies `mode` to a `PatchOp` message: refuses or removes the operations (and the
/// keys of path-less values) that write attributes of undeclared schemas. Returns
/// whether any operation is left.
pub(crate) fn screen_patch(
    message: &mut Value,
    kind: Kind,
    extensions: &[String],
    mode: UndeclaredAttributes,
) -> ScimResult<bool> {
    let Some(operations) = message
        .as_object_mut()
        .and_then(|m| get_ci_mut(m, "Operations"))
        .and_then(Value::as_array_mut)
    else {
        return Ok(true);
    };
    if mode == UndeclaredAttributes::Invalid {
        return Ok(true);
    }
    let declared = Declared { kind, extensions };
    let mut refused: Vec<String> = Vec::new();
    operations.retain_mut(|operation| {
        let Some(operation) = operation.as_object_mut() else {
            return true;
        };
        let path = operation
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("path"))
            .and_then(|(_, v)| v.as_str())
            .map(str::to_owned);
        if let Some(path) = path {
            if declared.covers(&path) {
                return true;
            }
            refused.push(path);
            return false;
        }
        let Some(Value::Object(value)) = get_ci_mut(operation, "value") else {
            return true;
        };
        let found = undeclared_keys(value, &declared);
        refused.extend(attribute_names(value, &found));
        for key in &found {
            value.remove(key);
        }
        strip_schemas(value, &declared);
        !value.is_empty()
    });
    if mode == UndeclaredAttributes::Refuse && !refused.is_empty() {
        return Err(refusal(&refused));
    }
    Ok(!operations.is_empty())
}

/// The top-level keys of `object` that belong to no declared schema.
fn undeclared_keys(object: &Map<String, Value>, declared: &Declared<'_>) -> Vec<String> {
    object
        .keys()
        .filter(|key| !declared.covers(key))
        .cloned()
        .collect()
}

/// The attributes `keys` write: `urn:attr` for each key of an extension object, the
/// key itself for a qualified path or an empty extension.
fn attribute_names(object: &Map<String, Value>, keys: &[String]) -> Vec<String> {
    let mut names = Vec::new();
    for key in keys {
        match object.get(key) {
            Some(Value::Object(inner)) if !inner.is_empty() => {
                names.extend(inner.keys().map(|attr| format!("{key}:{attr}")));
            }
            _ => names.push(key.clone()),
        }
    }
    names
}

/// Removes the undeclared URNs from `schemas`.
fn strip_schemas(object: &mut Map<String, Value>, declared: &Declared<'_>) {
    if let Some(Value::Array(schemas)) = get_ci_mut(object, "schemas") {
        schemas.retain(|urn| urn.as_str().is_none_or(|urn| declared.covers(urn)));
    }
}

/// The 400 `invalidPath` naming each refused attribute.
fn refusal(attributes: &[String]) -> ScimError {
    let names: Vec<String> = attributes.iter().map(|a| format!("`{a}`")).collect();
    let (noun, verb) = if names.len() == 1 {
        ("attribute", "is")
    } else {
        ("attributes", "are")
    };
    ScimError::invalid_path(format!(
        "the {noun} {} {verb} not defined: its schema is not declared in /Schemas",
        names.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::scim::attr_path::ENTERPRISE_USER_SCHEMA;

    const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

    fn user() -> Map<String, Value> {
        json!({"schemas": [CORE, ENTERPRISE_USER_SCHEMA], "userName": "a",
               ENTERPRISE_USER_SCHEMA: {"department": "R&D"}})
        .as_object()
        .cloned()
        .unwrap()
    }

    #[test]
    fn resources_are_refused_by_attribute_or_dropped() {
        let mut body = user();
        let error =
            screen_resource(&mut body, Kind::User, &[], UndeclaredAttributes::Refuse).unwrap_err();
        assert_eq!(error.scim_type, Some("invalidPath"));
        assert!(
            error
                .detail
                .contains(&format!("`{ENTERPRISE_USER_SCHEMA}:department`")),
            "{}",
            error.detail
        );
        screen_resource(&mut body, Kind::User, &[], UndeclaredAttributes::Drop).unwrap();
        assert_eq!(
            Value::Object(body),
            json!({"schemas": [CORE], "userName": "a"})
        );
        let declared = [ENTERPRISE_USER_SCHEMA.to_owned()];
        let mut body = user();
        screen_resource(
            &mut body,
            Kind::User,
            &declared,
            UndeclaredAttributes::Refuse,
        )
        .unwrap();
        assert_eq!(body, user());
    }

    #[test]
    fn patches_are_refused_by_path_or_dropped() {
        let dept = format!("{ENTERPRISE_USER_SCHEMA}:department");
        let message = json!({"Operations": [
            {"op": "replace", "path": dept, "value": "R&D"},
            {"op": "replace", "value": {"title": "Eng", ENTERPRISE_USER_SCHEMA: {"division": "X"}}},
        ]});
        let error = screen_patch(
            &mut message.clone(),
            Kind::User,
            &[],
            UndeclaredAttributes::Refuse,
        )
        .unwrap_err();
        assert!(
            error.detail.contains(&format!("`{dept}`")),
            "{}",
            error.detail
        );
        assert!(error.detail.contains(":division`"), "{}", error.detail);
        let mut dropped = message.clone();
        assert!(screen_patch(&mut dropped, Kind::User, &[], UndeclaredAttributes::Drop).unwrap());
        assert_eq!(
            dropped,
            json!({"Operations": [{"op": "replace", "value": {"title": "Eng"}}]})
        );
        let mut only = json!({"Operations": [{"op": "remove", "path": dept}]});
        assert!(!screen_patch(&mut only, Kind::User, &[], UndeclaredAttributes::Drop).unwrap());
    }
}
