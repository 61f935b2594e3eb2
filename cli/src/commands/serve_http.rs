//! The HTTP side of `connector serve`: Okta's one-time verification, hook deliveries
//! (shared-secret header, bounded body, stored before the answer), `/healthz` and
//! `/metrics`; the cards' routes are merged in from [`super::serve_cards`].

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use connector_engine::events::okta_hook::{authorized, parse_delivery};
use connector_engine::state::Store;
use tokio::sync::Notify;

use super::serve_cards::{CardsApi, routes};
use super::serve_metrics::{Metrics, QueueDepth};

/// The header of Okta's one-time verification request.
const CHALLENGE: &str = "x-okta-verification-challenge";

/// What the handlers share.
pub(crate) struct Hooks {
    /// The state, whose queue takes the events.
    pub store: Store,
    /// The header Okta sends the shared secret in.
    pub header: HeaderName,
    /// The shared secret (never printed).
    pub secret: Vec<u8>,
    /// The largest body accepted, in bytes.
    pub max_body: usize,
    /// Woken when events were queued.
    pub wake: Arc<Notify>,
    /// The counters of `/metrics`.
    pub metrics: Arc<Metrics>,
}

/// The routes.
pub(crate) fn router(hooks: Arc<Hooks>, cards: Arc<CardsApi>) -> Router {
    Router::new()
        .route("/hooks/okta", get(verify).post(deliver))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .with_state(hooks)
        .merge(routes(cards))
}

/// A JSON answer.
fn json(status: StatusCode, value: &serde_json::Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

/// A JSON error answer: `{"error": message}`.
fn error(status: StatusCode, message: &str) -> Response {
    json(status, &serde_json::json!({ "error": message }))
}

/// `GET /hooks/okta`: echoes the verification challenge, as Okta's one-time
/// verification expects.
async fn verify(headers: HeaderMap) -> Response {
    match headers.get(CHALLENGE).map(|v| v.to_str()) {
        Some(Ok(challenge)) => json(
            StatusCode::OK,
            &serde_json::json!({ "verification": challenge }),
        ),
        Some(Err(_)) => error(
            StatusCode::BAD_REQUEST,
            "the X-Okta-Verification-Challenge header is not visible ASCII",
        ),
        None => error(
            StatusCode::BAD_REQUEST,
            "no X-Okta-Verification-Challenge header: this endpoint takes Okta Event Hook \
             deliveries (POST)",
        ),
    }
}

/// `POST /hooks/okta`: checks the shared secret, reads at most `max_body` bytes,
/// stores every event, then answers: 200 when something was queued (or was already),
/// 202 when every event was of a type nothing handles. Nothing is stored on a refusal.
async fn deliver(State(hooks): State<Arc<Hooks>>, headers: HeaderMap, body: Body) -> Response {
    let given = headers.get(&hooks.header).map(|v| v.as_bytes());
    if !authorized(&hooks.secret, given) {
        return error(
            StatusCode::UNAUTHORIZED,
            &format!("missing or wrong {} header", hooks.header),
        );
    }
    let Ok(body) = to_bytes(body, hooks.max_body).await else {
        return error(
            StatusCode::BAD_REQUEST,
            &format!(
                "the body is over {} bytes or could not be read",
                hooks.max_body
            ),
        );
    };
    let events = match parse_delivery(&body) {
        Ok(events) => events,
        Err(refused) => return error(StatusCode::BAD_REQUEST, &refused.to_string()),
    };
    let fresh = match hooks.store.enqueue_events(&events).await {
        Ok(fresh) => fresh,
        Err(failed) => {
            eprintln!(
                "error: cannot queue a hook delivery: {}",
                connector_sdk::display::escape_lines(&failed.to_string())
            );
            // Okta retries a delivery that was not acknowledged.
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the event queue is unavailable",
            );
        }
    };
    hooks.metrics.accepted(
        events
            .iter()
            .zip(&fresh)
            .filter(|(event, new)| **new && event.ignored.is_none())
            .map(|(event, _)| event.uuid.as_str()),
    );
    if fresh.iter().any(|new| *new) {
        hooks.wake.notify_one();
    }
    let all_ignored = !events.is_empty() && events.iter().all(|e| e.ignored.is_some());
    if all_ignored {
        StatusCode::ACCEPTED.into_response()
    } else {
        StatusCode::OK.into_response()
    }
}

/// `GET /healthz`: the queue can be read; its depth and dead letters.
async fn healthz(State(hooks): State<Arc<Hooks>>) -> Response {
    match hooks.store.event_counts().await {
        Ok(counts) => json(
            StatusCode::OK,
            &serde_json::json!({
                "status": "ok",
                "pending": counts.get("pending").copied().unwrap_or_default(),
                "dead": counts.get("dead").copied().unwrap_or_default(),
            }),
        ),
        Err(_) => error(StatusCode::SERVICE_UNAVAILABLE, "the state cannot be read"),
    }
}

/// `GET /metrics`: the Prometheus text exposition.
async fn metrics(State(hooks): State<Arc<Hooks>>) -> Response {
    let counts = match hooks.store.event_counts().await {
        Ok(counts) => counts,
        Err(_) => return error(StatusCode::SERVICE_UNAVAILABLE, "the state cannot be read"),
    };
    let depth = QueueDepth {
        pending: counts.get("pending").copied().unwrap_or_default(),
        dead: counts.get("dead").copied().unwrap_or_default(),
    };
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        hooks.metrics.render(depth),
    )
        .into_response()
}
