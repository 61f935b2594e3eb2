//! The ChatGPT, Slack and Zoom connectors' capability suites against their sandbox
//! tenants, which behave as each vendor's dialect says; and runs through a low rate
//! limit, 20% injected 5xx (plus dropped connections) and added latency, whose final
//! state is read back through the admin API.

mod common;

use std::time::Duration;

use common::{Admin, tenant};
use connector_sandbox::{Faults, RateLimitConfig, Sandbox, TenantSpec};
use connector_sdk::{Connector, Identity, RetryPolicy};
use connector_tests::people::person;
use connector_tests::{CapabilitySuite, SuiteReport};
use serde_json::Value;

/// The suite with the person's `userName` computed as the connector maps it.
async fn run(
    connector: &dyn Connector,
    backend: &connector_sandbox::TenantHandle,
    domain: &'static str,
    user_name: fn(&Identity) -> String,
) -> SuiteReport {
    CapabilitySuite::new(connector, backend, move |i| person(i, domain))
        .user_name(user_name)
        .run()
        .await
}

fn email(who: &Identity) -> String {
    who.email.clone()
}

fn slack_handle(who: &Identity) -> String {
    who.email
        .split('@')
        .next()
        .unwrap_or_default()
        .to_lowercase()
}

fn expect_passed(report: &SuiteReport, steps: &[&str]) {
    for step in steps {
        assert!(report.passed(step), "step `{step}` did not pass:\n{report}");
    }
}

#[tokio::test]
async fn chatgpt_passes_on_its_sandbox_tenant() {
    let sandbox = Sandbox::builder()
        .manifest(&connector_chatgpt::MANIFEST)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let chatgpt = tenant(&sandbox, "chatgpt");
    let connector = connector_chatgpt::connect(chatgpt.config()).unwrap();
    let report = run(&connector, chatgpt, "chatgpt.example", email).await;
    expect_passed(
        &report,
        &[
            "create", "get", "find", "existing", "update", "license", "list", "disable", "enable",
            "delete",
        ],
    );
}

#[tokio::test]
async fn zoom_passes_on_its_sandbox_tenant_through_oauth() {
    let sandbox = Sandbox::builder()
        .manifest(&connector_zoom::MANIFEST)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let zoom = tenant(&sandbox, "zoom");
    let connector = connector_zoom::connect(zoom.config()).unwrap();
    let report = run(&connector, zoom, "zoom.example", email).await;
    expect_passed(
        &report,
        &[
            "create", "get", "find", "existing", "update", "license", "list", "disable", "enable",
            "delete",
        ],
    );
    let admin = Admin::of(zoom);
    assert!(
        admin.stats().await["tokens_issued"].as_u64() >= Some(1),
        "the connector used the token endpoint"
    );
    let log = admin.get("/requests").await;
    let methods: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["method"].as_str())
        .collect();
    assert!(
        methods.contains(&"PUT") && methods.contains(&"PATCH"),
        "Zoom updates by PUT and deactivates by PATCH: {methods:?}"
    );
}

#[tokio::test]
async fn slack_deactivates_by_delete_and_keeps_the_account() {
    let sandbox = Sandbox::builder()
        .manifest(&connector_slack::MANIFEST)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let slack = tenant(&sandbox, "slack");
    let connector = connector_slack::connect(slack.config()).unwrap();
    let report = run(&connector, slack, "slack.example", slack_handle).await;
    expect_passed(
        &report,
        &[
            "create", "get", "find", "existing", "update", "license", "list", "disable", "enable",
        ],
    );
    let disable = report.step("disable").unwrap();
    assert!(disable.detail.contains("DELETE deactivates"), "{report}");

    let admin = Admin::of(slack);
    let log = admin.get("/requests").await;
    let deletes: Vec<&Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["method"] == "DELETE")
        .collect();
    assert_eq!(deletes.len(), 1, "{log}");
    assert_eq!(deletes[0]["status"], 204);
    let id = deletes[0]["path"]
        .as_str()
        .unwrap()
        .trim_start_matches("/Users/");
    let user = admin.get(&format!("/users/{id}")).await;
    assert_eq!(user["userName"], slack_handle(&person(0, "slack.example")));
    assert_eq!(
        user["active"], true,
        "disabled by DELETE, then enabled by PATCH: {user}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_passes_through_throttling_faults_drops_and_latency() {
    let faults = Faults::none()
        .error_rate(0.2)
        .drop_rate(0.05)
        .latency_ms(5)
        .seed(20_260_101);
    let spec = TenantSpec::for_manifest(&connector_slack::MANIFEST)
        .rate_limit(RateLimitConfig::custom(20, 1000, 4))
        .faults(faults);
    let sandbox = Sandbox::builder()
        .tenant(spec)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let slack = tenant(&sandbox, "slack");
    let mut config = slack.config();
    config.retry = RetryPolicy {
        max_attempts: 12,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(100),
        max_retry_after: Duration::from_secs(5),
    };
    let connector = connector_slack::connect(config).unwrap();
    let report = run(&connector, slack, "slack.example", slack_handle).await;
    expect_passed(
        &report,
        &[
            "create", "get", "find", "existing", "update", "license", "list", "disable", "enable",
        ],
    );

    // The final state, read through the admin API: the eight people of the suite, each
    // once, all active (disabled and enabled again for the first), no duplicates from
    // retried writes.
    let admin = Admin::of(slack);
    let users = admin.users().await;
    let mut names: Vec<String> = users
        .iter()
        .map(|u| u["userName"].as_str().unwrap_or_default().to_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = (0..8)
        .map(|i| slack_handle(&person(i, "slack.example")))
        .collect();
    expected.sort();
    assert_eq!(names, expected);
    assert!(users.iter().all(|u| u["active"] == true), "{users:?}");
    let updated = users
        .iter()
        .find(|u| u["userName"] == expected_first())
        .unwrap();
    assert_eq!(updated["title"], "Suiteupdated Title", "{updated}");
    let stats = admin.stats().await;
    assert!(
        stats["injected_errors"].as_u64() > Some(0),
        "faults were injected: {stats}"
    );
    println!("sandbox counters after the faulty run: {stats}");
}

fn expected_first() -> String {
    slack_handle(&person(0, "slack.example"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zoom_passes_through_throttling_and_faults() {
    let spec = TenantSpec::for_manifest(&connector_zoom::MANIFEST)
        .rate_limit(RateLimitConfig::custom(20, 1000, 4))
        .faults(Faults::none().error_rate(0.2).latency_ms(5).seed(7));
    let sandbox = Sandbox::builder()
        .tenant(spec)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let zoom = tenant(&sandbox, "zoom");
    let mut config = zoom.config();
    config.retry = RetryPolicy {
        max_attempts: 12,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(100),
        max_retry_after: Duration::from_secs(5),
    };
    let connector = connector_zoom::connect(config).unwrap();
    let report = run(&connector, zoom, "zoom.example", email).await;
    expect_passed(
        &report,
        &[
            "create", "get", "find", "existing", "update", "license", "list", "disable", "enable",
            "delete",
        ],
    );
    // Eight people were created and the suite deleted one of the listed ones.
    let users = Admin::of(zoom).users().await;
    assert_eq!(users.len(), 7, "{users:?}");
    let first = users
        .iter()
        .find(|u| u["userName"] == person(0, "zoom.example").email)
        .unwrap();
    assert_eq!(
        (first["active"].clone(), first["title"].clone()),
        (Value::Bool(true), Value::from("Suiteupdated Title"))
    );
    let zoom_ext = "urn:ietf:params:scim:schemas:extension:zoom:1.0:User";
    assert_eq!(
        first[zoom_ext]["zoomWhiteboard"], false,
        "assigned then revoked: {first}"
    );
}
