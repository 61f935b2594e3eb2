//! Notion's capability set against the third-party scim2-server, with Notion's user
//! extension loaded. Notion finds accounts by email rather than userName, deactivation is
//! its only removal (no delete, no reactivate), and the workspace role is never written.

use connector_sdk::{Connector, Error, Operation};
use connector_tests::{CapabilitySuite, Scim2Server, people::person};
use serde_json::json;

const NOTION_URN: &str = "urn:ietf:params:scim:schemas:extension:notion:2.0:User";

fn server() -> Scim2Server {
    Scim2Server::with_extensions(connector_notion::SCIM_EXTENSION_SCHEMAS)
}

#[tokio::test]
async fn capability_suite_passes_against_scim2_server() {
    let server = server();
    let notion = connector_notion::connect(server.unpaced_config()).unwrap();
    let report = CapabilitySuite::new(&notion, &server, |i| person(i, "notion.example"))
        .user_name(|who| who.email.to_lowercase())
        .run()
        .await;
    report.assert_outcomes(
        &[
            "create", "find", "existing", "update", "license", "list", "disable",
        ],
        &["enable", "delete"],
    );
}

#[tokio::test]
async fn find_matches_by_email_when_user_name_differs() {
    let server = server();
    let notion = connector_notion::connect(server.unpaced_config()).unwrap();
    let who = person(5, "notion.example");
    // An account whose userName is not the mapped one, but which holds the person's email.
    let id = server
        .state()
        .seed_user(json!({
            "userName": "legacy-handle@notion.example",
            "emails": [{ "value": who.email, "type": "work", "primary": true }],
            "active": true,
        }))
        .await;
    let found = notion.find(&who).await.unwrap().expect("found by email");
    assert_eq!(found.id, id);
    assert_eq!(found.user_name, "legacy-handle@notion.example");
    let output = server.output_when(|o| o.contains("emails.value")).await;
    assert!(
        output.contains("emails.value"),
        "the lookup did not filter on emails:\n{output}"
    );
}

#[tokio::test]
async fn emails_are_sent_lower_cased() {
    let server = server();
    let notion = connector_notion::connect(server.unpaced_config()).unwrap();
    let mut who = person(6, "notion.example");
    who.email = "Grace.Hopper6@Notion.Example".to_owned();
    let account = notion.create(&who).await.unwrap();
    let stored = server.state().get_user(&account.id).await.unwrap();
    assert_eq!(stored["userName"], "grace.hopper6@notion.example");
    assert_eq!(stored["emails"][0]["value"], "grace.hopper6@notion.example");
    // The same person, looked up again, is the same account.
    assert_eq!(notion.find(&who).await.unwrap().unwrap().id, account.id);
}

#[tokio::test]
async fn an_update_never_touches_the_workspace_role() {
    let server = server();
    let notion = connector_notion::connect(server.unpaced_config()).unwrap();
    let who = person(7, "notion.example");
    let id = server
        .state()
        .seed_user(json!({
            "userName": who.email,
            "emails": [{ "value": who.email, "type": "work", "primary": true }],
            "active": true,
            NOTION_URN: { "role": "owner" },
        }))
        .await;
    let account = notion.find(&who).await.unwrap().expect("seeded account");
    let mut changed = who.clone();
    changed.department = Some("Legal".to_owned());
    notion.update(&account.reference(), &changed).await.unwrap();

    let stored = server.state().get_user(&id).await.unwrap();
    assert_eq!(stored[NOTION_URN]["role"], "owner", "{stored:#}");
    assert_eq!(
        stored["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
        "Legal"
    );
    // The typed User reads the role back.
    let typed: connector_notion::NotionUser = serde_json::from_value(stored).unwrap();
    assert_eq!(typed.notion.and_then(|n| n.role).as_deref(), Some("owner"));
}

#[tokio::test]
async fn removal_is_deactivation_only_and_requests_are_paced() {
    let server = server();
    let notion = connector_notion::connect(server.unpaced_config()).unwrap();
    let account = notion.create(&person(8, "notion.example")).await.unwrap();
    for (result, operation) in [
        (notion.delete(&account.reference()).await, Operation::Delete),
        (notion.enable(&account.reference()).await, Operation::Enable),
    ] {
        match result {
            Err(Error::Unsupported { operation: got, .. }) if got == operation => {}
            other => panic!("{operation} must be unsupported, got {other:?}"),
        }
    }
    assert!(server.state().get_user(&account.id).await.is_some());

    let limit = connector_notion::MANIFEST.provisioning.rate_limit.unwrap();
    assert_eq!((limit.requests, limit.period_ms), (3, 1000));
}
