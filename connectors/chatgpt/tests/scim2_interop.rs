//! ChatGPT's capability set against the third-party scim2-server. The SCIM URL is a tenant
//! variable holding the whole URL, as WorkOS issues one per directory connection.

use connector_sdk::{Connector, Credentials, InstanceConfig};
use connector_tests::{CapabilitySuite, Scim2Server, people::person};

#[tokio::test]
async fn capability_suite_passes_with_the_scim_url_as_a_tenant_variable() {
    let server = Scim2Server::start(&[]).unwrap_or_else(|e| panic!("{e}"));
    let chatgpt = connector_chatgpt::connect(server.scim_url_config()).unwrap();
    let report = CapabilitySuite::new(&chatgpt, &server, |i| person(i, "chatgpt.example"))
        .user_name(|who| who.email.clone())
        .run()
        .await;
    report.assert_outcomes(
        &[
            "create", "find", "existing", "update", "license", "list", "disable", "enable",
            "delete",
        ],
        &[],
    );
}

#[tokio::test]
async fn an_unset_scim_url_is_a_clear_configuration_error() {
    let config = InstanceConfig {
        credentials: Some(Credentials::Bearer(connector_sdk::Secret::new("t"))),
        ..InstanceConfig::default()
    };
    let error = connector_chatgpt::connect(config).unwrap_err().to_string();
    assert!(error.contains("`scim_url` is not set"), "{error}");
}

#[tokio::test]
async fn external_id_carries_the_directory_id() {
    let server = Scim2Server::start(&[]).unwrap_or_else(|e| panic!("{e}"));
    let chatgpt = connector_chatgpt::connect(server.config()).unwrap();
    let who = person(7, "chatgpt.example");
    let account = chatgpt.create(&who).await.unwrap();
    let stored = server.state().get_user(&account.id).await.unwrap();
    assert_eq!(stored["externalId"], who.id.as_str());
    assert_eq!(account.external_id.as_deref(), Some(who.id.as_str()));
}
