//! The SPs as an axum [`Router`], one path segment per connector, so the sandbox can
//! mount it (`Router::new().nest("/saml", connector_saml_sp::router(sps))`).
//!
//! | Method and path | What it does |
//! |---|---|
//! | `GET /{app}/metadata` | The SP metadata (`application/samlmetadata+xml`). |
//! | `GET /{app}/login[?relay_state=...]` | Issues an AuthnRequest: `303 See Other` to the IdP (HTTP-Redirect binding), with `{"request_id", "redirect_url"}` as JSON. |
//! | `POST /{app}/acs` | The ACS: form field `SAMLResponse` (and `RelayState`). `200` with `{"status":"accepted","login":{...},"relay_state"}`, or `403` with `{"status":"rejected","code","reason"}`; `400` when the form lacks `SAMLResponse`. |
//!
//! An unknown `{app}` is `404` with a JSON reason. Verification runs on the blocking pool.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{DefaultBodyLimit, Form, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::rejection::Rejection;
use crate::sp::SamlSp;

/// The largest request body the router accepts (form-encoded base64 SAMLResponse).
pub const MAX_BODY_BYTES: usize = 512 * 1024;

type Sps = Arc<BTreeMap<String, Arc<SamlSp>>>;

/// A router serving every SP in `sps` under `/{connector}/...`.
pub fn router(sps: impl IntoIterator<Item = SamlSp>) -> Router {
    let map: BTreeMap<String, Arc<SamlSp>> = sps
        .into_iter()
        .map(|sp| (sp.connector().to_owned(), Arc::new(sp)))
        .collect();
    Router::new()
        .route("/{app}/metadata", get(metadata))
        .route("/{app}/login", get(login))
        .route("/{app}/acs", post(acs))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(Arc::new(map))
}

/// 404 with the known connectors.
fn not_found(sps: &Sps, app: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({
            "status": "error",
            "reason": format!("no SAML SP for `{app}` here; known: {}",
                sps.keys().cloned().collect::<Vec<_>>().join(", ")),
        })),
    )
        .into_response()
}

async fn metadata(State(sps): State<Sps>, Path(app): Path<String>) -> Response {
    match sps.get(&app) {
        Some(sp) => (
            [(header::CONTENT_TYPE, "application/samlmetadata+xml")],
            sp.metadata_xml().to_owned(),
        )
            .into_response(),
        None => not_found(&sps, &app),
    }
}

/// Query of `GET /{app}/login`.
#[derive(Debug, Deserialize)]
struct LoginQuery {
    relay_state: Option<String>,
}

async fn login(
    State(sps): State<Sps>,
    Path(app): Path<String>,
    Query(query): Query<LoginQuery>,
) -> Response {
    let Some(sp) = sps.get(&app).cloned() else {
        return not_found(&sps, &app);
    };
    match sp.start_login(query.relay_state.as_deref()) {
        Ok(start) => (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, start.redirect_url.clone())],
            Json(start),
        )
            .into_response(),
        Err(error) => (
            StatusCode::BAD_REQUEST,
            Json(json!({ "status": "error", "reason": error.to_string() })),
        )
            .into_response(),
    }
}

/// The ACS form (field names as the SAML HTTP-POST binding spells them).
#[derive(Debug, Deserialize)]
struct AcsForm {
    #[serde(rename = "SAMLResponse")]
    saml_response: String,
    #[serde(rename = "RelayState")]
    relay_state: Option<String>,
}

async fn acs(
    State(sps): State<Sps>,
    Path(app): Path<String>,
    form: Result<Form<AcsForm>, FormRejection>,
) -> Response {
    let Some(sp) = sps.get(&app).cloned() else {
        return not_found(&sps, &app);
    };
    let Form(form) = match form {
        Ok(form) => form,
        Err(rejection) => {
            let body = Rejection::Malformed(format!(
                "expected a form with SAMLResponse: {}",
                rejection.body_text()
            ))
            .to_body();
            return (StatusCode::BAD_REQUEST, Json(body)).into_response();
        }
    };
    let verifier = Arc::clone(&sp);
    let saml_response = form.saml_response;
    let outcome = tokio::task::spawn_blocking(move || verifier.verify_post(&saml_response)).await;
    match outcome {
        Ok(Ok(login)) => {
            tracing::info!(connector = %app, name_id = %login.name_id, "SAML sign-in accepted");
            (
                StatusCode::OK,
                Json(json!({
                    "status": "accepted",
                    "login": login,
                    "relay_state": form.relay_state,
                })),
            )
                .into_response()
        }
        Ok(Err(rejection)) => {
            tracing::warn!(connector = %app, code = rejection.code(), %rejection, "SAML Response rejected");
            (StatusCode::FORBIDDEN, Json(rejection.to_body())).into_response()
        }
        Err(join_error) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({ "status": "error", "reason": join_error.to_string() })),
        )
            .into_response(),
    }
}
