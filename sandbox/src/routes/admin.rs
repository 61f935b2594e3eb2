//! The admin API under `/_admin` (bearer: the sandbox's admin token): tenants, their
//! data and counters, seeding, faults and rate limits, reset.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::scim::{admin_unauthorized, is_admin};
use crate::config::{Faults, RateLimitConfig};
use crate::runtime::AppState;
use crate::runtime::tenant::Tenant;
use crate::scim::value::get_ci;
use crate::store::{Kind, check_schemas, clean_group, clean_user};

/// An admin API answer.
pub(super) type Answer = Result<Response, AdminError>;

/// A failed admin call.
#[derive(Debug)]
pub(super) enum AdminError {
    /// No or a wrong admin token (carries whether a token was sent).
    Unauthorized(bool),
    /// Another failure: its status and what went wrong.
    Failed(StatusCode, String),
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        match self {
            Self::Unauthorized(had_token) => admin_unauthorized(had_token),
            Self::Failed(status, detail) => json_response(status, &json!({"error": detail})),
        }
    }
}

/// Checks the admin token, then finds the tenant.
fn tenant(app: &AppState, headers: &HeaderMap, name: &str) -> Result<Arc<Tenant>, AdminError> {
    if !is_admin(app, headers) {
        return Err(AdminError::Unauthorized(had_token(headers)));
    }
    app.tenant(name)
        .ok_or_else(|| error(StatusCode::NOT_FOUND, &format!("no tenant `{name}`")))
}

fn had_token(headers: &HeaderMap) -> bool {
    headers.contains_key(header::AUTHORIZATION)
}

fn error(status: StatusCode, detail: &str) -> AdminError {
    AdminError::Failed(status, detail.to_owned())
}

fn ok(status: StatusCode, body: Value) -> Answer {
    Ok(json_response(status, &body))
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, AdminError> {
    serde_json::from_slice(body)
        .map_err(|e| error(StatusCode::BAD_REQUEST, &format!("bad JSON: {e}")))
}

/// What the admin API tells about a tenant (credentials included: they are local).
fn summary(tenant: &Tenant) -> Value {
    let state = tenant.lock();
    json!({
        "name": tenant.name,
        "connector": tenant.manifest.map(|m| m.name),
        "scim_url": tenant.scim_url,
        "token_url": tenant.token_url,
        "token": tenant.auth.token,
        "client_id": tenant.token_url.as_ref().map(|_| &tenant.auth.client_id),
        "client_secret": tenant.token_url.as_ref().map(|_| &tenant.auth.client_secret),
        "extensions": tenant.extensions,
        "undeclared": tenant.undeclared,
        "vendor": tenant.vendor.map(|v| v.name()),
        "api_url": tenant.api_url,
        "variables": tenant.variables,
        "users": state
            .api
            .as_ref()
            .and_then(|api| api.user_count())
            .unwrap_or_else(|| state.store.len(Kind::User)),
        "groups": state.store.len(Kind::Group),
        "rate_limit": state.rate_limit,
        "limits": state.bucket.limits(),
        "faults": state.faults.faults(),
        "stats": state.stats,
    })
}

/// `GET /_admin/tenants`.
pub(super) async fn list(State(app): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if !is_admin(&app, &headers) {
        return admin_unauthorized(had_token(&headers));
    }
    let all: Vec<Value> = app.tenants.values().map(|t| summary(t)).collect();
    json_response(StatusCode::OK, &Value::Array(all))
}

/// `POST /_admin/reset`: every tenant, as [`reset`].
pub(super) async fn reset_all(State(app): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if !is_admin(&app, &headers) {
        return admin_unauthorized(had_token(&headers));
    }
    for tenant in app.tenants.values() {
        tenant.reset();
    }
    StatusCode::NO_CONTENT.into_response()
}

/// `GET /_admin/tenants/{tenant}`.
pub(super) async fn tenant_summary(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let tenant = tenant(&app, &headers, &name)?;
    ok(StatusCode::OK, summary(&tenant))
}

/// `GET /_admin/tenants/{tenant}/state`: the summary plus every User and Group.
pub(super) async fn state(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let tenant = tenant(&app, &headers, &name)?;
    let mut body = summary(&tenant);
    let state = tenant.lock();
    if let Some(object) = body.as_object_mut() {
        object.insert(
            "users".to_owned(),
            Value::Array(state.store.all(Kind::User)),
        );
        object.insert(
            "groups".to_owned(),
            Value::Array(state.store.all(Kind::Group)),
        );
    }
    ok(StatusCode::OK, body)
}

/// `GET /_admin/tenants/{tenant}/users`.
pub(super) async fn users(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let tenant = tenant(&app, &headers, &name)?;
    let users = tenant.lock().store.all(Kind::User);
    ok(StatusCode::OK, Value::Array(users))
}

/// `GET /_admin/tenants/{tenant}/users/{id}`.
pub(super) async fn user(
    State(app): State<Arc<AppState>>,
    Path((name, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Answer {
    let tenant = tenant(&app, &headers, &name)?;
    let state = tenant.lock();
    let user = state
        .store
        .get(Kind::User, &id)
        .map(|u| state.store.render(Kind::User, u));
    match user {
        Some(user) => ok(StatusCode::OK, user),
        None => Err(error(StatusCode::NOT_FOUND, &format!("no User `{id}`"))),
    }
}

/// `GET /_admin/tenants/{tenant}/groups`.
pub(super) async fn groups(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let tenant = tenant(&app, &headers, &name)?;
    let groups = tenant.lock().store.all(Kind::Group);
    ok(StatusCode::OK, Value::Array(groups))
}

/// `POST /_admin/tenants/{tenant}/users`: a User that exists before provisioning (the
/// body is a SCIM User; `active` defaults to true; `userName` must be free).
pub(super) async fn seed_user(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let tenant = tenant(&app, &headers, &name)?;
    let bad = |e: crate::scim::error::ScimError| error(e.status, &e.detail);
    let mut user: serde_json::Map<String, Value> = parse(&body)?;
    check_schemas(&user, Kind::User, &tenant.extensions, false).map_err(bad)?;
    clean_user(&mut user).map_err(bad)?;
    if get_ci(&user, "active").is_none() {
        user.insert("active".to_owned(), Value::Bool(true));
    }
    let mut state = tenant.lock();
    let user_name = get_ci(&user, "userName")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if state.store.user_name_taken(user_name, None) {
        return Err(error(
            StatusCode::CONFLICT,
            &format!("userName `{user_name}` is taken"),
        ));
    }
    ok(StatusCode::CREATED, state.store.insert(Kind::User, user))
}

/// `POST /_admin/tenants/{tenant}/groups`: a Group that exists before provisioning.
pub(super) async fn seed_group(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let tenant = tenant(&app, &headers, &name)?;
    let mut group: serde_json::Map<String, Value> = parse(&body)?;
    let mut state = tenant.lock();
    let store = &state.store;
    clean_group(&mut group, |id| store.kind_of(id).is_some())
        .map_err(|e| error(e.status, &e.detail))?;
    ok(StatusCode::CREATED, state.store.insert(Kind::Group, group))
}

/// `GET /_admin/tenants/{tenant}/requests`: the last requests, oldest first.
pub(super) async fn requests(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let tenant = tenant(&app, &headers, &name)?;
    let log: Vec<Value> = tenant
        .lock()
        .log
        .iter()
        .map(|entry| serde_json::to_value(entry).unwrap_or(Value::Null))
        .collect();
    ok(StatusCode::OK, Value::Array(log))
}

/// `GET /_admin/tenants/{tenant}/faults`.
pub(super) async fn faults(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let tenant = tenant(&app, &headers, &name)?;
    let faults = tenant.lock().faults.faults();
    ok(StatusCode::OK, json!(faults))
}

/// `PUT /_admin/tenants/{tenant}/faults` with a [`Faults`] body.
pub(super) async fn set_faults(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let tenant = tenant(&app, &headers, &name)?;
    let faults: Faults = parse(&body)?;
    faults
        .validate()
        .map_err(|e| error(StatusCode::BAD_REQUEST, &e))?;
    tenant.set_faults(faults);
    ok(StatusCode::OK, json!(faults))
}

/// `GET /_admin/tenants/{tenant}/rate-limit`.
pub(super) async fn rate_limit(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let tenant = tenant(&app, &headers, &name)?;
    let state = tenant.lock();
    ok(
        StatusCode::OK,
        json!({"config": state.rate_limit, "limits": state.bucket.limits()}),
    )
}

/// `PUT /_admin/tenants/{tenant}/rate-limit` with a [`RateLimitConfig`] body.
pub(super) async fn set_rate_limit(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let tenant = tenant(&app, &headers, &name)?;
    let config: RateLimitConfig = parse(&body)?;
    config
        .validate()
        .map_err(|e| error(StatusCode::BAD_REQUEST, &e))?;
    tenant.set_rate_limit(config);
    ok(
        StatusCode::OK,
        json!({"config": config, "limits": tenant.limits()}),
    )
}

/// `POST /_admin/tenants/{tenant}/reset`: forgets data, counters, log and issued tokens,
/// and restores the start's rate limit and faults.
pub(super) async fn reset(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let tenant = tenant(&app, &headers, &name)?;
    tenant.reset();
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The vendor API state of a tenant, or a 404 for a SCIM-only tenant.
fn no_api(name: &str) -> AdminError {
    error(
        StatusCode::NOT_FOUND,
        &format!("tenant `{name}` emulates no vendor REST API"),
    )
}

/// `GET /_admin/tenants/{tenant}/api`: everything the tenant's vendor API holds, in the
/// vendor's JSON (users, licences, seats, groups, memberships).
pub(super) async fn api_state(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let tenant = tenant(&app, &headers, &name)?;
    let state = tenant.lock();
    let api = state.api.as_ref().ok_or_else(|| no_api(&name))?;
    let mut body = api.admin();
    if let Some(object) = body.as_object_mut() {
        object.insert("vendor".to_owned(), json!(tenant.vendor.map(|v| v.name())));
    }
    ok(StatusCode::OK, body)
}

/// `POST /_admin/tenants/{tenant}/api/users`: an account that exists before
/// provisioning, in the vendor's JSON (no password needed).
pub(super) async fn seed_api_user(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let tenant = tenant(&app, &headers, &name)?;
    let user: serde_json::Map<String, Value> = parse(&body)?;
    let mut state = tenant.lock();
    let api = state.api.as_mut().ok_or_else(|| no_api(&name))?;
    let created = api
        .seed_user(user)
        .map_err(|(status, detail)| error(status, &detail))?;
    ok(StatusCode::CREATED, created)
}

/// `PUT /_admin/tenants/{tenant}/api/users/{id}/owns-content` with `true` or `false`:
/// whether a Box user owns content (which makes a DELETE without `force` fail).
pub(super) async fn set_owns_content(
    State(app): State<Arc<AppState>>,
    Path((name, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let tenant = tenant(&app, &headers, &name)?;
    let owns: bool = parse(&body)?;
    let mut state = tenant.lock();
    let api = state.api.as_mut().ok_or_else(|| no_api(&name))?;
    api.set_owns_content(&id, owns)
        .map_err(|(status, detail)| error(status, &detail))?;
    ok(StatusCode::OK, json!({"id": id, "owns_content": owns}))
}
