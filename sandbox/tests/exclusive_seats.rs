//! Exclusive seats at run time: a made-up service whose seat type is the core `userType`
//! (`tests/specs/exclusive_seats.toml`, the shape of docs/spec.md's example). Assigning
//! one seat replaces the other; revoking a seat the account does not hold writes
//! nothing; revoking the held one writes the revoke value. State read through the admin
//! API.

mod common;

use common::{Admin, tenant};
use connector_sandbox::{Sandbox, TenantSpec};
use connector_sdk::{Connector, LicenseOutcome};
use connector_tests::people::person;
use serde_json::Value;

mod tiers {
    connector_sdk::connector!("specs/exclusive_seats.toml");
}

/// The `userType` the tenant holds for the user `id`.
async fn user_type(admin: &Admin, id: &str) -> Value {
    admin
        .users()
        .await
        .into_iter()
        .find(|u| u["id"] == id)
        .map(|u| u["userType"].clone())
        .unwrap_or(Value::Null)
}

/// How many PATCH and PUT requests the tenant has logged.
async fn writes(admin: &Admin) -> usize {
    admin
        .get("/requests")
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["method"] == "PATCH" || e["method"] == "PUT")
        .count()
}

#[tokio::test]
async fn an_exclusive_seat_replaces_the_other_and_revoking_the_one_not_held_writes_nothing() {
    let sandbox = Sandbox::builder()
        .tenant(TenantSpec::for_manifest(&tiers::MANIFEST))
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let tenant = tenant(&sandbox, "tiers");
    let admin = Admin::of(tenant);
    let connector = tiers::connect(tenant.config()).unwrap();
    let pro = tiers::MANIFEST.license("pro").unwrap();
    let team = tiers::MANIFEST.license("team").unwrap();
    let account = connector.create(&person(0, "tiers.example")).await.unwrap();
    let id = account.id.as_str();

    let applied = |outcome: LicenseOutcome| assert!(matches!(outcome, LicenseOutcome::Applied));
    applied(
        connector
            .assign_license(&account.reference(), pro)
            .await
            .unwrap(),
    );
    assert_eq!(user_type(&admin, id).await, "Pro");
    applied(
        connector
            .assign_license(&account.reference(), team)
            .await
            .unwrap(),
    );
    assert_eq!(user_type(&admin, id).await, "Team");

    // Not held: nothing is written, the Team seat stays.
    let before = writes(&admin).await;
    applied(
        connector
            .revoke_license(&account.reference(), pro)
            .await
            .unwrap(),
    );
    assert_eq!(writes(&admin).await, before);
    assert_eq!(user_type(&admin, id).await, "Team");

    // Held: the revoke value is written.
    applied(
        connector
            .revoke_license(&account.reference(), team)
            .await
            .unwrap(),
    );
    assert_eq!(user_type(&admin, id).await, "Viewer");
    let read = connector.get(&account.reference()).await.unwrap();
    assert!(read.licenses.is_empty(), "{:?}", read.licenses);
}
