//! Attribute projection (RFC 7644 §3.4.2.5): the `attributes` and `excludedAttributes`
//! parameters, and the attributes never returned (`password`).

use serde_json::{Map, Value};

use super::attr_path::{AttrPath, starts_with_urn};
use super::error::{ScimError, ScimResult};
use super::value::{find_key, remove_ci};

/// Attributes always returned, whatever `attributes` says.
const ALWAYS: &[&str] = &["id", "schemas"];
/// Attributes never returned.
const NEVER: &[&str] = &["password"];

/// Which attributes a response carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Projection {
    /// `attributes`: only these (plus `id` and `schemas`); empty means all defaults.
    pub attributes: Vec<AttrPath>,
    /// `excludedAttributes`: all defaults but these.
    pub excluded: Vec<AttrPath>,
}

impl Projection {
    /// The projection from the comma-separated parameters.
    pub(crate) fn parse(attributes: Option<&str>, excluded: Option<&str>) -> ScimResult<Self> {
        Ok(Self {
            attributes: parse_list(attributes)?,
            excluded: parse_list(excluded)?,
        })
    }

    /// The projection from a `SearchRequest`'s arrays (or comma-separated strings).
    pub(crate) fn from_json(
        attributes: Option<&Value>,
        excluded: Option<&Value>,
    ) -> ScimResult<Self> {
        Ok(Self {
            attributes: parse_json_list(attributes)?,
            excluded: parse_json_list(excluded)?,
        })
    }

    /// `resource` as the client asked to see it.
    pub(crate) fn apply(&self, resource: &Value) -> Value {
        let Some(object) = resource.as_object() else {
            return resource.clone();
        };
        let mut out = if self.attributes.is_empty() {
            object.clone()
        } else {
            let mut out = Map::new();
            for name in ALWAYS {
                if let Some(key) = find_key(object, name) {
                    out.insert(key.clone(), object[&key].clone());
                }
            }
            for path in &self.attributes {
                copy(object, &mut out, path);
            }
            out
        };
        for path in &self.excluded {
            if path.urn.is_none() && ALWAYS.iter().any(|a| path.attr.eq_ignore_ascii_case(a)) {
                continue;
            }
            exclude(&mut out, path);
        }
        for name in NEVER {
            remove_ci(&mut out, name);
        }
        Value::Object(out)
    }
}

fn parse_list(text: Option<&str>) -> ScimResult<Vec<AttrPath>> {
    text.into_iter()
        .flat_map(|t| t.split(','))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(parse_one)
        .collect()
}

fn parse_json_list(value: Option<&Value>) -> ScimResult<Vec<AttrPath>> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(text)) => parse_list(Some(text)),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .ok_or_else(|| ScimError::invalid_value("attribute names must be strings"))
                    .and_then(parse_one)
            })
            .collect(),
        Some(_) => Err(ScimError::invalid_value(
            "`attributes` and `excludedAttributes` must be arrays of names",
        )),
    }
}

fn parse_one(text: &str) -> ScimResult<AttrPath> {
    if starts_with_urn(text) && (text.ends_with(":User") || text.ends_with(":Group")) {
        // A whole extension: represented with the URN as attribute name.
        return Ok(AttrPath {
            urn: None,
            attr: text.to_owned(),
            sub: None,
        });
    }
    AttrPath::parse(text)
        .ok_or_else(|| ScimError::invalid_value(format!("`{text}` is not an attribute name")))
}

/// Copies `path` from `from` into `to`.
fn copy(from: &Map<String, Value>, to: &mut Map<String, Value>, path: &AttrPath) {
    let (source, target) = match &path.urn {
        None => (Some(from), to),
        Some(urn) => {
            let Some(key) = find_key(from, urn) else {
                return;
            };
            let source = from[&key].as_object();
            let slot = to.entry(key).or_insert_with(|| Value::Object(Map::new()));
            let Some(target) = slot.as_object_mut() else {
                return;
            };
            (source, target)
        }
    };
    let Some(source) = source else { return };
    let Some(key) = find_key(source, &path.attr) else {
        return;
    };
    let value = &source[&key];
    let Some(sub) = &path.sub else {
        target.insert(key, value.clone());
        return;
    };
    let pick = |item: &Value| -> Option<Value> {
        let object = item.as_object()?;
        let sub_key = find_key(object, sub)?;
        let mut picked = Map::new();
        picked.insert(sub_key.clone(), object[&sub_key].clone());
        Some(Value::Object(picked))
    };
    let picked = match value {
        Value::Array(items) => Some(Value::Array(items.iter().filter_map(pick).collect())),
        other => pick(other),
    };
    if let Some(picked) = picked {
        merge(target, key, picked);
    }
}

/// Merges `value` into `target[key]` (two sub-attributes of one attribute both asked).
fn merge(target: &mut Map<String, Value>, key: String, value: Value) {
    match (target.get_mut(&key), value) {
        (Some(Value::Object(have)), Value::Object(add)) => have.extend(add),
        (Some(Value::Array(have)), Value::Array(add)) => {
            for (h, a) in have.iter_mut().zip(add) {
                if let (Some(h), Value::Object(a)) = (h.as_object_mut(), a) {
                    h.extend(a);
                }
            }
        }
        (_, value) => {
            target.insert(key, value);
        }
    }
}

/// Removes `path` from `object`.
fn exclude(object: &mut Map<String, Value>, path: &AttrPath) {
    let holder = match &path.urn {
        None => Some(object),
        Some(urn) => find_key(object, urn)
            .and_then(|k| object.get_mut(&k))
            .and_then(Value::as_object_mut),
    };
    let Some(holder) = holder else { return };
    match &path.sub {
        None => {
            remove_ci(holder, &path.attr);
        }
        Some(sub) => match find_key(holder, &path.attr).and_then(|k| holder.get_mut(&k)) {
            Some(Value::Array(items)) => {
                for item in items.iter_mut().filter_map(Value::as_object_mut) {
                    remove_ci(item, sub);
                }
            }
            Some(Value::Object(item)) => {
                remove_ci(item, sub);
            }
            _ => {}
        },
    }
}

/// Whether `resource` has a value at `path`.
#[cfg(test)]
fn has(resource: &Value, path: &AttrPath) -> bool {
    use super::value::get_ci;
    let Some(object) = resource.as_object() else {
        return false;
    };
    let holder = match &path.urn {
        None => Some(object),
        Some(urn) => get_ci(object, urn).and_then(Value::as_object),
    };
    holder.and_then(|h| get_ci(h, &path.attr)).is_some()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn user() -> Value {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "1",
            "userName": "ada", "password": "secret", "title": "Eng",
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "emails": [{"value": "a@x", "type": "work"}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "R&D", "division": "X"},
            "meta": {"resourceType": "User"}
        })
    }

    #[test]
    fn selects_attributes() {
        let only = Projection::parse(
            Some("userName,name.givenName,emails.value,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"),
            None,
        )
        .unwrap()
        .apply(&user());
        assert_eq!(
            only,
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "1", "userName": "ada",
                "name": {"givenName": "Ada"}, "emails": [{"value": "a@x"}],
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "R&D"}
            })
        );
    }

    #[test]
    fn excludes_attributes_and_never_returns_passwords() {
        let out = Projection::parse(None, Some("title,name.familyName,id"))
            .unwrap()
            .apply(&user());
        assert!(out.get("title").is_none() && out.get("password").is_none());
        assert_eq!(out["name"], json!({"givenName": "Ada"}));
        assert_eq!(out["id"], "1");
        assert!(has(&out, &AttrPath::core("userName")));
        assert!(Projection::parse(Some("bad name"), None).is_err());
    }
}
