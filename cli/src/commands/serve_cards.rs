//! `POST /cards/{instance}/{card}` of `connector serve`: any action card of any
//! configured instance, over HTTP. Bearer authentication (the token in the environment
//! variable `--cards-token-env` names; without it the endpoint is off), the JSON input
//! read into the card's type (400 naming the JSON path), the output as JSON (200), the
//! connector's failures mapped to statuses (502 for the app's 5xx, 429 when throttled,
//! ...). `custom_api_call` only within the instance's allow-list. Every call, refused or
//! not, is an OCSF audit event and counted in `/metrics`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use clap::Args;
use connector_engine::audit::cards::{CardRun, record_card};
use connector_engine::audit::{AuditSink, ChangeStatus, HttpDelivery};
use connector_engine::config::{Instance, did_you_mean};
use connector_engine::events::okta_hook::authorized;
use connector_engine::state::Store;
use connector_engine::{Engine, EnvSecrets};
use connector_sdk::Connector;
use connector_sdk::cards::{CardCall, CardError, CardKind};
use connector_sdk::error::Error as AppError;
use serde_json::{Value, json};

use super::serve_metrics::Metrics;
use super::serve_openapi;

/// The options of `connector serve` for the cards over HTTP.
#[derive(Debug, Default, Args)]
pub(crate) struct CardsArgs {
    /// The environment variable holding the bearer token of `POST /cards/...`. Without
    /// it the cards endpoint is off (404).
    #[arg(long)]
    cards_token_env: Option<String>,
}

/// What the card handlers share.
pub(crate) struct CardsApi {
    /// The bearer token (`None`: the endpoint is off). Never printed.
    token: Option<Vec<u8>>,
    /// The instances, as the assignments file configures them.
    instances: BTreeMap<String, Instance>,
    /// Each instance's connector, or why it cannot connect.
    connectors: BTreeMap<String, Result<Arc<dyn Connector>, String>>,
    /// The state, whose audit table takes the events.
    store: Store,
    /// Where audit lines go besides the state.
    audit: AuditSink,
    /// Serializes the posts to the `[audit]` collector.
    flushing: tokio::sync::Mutex<()>,
    /// The counters of `/metrics`.
    metrics: Arc<Metrics>,
    /// The largest input accepted, in bytes.
    max_body: usize,
    /// The OpenAPI document (built once: the instances do not change while serving).
    openapi: Value,
}

impl CardsApi {
    /// The cards of `engine`'s instances, with the token `args` names (read now).
    ///
    /// # Errors
    ///
    /// When `--cards-token-env` names an unset or empty variable, or the `[audit]`
    /// delivery cannot be set up.
    pub(crate) fn new(
        args: &CardsArgs,
        engine: &Engine,
        audit_log: Option<&std::path::Path>,
        metrics: Arc<Metrics>,
        max_body: usize,
    ) -> Result<Self, String> {
        let token = match &args.cards_token_env {
            None => None,
            Some(name) => match std::env::var(name) {
                Ok(token) if !token.trim().is_empty() => Some(token.into_bytes()),
                _ => {
                    return Err(format!(
                        "the environment variable {name} (--cards-token-env) is not set: it \
                         holds the bearer token of POST /cards/..."
                    ));
                }
            },
        };
        let mut sinks = Vec::new();
        if let Some(path) = audit_log {
            sinks.push(
                AuditSink::file(path).map_err(|e| format!("audit log {}: {e}", path.display()))?,
            );
        }
        if let Some(config) = &engine.assignments().audit {
            sinks.push(AuditSink::Http(Arc::new(HttpDelivery::open(
                config,
                &EnvSecrets,
            )?)));
        }
        let connectors = engine.connectors(&[]);
        let instances = engine.assignments().instances.clone();
        let openapi = serve_openapi::document(&instances, &connectors);
        Ok(Self {
            token,
            instances,
            connectors,
            store: engine.store().clone(),
            audit: AuditSink::All(sinks),
            flushing: tokio::sync::Mutex::new(()),
            metrics,
            max_body,
            openapi,
        })
    }

    /// Whether the cards endpoint is on.
    pub(crate) fn enabled(&self) -> bool {
        self.token.is_some()
    }
}

/// The routes: `POST /cards/{instance}/{card}` and `GET /openapi.json`.
pub(crate) fn routes(api: Arc<CardsApi>) -> Router {
    Router::new()
        .route("/cards/{instance}/{card}", post(run_card))
        .route("/openapi.json", get(openapi))
        .with_state(api)
}

/// `GET /openapi.json`.
async fn openapi(State(api): State<Arc<CardsApi>>) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        api.openapi.to_string(),
    )
        .into_response()
}

/// An answer of the cards endpoint: its status, its JSON body, and the audit's words.
struct Answer {
    status: StatusCode,
    body: Value,
}

impl Answer {
    /// `{"error": message, ...extra}` with `status`.
    fn error(status: StatusCode, message: impl Into<String>, extra: Value) -> Self {
        let mut body = json!({ "error": message.into() });
        if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
            body.extend(extra);
        }
        Self { status, body }
    }
}

/// `POST /cards/{instance}/{card}`.
async fn run_card(
    State(api): State<Arc<CardsApi>>,
    Path((instance, card)): Path<(String, String)>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(token) = &api.token else {
        let off = json!({
            "error": "the cards endpoint is off: start `connector serve` with \
                      --cards-token-env naming the environment variable that holds its \
                      bearer token"
        });
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "application/json")],
            off.to_string(),
        )
            .into_response();
    };
    let caller = caller(peer, &headers);
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|v| v.trim().as_bytes());
    let mut account = None;
    let answer = if authorized(token, given) {
        let input = to_bytes(body, api.max_body).await;
        match input {
            Ok(bytes) => call(&api, &instance, &card, &bytes, &mut account).await,
            Err(_) => Answer::error(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the input is over {} bytes or could not be read",
                    api.max_body
                ),
                json!({}),
            ),
        }
    } else {
        Answer::error(
            StatusCode::UNAUTHORIZED,
            "missing or wrong bearer token (Authorization: Bearer <token>)",
            json!({}),
        )
    };
    audit(&api, &instance, &card, &caller, &answer, account.as_deref()).await;
    let mut response = (
        answer.status,
        [(header::CONTENT_TYPE, "application/json")],
        answer.body.to_string(),
    )
        .into_response();
    if answer.status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    response
}

/// Who called: the peer's address and its `User-Agent`, if any.
fn caller(peer: SocketAddr, headers: &HeaderMap) -> String {
    match headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
    {
        Some(agent) => format!("{peer} ({})", agent.chars().take(100).collect::<String>()),
        None => peer.to_string(),
    }
}

/// Runs the card on the instance, an authenticated caller's input.
async fn call(
    api: &CardsApi,
    instance: &str,
    card_name: &str,
    input: &[u8],
    account: &mut Option<String>,
) -> Answer {
    let Some(connector) = api.connectors.get(instance) else {
        let hint = did_you_mean(instance, api.instances.keys().map(String::as_str))
            .map(|name| format!(" (did you mean `{name}`?)"))
            .unwrap_or_default();
        return Answer::error(
            StatusCode::NOT_FOUND,
            format!("no instance `{instance}`{hint}"),
            json!({ "instances": api.instances.keys().collect::<Vec<_>>() }),
        );
    };
    let connector = match connector {
        Ok(connector) => connector,
        Err(why) => {
            return Answer::error(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("instance `{instance}` cannot be reached: {why}"),
                json!({}),
            );
        }
    };
    let cards = connector.cards();
    let actions: Vec<&str> = cards
        .iter()
        .filter(|c| c.kind == CardKind::Action)
        .map(|c| c.name)
        .collect();
    let Some(card) = cards
        .iter()
        .find(|c| c.name == card_name && c.kind == CardKind::Action)
    else {
        let hint = did_you_mean(card_name, actions.iter().copied())
            .map(|name| format!(" (did you mean `{name}`?)"))
            .unwrap_or_default();
        return Answer::error(
            StatusCode::NOT_FOUND,
            format!("instance `{instance}` has no card `{card_name}`{hint}"),
            json!({ "cards": actions }),
        );
    };
    let input: Value = match serde_json::from_slice(input) {
        Ok(input) => input,
        Err(error) => {
            return Answer::error(
                StatusCode::BAD_REQUEST,
                format!("the input is not JSON: {error}"),
                json!({ "path": "" }),
            );
        }
    };
    *account = input
        .pointer("/account/id")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Some(Ok(CardCall::CustomApiCall(custom))) = card.parse.map(|parse| parse(input.clone()))
    {
        let method = serde_json::to_value(custom.method)
            .ok()
            .and_then(|m| m.as_str().map(str::to_owned))
            .unwrap_or_default();
        let allowed = api
            .instances
            .get(instance)
            .and_then(|i| i.cards.custom_api_call.as_ref());
        let refusal = match allowed {
            None => Some(format!(
                "custom_api_call is off over HTTP on instance `{instance}`: allow it with \
                 [instances.{instance}.cards] custom_api_call = {{ methods = [...], \
                 path_prefixes = [...] }}"
            )),
            Some(allow) if !allow.allows(&method, &custom.path) => Some(format!(
                "custom_api_call {method} `{}` is outside what instance `{instance}` allows \
                 (methods {}; path prefixes {})",
                custom.path,
                allow.methods.join(", "),
                allow.path_prefixes.join(", ")
            )),
            Some(_) => None,
        };
        if let Some(refusal) = refusal {
            return Answer::error(StatusCode::FORBIDDEN, refusal, json!({}));
        }
    }
    match connector_sdk::cards::run(connector.as_ref(), card.name, input).await {
        Ok(output) => Answer {
            status: StatusCode::OK,
            body: output,
        },
        Err(error) => failure(&error),
    }
}

/// The answer of a card that did not run or failed.
fn failure(error: &CardError) -> Answer {
    let message = error.to_string();
    match error {
        CardError::Input { error, .. } => Answer::error(
            StatusCode::BAD_REQUEST,
            message,
            json!({ "path": error.path }),
        ),
        CardError::UnknownCard { .. } => Answer::error(StatusCode::NOT_FOUND, message, json!({})),
        CardError::NotAnAction(_) => Answer::error(StatusCode::BAD_REQUEST, message, json!({})),
        CardError::Connector { error, .. } => {
            let (status, extra) = match error {
                AppError::NotFound { .. } => (StatusCode::NOT_FOUND, json!({})),
                AppError::Conflict { .. } | AppError::AlreadyExists { .. } => {
                    (StatusCode::CONFLICT, json!({}))
                }
                AppError::RateLimited { retry_after } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    json!({ "retry_after_secs": retry_after.map(|d| d.as_secs()) }),
                ),
                AppError::Server {
                    status,
                    scim_type,
                    detail,
                } => (
                    if *status >= 500 {
                        StatusCode::BAD_GATEWAY
                    } else {
                        StatusCode::UNPROCESSABLE_ENTITY
                    },
                    json!({ "app_status": status, "scim_type": scim_type, "detail": detail }),
                ),
                AppError::Auth { status, .. } => {
                    (StatusCode::BAD_GATEWAY, json!({ "app_status": status }))
                }
                AppError::Transport { .. } => (StatusCode::BAD_GATEWAY, json!({})),
                AppError::InvalidResponse { .. } => (StatusCode::BAD_GATEWAY, json!({})),
                AppError::Unsupported { .. } | AppError::Mapping(_) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, json!({}))
                }
                _ => (StatusCode::INTERNAL_SERVER_ERROR, json!({})),
            };
            Answer::error(status, message, extra)
        }
    }
}

/// Records the call as an audit event (state, then sinks) and counts it.
async fn audit(
    api: &CardsApi,
    instance: &str,
    card: &str,
    caller: &str,
    answer: &Answer,
    account: Option<&str>,
) {
    let known = api.instances.get(instance);
    let run_id = format!(
        "card-{}-{:08x}",
        time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000,
        rand_suffix()
    );
    let detail = match answer.body.get("error").and_then(Value::as_str) {
        Some(error) => error.to_owned(),
        None => format!("`{card}` ran"),
    };
    let run = CardRun {
        run_id: &run_id,
        instance: if known.is_some() { instance } else { "" },
        connector: known.map_or("", |i| i.manifest.name),
        card,
        caller,
        http_status: Some(answer.status.as_u16()),
        status: if answer.status.is_success() {
            ChangeStatus::Success
        } else {
            ChangeStatus::Failure
        },
        detail: &detail,
        account_id: account,
    };
    api.metrics.card_call(
        if known.is_some() { instance } else { "unknown" },
        card,
        answer.status.as_u16(),
    );
    if let Err(error) = record_card(&api.store, &api.audit, &run).await {
        eprintln!(
            "error: cannot record the audit event of a card call: {}",
            connector_sdk::display::escape_lines(&error.to_string())
        );
        return;
    }
    let _guard = api.flushing.lock().await;
    if let Err(error) = api.audit.flush().await {
        eprintln!(
            "audit: events wait in the spool: {}",
            connector_sdk::display::escape_lines(&error)
        );
    }
}

/// A few bits that make two calls in the same millisecond distinct.
fn rand_suffix() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
