//! A SCIM connector (Notion's spec: PATCH updates, enterprise attributes mapped) against
//! generic tenants that do not declare the enterprise extension: a refused attribute is
//! left out of one retry and reported, so the other changes land; an instance's
//! `excluded_attributes` are neither sent nor compared.

mod common;

use common::{Admin, tenant};
use connector_sandbox::{Sandbox, SandboxHandle, TenantSpec, UndeclaredAttributes};
use connector_sdk::{AccountRef, Connector, Identity, InstanceConfig};
use connector_tests::people::person;
use reqwest::Method;
use serde_json::{Value, json};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const NOTION: &str = "urn:ietf:params:scim:schemas:extension:notion:2.0:User";

async fn sandbox(mode: UndeclaredAttributes) -> SandboxHandle {
    Sandbox::builder()
        .tenant(
            TenantSpec::generic("strict")
                .without_extension(ENTERPRISE)
                .extension(NOTION)
                .undeclared(mode),
        )
        .start("127.0.0.1:0")
        .await
        .unwrap()
}

fn connector(sandbox: &SandboxHandle, excluded: &[&str]) -> connector_notion::NotionConnector {
    let mut config: InstanceConfig = tenant(sandbox, "strict").config();
    config.excluded_attributes = excluded.iter().map(|p| (*p).to_owned()).collect();
    connector_notion::connect(config).unwrap()
}

/// Seeds the person's account with other names, as it stood before; returns its ref.
async fn seed(admin: &Admin, who: &Identity) -> AccountRef {
    let body = json!({
        "userName": who.email.to_lowercase(),
        "name": {"givenName": "Old", "familyName": "Name"},
        "emails": [{"value": who.email.to_lowercase(), "type": "work", "primary": true}],
    });
    let seeded = admin.call(Method::POST, "/users", Some(&body)).await;
    assert_eq!(seeded.status, 201, "{}", seeded.body);
    AccountRef {
        id: seeded.body["id"].as_str().unwrap().to_owned(),
        user_name: who.email.to_lowercase(),
    }
}

/// The statuses of the tenant's requests with `method`.
async fn statuses(admin: &Admin, method: &str) -> Vec<u64> {
    admin
        .get("/requests")
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == method)
        .map(|r| r["status"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_refused_attribute_is_left_out_of_one_retry_and_reported() {
    let sandbox = sandbox(UndeclaredAttributes::Refuse).await;
    let admin = Admin::of(tenant(&sandbox, "strict"));
    let who = person(3, "notion.example");
    let account = seed(&admin, &who).await;
    let connector = connector(&sandbox, &[]);

    let updated = connector.update(&account, &who).await.unwrap();
    let refused: Vec<&str> = updated
        .refused
        .iter()
        .map(|r| r.attribute.as_str())
        .collect();
    assert_eq!(
        refused,
        [
            "enterprise.department",
            "enterprise.employeeNumber",
            "enterprise.organization"
        ]
    );
    assert!(
        updated.refused[0].reason.starts_with("400 invalidPath: "),
        "{:?}",
        updated.refused
    );
    let summary = connector_sdk::RefusedAttribute::summary(&updated.refused).unwrap();
    assert!(
        summary.starts_with(
            "applied without `enterprise.department`, `enterprise.employeeNumber`, `enterprise.organization`: the server refused them (400 invalidPath:"
        ),
        "{summary}"
    );
    assert_eq!(statuses(&admin, "PATCH").await, [400, 200], "one retry");
    let stored = admin.get(&format!("/users/{}", account.id)).await;
    assert_eq!(stored["name"]["givenName"], who.first_name.clone().unwrap());
    assert!(stored.get(ENTERPRISE).is_none(), "{stored}");

    // A create retried the same way through the client.
    let body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "userName": "new@notion.example",
        ENTERPRISE: {"organization": "Example Corp"},
    });
    let managed = [
        "userName",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization",
    ];
    let written = connector
        .client()
        .create_user_retrying(&body, &managed)
        .await
        .unwrap();
    assert_eq!(written.refused[0].attribute, "enterprise.organization");
    assert_eq!(written.body.unwrap()["userName"], "new@notion.example");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_refusal_naming_no_carried_attribute_is_reported_as_is() {
    let sandbox = sandbox(UndeclaredAttributes::Refuse).await;
    let admin = Admin::of(tenant(&sandbox, "strict"));
    let body: Value = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "x@notion.example",
        "urn:acme:2.0:User": {"tier": "gold"},
    });
    let connector = connector(&sandbox, &[]);
    let error = connector
        .client()
        .create_user_retrying(&body, &["userName"])
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("urn:acme:2.0:User:tier"),
        "{error}"
    );
    assert_eq!(statuses(&admin, "POST").await, [400], "no retry");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn excluded_attributes_are_neither_sent_nor_compared() {
    let sandbox = sandbox(UndeclaredAttributes::Drop).await;
    let admin = Admin::of(tenant(&sandbox, "strict"));
    let who = person(4, "notion.example");
    let account = seed(&admin, &who).await;
    let excluded = [
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization",
    ];
    let with_exclusions = connector(&sandbox, &excluded);
    let updated = with_exclusions.update(&account, &who).await.unwrap();
    assert!(updated.refused.is_empty());
    assert_eq!(statuses(&admin, "PATCH").await, [200]);
    // The server dropped nothing this time, and the next run has nothing to write.
    with_exclusions.update(&account, &who).await.unwrap();
    assert_eq!(statuses(&admin, "PATCH").await, [200], "no second write");

    // Without the exclusions the dropped attributes differ on every run.
    let without = connector(&sandbox, &[]);
    without.update(&account, &who).await.unwrap();
    without.update(&account, &who).await.unwrap();
    assert_eq!(statuses(&admin, "PATCH").await, [200, 200, 200]);
    sandbox.shutdown().await;
}
