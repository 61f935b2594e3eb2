//! Claude's capability set against the third-party scim2-server. WorkOS issues the whole
//! SCIM URL per directory connection, so the instance is configured through the `scim_url`
//! tenant variable alone; the Premium seat tier is membership of a SCIM group.

use connector_sdk::{Connector, Credentials, Error, InstanceConfig, LicenseOutcome};
use connector_tests::{CapabilitySuite, Scim2Server, people::person};
use serde_json::Value;

const PREMIUM_GROUP: &str = "Claude Premium seat";

fn server() -> Scim2Server {
    Scim2Server::with_extensions(connector_claude::SCIM_EXTENSION_SCHEMAS)
}

fn members(group: &Value) -> Vec<String> {
    group["members"]
        .as_array()
        .map(|members| {
            members
                .iter()
                .filter_map(|m| m["value"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn capability_suite_passes_with_the_scim_url_as_a_tenant_variable() {
    let server = server();
    let claude = connector_claude::connect(server.scim_url_config()).unwrap();
    let report = CapabilitySuite::new(&claude, &server, |i| person(i, "claude.example"))
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
    let license = report.step("license").unwrap();
    assert!(
        license.detail.contains("premium_seat (group)")
            && license.detail.contains("enterprise_seat (automatic)"),
        "{report}"
    );
}

#[tokio::test]
async fn an_unset_scim_url_is_a_clear_configuration_error() {
    let config = InstanceConfig {
        credentials: Some(Credentials::Bearer(connector_sdk::Secret::new("t"))),
        ..InstanceConfig::default()
    };
    let error = connector_claude::connect(config).unwrap_err().to_string();
    assert!(error.contains("`scim_url` is not set"), "{error}");
}

#[tokio::test]
async fn premium_seat_is_membership_of_the_mapped_group_on_the_server() {
    let server = server();
    let claude = connector_claude::connect(server.scim_url_config()).unwrap();
    let group_id = server.state().seed_group(PREMIUM_GROUP).await;
    let account = claude.create(&person(2, "claude.example")).await.unwrap();
    let premium = claude.manifest().license("premium_seat").unwrap();
    assert_eq!(premium.group, Some(PREMIUM_GROUP));

    let assigned = claude
        .assign_license(&account.reference(), premium)
        .await
        .unwrap();
    assert_eq!(assigned, LicenseOutcome::Applied);
    let group = server.state().get_group(&group_id).await.unwrap();
    assert_eq!(members(&group), vec![account.id.clone()], "{group:#}");

    claude
        .revoke_license(&account.reference(), premium)
        .await
        .unwrap();
    let group = server.state().get_group(&group_id).await.unwrap();
    assert!(members(&group).is_empty(), "{group:#}");
    // The account itself is untouched by seat-tier changes.
    let stored = server.state().get_user(&account.id).await.unwrap();
    assert_eq!(stored["active"], Value::Bool(true));

    // The base seat needs nothing: it comes with the account.
    let base = claude.manifest().license("enterprise_seat").unwrap();
    assert_eq!(
        claude
            .assign_license(&account.reference(), base)
            .await
            .unwrap(),
        LicenseOutcome::Automatic
    );
}

#[tokio::test]
async fn premium_seat_without_the_mapped_group_is_not_found() {
    let server = server();
    let claude = connector_claude::connect(server.scim_url_config()).unwrap();
    let account = claude.create(&person(3, "claude.example")).await.unwrap();
    let premium = claude.manifest().license("premium_seat").unwrap();
    match claude.assign_license(&account.reference(), premium).await {
        Err(Error::NotFound { what }) => assert!(what.contains(PREMIUM_GROUP), "{what}"),
        other => panic!("expected NotFound for the missing group, got {other:?}"),
    }
    assert_eq!(server.state().find_group(PREMIUM_GROUP).await, None);
}
