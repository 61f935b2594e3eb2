//! Canva's capability set against the third-party scim2-server. Canva has no DELETE (the
//! connector refuses it and the user stays), lists at most 10 users a page, and limits
//! user creation to one request a second.

use std::time::{Duration, Instant};

use connector_sdk::{Connector, Error, Operation, PageRequest};
use connector_tests::{CapabilitySuite, Scim2Server, people::person};
use serde_json::Value;

fn server() -> Scim2Server {
    Scim2Server::with_extensions(connector_canva::SCIM_EXTENSION_SCHEMAS)
}

#[tokio::test]
async fn capability_suite_passes_against_scim2_server() {
    let server = server();
    let canva = connector_canva::connect(server.unpaced_config()).unwrap();
    let report = CapabilitySuite::new(&canva, &server, |i| person(i, "canva.example"))
        .user_name(|who| who.email.clone())
        .run()
        .await;
    report.assert_outcomes(
        &[
            "create", "find", "existing", "update", "license", "list", "disable", "enable",
        ],
        &["delete"],
    );
}

#[tokio::test]
async fn delete_is_unsupported_and_the_user_stays() {
    let server = server();
    let canva = connector_canva::connect(server.unpaced_config()).unwrap();
    let account = canva.create(&person(1, "canva.example")).await.unwrap();
    match canva.delete(&account.reference()).await {
        Err(Error::Unsupported {
            connector: "canva",
            operation: Operation::Delete,
        }) => {}
        other => panic!("delete must be unsupported, got {other:?}"),
    }
    let stored = server
        .state()
        .get_user(&account.id)
        .await
        .expect("the user is still on the server");
    assert_eq!(stored["active"], Value::Bool(true));

    // Deprovisioning is PATCH active=false; the record stays, listed as inactive.
    canva.disable(&account.reference()).await.unwrap();
    let stored = server.state().get_user(&account.id).await.unwrap();
    assert_eq!(stored["active"], Value::Bool(false), "{stored:#}");
    assert_eq!(server.state().count_users().await, 1);
}

#[tokio::test]
async fn pages_hold_at_most_ten_users() {
    let server = server();
    let canva = connector_canva::connect(server.unpaced_config()).unwrap();
    for i in 0..12 {
        canva.create(&person(i, "canva.example")).await.unwrap();
    }
    let first = canva.list(PageRequest::first(50)).await.unwrap();
    assert_eq!(first.items.len(), 10);
    assert_eq!(first.total_results, Some(12));
    let next = first.next.expect("a second page");
    assert_eq!(next.count, 10);
    let second = canva.list(next).await.unwrap();
    assert_eq!(second.items.len(), 2);
    assert!(second.next.is_none());
}

#[tokio::test]
async fn requests_are_paced_at_one_a_second() {
    let server = server();
    let canva = connector_canva::connect(server.config()).unwrap();
    let start = Instant::now();
    for i in 0..3 {
        canva.create(&person(i, "canva.example")).await.unwrap();
    }
    // Three creates, one request each: the second and third wait a second each.
    assert!(
        start.elapsed() >= Duration::from_millis(1900),
        "3 creates took {:?}",
        start.elapsed()
    );
    assert_eq!(server.state().count_users().await, 3);
}
