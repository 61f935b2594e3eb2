//! What SCIM handlers read from a request (query parameters, JSON body) and the list
//! responses they write.

use axum::http::Method;
use serde_json::{Map, Value, json};

use crate::runtime::group_rules::GroupRules;
use crate::runtime::rules::Rules;
use crate::runtime::tenant::Tenant;
use crate::scim::error::{ScimError, ScimResult};
use crate::scim::projection::Projection;

/// URN of the list response message.
pub(super) const LIST_RESPONSE_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// A SCIM request, below the tenant's base.
#[derive(Debug)]
pub(super) struct ScimRequest {
    /// The method.
    pub method: Method,
    /// The path segments below `/scim/v2`.
    pub segments: Vec<String>,
    /// The query parameters, decoded.
    pub query: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl ScimRequest {
    /// A request for `rest` (the path below `/scim/v2/`) with the raw query.
    pub(super) fn new(method: Method, rest: &str, query: Option<&str>, body: Vec<u8>) -> Self {
        let segments = rest
            .split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        let query = query
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            method,
            segments,
            query,
            body,
        }
    }

    /// The query parameter `name` (case-insensitive).
    pub(super) fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON (400 `invalidSyntax` when it is not).
    pub(super) fn json(&self) -> ScimResult<Value> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err(ScimError::invalid_syntax("the request has no body"));
        }
        serde_json::from_slice(&self.body)
            .map_err(|e| ScimError::invalid_syntax(format!("the body is not JSON: {e}")))
    }

    /// The body as a JSON object.
    pub(super) fn object(&self) -> ScimResult<Map<String, Value>> {
        match self.json()? {
            Value::Object(object) => Ok(object),
            _ => Err(ScimError::invalid_syntax("the body must be a JSON object")),
        }
    }

    /// The projection the query asks for.
    pub(super) fn projection(&self) -> ScimResult<Projection> {
        Projection::parse(self.param("attributes"), self.param("excludedAttributes"))
    }
}

/// What a handler works with.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ctx<'a> {
    /// The tenant.
    pub tenant: &'a Tenant,
    /// The behaviour in force (the tenant's, or its admin view's).
    pub rules: &'a Rules,
    /// The `/Groups` behaviour in force (the vendor's, or RFC 7644 in the admin view).
    pub groups: &'a GroupRules,
    /// The request.
    pub request: &'a ScimRequest,
}

/// A page request: `startIndex` (1-based) and `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Paging {
    /// The 1-based index of the first result.
    pub start: usize,
    /// How many results at most.
    pub count: usize,
}

impl Paging {
    /// Reads `startIndex` and `count` (strings or numbers); `count` is capped at the
    /// page size and defaults to the rules' default. Non-numbers are 400 `invalidValue`.
    pub(super) fn read(
        start: Option<&Value>,
        count: Option<&Value>,
        rules: &Rules,
    ) -> ScimResult<Self> {
        let number = |name: &str, value: Option<&Value>| -> ScimResult<Option<i64>> {
            match value {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| {
                    ScimError::invalid_value(format!("`{name}` must be an integer"))
                }),
                Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| {
                    ScimError::invalid_value(format!("`{name}` must be an integer, not `{s}`"))
                }),
                Some(_) => Err(ScimError::invalid_value(format!(
                    "`{name}` must be an integer"
                ))),
            }
        };
        let start = number("startIndex", start)?.unwrap_or(1).max(1);
        let count = number("count", count)?
            .unwrap_or(i64::from(rules.default_count))
            .clamp(0, i64::from(rules.page_size));
        Ok(Self {
            start: usize::try_from(start).unwrap_or(usize::MAX),
            count: usize::try_from(count).unwrap_or(0),
        })
    }

    /// From the query string.
    pub(super) fn from_query(request: &ScimRequest, rules: &Rules) -> ScimResult<Self> {
        let value = |name| request.param(name).map(|v| Value::String(v.to_owned()));
        Self::read(value("startIndex").as_ref(), value("count").as_ref(), rules)
    }
}

/// The `ListResponse` for one page of `all`, each resource projected.
pub(super) fn list_response(all: Vec<Value>, paging: Paging, projection: &Projection) -> Value {
    let total = all.len();
    let page: Vec<Value> = all
        .into_iter()
        .skip(paging.start - 1)
        .take(paging.count)
        .collect();
    page_response(total, page, paging, projection)
}

/// A `ListResponse` of `page`, already cut from `total` resources at `paging`.
pub(super) fn page_response(
    total: usize,
    page: Vec<Value>,
    paging: Paging,
    projection: &Projection,
) -> Value {
    let resources: Vec<Value> = page.iter().map(|r| projection.apply(r)).collect();
    json!({
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": total,
        "startIndex": paging.start,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_capped_and_validated() {
        let mut rules = Rules::generic();
        rules.page_size = 10;
        rules.default_count = 5;
        let paging = |s: Value, c: Value| Paging::read(Some(&s), Some(&c), &rules);
        assert_eq!(
            paging(json!("0"), json!(50)).unwrap(),
            Paging {
                start: 1,
                count: 10
            }
        );
        assert_eq!(
            paging(json!(3), json!(-1)).unwrap(),
            Paging { start: 3, count: 0 }
        );
        assert_eq!(
            Paging::read(None, None, &rules).unwrap(),
            Paging { start: 1, count: 5 }
        );
        assert!(paging(json!("x"), json!(1)).is_err());
        let list = list_response(
            vec![json!({"id": "1"}), json!({"id": "2"}), json!({"id": "3"})],
            Paging { start: 2, count: 1 },
            &Projection::default(),
        );
        assert_eq!(list["totalResults"], 3);
        assert_eq!(list["Resources"], json!([{"id": "2"}]));
        let request = ScimRequest::new(
            Method::GET,
            "Users/",
            Some("Filter=userName%20eq%20%22a%22&count=2"),
            Vec::new(),
        );
        assert_eq!(request.segments, ["Users"]);
        assert_eq!(request.param("filter"), Some("userName eq \"a\""));
        assert!(request.json().is_err());
    }
}
