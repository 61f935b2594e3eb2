//! The entry of every tenant SCIM request: latency, authentication, `User-Agent`, rate
//! limit and faults, then [`dispatch`](super::dispatch). Also the admin view, which
//! skips all of that but the admin token.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::dispatch::dispatch;
use super::request::{Ctx, ScimRequest};
use crate::config::ThrottleStyle;
use crate::runtime::AppState;
use crate::runtime::auth::bearer_token;
use crate::runtime::faults::Injected;
use crate::runtime::group_rules::GroupRules;
use crate::runtime::tenant::Tenant;
use crate::scim::error::ScimError;
use crate::server::DropConnection;

/// What the guards decided for a request that passed authentication.
enum Verdict {
    /// Serve it.
    Serve,
    /// Over the rate limit; retry after this long.
    Throttled(Duration),
    /// An injected dropped connection.
    Drop,
    /// An injected 5xx.
    Error(StatusCode),
}

/// `/{tenant}/scim/v2/{*rest}`.
pub(super) async fn entry(
    State(app): State<Arc<AppState>>,
    Path((name, rest)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(tenant) = app.tenant(&name) else {
        return ScimError::not_found(format!("no tenant `{name}`")).into_response();
    };
    if !tenant.serves_scim {
        return ScimError::not_found(format!(
            "tenant `{name}` emulates a REST API, not SCIM: use {}",
            tenant.api_url
        ))
        .into_response();
    }
    let rest = if tenant.scim_prefix.is_empty() {
        rest
    } else {
        match rest
            .strip_prefix(tenant.scim_prefix.as_str())
            .filter(|r| r.is_empty() || r.starts_with('/'))
        {
            Some(below) => below.trim_start_matches('/').to_owned(),
            None => {
                return ScimError::not_found(format!(
                    "the SCIM API of `{name}` is at {}",
                    tenant.scim_url
                ))
                .into_response();
            }
        }
    };
    let logged = match &query {
        Some(query) => format!("/{rest}?{query}"),
        None => format!("/{rest}"),
    };
    let latency = {
        let mut state = tenant.lock();
        state.stats.requests += 1;
        state.faults.faults().latency_ms
    };
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let response = guarded(&tenant, &headers, || {
        let request = ScimRequest::new(method.clone(), &rest, query.as_deref(), body.to_vec());
        dispatch(Ctx {
            tenant: &tenant,
            rules: &tenant.rules,
            groups: &tenant.group_rules,
            request: &request,
        })
    });
    let status = if response.extensions().get::<DropConnection>().is_some() {
        0
    } else {
        response.status().as_u16()
    };
    tenant.lock().record(method.as_str(), logged, status);
    response
}

/// Runs the guards, then `serve` if they let the request through.
pub(super) fn guarded(
    tenant: &Tenant,
    headers: &HeaderMap,
    serve: impl FnOnce() -> Response,
) -> Response {
    let token = bearer_token(headers);
    if !token.is_some_and(|t| tenant.token_ok(t)) {
        tenant.lock().stats.unauthorized += 1;
        return unauthorized(&tenant.name, token.is_some());
    }
    if let Some(wanted) = tenant.rules.user_agent {
        let sent = headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok());
        if sent != Some(wanted) {
            let detail = format!("this service requires the User-Agent `{wanted}`");
            return ScimError::new(StatusCode::FORBIDDEN, None, detail).into_response();
        }
    }
    let (verdict, style) = {
        let mut state = tenant.lock();
        let style = state.rate_limit.style;
        let verdict = match state.bucket.take(Instant::now()) {
            Err(wait) => {
                state.stats.throttled += 1;
                Verdict::Throttled(wait)
            }
            Ok(()) => match state.faults.draw() {
                Injected::Nothing => {
                    state.stats.served += 1;
                    Verdict::Serve
                }
                Injected::Drop => {
                    state.stats.dropped += 1;
                    Verdict::Drop
                }
                Injected::Error(status) => {
                    state.stats.injected_errors += 1;
                    Verdict::Error(status)
                }
            },
        };
        (verdict, style)
    };
    match verdict {
        Verdict::Serve => serve(),
        Verdict::Throttled(wait) => throttled(wait, style),
        Verdict::Drop => {
            let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
            response.extensions_mut().insert(DropConnection);
            response
        }
        Verdict::Error(status) => {
            ScimError::new(status, None, "injected fault (sandbox)").into_response()
        }
    }
}

/// 401 with `WWW-Authenticate` and a SCIM error.
fn unauthorized(tenant: &str, had_token: bool) -> Response {
    let detail = if had_token {
        "the bearer token is not valid for this tenant"
    } else {
        "a bearer token is required"
    };
    let mut response = ScimError::new(StatusCode::UNAUTHORIZED, None, detail).into_response();
    let challenge = if had_token {
        format!("Bearer realm=\"{tenant}\", error=\"invalid_token\"")
    } else {
        format!("Bearer realm=\"{tenant}\"")
    };
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// The answer to a request over the rate limit.
fn throttled(wait: Duration, style: ThrottleStyle) -> Response {
    match style {
        ThrottleStyle::Scim429 => {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let mut response =
                ScimError::new(StatusCode::TOO_MANY_REQUESTS, None, "rate limit exceeded")
                    .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
            response
        }
        ThrottleStyle::GitHub403 => crate::vendors::github::secondary_rate_limit(wait),
        ThrottleStyle::Google403 => {
            let body = json!({"error": {
                "code": 403,
                "message": "User Rate Limit Exceeded",
                "errors": [{
                    "domain": "usageLimits",
                    "reason": "userRateLimitExceeded",
                    "message": "User Rate Limit Exceeded",
                }],
            }});
            (
                StatusCode::FORBIDDEN,
                [(header::CONTENT_TYPE, "application/json")],
                body.to_string(),
            )
                .into_response()
        }
    }
}

/// `/_admin/tenants/{tenant}/scim/v2/{*rest}`: the tenant's data through a permissive
/// SCIM view (any filter and PATCH style, no limits or faults), for the admin token.
pub(super) async fn admin_entry(
    State(app): State<Arc<AppState>>,
    Path((name, rest)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if bearer_token(&headers) != Some(app.admin_token.as_str()) {
        return unauthorized("_admin", bearer_token(&headers).is_some());
    }
    let Some(tenant) = app.tenant(&name) else {
        return ScimError::not_found(format!("no tenant `{name}`")).into_response();
    };
    let request = ScimRequest::new(method, &rest, query.as_deref(), body.to_vec());
    dispatch(Ctx {
        tenant: &tenant,
        rules: &tenant.admin_rules,
        groups: &GroupRules::GENERIC,
        request: &request,
    })
}

/// Whether `headers` carry the admin token (used by the admin API too).
pub(super) fn is_admin(app: &AppState, headers: &HeaderMap) -> bool {
    bearer_token(headers) == Some(app.admin_token.as_str())
}

/// The admin API's 401.
pub(super) fn admin_unauthorized(had_token: bool) -> Response {
    unauthorized("_admin", had_token)
}
