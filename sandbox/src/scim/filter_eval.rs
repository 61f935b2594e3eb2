//! Evaluating a [`Filter`] against a resource (or one value of a multi-valued attribute).
//!
//! An attribute matches when any of its values does; a complex multi-valued attribute
//! compared without a sub-attribute compares its `value`s. Strings compare ignoring case,
//! except `id` and `externalId` (case-exact in RFC 7643).

use std::cmp::Ordering;

use serde_json::Value;

use super::attr_path::AttrPath;
use super::filter::{CompareOp, Filter};
use super::value::{get_ci, is_unassigned};

impl Filter {
    /// Whether `resource` matches.
    pub(crate) fn matches(&self, resource: &Value) -> bool {
        match self {
            Self::Compare { path, op, value } => compare(resource, path, *op, value),
            Self::Present(path) => values(resource, path).iter().any(|v| !is_unassigned(v)),
            Self::And(a, b) => a.matches(resource) && b.matches(resource),
            Self::Or(a, b) => a.matches(resource) || b.matches(resource),
            Self::Not(inner) => !inner.matches(resource),
            Self::ValuePath { path, filter } => elements(resource, path)
                .iter()
                .any(|element| filter.matches(element)),
        }
    }
}

/// The values of the multi-valued attribute at `path` (a single value counts as one).
fn elements<'a>(resource: &'a Value, path: &AttrPath) -> Vec<&'a Value> {
    let Some(container) = container(resource, path) else {
        return Vec::new();
    };
    match get_ci(container, &path.attr) {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(Value::Null) | None => Vec::new(),
        Some(other) => vec![other],
    }
}

/// The object holding `path`'s attribute: the resource, or its extension object.
fn container<'a>(
    resource: &'a Value,
    path: &AttrPath,
) -> Option<&'a serde_json::Map<String, Value>> {
    let object = resource.as_object()?;
    match &path.urn {
        Some(urn) => get_ci(object, urn)?.as_object(),
        None => Some(object),
    }
}

/// Every value `path` designates; complex values of a multi-valued attribute stand for
/// their `value` sub-attribute when no sub-attribute is named.
fn values<'a>(resource: &'a Value, path: &AttrPath) -> Vec<&'a Value> {
    let Some(container) = container(resource, path) else {
        return Vec::new();
    };
    let Some(value) = get_ci(container, &path.attr) else {
        return Vec::new();
    };
    let pick = |item: &'a Value| -> Option<&'a Value> {
        match (&path.sub, item) {
            (Some(sub), Value::Object(object)) => get_ci(object, sub),
            (Some(_), _) => None,
            (None, Value::Object(object)) if value.is_array() => get_ci(object, "value"),
            (None, item) => Some(item),
        }
    };
    match value {
        Value::Array(items) => items.iter().filter_map(pick).collect(),
        other => pick(other).into_iter().collect(),
    }
}

/// Whether `path op literal` holds on `resource`.
fn compare(resource: &Value, path: &AttrPath, op: CompareOp, literal: &Value) -> bool {
    let found = values(resource, path);
    let exact = path.urn.is_none()
        && path.sub.is_none()
        && (path.attr.eq_ignore_ascii_case("id") || path.attr.eq_ignore_ascii_case("externalId"));
    match op {
        CompareOp::Eq if literal.is_null() => found.iter().all(|v| v.is_null()),
        CompareOp::Ne if literal.is_null() => found.iter().any(|v| !v.is_null()),
        CompareOp::Ne => !found
            .iter()
            .any(|v| holds(v, CompareOp::Eq, literal, exact)),
        op => found.iter().any(|v| holds(v, op, literal, exact)),
    }
}

/// Whether one value satisfies `op literal`.
fn holds(value: &Value, op: CompareOp, literal: &Value, exact: bool) -> bool {
    match (value, literal) {
        (Value::String(have), Value::String(want)) => {
            let (have, want) = if exact {
                (have.clone(), want.clone())
            } else {
                (have.to_lowercase(), want.to_lowercase())
            };
            match op {
                CompareOp::Eq => have == want,
                CompareOp::Ne => have != want,
                CompareOp::Co => have.contains(&want),
                CompareOp::Sw => have.starts_with(&want),
                CompareOp::Ew => have.ends_with(&want),
                CompareOp::Gt | CompareOp::Ge | CompareOp::Lt | CompareOp::Le => {
                    ordered(have.cmp(&want), op)
                }
            }
        }
        (Value::Number(have), Value::Number(want)) => {
            let (Some(have), Some(want)) = (have.as_f64(), want.as_f64()) else {
                return false;
            };
            match op {
                CompareOp::Eq => have == want,
                CompareOp::Ne => have != want,
                CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
                _ => have.partial_cmp(&want).is_some_and(|o| ordered(o, op)),
            }
        }
        (Value::Bool(have), Value::Bool(want)) => match op {
            CompareOp::Eq => have == want,
            CompareOp::Ne => have != want,
            _ => false,
        },
        _ => false,
    }
}

/// Whether `ordering` satisfies an ordering operator.
fn ordered(ordering: Ordering, op: CompareOp) -> bool {
    match op {
        CompareOp::Gt => ordering == Ordering::Greater,
        CompareOp::Ge => ordering != Ordering::Less,
        CompareOp::Lt => ordering == Ordering::Less,
        CompareOp::Le => ordering != Ordering::Greater,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn user() -> Value {
        json!({
            "id": "Abc", "userName": "Ada@Example.com", "active": true, "externalId": "X1",
            "emails": [{"value": "ada@work.example", "type": "work"}, {"value": "ada@home.example", "type": "home"}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "R&D"},
            "meta": {"lastModified": "2026-01-02T00:00:00.000Z"}
        })
    }

    fn check(filter: &str) -> bool {
        Filter::parse(filter).unwrap().matches(&user())
    }

    #[test]
    fn evaluates_the_operators() {
        assert!(check(r#"userName eq "ada@example.com""#));
        assert!(check(r#"USERNAME Eq "ADA@EXAMPLE.COM""#));
        assert!(!check(r#"externalId eq "x1""#));
        assert!(check(r#"externalId eq "X1""#));
        assert!(!check(r#"id eq "abc""#));
        assert!(check(r#"emails eq "ada@home.example""#));
        assert!(check(r#"emails.value sw "ada@w""#));
        assert!(check(r#"emails[type eq "work" and value ew ".example"]"#));
        assert!(!check(r#"emails[type eq "other"]"#));
        assert!(check("active eq true and title pr or userName pr"));
        assert!(!check("title pr"));
        assert!(check(
            r#"not (title pr) and urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department co "r&""#
        ));
        assert!(check(r#"meta.lastModified gt "2026-01-01T00:00:00Z""#));
        assert!(check(r#"userName ne "bob""#));
        assert!(check("title eq null"));
    }
}
