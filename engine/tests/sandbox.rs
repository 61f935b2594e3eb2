//! Against the sandbox's Slack emulation, with its org-wide rate limit and injected
//! server errors: every account is still created once, then deactivated, and a second
//! run plans nothing.

mod common;

use std::sync::Arc;

use common::{NOW, directory, person, registry};
use connector_engine::state::Store;
use connector_engine::{ApplyOptions, Assignments, Engine, MapSecrets, PlanOptions};
use connector_sandbox::{Faults, Sandbox, TenantSpec};
use connector_tests::StateChecker;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_with_rate_limits_and_faults_converges() {
    connector_tests::install_crypto_provider();
    let sandbox = Sandbox::builder()
        .tenant(
            TenantSpec::for_manifest(&connector_slack::MANIFEST)
                .faults(Faults::none().error_rate(0.2).seed(11)),
        )
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let tenant = sandbox.tenant("slack").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "[instances.slack]\nconnector = \"slack\"\nbase_url = \"{}\"\ntoken_env = \"SANDBOX_SLACK_TOKEN\"\n\
         variables = {{ domain = \"acme\" }}\n[instances.slack.policy]\nmax_removals = 100\n\n\
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
    let options = || ApplyOptions {
        plan: PlanOptions {
            now: Some(NOW),
            ..PlanOptions::default()
        },
        ..ApplyOptions::default()
    };
    let report = engine
        .apply_directory(people.clone(), "test", options())
        .await
        .unwrap();
    assert!(
        report.succeeded(),
        "{:#?}",
        report
            .results
            .iter()
            .filter(|r| r.status != "applied")
            .collect::<Vec<_>>()
    );
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
    assert!(
        report.succeeded(),
        "{:#?}",
        report
            .results
            .iter()
            .filter(|r| r.status != "applied")
            .collect::<Vec<_>>()
    );
    let active = checker
        .list_users()
        .await
        .iter()
        .filter(|u| u["active"] == true)
        .count();
    assert_eq!(active, 10);
    let connectors = engine.connectors(&[]);
    let plan = engine
        .plan_directory(
            &leavers,
            "test",
            &connectors,
            &PlanOptions {
                now: Some(NOW),
                ..PlanOptions::default()
            },
        )
        .await
        .unwrap();
    assert!(
        !plan.has_changes(),
        "{}",
        connector_engine::plan::render::render(&plan)
    );
    sandbox.shutdown().await;
}
