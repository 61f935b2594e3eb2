//! Miro's whole capability set against the third-party scim2-server. The Full licence is
//! the core `userType` attribute: its value on the server is checked after assign and
//! revoke, and create leaves it unset so Miro's plan logic decides.

use connector_sdk::{Connector, LicenseOutcome};
use connector_tests::{CapabilitySuite, Scim2Server, people::person};
use serde_json::Value;

fn server() -> Scim2Server {
    Scim2Server::with_extensions(connector_miro::SCIM_EXTENSION_SCHEMAS)
}

#[tokio::test]
async fn capability_suite_passes_against_scim2_server() {
    let server = server();
    let miro = connector_miro::connect(server.unpaced_config()).unwrap();
    let report = CapabilitySuite::new(&miro, &server, |i| person(i, "miro.example"))
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
    assert!(
        report
            .step("license")
            .unwrap()
            .detail
            .contains("full (attribute)"),
        "{report}"
    );
}

#[tokio::test]
async fn full_licence_is_the_user_type_on_the_server() {
    let server = server();
    let miro = connector_miro::connect(server.unpaced_config()).unwrap();
    let account = miro.create(&person(1, "miro.example")).await.unwrap();
    let stored = server.state().get_user(&account.id).await.unwrap();
    assert_eq!(
        stored.get("userType"),
        None,
        "create must leave the licence to Miro's plan logic: {stored:#}"
    );
    assert!(account.licenses.is_empty());

    let full = miro.manifest().license("full").unwrap();
    assert_eq!(
        miro.assign_license(&account.reference(), full)
            .await
            .unwrap(),
        LicenseOutcome::Applied
    );
    let stored = server.state().get_user(&account.id).await.unwrap();
    assert_eq!(stored["userType"], "Full", "{stored:#}");
    let typed: connector_miro::MiroUser = serde_json::from_value(stored).unwrap();
    assert_eq!(typed.user_type.as_deref(), Some("Full"));
    assert_eq!(
        miro.get(&account.reference()).await.unwrap().licenses,
        vec!["full".to_owned()]
    );

    miro.revoke_license(&account.reference(), full)
        .await
        .unwrap();
    let stored = server.state().get_user(&account.id).await.unwrap();
    assert_eq!(stored["userType"], "Free Restricted", "{stored:#}");
    assert!(
        miro.get(&account.reference())
            .await
            .unwrap()
            .licenses
            .is_empty()
    );
}

#[tokio::test]
async fn an_update_keeps_the_licence_and_deactivation_keeps_the_user() {
    let server = server();
    let miro = connector_miro::connect(server.unpaced_config()).unwrap();
    let who = person(2, "miro.example");
    let account = miro.create(&who).await.unwrap();
    let full = miro.manifest().license("full").unwrap();
    miro.assign_license(&account.reference(), full)
        .await
        .unwrap();

    let mut changed = who.clone();
    changed.last_name = Some("Hamilton".to_owned());
    miro.update(&account.reference(), &changed).await.unwrap();
    miro.disable(&account.reference()).await.unwrap();

    let stored = server.state().get_user(&account.id).await.unwrap();
    assert_eq!(stored["userType"], "Full", "{stored:#}");
    assert_eq!(stored["name"]["familyName"], "Hamilton");
    assert_eq!(stored["active"], Value::Bool(false));

    let limit = connector_miro::MANIFEST.provisioning.rate_limit.unwrap();
    assert_eq!((limit.requests, limit.period_ms), (20, 30_000));
}
