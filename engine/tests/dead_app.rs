//! An app that starts answering every request with a 5xx in the middle of a run: the
//! instance's breaker leaves its remaining changes alone ("not attempted: instance
//! unhealthy"), each change it did attempt stays within the documented request budget,
//! the other apps' changes are applied, and the run ends in seconds as partial.
//!
//! Real sockets to the sandbox on 127.0.0.1, a real SQLite state file.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{NOW, apply_at, directory, person, registry};
use connector_engine::apply::RETRIES_PER_CHANGE;
use connector_engine::state::{RunStatus, Store};
use connector_engine::{
    ApplyOptions, ApplyProgress, Assignments, Engine, MapSecrets, ProgressHandle, StepResult,
    StepStatus,
};
use connector_sandbox::{Faults, RateLimitConfig, Sandbox, SandboxHandle, TenantSpec};
use serde_json::Value;

/// People planned into each app.
const PEOPLE: usize = 40;
/// The dead app's `unhealthy_after`.
const UNHEALTHY_AFTER: usize = 3;
/// Calls in flight to each instance.
const CONCURRENCY: usize = 4;

/// Calls a tenant's admin API.
async fn admin(
    sandbox: &SandboxHandle,
    tenant: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let tenant = sandbox.tenant(tenant).unwrap();
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", tenant.admin_url()))
        .bearer_auth(tenant.admin_token().expose());
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.unwrap()
}

/// SCIM requests the tenant has received.
async fn requests(sandbox: &SandboxHandle, tenant: &str) -> u64 {
    let summary = admin(sandbox, tenant, reqwest::Method::GET, "", None).await;
    summary["stats"]["requests"].as_u64().unwrap()
}

/// Once the plan is made and the apply starts, turns Zoom into an app that answers
/// every request with a 5xx, and notes how many requests it had received by then.
struct KillZoom {
    sandbox: Arc<SandboxHandle>,
    before: std::sync::Mutex<Option<u64>>,
}

impl ApplyProgress for KillZoom {
    fn started(&self, _totals: &[(String, u64)]) {
        let sandbox = self.sandbox.clone();
        let before = tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(async move {
                let before = requests(&sandbox, "zoom").await;
                let faults = serde_json::to_value(Faults::none().error_rate(1.0)).unwrap();
                admin(
                    &sandbox,
                    "zoom",
                    reqwest::Method::PUT,
                    "/faults",
                    Some(faults),
                )
                .await;
                before
            })
        });
        *self.before.lock().unwrap() = Some(before);
    }
    fn step_finished(&self, _result: &StepResult) {}
    fn finished(&self) {}
}

/// A sandbox emulating ChatGPT, Slack and Zoom, and an engine provisioning the group
/// `ai` into each (Zoom's breaker opening after [`UNHEALTHY_AFTER`] failures); the
/// folder holds the state.
async fn world() -> (Arc<SandboxHandle>, Engine, tempfile::TempDir) {
    connector_tests::install_crypto_provider();
    let mut builder = Sandbox::builder();
    for manifest in [
        &connector_chatgpt::MANIFEST,
        &connector_slack::MANIFEST,
        &connector_zoom::MANIFEST,
    ] {
        builder =
            builder.tenant(TenantSpec::for_manifest(manifest).rate_limit(RateLimitConfig::off()));
    }
    let sandbox = Arc::new(builder.start("127.0.0.1:0").await.unwrap());
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    let mut secrets = MapSecrets::default();
    for app in ["chatgpt", "slack", "zoom"] {
        let tenant = sandbox.tenant(app).unwrap();
        let env = format!("{}_TOKEN", app.to_uppercase());
        text.push_str(&format!(
            "[instances.{app}]\nconnector = \"{app}\"\nbase_url = \"{}\"\ntoken_env = \"{env}\"\n\
             client_rate_limit = false\n\n[instances.{app}.policy]\nconcurrency = {CONCURRENCY}\n",
            tenant.scim_url()
        ));
        if app == "zoom" {
            text.push_str(&format!("unhealthy_after = {UNHEALTHY_AFTER}\n"));
        }
        text.push_str(&format!(
            "\n[[provision]]\ninstance = \"{app}\"\ngroups = [\"ai\"]\n\n"
        ));
        secrets = secrets.with(&env, tenant.token());
    }
    let path = dir.path().join("assignments.toml");
    std::fs::write(&path, &text).unwrap();
    let assignments = Assignments::load(&path, &registry()).unwrap_or_else(|e| panic!("{e}"));
    let store = Store::open(&dir.path().join("state.db")).await.unwrap();
    let engine = Engine::with_store(assignments, registry(), Arc::new(secrets), store);

    (sandbox, engine, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dead_app_is_left_alone_and_the_others_are_applied_in_seconds() {
    let (sandbox, engine, _dir) = world().await;
    let people = directory((1..=PEOPLE).map(|i| person(i, &["ai"])).collect());
    let kill = Arc::new(KillZoom {
        sandbox: sandbox.clone(),
        before: std::sync::Mutex::new(None),
    });
    let options = ApplyOptions {
        progress: Some(ProgressHandle(kill.clone())),
        ..ApplyOptions::default()
    };
    let started = Instant::now();
    let report = apply_at(&engine, &people, NOW, options).await;
    let elapsed = started.elapsed();

    assert!(
        elapsed < Duration::from_secs(20),
        "the run took {elapsed:?}"
    );
    assert_eq!(report.status, RunStatus::Partial);
    assert!(
        report.stopped.is_none() && !report.succeeded(),
        "the CLI exits 4 (partial)"
    );
    let of = |app: &str| {
        report
            .results
            .iter()
            .filter(|r| r.instance == app)
            .collect::<Vec<_>>()
    };
    for app in ["chatgpt", "slack"] {
        let results = of(app);
        assert_eq!(results.len(), PEOPLE);
        assert!(
            results.iter().all(|r| r.status == StepStatus::Applied),
            "{app}: {results:#?}"
        );
    }

    let zoom = of("zoom");
    assert_eq!(zoom.len(), PEOPLE);
    assert!(
        zoom.iter().all(|r| r.status != StepStatus::Applied),
        "{zoom:#?}"
    );
    let attempted: Vec<_> = zoom.iter().filter(|r| r.attempts > 0).collect();
    let left_alone: Vec<_> = zoom.iter().filter(|r| r.attempts == 0).collect();
    assert!(
        attempted.iter().all(|r| r.status == StepStatus::Failed),
        "{attempted:#?}"
    );
    assert!(
        (UNHEALTHY_AFTER..UNHEALTHY_AFTER + CONCURRENCY).contains(&attempted.len()),
        "the breaker opens after {UNHEALTHY_AFTER} failures; only calls already in flight follow: {} attempted",
        attempted.len()
    );
    assert!(
        left_alone.iter().all(|r| r.status == StepStatus::Skipped
            && r.detail
                .as_deref()
                .is_some_and(|d| d.starts_with("not attempted: instance unhealthy"))),
        "{left_alone:#?}"
    );
    assert_eq!(report.counts.skipped as usize, left_alone.len());
    assert_eq!(report.counts.applied as usize, 2 * PEOPLE);

    // Against an app that fails everything, a create is its POST, the POST's retries
    // and one adoption lookup: no more than the documented budget of a create.
    let before = kill.before.lock().unwrap().expect("the apply started");
    eprintln!(
        "run {elapsed:?}; zoom: {} attempted, {} left alone",
        attempted.len(),
        left_alone.len()
    );
    let made = requests(&sandbox, "zoom").await - before;
    let create_budget = 2 + u64::from(RETRIES_PER_CHANGE);
    let attempted = attempted.len() as u64;
    eprintln!("zoom: {made} requests for {attempted} attempted changes");
    assert!(
        made >= attempted && made <= create_budget * attempted,
        "{made} requests for {attempted} attempted creates (budget {create_budget} each)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_disable_is_not_redone_by_the_engine() {
    let (sandbox, engine, _dir) = world().await;
    let people = directory((1..=2).map(|i| person(i, &["ai"])).collect());
    let report = apply_at(&engine, &people, NOW, ApplyOptions::default()).await;
    assert!(report.succeeded(), "{report:#?}");

    // Person 2 leaves the group; Zoom fails every request once the plan is made.
    let kill = Arc::new(KillZoom {
        sandbox: sandbox.clone(),
        before: std::sync::Mutex::new(None),
    });
    let options = ApplyOptions {
        plan: connector_engine::PlanOptions {
            instances: vec!["zoom".to_owned()],
            ..connector_engine::PlanOptions::default()
        },
        progress: Some(ProgressHandle(kill.clone())),
        ..ApplyOptions::default()
    };
    let people = directory(vec![person(1, &["ai"]), person(2, &[])]);
    let report = apply_at(&engine, &people, NOW, options).await;
    let [disable] = report.results.as_slice() else {
        panic!("one change expected: {report:#?}");
    };
    assert_eq!(
        (disable.action.as_str(), disable.status.as_str()),
        ("disable", "failed")
    );
    assert_eq!(
        disable.attempts, 1,
        "a failed disable is the SDK's to retry, not redone"
    );
    let before = kill.before.lock().unwrap().expect("the apply started");
    let made = requests(&sandbox, "zoom").await - before;
    // A disable needs at most two requests once (a read and a PUT), plus the budget.
    assert!(
        made <= 2 + u64::from(RETRIES_PER_CHANGE),
        "{made} requests for one disable"
    );
}
