//! PATCH requests (RFC 7644 §3.5.2): the diff of managed attributes, and the operations
//! each [`PatchStyle`] expects.

use serde_json::{Map, Value, json};

use super::path::{set_at, value_at};
use crate::manifest::PatchStyle;

/// URN of the SCIM PATCH request message.
pub const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// One attribute to change.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The attribute's SCIM path (`name.givenName`, `urn:...:User:department`).
    pub path: String,
    /// The new value; `None` removes the attribute.
    pub value: Option<Value>,
}

impl Change {
    /// Sets `path` to `value` (JSON `null` removes it).
    pub fn set(path: impl Into<String>, value: Value) -> Self {
        Self {
            path: path.into(),
            value: (!value.is_null()).then_some(value),
        }
    }
}

/// The changes that bring `current` to `desired` on the managed `paths`.
///
/// An attribute changes when the desired value is not already present in the current
/// one: fields the server adds (`display`, `$ref`, `meta`) and the order of
/// multi-valued attributes do not count. A desired value that is absent or `null`
/// removes a current value.
pub fn diff(desired: &Value, current: &Value, paths: &[&str]) -> Vec<Change> {
    paths
        .iter()
        .filter_map(|path| {
            let want = value_at(desired, path);
            let have = value_at(current, path);
            match (want, have) {
                (None, None) => None,
                (Some(want), Some(have)) if covers(have, want) => None,
                (want, _) => Some(Change {
                    path: (*path).to_owned(),
                    value: want.cloned(),
                }),
            }
        })
        .collect()
}

/// Whether `have` holds everything in `want`.
fn covers(have: &Value, want: &Value) -> bool {
    match (have, want) {
        (Value::Object(have), Value::Object(want)) => want.iter().all(|(key, want)| {
            let have = have
                .get(key)
                .or_else(|| {
                    have.iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(key))
                        .map(|(_, v)| v)
                })
                .filter(|v| !v.is_null());
            match have {
                Some(have) => covers(have, want),
                None => want.is_null(),
            }
        }),
        (Value::Array(have), Value::Array(want)) => {
            have.len() == want.len() && want.iter().all(|w| have.iter().any(|h| covers(h, w)))
        }
        _ => have == want,
    }
}

/// The PATCH operations for `changes` in `style`.
///
/// [`PatchStyle::Path`]: one `replace` with a `path` per change. [`PatchStyle::Pathless`]:
/// one `replace` whose value object holds every new value (sub-attributes nested under
/// their attribute, extension attributes under their URN). Removals are always
/// `{"op":"remove","path":P}`, the only form RFC 7644 gives them.
pub fn operations(style: PatchStyle, changes: &[Change]) -> Vec<Value> {
    let mut operations = Vec::with_capacity(changes.len());
    let mut pathless = Value::Object(Map::new());
    for change in changes {
        match (&change.value, style) {
            (None, _) => operations.push(json!({"op": "remove", "path": change.path})),
            (Some(value), PatchStyle::Path) => operations.push(json!({
                "op": "replace",
                "path": change.path,
                "value": value,
            })),
            (Some(value), PatchStyle::Pathless) => {
                // A path the value object cannot hold falls back to the path form.
                if !set_at(&mut pathless, &change.path, value.clone()) {
                    operations.push(json!({"op": "replace", "path": change.path, "value": value}));
                }
            }
        }
    }
    if pathless
        .as_object()
        .is_some_and(|object| !object.is_empty())
    {
        operations.insert(0, json!({"op": "replace", "value": pathless}));
    }
    operations
}

/// The PATCH request body: a `PatchOp` message holding `operations`.
pub fn patch_request(operations: Vec<Value>) -> Value {
    json!({"schemas": [PATCH_OP_SCHEMA], "Operations": operations})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::ENTERPRISE_USER_SCHEMA;

    fn dept() -> String {
        format!("{ENTERPRISE_USER_SCHEMA}:department")
    }

    #[test]
    fn diffs_only_changed_managed_attributes() {
        let dept = dept();
        let paths = [
            "userName",
            "name.givenName",
            "name.familyName",
            "emails",
            dept.as_str(),
        ];
        let desired = json!({
            "userName": "ada@x.com",
            "name": {"givenName": "Ada", "familyName": "Byron"},
            "emails": [{"value": "ada@x.com", "type": "work", "primary": true}],
            ENTERPRISE_USER_SCHEMA: {"department": "R&D"},
        });
        let current = json!({
            "id": "1",
            "userName": "ada@x.com",
            "name": {"givenName": "Ada", "familyName": "Lovelace", "formatted": "Ada Lovelace"},
            "emails": [{"value": "ada@x.com", "type": "work", "primary": true, "display": "Ada"}],
            ENTERPRISE_USER_SCHEMA: {"department": "Maths", "costCenter": "7"},
            "meta": {"resourceType": "User"},
        });
        assert_eq!(
            diff(&desired, &current, &paths),
            [
                Change::set("name.familyName", json!("Byron")),
                Change::set(dept.clone(), json!("R&D")),
            ]
        );
        assert!(diff(&desired, &desired, &paths).is_empty());
        let without_dept = json!({"userName": "ada@x.com"});
        let changes = diff(&without_dept, &current, &["userName", dept.as_str()]);
        assert_eq!(
            changes,
            [Change {
                path: dept.clone(),
                value: None
            }]
        );
    }

    #[test]
    fn multi_valued_attributes_compare_whole() {
        let desired = json!({"emails": [{"value": "a@x"}, {"value": "b@x"}]});
        let reordered = json!({"emails": [{"value": "b@x"}, {"value": "a@x"}]});
        let fewer = json!({"emails": [{"value": "a@x"}]});
        assert!(diff(&desired, &reordered, &["emails"]).is_empty());
        assert_eq!(diff(&desired, &fewer, &["emails"]).len(), 1);
    }

    #[test]
    fn path_style() {
        let changes = [
            Change::set("name.givenName", json!("Ada")),
            Change::set(dept(), json!("R&D")),
            Change {
                path: "title".into(),
                value: None,
            },
        ];
        assert_eq!(
            operations(PatchStyle::Path, &changes),
            [
                json!({"op": "replace", "path": "name.givenName", "value": "Ada"}),
                json!({"op": "replace", "path": dept(), "value": "R&D"}),
                json!({"op": "remove", "path": "title"}),
            ]
        );
    }

    #[test]
    fn pathless_style_nests_values() {
        let changes = [
            Change::set("active", json!(false)),
            Change::set("name.givenName", json!("Ada")),
            Change::set(dept(), json!("R&D")),
            Change {
                path: "title".into(),
                value: None,
            },
        ];
        assert_eq!(
            operations(PatchStyle::Pathless, &changes),
            [
                json!({"op": "replace", "value": {
                    "active": false,
                    "name": {"givenName": "Ada"},
                    ENTERPRISE_USER_SCHEMA: {"department": "R&D"},
                }}),
                json!({"op": "remove", "path": "title"}),
            ]
        );
    }

    #[test]
    fn request_message() {
        let body = patch_request(vec![
            json!({"op": "replace", "path": "active", "value": true}),
        ]);
        assert_eq!(body["schemas"], json!([PATCH_OP_SCHEMA]));
        assert_eq!(body["Operations"][0]["path"], "active");
    }
}
