//! The demo's last section: `connector serve`'s path, in this process. An emulated Okta
//! org holds one of the demo's people; an Event Hook pointing at `serve`'s handler is
//! registered and verified through the org's API; the person is deactivated through the
//! same API, and Okta's delivery makes the queue's worker disable every account they
//! have. What each app holds afterwards is read back from the app.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::header::AUTHORIZATION;
use connector_engine::events::{QueuePolicy, Worker};
use connector_engine::{DirectorySource, Engine};
use connector_sandbox::{OktaOrg, RateLimitConfig, Sandbox, TenantSpec};
use connector_sdk::connector::AccountRef;
use serde_json::{Value, json};

use super::serve_cards::{CardsApi, CardsArgs};
use super::serve_http::{Hooks, router};
use super::serve_metrics::Metrics;

/// The person who leaves through Okta (a directory id of the demo's people).
const LEAVER: &str = "00u0001";
/// The hook's shared secret (the demo's own; a real one comes from the environment).
const SECRET: &str = "demo-hook-secret-4f1c9a7e2b";
/// How long the demo waits for the disables.
const PATIENCE: Duration = Duration::from_secs(30);

/// Runs the section; a failure is the demo's.
pub(super) async fn leaver_through_okta(
    engine: Engine,
    source: Arc<dyn DirectorySource>,
    audit_log: &std::path::Path,
) -> Result<(), String> {
    println!("\n== Run 4: someone is deactivated in Okta; connector serve acts on the hook ==");
    let directory = source.load().await.map_err(|e| e.to_string())?;
    let who = directory
        .people
        .iter()
        .find(|p| p.id == LEAVER)
        .cloned()
        .ok_or_else(|| format!("the demo's directory has no {LEAVER}"))?;
    let okta = Sandbox::builder()
        .tenant(
            TenantSpec::okta("okta", OktaOrg::new().person(who.clone()))
                .rate_limit(RateLimitConfig::off()),
        )
        .start("127.0.0.1:0")
        .await
        .map_err(|e| format!("the Okta org did not start: {e}"))?;
    let tenant = okta.tenant("okta").ok_or("no Okta org")?;
    let org = OrgApi {
        url: tenant.api_url().to_owned(),
        token: tenant.token().expose().to_owned(),
    };

    let engine = Arc::new(engine);
    let hook_url = start_serve(engine.clone(), source, audit_log).await?;
    let hook = org
        .post(
            "eventHooks",
            json!({
                "name": "connector serve (demo)",
                "events": {"type": "EVENT_TYPE", "items": [
                    "user.lifecycle.deactivate", "user.lifecycle.suspend"
                ]},
                "channel": {"type": "HTTP", "version": "1.0.0", "config": {
                    "uri": hook_url,
                    "authScheme": {"type": "HEADER", "key": "Authorization", "value": SECRET},
                }},
            }),
        )
        .await?;
    let hook_id = hook["id"].as_str().ok_or("Okta gave the hook no id")?;
    let verified = org
        .post(&format!("eventHooks/{hook_id}/lifecycle/verify"), json!({}))
        .await?;
    println!(
        "Okta Event Hook registered at {hook_url}: {}",
        verified["verificationStatus"].as_str().unwrap_or("?")
    );

    let linked = linked_accounts(&engine, &who.id).await?;
    let started = Instant::now();
    org.post(&format!("users/{}/lifecycle/deactivate", who.id), json!({}))
        .await?;
    println!(
        "{} deactivated in Okta; their {} accounts:",
        who.login,
        linked.len()
    );
    let mut waiting = linked;
    while !waiting.is_empty() {
        if started.elapsed() > PATIENCE {
            let names: Vec<&str> = waiting.iter().map(|(i, _)| i.as_str()).collect();
            return Err(format!(
                "still active after {PATIENCE:?}: {}",
                names.join(", ")
            ));
        }
        let mut still = Vec::new();
        for (instance, account) in waiting {
            if active(&engine, &instance, &account).await? {
                still.push((instance, account));
            } else {
                println!(
                    "  {instance:<15} {:<40} disabled, {:>4} ms after the deactivation",
                    account.user_name,
                    started.elapsed().as_millis()
                );
            }
        }
        waiting = still;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    okta.shutdown().await;
    Ok(())
}

/// Starts `serve`'s hook handler and queue worker on 127.0.0.1; the hook's URL.
async fn start_serve(
    engine: Arc<Engine>,
    source: Arc<dyn DirectorySource>,
    audit_log: &std::path::Path,
) -> Result<String, String> {
    let policy = QueuePolicy {
        audit_log: Some(audit_log.to_owned()),
        ..QueuePolicy::default()
    };
    let metrics = Arc::new(Metrics::default());
    let cards = Arc::new(CardsApi::new(
        &CardsArgs::default(),
        &engine,
        None,
        metrics.clone(),
        1 << 20,
    )?);
    let worker = Worker::new(engine.clone(), source, policy);
    let hooks = Arc::new(Hooks {
        store: engine.store().clone(),
        header: AUTHORIZATION,
        secret: SECRET.as_bytes().to_vec(),
        max_body: 1 << 20,
        wake: worker.waker(),
        metrics,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(worker.run(|_| {}));
    tokio::spawn(async move {
        let app =
            router(hooks, cards).into_make_service_with_connect_info::<std::net::SocketAddr>();
        let _ = axum::serve(listener, app).await;
    });
    Ok(format!("http://{address}/hooks/okta"))
}

/// The instances where `person` has an account, with the account.
async fn linked_accounts(
    engine: &Engine,
    person: &str,
) -> Result<Vec<(String, AccountRef)>, String> {
    let mut linked = Vec::new();
    for instance in engine.assignments().instances.keys() {
        let links = engine
            .store()
            .links_of(instance, &[person])
            .await
            .map_err(|e| e.to_string())?;
        for link in links {
            linked.push((
                instance.clone(),
                AccountRef {
                    id: link.account_id,
                    user_name: link.user_name,
                },
            ));
        }
    }
    Ok(linked)
}

/// Whether `account` is active, as the app holds it (read through its connector).
async fn active(engine: &Engine, instance: &str, account: &AccountRef) -> Result<bool, String> {
    let connectors = engine.connectors(&[instance.to_owned()]);
    let connector = match connectors.get(instance) {
        Some(Ok(connector)) => connector.clone(),
        Some(Err(error)) => return Err(error.clone()),
        None => return Err(format!("no instance {instance}")),
    };
    let read = connector.get(account).await.map_err(|e| e.to_string())?;
    Ok(read.active)
}

/// The emulated org's Management API.
struct OrgApi {
    /// Its `/api/v1` base.
    url: String,
    /// Its API token.
    token: String,
}

impl OrgApi {
    /// `POST {url}/{path}` with `body`; the answer, or the error with Okta's summary.
    async fn post(&self, path: &str, body: Value) -> Result<Value, String> {
        let response = reqwest::Client::new()
            .post(format!("{}/api/v1/{path}", self.url.trim_end_matches('/')))
            .header("authorization", format!("SSWS {}", self.token))
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("Okta {path}: {e}"))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(format!(
                "Okta {path}: {status}: {}",
                answer["errorSummary"].as_str().unwrap_or(&text)
            ));
        }
        Ok(answer)
    }
}
