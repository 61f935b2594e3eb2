//! Against the sandbox's Slack emulation under hostile conditions: its org-wide rate limit
//! with 20% injected server errors, then added latency and 429 bursts from a tight
//! server-side limit with the client-side limit switched off. Either way every account
//! is created once, the leavers are deactivated, and a second run plans nothing.

mod common;

use std::sync::Arc;

use common::{NOW, directory, person, registry};
use connector_engine::state::Store;
use connector_engine::{ApplyOptions, Assignments, Engine, MapSecrets, PlanOptions, StepStatus};
use connector_sandbox::{Faults, RateLimitConfig, Sandbox, TenantSpec};
use connector_tests::StateChecker;
use serde_json::Value;

/// Options of every apply and plan of these tests.
fn options() -> ApplyOptions {
    ApplyOptions {
        plan: PlanOptions {
            now: Some(NOW),
            ..PlanOptions::default()
        },
        ..ApplyOptions::default()
    }
}

/// Serves `spec` (a Slack tenant), runs 30 joiners then 20 leavers through the engine,
/// checks the tenant's final state independently, and returns the tenant's admin summary
/// (with its request statistics).
async fn converges(spec: TenantSpec, client_rate_limit: bool) -> Value {
    connector_tests::install_crypto_provider();
    let sandbox = Sandbox::builder()
        .tenant(spec)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let tenant = sandbox.tenant("slack").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "[instances.slack]\nconnector = \"slack\"\nbase_url = \"{}\"\ntoken_env = \"SANDBOX_SLACK_TOKEN\"\n\
         variables = {{ domain = \"acme\" }}\nclient_rate_limit = {client_rate_limit}\n\
         [instances.slack.policy]\nmax_removals = 100\n\n\
         [[provision]]\ninstance = \"slack\"\ngroups = [\"eng\"]\nlicenses = [\"member\"]\n",
        tenant.scim_url()
    );
    let path = dir.path().join("assignments.toml");
    std::fs::write(&path, &text).unwrap();
    let assignments = Assignments::load(&path, &registry()).unwrap();
    let store = Store::open(&dir.path().join("state.db")).await.unwrap();
    let secrets = MapSecrets::default().with("SANDBOX_SLACK_TOKEN", tenant.token());
    let engine = Engine::with_store(assignments, registry(), Arc::new(secrets), store);
    let checker = StateChecker::new(tenant.admin_scim_url(), tenant.admin_token());

    let people = directory((1..=30).map(|i| person(i, &["eng"])).collect());
    let report = engine
        .apply_directory(people.clone(), "test", options())
        .await
        .unwrap();
    let not_applied: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.status != StepStatus::Applied)
        .collect();
    assert!(report.succeeded(), "{not_applied:#?}");
    let users = checker.list_users().await;
    assert_eq!(users.len(), 30, "every account once");

    let leavers = directory(
        (1..=30)
            .map(|i| person(i, if i <= 10 { &["eng"] } else { &[] }))
            .collect(),
    );
    let report = engine
        .apply_directory(leavers.clone(), "test", options())
        .await
        .unwrap();
    let not_applied: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.status != StepStatus::Applied)
        .collect();
    assert!(report.succeeded(), "{not_applied:#?}");
    let users = checker.list_users().await;
    assert_eq!(users.len(), 30, "no account created twice");
    let active = users.iter().filter(|u| u["active"] == true).count();
    assert_eq!(active, 10);

    let connectors = engine.connectors(&[]);
    let plan = engine
        .plan_directory(&leavers, "test", &connectors, &options().plan)
        .await
        .unwrap();
    assert!(
        !plan.has_changes(),
        "{}",
        connector_engine::plan::render::render(&plan)
    );
    let summary = admin_summary(tenant.admin_url(), &tenant.admin_token()).await;
    sandbox.shutdown().await;
    summary
}

/// `GET /_admin/tenants/{tenant}`: the tenant's settings and request statistics.
async fn admin_summary(admin_url: &str, token: &connector_sdk::Secret) -> Value {
    reqwest::Client::new()
        .get(admin_url)
        .bearer_auth(token.expose())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_with_its_rate_limit_and_20_percent_server_errors_converges() {
    let spec = TenantSpec::for_manifest(&connector_slack::MANIFEST)
        .faults(Faults::none().error_rate(0.2).seed(11));
    let summary = converges(spec, true).await;
    assert!(
        summary["stats"]["injected_errors"].as_u64().unwrap() > 0,
        "{summary:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latency_errors_and_429_bursts_converge() {
    // 20 requests a second with a burst of 5, and no client-side limit: the engine's
    // concurrent calls run into 429 bursts, answered with Retry-After, on top of 20%
    // server errors and 15 ms added to every answer.
    let spec = TenantSpec::for_manifest(&connector_slack::MANIFEST)
        .rate_limit(RateLimitConfig::custom(20, 1000, 5))
        .faults(Faults::none().error_rate(0.2).latency_ms(15).seed(23));
    let summary = converges(spec, false).await;
    let stats = &summary["stats"];
    assert!(stats["throttled"].as_u64().unwrap() > 0, "{summary:#}");
    assert!(
        stats["injected_errors"].as_u64().unwrap() > 0,
        "{summary:#}"
    );
}
