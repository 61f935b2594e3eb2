//! Audit a SIEM can take: every decision the engine takes about an account (the calls
//! apply makes, and the skips, protected accounts, instances not reached and safety
//! stops it carries out by not acting) is an OCSF Account Change event, stored in the
//! state and posted to a collector over HTTP (a JSON array, or Splunk HEC objects)
//! through an on-disk spool that survives an outage of the collector and a restart.
//! The events are checked by an independent OCSF validator (the `ocsf-json-schema`
//! peer with `jsonschema`).
//!
//! Real sockets on 127.0.0.1 (the sandbox and an axum collector), real SQLite files.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use common::{NOW, apply_at, directory, person, registry};
use connector_engine::Engine;
use connector_engine::state::{AuditFilter, RunStatus, Store};
use connector_engine::{ApplyOptions, Assignments, EngineError, MapSecrets};
use connector_sandbox::{RateLimitConfig, Sandbox, SandboxHandle, TenantSpec};
use serde_json::Value;

/// The collector's token (what `AUDIT_TOKEN` holds).
const TOKEN: &str = "hec-secret-7f3a91";

/// One request the collector received.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    authorization: Option<String>,
    body: String,
}

/// A collector on 127.0.0.1 that answers 503 while `down`, else 200, and keeps what it
/// accepted.
#[derive(Default)]
struct Collector {
    down: AtomicBool,
    refused: AtomicUsize,
    accepted: Mutex<Vec<Received>>,
}

async fn collect(
    State(collector): State<Arc<Collector>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    if collector.down.load(Ordering::SeqCst) {
        collector.refused.fetch_add(1, Ordering::SeqCst);
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    collector.accepted.lock().unwrap().push(Received {
        path: uri.path().to_owned(),
        authorization: headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: String::from_utf8(body.to_vec()).unwrap(),
    });
    StatusCode::OK
}

/// Starts a collector; returns it and its base URL.
async fn collector() -> (Arc<Collector>, String) {
    let collector = Arc::new(Collector::default());
    let app = Router::new()
        .fallback(collect)
        .with_state(collector.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (collector, url)
}

/// The events the collector accepted, in order, unwrapped from their format.
fn delivered(collector: &Collector) -> Vec<Value> {
    let mut events = Vec::new();
    for request in collector.accepted.lock().unwrap().iter() {
        if request.path == "/services/collector/event" {
            for line in request.body.lines() {
                let object: Value = serde_json::from_str(line).unwrap();
                assert_eq!(object["sourcetype"], "ocsf");
                let seconds = object["time"].as_f64().unwrap();
                let millis = object["event"]["time"].as_i64().unwrap();
                assert!((seconds * 1000.0 - millis as f64).abs() < 1.0);
                events.push(object["event"].clone());
            }
        } else {
            let batch: Vec<Value> = serde_json::from_str(&request.body).unwrap();
            events.extend(batch);
        }
    }
    events
}

/// A sandbox emulating Slack and Zoom.
async fn sandbox() -> SandboxHandle {
    connector_tests::install_crypto_provider();
    let mut builder = Sandbox::builder();
    for manifest in [&connector_slack::MANIFEST, &connector_zoom::MANIFEST] {
        builder =
            builder.tenant(TenantSpec::for_manifest(manifest).rate_limit(RateLimitConfig::off()));
    }
    builder.start("127.0.0.1:0").await.unwrap()
}

/// The `[instances]` and `[[provision]]` tables for Slack and Zoom (group `ai`), each
/// with `policy` lines, and their secrets (plus `AUDIT_TOKEN`).
fn instances(sandbox: &SandboxHandle, policy: &[(&str, &str)]) -> (String, MapSecrets) {
    let mut text = String::new();
    let mut secrets = MapSecrets::default().with("AUDIT_TOKEN", connector_sdk::Secret::new(TOKEN));
    for app in ["slack", "zoom"] {
        let tenant = sandbox.tenant(app).unwrap();
        let env = format!("{}_TOKEN", app.to_uppercase());
        text.push_str(&format!(
            "[instances.{app}]\nconnector = \"{app}\"\nbase_url = \"{}\"\ntoken_env = \"{env}\"\n\
             client_rate_limit = false\n",
            tenant.scim_url()
        ));
        if app == "zoom" {
            text.push_str("variables = { vanity = \"acme\", account_id = \"A1\" }\n");
        }
        text.push_str(&format!("\n[instances.{app}.policy]\n"));
        for (instance, lines) in policy {
            if *instance == app {
                text.push_str(lines);
                text.push('\n');
            }
        }
        text.push_str(&format!(
            "\n[[provision]]\ninstance = \"{app}\"\ngroups = [\"ai\"]\n\n"
        ));
        secrets = secrets.with(&env, tenant.token());
    }
    (text, secrets)
}

/// An engine over `text` in `dir` (state `state.db`).
async fn engine(dir: &Path, text: &str, secrets: MapSecrets) -> Engine {
    let path = dir.join("assignments.toml");
    std::fs::write(&path, text).unwrap();
    let assignments = Assignments::load(&path, &registry()).unwrap_or_else(|e| panic!("{e}"));
    let store = Store::open(&dir.join("state.db")).await.unwrap();
    Engine::with_store(assignments, registry(), Arc::new(secrets), store)
}

/// Every stored audit event, oldest first (of one run when `run` is set).
async fn stored(engine: &Engine, run: Option<&str>) -> Vec<Value> {
    let filter = AuditFilter {
        run_id: run.map(str::to_owned),
        ..AuditFilter::default()
    };
    engine
        .store()
        .audit_events(&filter)
        .await
        .unwrap()
        .iter()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// Creates an account in a sandbox tenant behind the engine's back.
async fn seed_account(sandbox: &SandboxHandle, app: &str, user_name: &str) {
    let tenant = sandbox.tenant(app).unwrap();
    let response = reqwest::Client::new()
        .post(format!("{}/Users", tenant.scim_url()))
        .bearer_auth(tenant.token().expose())
        .json(&serde_json::json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": user_name,
            "active": true,
            "emails": [{ "value": user_name, "primary": true }],
            "name": { "givenName": "Pre", "familyName": "Existing" },
        }))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
}

/// `(activity_name, unmapped.decision, unmapped.instance)` of the decision events.
fn decisions(events: &[Value]) -> Vec<(String, String, String)> {
    events
        .iter()
        .filter(|e| e["unmapped"]["decision"].is_string())
        .map(|e| {
            (
                e["activity_name"].as_str().unwrap().to_owned(),
                e["unmapped"]["decision"].as_str().unwrap().to_owned(),
                e["unmapped"]["instance"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn skips_protected_accounts_and_unreached_instances_are_audited_and_posted() {
    let sandbox = sandbox().await;
    let (collector, url) = collector().await;
    let dir = tempfile::tempdir().unwrap();
    let people = directory((1..=2).map(|i| person(i, &["ai"])).collect());
    // Person 2 has a Slack account the engine did not create (flagged by default), and a
    // stranger's account matches nobody (protected).
    seed_account(&sandbox, "slack", &people.people[1].login).await;
    seed_account(&sandbox, "slack", "stranger@example.com").await;
    let (mut text, secrets) = instances(&sandbox, &[("zoom", "create = false")]);
    text.push_str(
        "[instances.gone]\nconnector = \"slack\"\nbase_url = \"http://127.0.0.1:9/scim/v2\"\n\
         token_env = \"SLACK_TOKEN\"\nclient_rate_limit = false\ntimeout_secs = 2\n\n\
         [[provision]]\ninstance = \"gone\"\ngroups = [\"ai\"]\n\n",
    );
    text.push_str(&format!(
        "[audit]\nurl = \"{url}/ingest\"\nformat = \"json\"\ntoken_env = \"AUDIT_TOKEN\"\nspool = \"spool\"\n"
    ));
    let engine = engine(dir.path(), &text, secrets).await;

    let report = apply_at(&engine, &people, NOW, ApplyOptions::default()).await;
    assert_eq!(report.status, RunStatus::Partial, "{report:#?}");

    let events = stored(&engine, Some(&report.run_id)).await;
    let mut found = decisions(&events);
    found.sort();
    assert_eq!(
        found,
        [
            ("Not Reached", "instance_not_reached", "gone"),
            ("Protect", "protected_account", "slack"),
            ("Skip", "existing_account_flagged", "slack"),
            ("Skip", "policy_off", "zoom"),
            ("Skip", "policy_off", "zoom"),
        ]
        .map(|(a, d, i)| (a.to_owned(), d.to_owned(), i.to_owned())),
        "{events:#?}"
    );
    let creates: Vec<_> = events
        .iter()
        .filter(|e| e["activity_name"] == "Create")
        .collect();
    assert_eq!(creates.len(), 1, "person 1's Slack account");
    for event in &events {
        assert_eq!(event["metadata"]["correlation_uid"], report.run_id.as_str());
    }
    let uids: std::collections::HashSet<_> = events
        .iter()
        .map(|e| e["metadata"]["uid"].clone())
        .collect();
    assert_eq!(uids.len(), events.len(), "each event has its own uid");
    let flagged = events
        .iter()
        .find(|e| e["unmapped"]["decision"] == "existing_account_flagged")
        .unwrap();
    assert_eq!(flagged["activity_id"], 99);
    assert_eq!(flagged["status_id"], 99);
    assert_eq!(flagged["unmapped"]["not_taken"], "create");
    assert_eq!(flagged["user"]["uid_alt"], people.people[1].id.as_str());

    // The collector got the same events, in the same order, with the bearer token.
    assert_eq!(delivered(&collector), events);
    for request in collector.accepted.lock().unwrap().iter() {
        assert_eq!(request.path, "/ingest");
        assert_eq!(
            request.authorization.as_deref(),
            Some(&*format!("Bearer {TOKEN}"))
        );
    }
    assert!(
        std::fs::read_dir(dir.path().join("spool"))
            .unwrap()
            .all(|f| f.unwrap().file_name() == "pending.jsonl"),
        "nothing left to send"
    );
    validate_ocsf(&events);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_source_guard_stop_and_a_tripped_breaker_are_audited() {
    let sandbox = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let (text, secrets) = instances(&sandbox, &[("slack", "max_removals = 0")]);
    let engine = self::engine(dir.path(), &text, secrets.clone()).await;
    let four = directory((1..=4).map(|i| person(i, &["ai"])).collect());
    let report = apply_at(&engine, &four, NOW, ApplyOptions::default()).await;
    assert!(report.succeeded(), "{report:#?}");

    // Three people of four vanish: the source guard stops the run.
    let one = directory(vec![person(1, &["ai"])]);
    let stopped = engine
        .apply_directory(one, "test directory", ApplyOptions::default())
        .await;
    assert!(
        matches!(stopped, Err(EngineError::SourceStop(_))),
        "{stopped:?}"
    );
    let runs = engine.store().runs(1).await.unwrap();
    let events = stored(&engine, Some(&runs[0].id)).await;
    assert_eq!(
        decisions(&events),
        [("Stop".to_owned(), "source_guard".to_owned(), "*".to_owned())]
    );
    assert!(
        events[0]["status_detail"]
            .as_str()
            .unwrap()
            .contains("stopped")
    );

    // One person of four leaves (allowed by the guard at 100%): two removals planned
    // (Slack and Zoom), none allowed in Slack: the breaker stops the run.
    let text = format!("[settings]\nmax_source_shrink = 1.0\n\n{text}");
    let engine = self::engine(dir.path(), &text, secrets).await;
    let three = directory((1..=3).map(|i| person(i, &["ai"])).collect());
    let report = apply_at(&engine, &three, NOW, ApplyOptions::default()).await;
    assert_eq!(report.status, RunStatus::Stopped);
    let events = stored(&engine, Some(&report.run_id)).await;
    assert_eq!(
        decisions(&events),
        [(
            "Stop".to_owned(),
            "circuit_breaker".to_owned(),
            "slack".to_owned()
        )]
    );
    assert!(
        events[0]["status_detail"]
            .as_str()
            .unwrap()
            .starts_with("1 removal planned, at most 0 allowed")
    );
    validate_ocsf(&stored(&engine, None).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_collector_outage_and_a_restart_lose_nothing() {
    let sandbox = sandbox().await;
    let (collector, url) = collector().await;
    let dir = tempfile::tempdir().unwrap();
    let (mut text, secrets) = instances(&sandbox, &[]);
    text.push_str(&format!(
        "[audit]\nurl = \"{url}\"\nformat = \"splunk_hec\"\ntoken_env = \"AUDIT_TOKEN\"\n\
         spool = \"spool\"\nbatch_size = 3\n"
    ));
    let spool = dir.path().join("spool");

    // The collector is down for the whole first run: every event stays in the spool.
    collector.down.store(true, Ordering::SeqCst);
    let first = self::engine(dir.path(), &text, secrets.clone()).await;
    let people = directory((1..=4).map(|i| person(i, &["ai"])).collect());
    let report = apply_at(&first, &people, NOW, ApplyOptions::default()).await;
    assert!(report.succeeded(), "{report:#?}");
    assert!(collector.refused.load(Ordering::SeqCst) >= 1);
    assert!(collector.accepted.lock().unwrap().is_empty());
    let spooled = spool_text(&spool);
    assert_eq!(spooled.lines().count(), 8, "4 creates in 2 apps");
    assert!(
        !spooled.contains(TOKEN),
        "the token never reaches the spool"
    );
    // A flush while it is still down keeps everything, and says why without the token.
    let error = first.flush_audit().await.unwrap_err().to_string();
    assert!(
        error.contains("HTTP 503") && error.contains("stay in the spool"),
        "{error}"
    );
    assert!(!error.contains(TOKEN), "{error}");
    drop(first);

    // A new engine over the same files (a restart); the collector is back.
    collector.down.store(false, Ordering::SeqCst);
    let second = self::engine(dir.path(), &text, secrets).await;
    let more = directory((1..=5).map(|i| person(i, &["ai"])).collect());
    let report = apply_at(&second, &more, NOW, ApplyOptions::default()).await;
    assert!(report.succeeded(), "{report:#?}");

    // Steps run concurrently and each spools its event after its outcome is committed, so
    // the spool's order may differ from the journal's: compare by event uid.
    let by_uid = |mut events: Vec<Value>| {
        events.sort_by_key(|e| e["metadata"]["uid"].as_str().unwrap().to_owned());
        events
    };
    let all = by_uid(stored(&second, None).await);
    assert_eq!(all.len(), 10);
    assert_eq!(by_uid(delivered(&collector)), all, "every event once");
    for request in collector.accepted.lock().unwrap().iter() {
        assert_eq!(request.path, "/services/collector/event");
        assert_eq!(
            request.authorization.as_deref(),
            Some(&*format!("Splunk {TOKEN}"))
        );
        assert!(request.body.lines().count() <= 3, "batch_size");
    }
    assert_eq!(spool_text(&spool), "", "the spool is empty");
    let flushed = second.flush_audit().await.unwrap();
    assert_eq!(flushed.delivered, 0, "nothing is sent twice");
}

/// Every line in the spool folder, batch files in name order.
fn spool_text(spool: &Path) -> String {
    let mut files: Vec<PathBuf> = std::fs::read_dir(spool)
        .unwrap()
        .map(|f| f.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect()
}

#[test]
fn audit_sections_are_checked_at_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("assignments.toml");
    for (text, expected) in [
        (
            "[audit]\nurl = \"https://user:pw@siem.example.com\"\n",
            ":2:7: the audit `url` must not hold credentials",
        ),
        (
            "[audit]\nurl = \"https://siem.example.com\"\nformat = \"syslog\"\n",
            ":3:10: unknown audit `format` `syslog`",
        ),
        (
            "[audit]\nurl = \"https://siem.example.com\"\nformat = \"splunk_hec\"\n",
            "needs `token_env`",
        ),
        (
            "[audit]\nurl = \"https://siem.example.com\"\ntoken_env = \"abc123secret\"\n",
            ":3:13: expected the NAME of an environment variable",
        ),
        (
            "[audit]\nurl = \"https://siem.example.com\"\nbatch_size = 0\n",
            ":3:14: `batch_size` must be at least 1",
        ),
    ] {
        std::fs::write(&path, text).unwrap();
        let error = Assignments::load(&path, &registry())
            .unwrap_err()
            .to_string();
        assert!(error.contains(expected), "{text}\n→ {error}");
    }
}

/// Validates `events` with the OCSF peer (`ocsf-json-schema` and `jsonschema` in the
/// peers' virtualenv, `cargo xtask peers`; or `$OCSF_PYTHON`). Without the peer the check
/// is skipped with a printed reason, except in CI where it fails.
fn validate_ocsf(events: &[Value]) {
    assert!(!events.is_empty());
    let python = std::env::var_os("OCSF_PYTHON").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv-peers/bin/python"),
        PathBuf::from,
    );
    let ready = Command::new(&python)
        .args(["-c", "import ocsf_json_schema, jsonschema"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ready {
        let reason = format!(
            "the OCSF validator peer is not installed ({} cannot import ocsf_json_schema and jsonschema; run `cargo xtask peers` or set OCSF_PYTHON)",
            python.display()
        );
        assert!(std::env::var_os("CI").is_none(), "{reason}");
        eprintln!("skipping the OCSF validation: {reason}");
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ocsf_validate.py");
    let mut child = Command::new(&python)
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let input: String = events.iter().map(|e| format!("{e}\n")).collect();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    eprintln!("OCSF validator: {}", text.lines().last().unwrap_or(""));
    assert!(output.status.success(), "{text}");
    assert!(text.contains(&format!("checked {} events, 0 problems", events.len())));
}
