//! The read side of Okta's Management API below `/api/v1`, as Okta answers it:
//!
//! | path | page size (default / max) |
//! | --- | --- |
//! | `users` (`filter`, `search`, `q`; `DEPROVISIONED` users only when the expression names `status`) | 200 / 200 |
//! | `users/{id or login}` | |
//! | `groups` (`filter`, `search`, `q`) | 10000 / 10000 |
//! | `groups/{id}`, `groups/{id}/users` | 1000 / 1000 |
//! | `apps` (`filter`, `q`), `apps/{id}` | 20 / 200 |
//! | `apps/{id}/users` (`scope` `USER` or `GROUP`) | 50 / 500 |
//! | `apps/{id}/groups` | 20 / 200 |
//!
//! Writes that change people (`lifecycle`), apps and their group assignments
//! (`app_api`), event hooks (`hook_api`) and the System Log (`logs`) are routed from
//! here too.
//!
//! Other methods on these paths get 405 `E0000022`, other paths 404 `E0000007`.

use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::error::OktaError;
use super::filter::Expr;
use super::hooks::Verification;
use super::paging::{self, PageSize};
use super::store::{Assignment, State};
use super::{app_api, hook_api, lifecycle, logs};
use crate::vendors::json_response;

/// Users: Okta's default and maximum page.
const USERS: PageSize = PageSize {
    default: 200,
    max: 200,
};
/// Users found with `q`.
const USERS_Q: PageSize = PageSize {
    default: 10,
    max: 200,
};
/// Groups.
const GROUPS: PageSize = PageSize {
    default: 10_000,
    max: 10_000,
};
/// Group members.
const MEMBERS: PageSize = PageSize {
    default: 1000,
    max: 1000,
};
/// Apps.
const APPS: PageSize = PageSize {
    default: 20,
    max: 200,
};
/// App user assignments.
const APP_USERS: PageSize = PageSize {
    default: 50,
    max: 500,
};
/// App group assignments.
const APP_GROUPS: PageSize = PageSize {
    default: 20,
    max: 200,
};

/// What `filter` may name on users (inequalities only on `lastUpdated`).
const USER_FILTER: &[&str] = &[
    "status",
    "lastUpdated",
    "id",
    "profile.login",
    "profile.email",
    "profile.firstName",
    "profile.lastName",
];
/// What `filter` may name on groups.
const GROUP_FILTER: &[&str] = &["type", "id", "lastUpdated", "lastMembershipUpdated"];
/// What `filter` may name on apps.
const APP_FILTER: &[&str] = &["status", "name"];

/// One API request.
#[derive(Debug)]
pub(crate) struct Request<'a> {
    /// The method.
    pub method: &'a Method,
    /// The path segments below `/api/v1`.
    pub segments: Vec<String>,
    /// The query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// The org's URL (`http://HOST/{tenant}`), for links.
    pub org_url: &'a str,
    /// The body (JSON for writes).
    pub body: &'a [u8],
    /// The caller's `User-Agent` (recorded in System Log events).
    pub user_agent: &'a str,
}

impl Request<'_> {
    /// The query parameter `name`.
    pub(super) fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `{org}/api/v1/{path}`.
    pub(super) fn url(&self, path: &str) -> String {
        format!("{}/api/v1/{path}", self.org_url)
    }
}

/// What a request needs: an answer now, or an event hook's verification call first
/// (made without the org's lock; `crate::routes::okta` then finishes it).
#[derive(Debug)]
pub(crate) enum Served {
    /// The answer.
    Answer(Response),
    /// The verification call to make.
    Verify(Verification),
}

/// Answers one request.
pub(crate) fn serve(state: &mut State, request: &Request<'_>) -> Served {
    let path: Vec<&str> = request.segments.iter().map(String::as_str).collect();
    if let ["eventHooks", id, "lifecycle", "verify"] = path.as_slice() {
        if *request.method != Method::POST {
            return Served::Answer(OktaError::method_not_allowed().response());
        }
        return match state.hooks.verification(id) {
            Ok(call) => Served::Verify(call),
            Err(error) => Served::Answer(error.response()),
        };
    }
    Served::Answer(route(state, request).unwrap_or_else(|error| error.response()))
}

fn route(state: &mut State, request: &Request<'_>) -> Result<Response, OktaError> {
    let path: Vec<&str> = request.segments.iter().map(String::as_str).collect();
    if let ["apps", ..] = path.as_slice() {
        if let Some(forbidden) = app_api::missing_scope(state, request) {
            return Ok(forbidden);
        }
        if let Some(answer) = app_api::serve(state, request, &path) {
            return answer;
        }
    }
    match path.as_slice() {
        ["eventHooks", ..] => return hook_api::serve(state, request, &path[1..]),
        ["logs"] if *request.method == Method::GET => return logs::logs(state, request),
        ["users", who, "lifecycle", action] => {
            return lifecycle::lifecycle(state, request, who, action);
        }
        ["users", who] if matches!(*request.method, Method::POST | Method::PUT) => {
            let replace = *request.method == Method::PUT;
            let updated = lifecycle::update_profile(state, request, who, replace)?;
            let updated = updated.as_object().map(|u| user(u, request));
            return Ok(json_response(StatusCode::OK, &updated.unwrap_or_default()));
        }
        ["groups", group, "users", who] => {
            return match *request.method {
                Method::PUT => lifecycle::membership(state, request, group, who, true),
                Method::DELETE => lifecycle::membership(state, request, group, who, false),
                _ => Err(OktaError::method_not_allowed()),
            };
        }
        _ => {}
    }
    let known = matches!(
        path.as_slice(),
        ["users" | "groups" | "apps"]
            | ["users" | "groups" | "apps", _]
            | ["groups", _, "users"]
            | ["apps", _, "users" | "groups"]
            | ["logs"]
    );
    if !known {
        let page = format!("/api/v1/{}", path.join("/"));
        return Err(OktaError::not_found(&page, "Page"));
    }
    if *request.method != Method::GET {
        return Err(OktaError::method_not_allowed());
    }
    match path.as_slice() {
        ["users"] => list_users(state, request),
        ["users", who] => {
            let id = state
                .find_user(who)
                .ok_or_else(|| OktaError::not_found(who, "User"))?;
            let user = state.users().get(&id).map(|u| user(u, request));
            Ok(json_response(StatusCode::OK, &user.unwrap_or_default()))
        }
        ["groups"] => list_groups(state, request),
        ["groups", id] => {
            let found = state.groups().get(*id).map(|g| group(&g.json, request));
            let found = found.ok_or_else(|| OktaError::not_found(id, "UserGroup"))?;
            Ok(json_response(StatusCode::OK, &found))
        }
        ["groups", id, "users"] => {
            let members = state
                .members(id)
                .ok_or_else(|| OktaError::not_found(id, "UserGroup"))?;
            let items = members
                .into_iter()
                .filter_map(|m| state.users().get(&m).map(|u| (m, user(u, request))))
                .collect();
            listing(state, request, MEMBERS, items)
        }
        ["apps"] => list_apps(state, request),
        ["apps", id] => {
            let found = state.apps().get(*id).map(|a| app(&a.json, request));
            let found = found.ok_or_else(|| OktaError::not_found(id, "AppInstance"))?;
            Ok(json_response(StatusCode::OK, &found))
        }
        ["apps", id, "users"] => {
            let assigned = state
                .app_users(id)
                .ok_or_else(|| OktaError::not_found(id, "AppInstance"))?;
            let items = assigned
                .into_iter()
                .filter_map(|(user_id, assignment)| {
                    let found = state.users().get(&user_id)?;
                    let item = app_user(state, id, found, &assignment, request);
                    Some((user_id, item))
                })
                .collect();
            listing(state, request, APP_USERS, items)
        }
        ["apps", id, "groups"] => {
            let groups = state
                .app_groups(id)
                .ok_or_else(|| OktaError::not_found(id, "AppInstance"))?;
            let since = state
                .apps()
                .get(*id)
                .map_or(Value::Null, |a| a.json["created"].clone());
            let items = groups
                .into_iter()
                .map(|(group, priority)| {
                    let item = json!({
                        "id": group,
                        "lastUpdated": since,
                        "priority": priority,
                        "profile": {},
                        "_links": {
                            "app": {"href": request.url(&format!("apps/{id}"))},
                            "group": {"href": request.url(&format!("groups/{group}"))},
                        },
                    });
                    (group, item)
                })
                .collect();
            listing(state, request, APP_GROUPS, items)
        }
        _ => Err(OktaError::method_not_allowed()),
    }
}

/// `GET /users`: everyone but `DEPROVISIONED` users, unless the expression names
/// `status`; empty under the `empty_users` fault.
fn list_users(state: &mut State, request: &Request<'_>) -> Result<Response, OktaError> {
    let expression = expression(request, USER_FILTER)?;
    let query = request.param("q").map(str::to_lowercase);
    let size = if query.is_some() { USERS_Q } else { USERS };
    let items = if state.faults.empty_users() {
        Vec::new()
    } else {
        state
            .users()
            .iter()
            .filter(|(_, u)| match &expression {
                Some(e) => e.matches(u) && (e.mentions("status") || !deprovisioned(u)),
                None => !deprovisioned(u),
            })
            .filter(|(_, u)| {
                query.as_ref().is_none_or(|q| {
                    ["firstName", "lastName", "email"].iter().any(|field| {
                        u["profile"][field]
                            .as_str()
                            .is_some_and(|v| v.to_lowercase().starts_with(q.as_str()))
                    })
                })
            })
            .map(|(id, u)| (id.clone(), user(u, request)))
            .collect()
    };
    listing(state, request, size, items)
}

/// `GET /groups`.
fn list_groups(state: &mut State, request: &Request<'_>) -> Result<Response, OktaError> {
    let expression = expression(request, GROUP_FILTER)?;
    let query = request.param("q").map(str::to_lowercase);
    let items = state
        .groups()
        .iter()
        .filter(|(_, g)| expression.as_ref().is_none_or(|e| e.matches(&g.json)))
        .filter(|(_, g)| {
            query.as_ref().is_none_or(|q| {
                g.json["profile"]["name"]
                    .as_str()
                    .is_some_and(|n| n.to_lowercase().starts_with(q.as_str()))
            })
        })
        .map(|(id, g)| (id.clone(), group(&g.json, request)))
        .collect();
    listing(state, request, GROUPS, items)
}

/// `GET /apps`.
fn list_apps(state: &mut State, request: &Request<'_>) -> Result<Response, OktaError> {
    if request.param("search").is_some() {
        return Err(OktaError::invalid(
            "search",
            "apps are found with `filter` or `q`",
        ));
    }
    let expression = expression(request, APP_FILTER)?;
    let query = request.param("q").map(str::to_lowercase);
    let items = state
        .apps()
        .iter()
        .filter(|(_, a)| expression.as_ref().is_none_or(|e| e.matches(&a.json)))
        .filter(|(_, a)| {
            query.as_ref().is_none_or(|q| {
                ["name", "label"].iter().any(|field| {
                    a.json[*field]
                        .as_str()
                        .is_some_and(|v| v.to_lowercase().starts_with(q.as_str()))
                })
            })
        })
        .map(|(id, a)| (id.clone(), app(&a.json, request)))
        .collect();
    listing(state, request, APPS, items)
}

/// The `filter` or `search` expression of the request, checked.
fn expression(request: &Request<'_>, filterable: &[&str]) -> Result<Option<Expr>, OktaError> {
    match (request.param("filter"), request.param("search")) {
        (Some(_), Some(_)) => Err(OktaError::invalid(
            "filter",
            "use `filter` or `search`, not both",
        )),
        (Some(text), None) => Expr::parse(text)
            .and_then(|e| e.check_filter(filterable).map(|()| e))
            .map(Some)
            .map_err(|cause| OktaError::invalid("filter", cause)),
        (None, Some(text)) => Expr::parse(text)
            .map(Some)
            .map_err(OktaError::invalid_search),
        (None, None) => Ok(None),
    }
}

/// One page of `items` (sorted by key) with its `Link` headers, unless a page fault
/// makes it fail.
fn listing(
    state: &mut State,
    request: &Request<'_>,
    size: PageSize,
    items: Vec<(String, Value)>,
) -> Result<Response, OktaError> {
    let limit = size.read(request.param("limit"))?;
    let page = paging::page(items, request.param("after"), limit);
    let path = request.segments.join("/");
    if let Some(status) = state.faults.fail(&path, page.number) {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return Err(OktaError::injected(status));
    }
    let links = paging::links(
        &request.url(&path),
        &request.query,
        limit,
        page.next.as_deref(),
    );
    let mut response = json_response(StatusCode::OK, &Value::Array(page.items));
    for link in links {
        if let Ok(value) = HeaderValue::from_str(&link) {
            response.headers_mut().append(header::LINK, value);
        }
    }
    Ok(response)
}

fn deprovisioned(user: &Map<String, Value>) -> bool {
    user.get("status") == Some(&json!("DEPROVISIONED"))
}

/// A user with its `_links`.
fn user(stored: &Map<String, Value>, request: &Request<'_>) -> Value {
    let mut out = stored.clone();
    let id = stored["id"].as_str().unwrap_or_default();
    out.insert(
        "_links".into(),
        json!({"self": {"href": request.url(&format!("users/{id}"))}}),
    );
    Value::Object(out)
}

/// A group with its `_links`.
fn group(stored: &Map<String, Value>, request: &Request<'_>) -> Value {
    let mut out = stored.clone();
    let id = stored["id"].as_str().unwrap_or_default();
    out.insert(
        "_links".into(),
        json!({
            "logo": [],
            "users": {"href": request.url(&format!("groups/{id}/users"))},
            "apps": {"href": request.url(&format!("groups/{id}/apps"))},
        }),
    );
    Value::Object(out)
}

/// An app with its `_links`.
fn app(stored: &Map<String, Value>, request: &Request<'_>) -> Value {
    let mut out = stored.clone();
    let id = stored["id"].as_str().unwrap_or_default();
    out.insert(
        "_links".into(),
        json!({
            "self": {"href": request.url(&format!("apps/{id}"))},
            "users": {"href": request.url(&format!("apps/{id}/users"))},
            "groups": {"href": request.url(&format!("apps/{id}/groups"))},
        }),
    );
    Value::Object(out)
}

/// An app user: the assignment of `user` to app `app_id`.
fn app_user(
    state: &State,
    app_id: &str,
    user: &Map<String, Value>,
    assignment: &Assignment,
    request: &Request<'_>,
) -> Value {
    let id = user["id"].as_str().unwrap_or_default();
    let profile = &user["profile"];
    let mut links = json!({
        "app": {"href": request.url(&format!("apps/{app_id}"))},
        "user": {"href": request.url(&format!("users/{id}"))},
    });
    if let Some(group) = &assignment.group {
        let name = state
            .groups()
            .get(group)
            .map_or(Value::Null, |g| g.json["profile"]["name"].clone());
        links["group"] = json!({"name": name, "href": request.url(&format!("groups/{group}"))});
    }
    json!({
        "id": id,
        "externalId": null,
        "created": assignment.since,
        "lastUpdated": assignment.since,
        "scope": assignment.scope(),
        "status": "ACTIVE",
        "statusChanged": assignment.since,
        "passwordChanged": null,
        "syncState": "DISABLED",
        "credentials": {"userName": profile["login"]},
        "profile": {
            "email": profile["email"],
            "firstName": profile["firstName"],
            "lastName": profile["lastName"],
            "displayName": profile["displayName"],
        },
        "_links": links,
    })
}
