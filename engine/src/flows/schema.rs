//! Reading the cards' JSON Schemas (as schemars writes them): the fields of an object,
//! the type of a value, the allowed values of an enum. The checker walks a flow's
//! inputs and paths with these, so every card of every connector is checked without
//! code of its own.

use serde_json::{Map, Value};

use super::Scalar;

/// What a schema wants, as far as the checker cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An object with named fields.
    Object,
    /// Text.
    String,
    /// A whole number.
    Integer,
    /// A number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// A list.
    Array,
    /// Anything (no `type`).
    Any,
}

impl Kind {
    /// For messages: `an object`, `a string`.
    pub(crate) fn what(self) -> &'static str {
        match self {
            Self::Object => "an object",
            Self::String => "a string",
            Self::Integer => "an integer",
            Self::Number => "a number",
            Self::Boolean => "a boolean",
            Self::Array => "an array",
            Self::Any => "any value",
        }
    }

    /// The type a template's text is converted to for this kind (integer, number,
    /// boolean); `None` for the others.
    pub(crate) fn scalar(self) -> Option<Scalar> {
        match self {
            Self::Integer => Some(Scalar::Integer),
            Self::Number => Some(Scalar::Number),
            Self::Boolean => Some(Scalar::Boolean),
            _ => None,
        }
    }
}

/// `node` with its `$ref` followed (to the root's `$defs`), and an optional value's
/// `anyOf: [X, {type: null}]` read as `X`.
pub(crate) fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    let mut node = node;
    for _ in 0..16 {
        if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
            let name = reference.rsplit('/').next().unwrap_or_default();
            match root.get("$defs").and_then(|d| d.get(name)) {
                Some(found) => node = found,
                None => return node,
            }
            continue;
        }
        let branches = node
            .get("anyOf")
            .or_else(|| node.get("oneOf"))
            .and_then(Value::as_array);
        if let Some(branches) = branches {
            let real: Vec<&Value> = branches
                .iter()
                .filter(|b| b.get("type").and_then(Value::as_str) != Some("null"))
                .collect();
            if real.len() == 1 && real.len() < branches.len() {
                node = real[0];
                continue;
            }
        }
        return node;
    }
    node
}

/// The named fields of an object schema.
pub(crate) fn properties<'a>(root: &'a Value, node: &'a Value) -> Option<&'a Map<String, Value>> {
    resolve(root, node)
        .get("properties")
        .and_then(Value::as_object)
}

/// The required fields of an object schema.
pub(crate) fn required<'a>(root: &'a Value, node: &'a Value) -> Vec<&'a str> {
    resolve(root, node)
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The allowed values of an enum of strings (`enum`, or `oneOf` of `const`s).
pub(crate) fn enum_values(root: &Value, node: &Value) -> Option<Vec<String>> {
    let node = resolve(root, node);
    if let Some(values) = node.get("enum").and_then(Value::as_array) {
        return Some(
            values
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
        );
    }
    if let Some(value) = node.get("const").and_then(Value::as_str) {
        return Some(vec![value.to_owned()]);
    }
    let branches = node.get("oneOf").and_then(Value::as_array)?;
    branches
        .iter()
        .map(|b| {
            resolve(root, b)
                .get("const")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect()
}

/// What the schema wants.
pub(crate) fn kind(root: &Value, node: &Value) -> Kind {
    let node = resolve(root, node);
    let types: Vec<&str> = match node.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let types: Vec<&str> = types.into_iter().filter(|t| *t != "null").collect();
    match types.as_slice() {
        ["object"] => Kind::Object,
        ["string"] => Kind::String,
        ["integer"] => Kind::Integer,
        ["number"] => Kind::Number,
        ["boolean"] => Kind::Boolean,
        ["array"] => Kind::Array,
        [] if node.get("properties").is_some() => Kind::Object,
        [] if enum_values(node, node).is_some() => Kind::String,
        _ => Kind::Any,
    }
}

/// The schema at `path` below `node` (object fields only), or the first segment that
/// is not there with the fields that are.
pub(crate) fn at_path<'a>(
    root: &'a Value,
    node: &'a Value,
    path: &[&str],
) -> Result<&'a Value, (usize, Vec<String>)> {
    let mut here = node;
    for (i, segment) in path.iter().enumerate() {
        let fields = properties(root, here);
        match fields.and_then(|f| f.get(*segment)) {
            Some(next) => here = next,
            None => {
                return Err((
                    i,
                    fields
                        .map(|f| f.keys().cloned().collect())
                        .unwrap_or_default(),
                ));
            }
        }
    }
    Ok(here)
}
