//! Against the sandbox's Slack emulation under hostile conditions: its org-wide rate limit
//! with 20% injected server errors, then added latency and 429 bursts from a tight
//! server-side limit with the client-side limit switched off. Either way every account
//! is created once, the leavers are deactivated, and a second run plans nothing.

mod common;

use common::{NOW, SandboxWorld, directory, person, registry};
use connector_engine::{ApplyOptions, PlanOptions};
use connector_sandbox::{Faults, RateLimitConfig, TenantSpec};
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
    let world = SandboxWorld::start(
        spec,
        "slack",
        &format!(
            "variables = {{ domain = \"acme\" }}\nclient_rate_limit = {client_rate_limit}\n\
             [instances.slack.policy]\nmax_removals = 100"
        ),
        "[[provision]]\ninstance = \"slack\"\ngroups = [\"eng\"]\nlicenses = [\"member\"]\n",
        registry(),
    )
    .await;
    let (engine, checker) = (&world.engine, &world.checker);
    let tenant = world.sandbox.tenant("slack").unwrap();

    let people = directory((1..=30).map(|i| person(i, &["eng"])).collect());
    converge(engine, &people).await;
    let users = checker.list_users().await;
    assert_eq!(users.len(), 30, "every account once");

    let leavers = directory(
        (1..=30)
            .map(|i| person(i, if i <= 10 { &["eng"] } else { &[] }))
            .collect(),
    );
    converge(engine, &leavers).await;
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
    admin_summary(tenant.admin_url(), &tenant.admin_token()).await
}

/// Applies `people` until a run succeeds, three runs at most. Each change has a bounded
/// budget of requests (see engine/README.md, "Requests per change"), so under 20% injected
/// server errors an unlucky change can fail a run; the next run repairs it, and only a
/// server error may be the cause.
async fn converge(engine: &connector_engine::Engine, people: &connector_engine::Directory) {
    for run in 1..=3 {
        let report = engine
            .apply_directory(people.clone(), "test", options())
            .await
            .unwrap();
        if report.succeeded() {
            return;
        }
        let not_applied: Vec<_> = report
            .results
            .iter()
            .filter(|r| r.status.to_string() != "applied")
            .collect();
        assert!(
            run < 3
                && not_applied.iter().all(|r| {
                    let detail = r.detail.as_deref().unwrap_or_default();
                    detail.contains("HTTP 5") || detail.contains("earlier step")
                }),
            "run {run}: {not_applied:#?}"
        );
    }
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
