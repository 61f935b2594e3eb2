//! The entry of every Okta API request (`/{tenant}/api/v1/...`): latency, the rate-limit
//! window (its headers on every answer), `SSWS` authentication, injected faults, then
//! [`serve`](crate::vendors::okta::serve), the counters and the request log. After the
//! org's lock is released it makes an event hook's verification call and starts the
//! event hook deliveries a change queued
//! ([`deliver`](crate::vendors::okta::deliver)).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::{AUTHORIZATION, USER_AGENT};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{Ctx, org};
use crate::runtime::faults::Injected;
use crate::runtime::tenant::Tenant;
use crate::server::DropConnection;
use crate::vendors::json_response;
use crate::vendors::okta::deliver;
use crate::vendors::okta::error::OktaError;
use crate::vendors::okta::hooks::{Dispatch, Verification};
use crate::vendors::okta::serve::{self, Request, Served};
use crate::vendors::okta::window::{Budget, Verdict};

/// `/{tenant}/api/v1/{*rest}`.
pub(super) async fn api(
    State(ctx): State<Arc<Ctx>>,
    Path((name, rest)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(tenant) = ctx.tenant(&name) else {
        return OktaError::not_found(&format!("/{name}/api/v1/{rest}"), "Page").response();
    };
    let logged = match &query {
        Some(query) => format!("/api/v1/{rest}?{query}"),
        None => format!("/api/v1/{rest}"),
    };
    let latency = {
        let mut state = tenant.lock();
        state.stats.requests += 1;
        state.faults.faults().latency_ms
    };
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let authorized = ssws_token(&headers).is_some_and(|token| tenant.token_ok(token));
    let request = Request {
        method: &method,
        segments: rest
            .split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        query: query
            .as_deref()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default(),
        org_url: &tenant.root_url,
        body: &body,
        user_agent: headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(""),
    };
    let (served, verdict, jobs) = answer(&ctx, &tenant, authorized, &request);
    for job in jobs {
        deliver::spawn(Arc::clone(&tenant), job);
    }
    let mut response = match served {
        Served::Answer(response) => response,
        Served::Verify(call) => verify(&ctx, &tenant, &call).await,
    };
    if let Some(verdict) = verdict {
        verdict.write(response.headers_mut());
    }
    let status = if response.extensions().get::<DropConnection>().is_some() {
        0
    } else {
        response.status().as_u16()
    };
    tenant.lock().record(method.as_str(), logged, status);
    response
}

/// Counts the request in the window, then answers 401, 429, an injected fault or the
/// API's answer; with the window's verdict (for the rate-limit headers) and the
/// deliveries to start.
fn answer(
    ctx: &Ctx,
    tenant: &Tenant,
    authorized: bool,
    request: &Request<'_>,
) -> (Served, Option<Verdict>, Vec<Dispatch>) {
    let mut guard = tenant.lock();
    let state = &mut *guard;
    let budget = Budget::of(&state.rate_limit);
    let Some(org) = org(&mut state.api, ctx.seeds.get(&tenant.name)) else {
        let error = OktaError::internal(StatusCode::INTERNAL_SERVER_ERROR).response();
        return (Served::Answer(error), None, Vec::new());
    };
    let verdict = org.window.take(SystemTime::now(), budget);
    let response = if !authorized {
        state.stats.unauthorized += 1;
        Served::Answer(OktaError::invalid_token().response())
    } else if verdict.is_some_and(|v| !v.allowed) {
        state.stats.throttled += 1;
        Served::Answer(OktaError::rate_limited().response())
    } else {
        match state.faults.draw() {
            Injected::Nothing => {
                state.stats.served += 1;
                serve::serve(org, request)
            }
            Injected::Drop => {
                state.stats.dropped += 1;
                let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
                response.extensions_mut().insert(DropConnection);
                return (Served::Answer(response), None, Vec::new());
            }
            Injected::Error(status) => {
                state.stats.injected_errors += 1;
                Served::Answer(OktaError::internal(status).response())
            }
        }
    };
    (response, verdict, std::mem::take(&mut org.outbox))
}

/// Makes the verification call of `call` (no lock held), then marks the hook
/// `VERIFIED` and answers it; a failed call answers 400 `E0000001` with the reason.
/// (Okta documents the call, not the exact error of a failed one.)
async fn verify(ctx: &Ctx, tenant: &Tenant, call: &Verification) -> Response {
    let outcome = deliver::verify(&call.channel).await;
    let mut guard = tenant.lock();
    let Some(org) = org(&mut guard.api, ctx.seeds.get(&tenant.name)) else {
        return OktaError::internal(StatusCode::INTERNAL_SERVER_ERROR).response();
    };
    let answer = outcome
        .map_err(|cause| OktaError::invalid("eventHook", format!("Verification failed: {cause}")))
        .and_then(|()| org.hooks.verified(&call.hook, &tenant.root_url));
    match answer {
        Ok(hook) => json_response(StatusCode::OK, &hook),
        Err(error) => error.response(),
    }
}

/// The token of an `Authorization: SSWS <token>` header.
fn ssws_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("ssws").then(|| token.trim())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn reads_only_ssws_tokens() {
        let mut headers = HeaderMap::new();
        assert_eq!(ssws_token(&headers), None);
        headers.insert(AUTHORIZATION, HeaderValue::from_static("SSWS  00abc "));
        assert_eq!(ssws_token(&headers), Some("00abc"));
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer 00abc"));
        assert_eq!(ssws_token(&headers), None);
    }
}
