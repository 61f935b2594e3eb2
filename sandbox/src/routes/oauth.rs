//! `POST /{tenant}/oauth/token`: the client-credentials token endpoint of a tenant whose
//! manifest authenticates with OAuth 2.0 (RFC 6749 §4.4, with the vendor's grant type
//! and extra parameters, such as Zoom's `account_credentials` and `account_id`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::runtime::AppState;
use crate::runtime::auth::AuthKind;
use crate::vendors::Vendor;

/// The token endpoint.
pub(super) async fn token(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(tenant) = app.tenant(&name) else {
        return oauth_error(
            StatusCode::NOT_FOUND,
            "invalid_request",
            &format!("no tenant `{name}`"),
        );
    };
    let AuthKind::OAuth { grant_type, params } = &tenant.auth.kind else {
        return oauth_error(
            StatusCode::NOT_FOUND,
            "invalid_request",
            "this tenant authenticates with a static bearer token",
        );
    };
    if method != Method::POST {
        return oauth_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            "use POST",
        );
    }
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if !tenant.auth.client_ok(&headers, &form) {
        let mut response = oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown client or wrong secret",
        );
        let challenge = format!("Basic realm=\"{name}\"");
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
        return response;
    }
    let field = |key: &str| form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    match field("grant_type") {
        Some(sent) if sent == *grant_type => {}
        Some(sent) => {
            let detail = format!("grant_type `{sent}` is not supported; use `{grant_type}`");
            return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", &detail);
        }
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "`grant_type` is missing",
            );
        }
    }
    if let Some(missing) = params.iter().find(|p| field(p).is_none_or(str::is_empty)) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &format!("`{missing}` is missing"),
        );
    }
    if tenant.vendor == Some(Vendor::Box) {
        let enterprise = tenant.variables.get("enterprise_id").map(String::as_str);
        if field("box_subject_type") != Some("enterprise") || field("box_subject_id") != enterprise
        {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                "Grant credentials are invalid: box_subject_type must be `enterprise` and box_subject_id this enterprise's id",
            );
        }
    }
    let access_token = tenant.issue_token();
    let body = json!({
        "access_token": access_token,
        "token_type": "bearer",
        "expires_in": tenant.auth.token_lifetime.as_secs(),
        "scope": field("scope").unwrap_or_default(),
    });
    json_response(StatusCode::OK, &body)
}

/// An RFC 6749 §5.2 error.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    json_response(
        status,
        &json!({"error": error, "error_description": description}),
    )
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body.to_string(),
    )
        .into_response()
}
