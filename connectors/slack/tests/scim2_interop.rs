//! Slack's capability set against the third-party scim2-server: DELETE deactivates (on
//! scim2-server it removes, which the suite checks as such), userName is the handle.

use connector_sdk::Connector;
use connector_tests::{CapabilitySuite, Scim2Server, people::person};
use serde_json::Value;

fn server() -> Scim2Server {
    Scim2Server::with_extensions(connector_slack::SCIM_EXTENSION_SCHEMAS)
}

fn handle(email: &str) -> String {
    email.split('@').next().unwrap().to_lowercase()
}

#[tokio::test]
async fn capability_suite_passes_against_scim2_server() {
    let server = server();
    let slack = connector_slack::connect(server.config()).unwrap();
    let report = CapabilitySuite::new(&slack, &server, |i| person(i, "slack.example"))
        .user_name(|who| handle(&who.email))
        .run()
        .await;
    report.assert_outcomes(
        &[
            "create", "find", "existing", "update", "license", "list", "disable",
        ],
        &[],
    );
}

#[tokio::test]
async fn custom_start_date_lands_in_the_slack_profile_extension() {
    let server = server();
    let slack = connector_slack::connect(server.config()).unwrap();
    let who = person(3, "slack.example");
    let account = slack.create(&who).await.unwrap();
    let stored = server
        .state()
        .get_user(&account.id)
        .await
        .expect("user on the server");
    assert_eq!(stored["userName"], Value::String(handle(&who.email)));
    assert_eq!(
        stored["urn:ietf:params:scim:schemas:extension:slack:profile:2.0:User"]["startDate"],
        Value::String("2026-04-01T00:00:00Z".to_owned()),
        "{stored:#}"
    );
    assert_eq!(
        stored["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["employeeNumber"],
        Value::String("E00003".to_owned())
    );
}

#[tokio::test]
async fn slack_ai_is_a_manual_task_never_reported_done() {
    let server = server();
    let slack = connector_slack::connect(server.config().with_variable("domain", "acme")).unwrap();
    let account = slack.create(&person(4, "slack.example")).await.unwrap();
    let sku = slack.manifest().license("slack_ai").unwrap();
    match slack
        .assign_license(&account.reference(), sku)
        .await
        .unwrap()
    {
        connector_sdk::LicenseOutcome::ManualActionRequired(task) => {
            assert!(task.instructions.contains("Feature access"), "{task:?}");
            assert_eq!(task.url.as_deref(), Some("https://acme.slack.com/admin"));
        }
        other => panic!("Slack AI must be a manual task, got {other:?}"),
    }
}

#[tokio::test]
async fn an_update_with_nothing_changed_writes_nothing() {
    let server = server();
    let slack = connector_slack::connect(server.config()).unwrap();
    let who = person(5, "slack.example");
    let account = slack.create(&who).await.unwrap();
    let before = server.state().get_user(&account.id).await.unwrap();
    slack.update(&account.reference(), &who).await.unwrap();
    let after = server.state().get_user(&account.id).await.unwrap();
    assert_eq!(
        before["meta"]["version"], after["meta"]["version"],
        "a no-op update wrote to the server"
    );
}
