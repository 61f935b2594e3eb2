//! Tests of PATCH parsing and application.

use serde_json::{Map, Value, json};

use super::*;
use crate::scim::attr_path::ENTERPRISE_USER_SCHEMA;

fn extensions() -> Vec<String> {
    vec![ENTERPRISE_USER_SCHEMA.to_owned()]
}

fn run(resource: Value, operations: Value) -> ScimResult<Value> {
    let extensions = extensions();
    let rules = PatchRules {
        extensions: &extensions,
        read_only: &["id", "meta", "groups"],
        required: &["userName"],
    };
    let body = json!({"schemas": [PATCH_OP_SCHEMA], "Operations": operations});
    let operations = parse_request(&body, &rules)?;
    let mut object: Map<String, Value> = resource.as_object().cloned().unwrap_or_default();
    apply(&mut object, &operations, &rules)?;
    Ok(Value::Object(object))
}

fn user() -> Value {
    json!({
        "id": "1", "userName": "ada", "active": true,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"value": "a@work", "type": "work"}, {"value": "a@home", "type": "home"}],
    })
}

#[test]
fn path_operations() {
    let out = run(
        user(),
        json!([
            {"op": "replace", "path": "active", "value": false},
            {"op": "Replace", "path": "name.familyName", "value": "Byron"},
            {"op": "add", "path": "emails", "value": [{"value": "a@other", "type": "other"}]},
            {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "ada@work"},
            {"op": "remove", "path": "emails[type eq \"home\"]"},
            {"op": "add", "path": format!("{ENTERPRISE_USER_SCHEMA}:department"), "value": "R&D"},
        ]),
    )
    .unwrap();
    assert_eq!(out["active"], false);
    assert_eq!(
        out["name"],
        json!({"givenName": "Ada", "familyName": "Byron"})
    );
    assert_eq!(
        out["emails"],
        json!([{"value": "ada@work", "type": "work"}, {"value": "a@other", "type": "other"}])
    );
    assert_eq!(out[ENTERPRISE_USER_SCHEMA]["department"], "R&D");
}

#[test]
fn pathless_operations_merge_complex_values() {
    let out = run(
        user(),
        json!([{"op": "replace", "value": {
            "active": false,
            "name": {"givenName": "Augusta"},
            "name.familyName": "King",
            ENTERPRISE_USER_SCHEMA: {"department": "Maths"},
        }}]),
    )
    .unwrap();
    assert_eq!(out["active"], false);
    assert_eq!(
        out["name"],
        json!({"givenName": "Augusta", "familyName": "King"})
    );
    assert_eq!(out[ENTERPRISE_USER_SCHEMA], json!({"department": "Maths"}));
}

#[test]
fn remove_forms() {
    let out = run(
        user(),
        json!([
            {"op": "remove", "path": "name.givenName"},
            {"op": "remove", "path": "emails", "value": [{"value": "a@home"}]},
        ]),
    )
    .unwrap();
    assert_eq!(out["name"], json!({"familyName": "Lovelace"}));
    assert_eq!(out["emails"], json!([{"value": "a@work", "type": "work"}]));
    let error = run(
        user(),
        json!([{"op": "remove", "path": "emails[type eq \"fax\"]"}]),
    )
    .unwrap_err();
    assert_eq!(error.scim_type, Some("noTarget"));
    let error = run(user(), json!([{"op": "remove", "path": "userName"}])).unwrap_err();
    assert_eq!(error.scim_type, Some("invalidValue"));
    let removed = run(
        json!({"userName": "a", ENTERPRISE_USER_SCHEMA: {"x": 1}}),
        json!([{"op": "remove", "path": ENTERPRISE_USER_SCHEMA}]),
    )
    .unwrap();
    assert!(removed.get(ENTERPRISE_USER_SCHEMA).is_none());
}

#[test]
fn refuses_bad_requests() {
    let cases = [
        (
            json!([{"op": "jump", "path": "a", "value": 1}]),
            "invalidSyntax",
        ),
        (json!([{"op": "add", "path": "title"}]), "invalidValue"),
        (json!([{"op": "remove"}]), "noTarget"),
        (
            json!([{"op": "replace", "path": "id", "value": "2"}]),
            "mutability",
        ),
        (
            json!([{"op": "replace", "path": "groups", "value": []}]),
            "mutability",
        ),
        (
            json!([{"op": "add", "path": "urn:acme:User:x", "value": 1}]),
            "invalidPath",
        ),
        (
            json!([{"op": "add", "path": "emails[type eq", "value": 1}]),
            "invalidPath",
        ),
        (
            json!([{"op": "replace", "value": "not an object"}]),
            "invalidValue",
        ),
        (json!([]), "invalidSyntax"),
    ];
    for (operations, scim_type) in cases {
        let error = run(user(), operations.clone()).unwrap_err();
        assert_eq!(error.scim_type, Some(scim_type), "{operations}");
    }
    let no_schema =
        json!({"Operations": [{"op": "remove", "path": "title"}], "schemas": ["urn:x"]});
    let extensions = extensions();
    let rules = PatchRules {
        extensions: &extensions,
        read_only: &[],
        required: &[],
    };
    assert!(parse_request(&no_schema, &rules).is_err());
}

#[test]
fn classifies_operations() {
    let extensions = extensions();
    let rules = PatchRules {
        extensions: &extensions,
        read_only: &[],
        required: &[],
    };
    let parse = |ops: Value| parse_request(&json!({"Operations": ops}), &rules).unwrap();
    assert!(only_active(&parse(
        json!([{"op": "replace", "value": {"active": false}}])
    )));
    assert!(only_active(&parse(
        json!([{"op": "replace", "path": "active", "value": true}])
    )));
    assert!(!only_active(&parse(
        json!([{"op": "replace", "value": {"active": false, "title": "x"}}])
    )));
    assert!(has_path_writes(&parse(
        json!([{"op": "replace", "path": "title", "value": "x"}])
    )));
    assert!(!has_path_writes(&parse(
        json!([{"op": "remove", "path": "title"}])
    )));
}
