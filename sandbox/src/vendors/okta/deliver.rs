//! The calls the org makes to event hook endpoints, as Okta makes them
//! (<https://developer.okta.com/docs/concepts/event-hooks/>):
//!
//! - the one-time verification: `GET <uri>` with `X-Okta-Verification-Challenge`, which
//!   must be answered 200 with `{"verification": "<the same value>"}`;
//! - deliveries: `POST <uri>` with `Accept` and `Content-Type: application/json`, the
//!   configured auth header and headers, and Okta's payload; Okta waits 3 seconds and
//!   retries once after a timeout or a 5xx answer (a 4xx is not retried). The sandbox
//!   also retries once after a refused connection.
//!
//! Deliveries run on their own tasks: the API call that caused them never waits.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::hooks::{Attempt, Channel, Dispatch};
use crate::runtime::auth::random_token;
use crate::runtime::tenant::Tenant;
use crate::vendors::VendorState;

/// Okta's timeout for a hook call.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(3);
/// How many times a delivery is tried: once, and once more.
const TRIES: usize = 2;

/// The HTTP client of hook calls (no redirects: a redirect could carry the secret
/// elsewhere).
fn client() -> Result<&'static reqwest::Client, String> {
    static CLIENT: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            if rustls::crypto::CryptoProvider::get_default().is_none() {
                let _ = rustls::crypto::ring::default_provider().install_default();
            }
            reqwest::Client::builder()
                .timeout(TIMEOUT)
                .user_agent(concat!(
                    "connector-sandbox/",
                    env!("CARGO_PKG_VERSION"),
                    " (Okta event hooks)"
                ))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| format!("the event hook HTTP client cannot be built: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// A request to `channel` with its headers and auth header.
fn request(
    client: &reqwest::Client,
    method: reqwest::Method,
    channel: &Channel,
) -> reqwest::RequestBuilder {
    let mut request = client
        .request(method, &channel.uri)
        .header("accept", "application/json")
        .header("content-type", "application/json");
    for (key, value) in &channel.headers {
        request = request.header(key, value);
    }
    if let Some((key, secret)) = &channel.auth {
        request = request.header(key, secret.expose());
    }
    request
}

/// Makes the one-time verification call; the error says why the endpoint failed it
/// (never quoting the secret).
pub(crate) async fn verify(channel: &Channel) -> Result<(), String> {
    let client = client()?;
    let challenge = random_token("");
    let answer = request(client, reqwest::Method::GET, channel)
        .header("x-okta-verification-challenge", &challenge)
        .send()
        .await
        .map_err(|e| format!("the verification request failed: {}", describe(&e)))?;
    let status = answer.status();
    if status != reqwest::StatusCode::OK {
        return Err(format!("the endpoint answered {status}, not 200"));
    }
    let body: Value = answer
        .json()
        .await
        .map_err(|_| "the endpoint did not answer JSON".to_owned())?;
    if body["verification"].as_str() == Some(challenge.as_str()) {
        Ok(())
    } else {
        Err("the endpoint did not answer {\"verification\": <the challenge>}".to_owned())
    }
}

/// Starts delivering `job` on its own task; each attempt is recorded on the org of
/// `tenant`.
pub(crate) fn spawn(tenant: Arc<Tenant>, job: Dispatch) {
    tokio::spawn(async move { deliver(&tenant, &job).await });
}

/// Posts `job`, retrying once after a timeout, a transport failure or a 5xx answer.
async fn deliver(tenant: &Tenant, job: &Dispatch) {
    for tried in 1..=TRIES {
        let started = Instant::now();
        let outcome = match client() {
            Ok(client) => request(client, reqwest::Method::POST, &job.channel)
                .body(job.body.clone())
                .send()
                .await
                .map(|answer| answer.status().as_u16())
                .map_err(|e| describe(&e)),
            Err(error) => Err(error),
        };
        let retry = match &outcome {
            Ok(status) => *status >= 500,
            Err(_) => true,
        };
        let last = !retry || tried == TRIES;
        let attempt = Attempt {
            status: outcome.as_ref().ok().copied(),
            error: outcome.err(),
            millis: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        };
        record(tenant, &job.event_id, attempt, last);
        if last {
            break;
        }
    }
}

/// Records an attempt on the org of `tenant` (dropped when a reset removed the org).
fn record(tenant: &Tenant, event_id: &str, attempt: Attempt, last: bool) {
    let mut state = tenant.lock();
    if let Some(VendorState::Okta(org)) = state.api.as_mut() {
        org.hooks.record(event_id, attempt, last);
    }
}

/// A transport failure in a few words (the URL, never headers).
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        format!("no answer within {} s", TIMEOUT.as_secs())
    } else if error.is_connect() {
        "the connection was refused or failed".to_owned()
    } else {
        "the request failed before an answer".to_owned()
    }
}
