//! Applying parsed PATCH operations to a resource (RFC 7644 §3.5.2.1-3): `add` appends
//! to multi-valued attributes and merges complex ones, `replace` replaces multi-valued
//! attributes whole and merges complex ones, `remove` takes attributes, sub-attributes or
//! filtered values away.

use serde_json::{Map, Value};

use super::error::{ScimError, ScimResult};
use super::filter::Filter;
use super::patch::{Op, Operation, PatchRules, Target, parse_target};
use super::value::{find_key, get_ci_mut, is_multi_valued, remove_ci, set_ci};

/// Applies `operations` in order to `resource`. On error the resource may be partly
/// changed: apply to a copy and keep it only on success.
pub(crate) fn apply(
    resource: &mut Map<String, Value>,
    operations: &[Operation],
    rules: &PatchRules<'_>,
) -> ScimResult<()> {
    for operation in operations {
        apply_one(resource, operation, rules)?;
    }
    Ok(())
}

fn apply_one(
    root: &mut Map<String, Value>,
    operation: &Operation,
    rules: &PatchRules<'_>,
) -> ScimResult<()> {
    let value = operation.value.clone().unwrap_or(Value::Null);
    match (&operation.target, operation.op) {
        (None, Op::Remove) => Err(ScimError::no_target("`remove` needs a `path`")),
        (None, op) => {
            let Value::Object(entries) = value else {
                return Err(ScimError::invalid_value(
                    "a path-less operation needs an object `value`",
                ));
            };
            for (key, item) in entries {
                if key.eq_ignore_ascii_case("schemas") {
                    continue;
                }
                let target = parse_target(&key, rules)?;
                write(root, &target, op, item)?;
            }
            Ok(())
        }
        (Some(target), Op::Remove) => remove(root, target, operation.value.as_ref(), rules),
        (Some(target), op) => write(root, target, op, value),
    }
}

/// The object holding attributes of `urn` (the resource itself for core attributes).
fn container<'a>(
    root: &'a mut Map<String, Value>,
    urn: Option<&str>,
    create: bool,
) -> ScimResult<Option<&'a mut Map<String, Value>>> {
    let Some(urn) = urn else {
        return Ok(Some(root));
    };
    let key = match find_key(root, urn) {
        Some(key) => key,
        None if create => urn.to_owned(),
        None => return Ok(None),
    };
    let slot = root.entry(key).or_insert_with(|| Value::Object(Map::new()));
    if slot.is_null() {
        *slot = Value::Object(Map::new());
    }
    slot.as_object_mut()
        .map(Some)
        .ok_or_else(|| ScimError::invalid_value(format!("`{urn}` is not an object")))
}

/// An `add` or `replace` at `target`.
fn write(root: &mut Map<String, Value>, target: &Target, op: Op, value: Value) -> ScimResult<()> {
    let (path, filter, sub) = match target {
        Target::Extension(urn) => {
            let Value::Object(entries) = value else {
                return Err(ScimError::invalid_value(format!(
                    "the value of `{urn}` must be an object"
                )));
            };
            let Some(extension) = container(root, Some(urn), true)? else {
                return Ok(());
            };
            for (key, item) in entries {
                set_attribute(extension, &key, item, op);
            }
            return Ok(());
        }
        Target::Attribute { path, filter, sub } => (path, filter, sub),
    };
    let Some(holder) = container(root, path.urn.as_deref(), true)? else {
        return Ok(());
    };
    match (filter, sub) {
        (None, None) => set_attribute(holder, &path.attr, value, op),
        (None, Some(sub)) => match get_ci_mut(holder, &path.attr) {
            Some(Value::Array(items)) => {
                for item in items.iter_mut().filter_map(Value::as_object_mut) {
                    set_ci(item, sub, value.clone());
                }
            }
            Some(slot @ Value::Object(_)) => {
                if let Some(object) = slot.as_object_mut() {
                    set_ci(object, sub, value);
                }
            }
            _ => {
                let mut object = Map::new();
                object.insert(sub.clone(), value);
                set_ci(holder, &path.attr, Value::Object(object));
            }
        },
        (Some(filter), sub) => {
            let items = matched(holder, &path.attr, filter)?;
            for item in items {
                match (sub, &value, item.as_object_mut()) {
                    (Some(sub), _, Some(object)) => set_ci(object, sub, value.clone()),
                    (None, Value::Object(entries), Some(object)) => {
                        for (key, v) in entries {
                            set_ci(object, key, v.clone());
                        }
                    }
                    (None, _, _) => *item = value.clone(),
                    (Some(sub), _, None) => {
                        return Err(ScimError::invalid_path(format!(
                            "`{}` values have no sub-attribute `{sub}`",
                            path.attr
                        )));
                    }
                }
            }
        }
    }
    Ok(())
}

/// The values of the multi-valued `attr` matching `filter`; `noTarget` when none does.
fn matched<'a>(
    holder: &'a mut Map<String, Value>,
    attr: &str,
    filter: &Filter,
) -> ScimResult<Vec<&'a mut Value>> {
    let items: Vec<&mut Value> = match get_ci_mut(holder, attr) {
        Some(Value::Array(items)) => items
            .iter_mut()
            .filter(|item| filter.matches(item))
            .collect(),
        _ => Vec::new(),
    };
    if items.is_empty() {
        return Err(ScimError::no_target(format!(
            "no value of `{attr}` matches the filter"
        )));
    }
    Ok(items)
}

/// Sets attribute `name` of `holder` by `op`: `add` appends to multi-valued attributes
/// (skipping values already there) and merges complex ones; `replace` replaces
/// multi-valued attributes whole and merges complex ones (RFC 7644 §3.5.2.3).
pub(super) fn set_attribute(holder: &mut Map<String, Value>, name: &str, value: Value, op: Op) {
    let existing = get_ci_mut(holder, name);
    let multi = is_multi_valued(name) || matches!(existing, Some(Value::Array(_)));
    match (existing, value) {
        (existing, value) if multi => {
            let items = match value {
                Value::Array(items) => items,
                Value::Null => Vec::new(),
                single => vec![single],
            };
            match (op, existing) {
                (Op::Add, Some(Value::Array(current))) => {
                    for item in items {
                        if !current.contains(&item) {
                            current.push(item);
                        }
                    }
                }
                _ => set_ci(holder, name, Value::Array(items)),
            }
        }
        (Some(Value::Object(current)), Value::Object(entries)) => {
            for (key, item) in entries {
                set_ci(current, &key, item);
            }
        }
        (_, value) => set_ci(holder, name, value),
    }
}

/// A `remove` at `target`; `value` (as Entra sends for `members`) names the values to
/// remove from a multi-valued attribute.
fn remove(
    root: &mut Map<String, Value>,
    target: &Target,
    value: Option<&Value>,
    rules: &PatchRules<'_>,
) -> ScimResult<()> {
    let (path, filter, sub) = match target {
        Target::Extension(urn) => {
            remove_ci(root, urn);
            return Ok(());
        }
        Target::Attribute { path, filter, sub } => (path, filter, sub),
    };
    if path.urn.is_none()
        && sub.is_none()
        && filter.is_none()
        && rules
            .required
            .iter()
            .any(|r| path.attr.eq_ignore_ascii_case(r))
    {
        return Err(ScimError::invalid_value(format!(
            "`{}` is required",
            path.attr
        )));
    }
    let Some(holder) = container(root, path.urn.as_deref(), false)? else {
        return Ok(());
    };
    match (filter, sub) {
        (None, None) => match (value, get_ci_mut(holder, &path.attr)) {
            (Some(Value::Array(gone)), Some(Value::Array(items))) => {
                let values: Vec<&Value> = gone.iter().filter_map(|g| g.get("value")).collect();
                items.retain(|item| !item.get("value").is_some_and(|v| values.contains(&v)));
            }
            _ => {
                remove_ci(holder, &path.attr);
            }
        },
        (None, Some(sub)) => match get_ci_mut(holder, &path.attr) {
            Some(Value::Array(items)) => {
                for item in items.iter_mut().filter_map(Value::as_object_mut) {
                    remove_ci(item, sub);
                }
            }
            Some(Value::Object(object)) => {
                remove_ci(object, sub);
            }
            _ => {}
        },
        (Some(filter), None) => {
            let Some(Value::Array(items)) = get_ci_mut(holder, &path.attr) else {
                return Err(ScimError::no_target(format!(
                    "`{}` has no values",
                    path.attr
                )));
            };
            let before = items.len();
            items.retain(|item| !filter.matches(item));
            if items.len() == before {
                return Err(ScimError::no_target(format!(
                    "no value of `{}` matches the filter",
                    path.attr
                )));
            }
        }
        (Some(filter), Some(sub)) => {
            for item in matched(holder, &path.attr, filter)? {
                if let Some(object) = item.as_object_mut() {
                    remove_ci(object, sub);
                }
            }
        }
    }
    Ok(())
}
