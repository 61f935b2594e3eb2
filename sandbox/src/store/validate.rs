//! What a written User or Group must look like: declared schemas only, required
//! attributes present, read-only attributes ignored, `schemas` kept in step with the
//! extensions present.

use serde_json::{Map, Value};

use super::Kind;
use crate::scim::attr_path::starts_with_urn;
use crate::scim::error::{ScimError, ScimResult};
use crate::scim::value::{get_ci, prune, remove_ci, set_ci};

/// Checks `schemas` and the top-level extension objects against the declared
/// `extensions`: an undeclared extension URN is a 400 `invalidValue`. With `require`,
/// `schemas` must be present and list the core schema.
pub(crate) fn check_schemas(
    body: &Map<String, Value>,
    kind: Kind,
    extensions: &[String],
    require: bool,
) -> ScimResult<()> {
    let declared = |urn: &str| {
        urn.eq_ignore_ascii_case(kind.core_schema())
            || extensions.iter().any(|e| e.eq_ignore_ascii_case(urn))
    };
    match get_ci(body, "schemas") {
        None | Some(Value::Null) if !require => {}
        Some(Value::Array(schemas)) => {
            let mut core = false;
            for schema in schemas {
                let urn = schema
                    .as_str()
                    .ok_or_else(|| ScimError::invalid_value("`schemas` must hold strings"))?;
                if !declared(urn) {
                    return Err(ScimError::invalid_value(format!(
                        "the schema `{urn}` is not supported for {}s here",
                        kind.resource_type()
                    )));
                }
                core |= urn.eq_ignore_ascii_case(kind.core_schema());
            }
            if require && !core {
                return Err(ScimError::invalid_value(format!(
                    "`schemas` must list {}",
                    kind.core_schema()
                )));
            }
        }
        _ => {
            return Err(ScimError::invalid_value(format!(
                "`schemas` must be an array listing {}",
                kind.core_schema()
            )));
        }
    }
    for key in body.keys().filter(|k| starts_with_urn(k)) {
        if !declared(key) {
            return Err(ScimError::invalid_value(format!(
                "the schema `{key}` is not supported for {}s here",
                kind.resource_type()
            )));
        }
        if !body[key].is_object() && !body[key].is_null() {
            return Err(ScimError::invalid_value(format!(
                "`{key}` must be an object"
            )));
        }
    }
    Ok(())
}

/// Sets `schemas` to the core schema plus every extension present.
fn set_schemas(body: &mut Map<String, Value>, kind: Kind) {
    remove_ci(body, "schemas");
    let mut schemas = vec![Value::from(kind.core_schema())];
    schemas.extend(
        body.keys()
            .filter(|k| starts_with_urn(k))
            .map(|k| Value::from(k.as_str())),
    );
    body.insert("schemas".to_owned(), Value::Array(schemas));
}

/// Cleans a User written by a client: drops what the server maintains (`id`, `meta`,
/// `groups`) and unassigned values, and checks `userName` (a non-empty string) and
/// `active` (a boolean). Then sets `schemas`.
pub(crate) fn clean_user(body: &mut Map<String, Value>) -> ScimResult<()> {
    for read_only in ["id", "meta", "groups"] {
        remove_ci(body, read_only);
    }
    let mut value = Value::Object(std::mem::take(body));
    prune(&mut value);
    if let Value::Object(object) = value {
        *body = object;
    }
    match get_ci(body, "userName") {
        Some(Value::String(name)) if !name.trim().is_empty() => {}
        Some(_) => {
            return Err(ScimError::invalid_value(
                "`userName` must be a non-empty string",
            ));
        }
        None => return Err(ScimError::invalid_value("`userName` is required")),
    }
    match get_ci(body, "active") {
        None | Some(Value::Bool(_)) => {}
        Some(_) => return Err(ScimError::invalid_value("`active` must be a boolean")),
    }
    if let Some(emails) = get_ci(body, "emails") {
        let ok = emails.as_array().is_some_and(|items| {
            items
                .iter()
                .all(|e| e.get("value").is_none_or(Value::is_string))
        });
        if !ok {
            return Err(ScimError::invalid_value(
                "`emails` must be an array of objects with string values",
            ));
        }
    }
    set_schemas(body, Kind::User);
    Ok(())
}

/// Cleans a Group written by a client: drops `id` and `meta`, checks `displayName` and
/// `members` (objects whose `value` names an existing resource, per `exists`), removes
/// duplicate members. Then sets `schemas`.
pub(crate) fn clean_group(
    body: &mut Map<String, Value>,
    exists: impl Fn(&str) -> bool,
) -> ScimResult<()> {
    for read_only in ["id", "meta"] {
        remove_ci(body, read_only);
    }
    let mut value = Value::Object(std::mem::take(body));
    prune(&mut value);
    if let Value::Object(object) = value {
        *body = object;
    }
    match get_ci(body, "displayName") {
        Some(Value::String(name)) if !name.trim().is_empty() => {}
        Some(_) => {
            return Err(ScimError::invalid_value(
                "`displayName` must be a non-empty string",
            ));
        }
        None => return Err(ScimError::invalid_value("`displayName` is required")),
    }
    if let Some(members) = get_ci(body, "members") {
        let Some(items) = members.as_array() else {
            return Err(ScimError::invalid_value("`members` must be an array"));
        };
        let mut seen: Vec<&str> = Vec::new();
        let mut kept = Vec::new();
        for member in items {
            let Some(id) = member.get("value").and_then(Value::as_str) else {
                return Err(ScimError::invalid_value(
                    "each member needs a string `value`",
                ));
            };
            if !exists(id) {
                return Err(ScimError::invalid_value(format!(
                    "member `{id}` does not exist"
                )));
            }
            if !seen.contains(&id) {
                seen.push(id);
                kept.push(member.clone());
            }
        }
        set_ci(body, "members", Value::Array(kept));
    }
    set_schemas(body, Kind::Group);
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::scim::attr_path::ENTERPRISE_USER_SCHEMA;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn checks_declared_schemas() {
        let ext = vec![ENTERPRISE_USER_SCHEMA.to_owned()];
        let ok = object(
            json!({"schemas": [Kind::User.core_schema(), ENTERPRISE_USER_SCHEMA], ENTERPRISE_USER_SCHEMA: {"department": "x"}}),
        );
        assert!(check_schemas(&ok, Kind::User, &ext, true).is_ok());
        let undeclared = object(json!({"urn:acme:User": {"x": 1}}));
        assert_eq!(
            check_schemas(&undeclared, Kind::User, &ext, false)
                .unwrap_err()
                .scim_type,
            Some("invalidValue")
        );
        let missing = object(json!({"userName": "a"}));
        assert!(check_schemas(&missing, Kind::User, &ext, false).is_ok());
        assert!(check_schemas(&missing, Kind::User, &ext, true).is_err());
    }

    #[test]
    fn cleans_users_and_groups() {
        let mut user = object(
            json!({"userName": "a", "id": "x", "groups": [{"value": "g"}], "title": null, ENTERPRISE_USER_SCHEMA: {"department": "R"}}),
        );
        clean_user(&mut user).unwrap();
        assert_eq!(
            Value::Object(user),
            json!({"userName": "a", ENTERPRISE_USER_SCHEMA: {"department": "R"}, "schemas": [Kind::User.core_schema(), ENTERPRISE_USER_SCHEMA]})
        );
        assert!(clean_user(&mut object(json!({"displayName": "x"}))).is_err());
        assert!(clean_user(&mut object(json!({"userName": "a", "active": "yes"}))).is_err());
        let mut group =
            object(json!({"displayName": "G", "members": [{"value": "1"}, {"value": "1"}]}));
        clean_group(&mut group, |id| id == "1").unwrap();
        assert_eq!(group["members"], json!([{"value": "1"}]));
        assert!(
            clean_group(
                &mut object(json!({"displayName": "G", "members": [{"value": "2"}]})),
                |id| id == "1"
            )
            .is_err()
        );
    }
}
