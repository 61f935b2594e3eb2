//! PATCH (RFC 7644 §3.5.2): parsing `PatchOp` messages into [`Operation`]s (applied by
//! `patch_apply`).
//!
//! Paths: `attr`, `attr.sub`, `attr[filter]`, `attr[filter].sub`, extension-qualified
//! forms (`urn:...:User:attr`) and a bare extension URN. Without a path, `add` and
//! `replace` take an object whose keys are attributes, extension URNs, or paths
//! (`name.givenName`, as Okta and Canva send them).

use serde_json::Value;

use super::attr_path::AttrPath;
use super::error::{ScimError, ScimResult};
use super::filter::Filter;
use super::value::get_ci;

/// URN of the PATCH request message.
pub(crate) const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// What the resource type allows a PATCH to touch.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PatchRules<'a> {
    /// The extension URNs the resource may carry.
    pub extensions: &'a [String],
    /// Attributes no PATCH may write (`id`, `meta`, `groups`).
    pub read_only: &'a [&'a str],
    /// Attributes no PATCH may remove (`userName`).
    pub required: &'a [&'a str],
}

impl PatchRules<'_> {
    /// The declared spelling of `urn`, when it is a declared extension.
    fn extension(&self, urn: &str) -> Option<&str> {
        self.extensions
            .iter()
            .find(|e| e.eq_ignore_ascii_case(urn))
            .map(String::as_str)
    }
}

/// A PATCH operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// Add values.
    Add,
    /// Replace values.
    Replace,
    /// Remove values.
    Remove,
}

/// Where an operation applies.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// A whole extension object.
    Extension(String),
    /// An attribute, possibly filtered and with a sub-attribute.
    Attribute {
        /// The attribute (its `sub` is unused here).
        path: AttrPath,
        /// A value filter on a multi-valued attribute.
        filter: Option<Filter>,
        /// The sub-attribute after the filter (or after the attribute).
        sub: Option<String>,
    },
}

/// One parsed operation.
#[derive(Debug, Clone)]
pub(crate) struct Operation {
    /// The operation.
    pub op: Op,
    /// The target; `None` for a path-less operation.
    pub target: Option<Target>,
    /// The value, if any.
    pub value: Option<Value>,
}

/// Parses a `PatchOp` message.
pub(crate) fn parse_request(body: &Value, rules: &PatchRules<'_>) -> ScimResult<Vec<Operation>> {
    let object = body
        .as_object()
        .ok_or_else(|| ScimError::invalid_syntax("a PatchOp message must be a JSON object"))?;
    if let Some(schemas) = get_ci(object, "schemas") {
        let listed = schemas.as_array().is_some_and(|s| {
            s.iter().any(|u| {
                u.as_str()
                    .is_some_and(|u| u.eq_ignore_ascii_case(PATCH_OP_SCHEMA))
            })
        });
        if !listed {
            return Err(ScimError::invalid_syntax(format!(
                "`schemas` must list {PATCH_OP_SCHEMA}"
            )));
        }
    }
    let operations = get_ci(object, "Operations")
        .and_then(Value::as_array)
        .filter(|ops| !ops.is_empty())
        .ok_or_else(|| ScimError::invalid_syntax("`Operations` must be a non-empty array"))?;
    operations
        .iter()
        .map(|op| parse_operation(op, rules))
        .collect()
}

fn parse_operation(json: &Value, rules: &PatchRules<'_>) -> ScimResult<Operation> {
    let object = json
        .as_object()
        .ok_or_else(|| ScimError::invalid_syntax("each operation must be a JSON object"))?;
    let op = match get_ci(object, "op").and_then(Value::as_str) {
        Some(op) if op.eq_ignore_ascii_case("add") => Op::Add,
        Some(op) if op.eq_ignore_ascii_case("replace") => Op::Replace,
        Some(op) if op.eq_ignore_ascii_case("remove") => Op::Remove,
        other => {
            return Err(ScimError::invalid_syntax(format!(
                "`op` must be add, replace or remove, not {other:?}"
            )));
        }
    };
    let target = match get_ci(object, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(path)) => Some(parse_target(path, rules)?),
        Some(_) => return Err(ScimError::invalid_path("`path` must be a string")),
    };
    let value = get_ci(object, "value").cloned();
    if op != Op::Remove && value.is_none() {
        return Err(ScimError::invalid_value(
            "`add` and `replace` need a `value`",
        ));
    }
    if op == Op::Remove && target.is_none() {
        return Err(ScimError::no_target("`remove` needs a `path`"));
    }
    Ok(Operation { op, target, value })
}

/// Parses a PATCH path.
pub(crate) fn parse_target(text: &str, rules: &PatchRules<'_>) -> ScimResult<Target> {
    let text = text.trim();
    if let Some(urn) = rules.extension(text) {
        return Ok(Target::Extension(urn.to_owned()));
    }
    let bad = || ScimError::invalid_path(format!("`{text}` is not a valid path"));
    let (head, filter, sub) = match text.find('[') {
        None => (text, None, None),
        Some(open) => {
            let close = closing_bracket(text, open).ok_or_else(bad)?;
            let filter = Filter::parse(&text[open + 1..close])
                .map_err(|e| ScimError::invalid_path(e.detail))?;
            let tail = &text[close + 1..];
            let sub = match tail.strip_prefix('.') {
                Some(sub) if !sub.is_empty() => Some(sub.to_owned()),
                None if tail.is_empty() => None,
                _ => return Err(bad()),
            };
            (&text[..open], Some(filter), sub)
        }
    };
    let mut path = AttrPath::parse(head).ok_or_else(bad)?;
    if filter.is_some() && path.sub.is_some() {
        return Err(bad());
    }
    if let Some(urn) = &path.urn {
        let declared = rules.extension(urn).ok_or_else(|| {
            ScimError::invalid_path(format!(
                "the schema `{urn}` is not declared for this resource"
            ))
        })?;
        path.urn = Some(declared.to_owned());
    }
    if path.urn.is_none()
        && rules
            .read_only
            .iter()
            .any(|r| path.attr.eq_ignore_ascii_case(r))
    {
        return Err(ScimError::mutability(format!(
            "`{}` is read-only",
            path.attr
        )));
    }
    let sub = sub.or_else(|| path.sub.take());
    Ok(Target::Attribute { path, filter, sub })
}

/// The index of the `]` closing the `[` at `open`, skipping quoted strings.
fn closing_bracket(text: &str, open: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = open + 1;
    let mut quoted = false;
    while i < bytes.len() {
        match (bytes[i], quoted) {
            (b'\\', true) => i += 1,
            (b'"', _) => quoted = !quoted,
            (b']', false) => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Whether the operations touch only `active` (the one PATCH a PUT-updating service
/// such as Zoom accepts).
pub(crate) fn only_active(operations: &[Operation]) -> bool {
    operations
        .iter()
        .all(|operation| match (&operation.target, &operation.value) {
            (
                Some(Target::Attribute {
                    path,
                    filter: None,
                    sub: None,
                }),
                _,
            ) => path.is_core("active"),
            (None, Some(Value::Object(entries))) => entries
                .keys()
                .all(|k| k.eq_ignore_ascii_case("active") || k.eq_ignore_ascii_case("schemas")),
            _ => false,
        })
}

/// Whether any `add`/`replace` carries a path (refused by path-less dialects).
pub(crate) fn has_path_writes(operations: &[Operation]) -> bool {
    operations
        .iter()
        .any(|operation| operation.op != Op::Remove && operation.target.is_some())
}

pub(crate) use super::patch_apply::apply;

#[cfg(test)]
#[path = "patch_tests.rs"]
mod tests;
