//! The admin API of Okta orgs, under `/_admin/tenants/{tenant}/okta` (bearer: the
//! sandbox's admin token): the org's data, seeding, removing people between runs, and
//! the Okta faults, and the event hooks with their deliveries. Answers are JSON;
//! failures are `{"error": "..."}`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::{Ctx, org};
use crate::runtime::auth::bearer_token;
use crate::runtime::tenant::Tenant;
use crate::vendors::json_response;
use crate::vendors::okta::OktaFaults;
use crate::vendors::okta::store::{Failure, State as Org};

/// An admin answer.
type Answer = Result<Response, Failed>;

/// A failed admin call: its status and what went wrong.
#[derive(Debug)]
pub(super) struct Failed(StatusCode, String);

impl IntoResponse for Failed {
    fn into_response(self) -> Response {
        let mut response = json_response(self.0, &json!({"error": self.1}));
        if self.0 == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"_admin\""),
            );
        }
        response
    }
}

/// Checks the admin token, then finds the Okta org.
fn tenant(ctx: &Ctx, headers: &HeaderMap, name: &str) -> Result<Arc<Tenant>, Failed> {
    let token = bearer_token(headers);
    if token != Some(ctx.app.admin_token.as_str()) {
        let detail = if token.is_some() {
            "the admin token is not valid"
        } else {
            "the admin API needs the sandbox's admin token as a bearer token"
        };
        return Err(Failed(StatusCode::UNAUTHORIZED, detail.to_owned()));
    }
    ctx.tenant(name)
        .ok_or_else(|| Failed(StatusCode::NOT_FOUND, format!("no Okta org `{name}`")))
}

/// Runs `change` on the org of `tenant`.
fn with_org<T>(
    ctx: &Ctx,
    tenant: &Tenant,
    change: impl FnOnce(&mut Org) -> T,
) -> Result<T, Failed> {
    let mut state = tenant.lock();
    let org = org(&mut state.api, ctx.seeds.get(&tenant.name)).ok_or_else(|| {
        Failed(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the Okta org could not be rebuilt".to_owned(),
        )
    })?;
    Ok(change(org))
}

/// The body as JSON of type `T`.
fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, Failed> {
    serde_json::from_slice(body)
        .map_err(|e| Failed(StatusCode::BAD_REQUEST, format!("bad JSON: {e}")))
}

/// The outcome of a change as an answer with `status`.
fn done(status: StatusCode, outcome: Result<Value, Failure>) -> Answer {
    outcome
        .map(|value| json_response(status, &value))
        .map_err(|(status, detail)| Failed(status, detail))
}

/// `GET /_admin/tenants/{tenant}/okta`: the org's URL, users, groups (with `members`),
/// apps (with assigned `users` and `groups`) and faults.
pub(super) async fn state(
    State(ctx): State<Arc<Ctx>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let tenant = tenant(&ctx, &headers, &name)?;
    let mut body = with_org(&ctx, &tenant, |org| org.admin())?;
    body["org_url"] = json!(tenant.root_url);
    Ok(json_response(StatusCode::OK, &body))
}

/// `POST /_admin/tenants/{tenant}/okta/users`: a user in Okta's create-user JSON
/// (`profile` with `login` and `email`; optional `id`, `status`, `groupIds`).
pub(super) async fn seed_user(
    State(ctx): State<Arc<Ctx>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let tenant = tenant(&ctx, &headers, &name)?;
    let user: Map<String, Value> = parse(&body)?;
    done(
        StatusCode::CREATED,
        with_org(&ctx, &tenant, |org| org.seed_user(user))?,
    )
}

/// `DELETE /_admin/tenants/{tenant}/okta/users/{id, login or email}`: removes a person
/// with their memberships and assignments; answers the removed user.
pub(super) async fn remove_user(
    State(ctx): State<Arc<Ctx>>,
    Path((name, who)): Path<(String, String)>,
    headers: HeaderMap,
) -> Answer {
    let tenant = tenant(&ctx, &headers, &name)?;
    done(
        StatusCode::OK,
        with_org(&ctx, &tenant, |org| org.remove_user(&who))?,
    )
}

/// `POST /_admin/tenants/{tenant}/okta/groups`: `{"id"?, "profile": {"name",
/// "description"?}, "members"?: [id, login or email]}`.
pub(super) async fn seed_group(
    State(ctx): State<Arc<Ctx>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let tenant = tenant(&ctx, &headers, &name)?;
    let group: Map<String, Value> = parse(&body)?;
    done(
        StatusCode::CREATED,
        with_org(&ctx, &tenant, |org| org.seed_group(group))?,
    )
}

/// `POST /_admin/tenants/{tenant}/okta/apps`: `{"id"?, "label", "name"?, "users"?: [id,
/// login or email], "groups"?: [group names, highest priority first]}`.
pub(super) async fn seed_app(
    State(ctx): State<Arc<Ctx>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let tenant = tenant(&ctx, &headers, &name)?;
    let app: Map<String, Value> = parse(&body)?;
    done(
        StatusCode::CREATED,
        with_org(&ctx, &tenant, |org| org.seed_app(app))?,
    )
}

/// `GET /_admin/tenants/{tenant}/okta/eventHooks`: `{"hooks": [the hooks as the Event
/// Hooks API shows them], "deliveries": [{"eventId", "hook", "uuids", "eventTypes",
/// "state" (PENDING, DELIVERED or FAILED), "attempts": [{"status", "error",
/// "millis"}]}]}`, oldest delivery first.
pub(super) async fn event_hooks(
    State(ctx): State<Arc<Ctx>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let tenant = tenant(&ctx, &headers, &name)?;
    let body = with_org(&ctx, &tenant, |org| org.hooks.admin(&tenant.root_url))?;
    Ok(json_response(StatusCode::OK, &body))
}

/// `GET /_admin/tenants/{tenant}/okta/faults`.
pub(super) async fn faults(
    State(ctx): State<Arc<Ctx>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let tenant = tenant(&ctx, &headers, &name)?;
    let faults = with_org(&ctx, &tenant, |org| json!(org.faults.faults()))?;
    Ok(json_response(StatusCode::OK, &faults))
}

/// `PUT /_admin/tenants/{tenant}/okta/faults` with an [`OktaFaults`] body.
pub(super) async fn set_faults(
    State(ctx): State<Arc<Ctx>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let tenant = tenant(&ctx, &headers, &name)?;
    let faults: OktaFaults = parse(&body)?;
    faults
        .validate()
        .map_err(|e| Failed(StatusCode::BAD_REQUEST, e))?;
    let body = json!(faults);
    with_org(&ctx, &tenant, |org| org.set_faults(faults))?;
    Ok(json_response(StatusCode::OK, &body))
}
