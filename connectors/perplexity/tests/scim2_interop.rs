//! Perplexity's capability set against the third-party scim2-server. WorkOS issues the
//! whole SCIM URL per directory connection, so the instance is configured through the
//! `scim_url` tenant variable alone. There is no hard delete: deprovisioning is
//! PATCH active=false and the account stays.

use connector_sdk::{Connector, Credentials, Error, InstanceConfig, Operation};
use connector_tests::{CapabilitySuite, Scim2Server, people::person};
use serde_json::Value;

fn server() -> Scim2Server {
    Scim2Server::with_extensions(connector_perplexity::SCIM_EXTENSION_SCHEMAS)
}

#[tokio::test]
async fn capability_suite_passes_with_the_scim_url_as_a_tenant_variable() {
    let server = server();
    let perplexity = connector_perplexity::connect(server.scim_url_config()).unwrap();
    let report = CapabilitySuite::new(&perplexity, &server, |i| person(i, "perplexity.example"))
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
async fn an_unset_scim_url_is_a_clear_configuration_error() {
    let config = InstanceConfig {
        credentials: Some(Credentials::Bearer(connector_sdk::Secret::new("t"))),
        ..InstanceConfig::default()
    };
    let error = connector_perplexity::connect(config)
        .unwrap_err()
        .to_string();
    assert!(error.contains("`scim_url` is not set"), "{error}");
}

#[tokio::test]
async fn deprovisioning_keeps_the_account_and_delete_is_unsupported() {
    let server = server();
    let perplexity = connector_perplexity::connect(server.scim_url_config()).unwrap();
    let who = person(4, "perplexity.example");
    let account = perplexity.create(&who).await.unwrap();

    perplexity.disable(&account.reference()).await.unwrap();
    let stored = server.state().get_user(&account.id).await.unwrap();
    assert_eq!(stored["active"], Value::Bool(false), "{stored:#}");
    assert_eq!(stored["userName"], Value::String(who.email.clone()));

    match perplexity.delete(&account.reference()).await {
        Err(Error::Unsupported {
            connector: "perplexity",
            operation: Operation::Delete,
        }) => {}
        other => panic!("delete must be unsupported, got {other:?}"),
    }
    // Nothing was sent: the deactivated account is still there.
    assert_eq!(server.state().count_users().await, 1);
    assert!(server.state().get_user(&account.id).await.is_some());

    // Re-activating brings the same account back.
    perplexity.enable(&account.reference()).await.unwrap();
    let stored = server.state().get_user(&account.id).await.unwrap();
    assert_eq!(stored["active"], Value::Bool(true), "{stored:#}");
}
