//! The entry of every vendor REST request (`/{tenant}/admin/directory/v1/...`,
//! `/{tenant}/v1.0/...`, `/{tenant}/2.0/...`, `/{tenant}/orgs/...`): the same latency,
//! authentication, `User-Agent`, rate limit and faults as SCIM, then the vendor's
//! handler, and the request log.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use axum::routing::{MethodRouter, any};
use serde_json::json;

use super::scim::guarded;
use crate::runtime::AppState;
use crate::server::DropConnection;
use crate::vendors::{Call, json_response};

/// The route of the vendor API at `prefix` below the tenant.
pub(super) fn route(prefix: &'static str) -> MethodRouter<Arc<AppState>> {
    any(
        move |app: State<Arc<AppState>>,
              path: Path<(String, String)>,
              query: RawQuery,
              method: Method,
              headers: HeaderMap,
              body: Bytes| entry(prefix, app, path, query, method, headers, body),
    )
}

/// Serves one vendor API request.
async fn entry(
    prefix: &'static str,
    State(app): State<Arc<AppState>>,
    Path((name, rest)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let not_found =
        |detail: String| json_response(StatusCode::NOT_FOUND, &json!({"message": detail}));
    let Some(tenant) = app.tenant(&name) else {
        return not_found(format!("no tenant `{name}`"));
    };
    let Some(api) = tenant.vendor.and_then(|v| v.api(prefix)) else {
        return not_found(format!("tenant `{name}` serves no API at /{prefix}"));
    };
    let logged = match &query {
        Some(query) => format!("/{prefix}/{rest}?{query}"),
        None => format!("/{prefix}/{rest}"),
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
        let call = Call {
            api,
            method: method.clone(),
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
            body: &body,
            base: format!("{}/{prefix}", tenant.root_url),
        };
        let mut state = tenant.lock();
        let state = &mut *state;
        match state.api.as_mut() {
            Some(api) => api.serve(&call, &state.store),
            None => not_found("no vendor API".to_owned()),
        }
    });
    let status = if response.extensions().get::<DropConnection>().is_some() {
        0
    } else {
        response.status().as_u16()
    };
    tenant.lock().record(method.as_str(), logged, status);
    response
}
