//! `ScimConnector` disable, enable, delete, licences and capabilities against mock SCIM
//! servers on 127.0.0.1.

mod common;

use common::*;
use connector_sdk::scim::account_from_json;
use connector_sdk::scim::patch::PATCH_OP_SCHEMA;
use connector_sdk::{
    AccountRef, Connector, Error, LicenseOutcome, LicenseSku, Operation, PageRequest,
};
use serde_json::json;
use wiremock::matchers::{body_json, body_partial_json, method, path, query_param};
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

fn ada_ref() -> AccountRef {
    AccountRef {
        id: "1".to_owned(),
        user_name: "o\"ada@example.com".to_owned(),
    }
}

fn patch(operations: serde_json::Value) -> MockBuilder {
    Mock::given(method("PATCH"))
        .and(path("/scim/v2/Users/1"))
        .and(body_json(
            json!({"schemas": [PATCH_OP_SCHEMA], "Operations": operations}),
        ))
}

fn sku(name: &str) -> &'static LicenseSku {
    PATH.license(name).expect("the test manifest has the SKU")
}

#[tokio::test]
async fn disable_and_enable_patch_active_by_path() {
    let server = MockServer::start().await;
    for active in [false, true] {
        patch(json!([{"op": "replace", "path": "active", "value": active}]))
            .respond_with(ResponseTemplate::new(204))
            .expect(1)
            .mount(&server)
            .await;
    }
    let connector = connector::<PathApp>(&server);
    connector.disable(&ada_ref()).await.unwrap();
    connector.enable(&ada_ref()).await.unwrap();
}

#[tokio::test]
async fn disable_patches_active_pathless() {
    let server = MockServer::start().await;
    patch(json!([{"op": "replace", "value": {"active": false}}]))
        .respond_with(ResponseTemplate::new(200).set_body_json(ada_json("1")))
        .expect(1)
        .mount(&server)
        .await;
    connector::<PathlessApp>(&server)
        .disable(&ada_ref())
        .await
        .unwrap();
}

#[tokio::test]
async fn disable_puts_the_user_with_active_false() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/scim/v2/Users/1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ada_json("1")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/scim/v2/Users/1"))
        .and(body_partial_json(
            json!({"id": "1", "userName": "o\"ada@example.com", "active": false}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(ada_json("1")))
        .expect(1)
        .mount(&server)
        .await;
    connector::<PutApp>(&server)
        .disable(&ada_ref())
        .await
        .unwrap();
}

#[tokio::test]
async fn delete_dialect_disables_by_delete_and_enables_by_patch() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/scim/v2/Users/1"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    patch(json!([{"op": "replace", "path": "active", "value": true}]))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let connector = connector::<SlackLikeApp>(&server);
    connector.disable(&ada_ref()).await.unwrap();
    connector.enable(&ada_ref()).await.unwrap();
}

#[tokio::test]
async fn delete_is_idempotent() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/scim/v2/Users/1"))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&server)
        .await;
    connector::<PathApp>(&server)
        .delete(&ada_ref())
        .await
        .unwrap();
}

#[tokio::test]
async fn attribute_seats_patch_the_attribute() {
    let server = MockServer::start().await;
    for value in [true, false] {
        patch(json!([{"op": "replace", "path": SEAT_PATH, "value": value}]))
            .respond_with(ResponseTemplate::new(204))
            .expect(1)
            .mount(&server)
            .await;
    }
    let connector = connector::<PathApp>(&server);
    let seat = sku("ai_seat");
    assert_eq!(
        connector.assign_license(&ada_ref(), seat).await.unwrap(),
        LicenseOutcome::Applied
    );
    assert_eq!(
        connector.revoke_license(&ada_ref(), seat).await.unwrap(),
        LicenseOutcome::Applied
    );
}

#[tokio::test]
async fn attribute_seats_put_when_the_dialect_puts() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/scim/v2/Users/1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ada_json("1")))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/scim/v2/Users/1"))
        .and(body_partial_json(json!({
            "id": "1",
            "urn:example:params:scim:schemas:extension:test:2.0:User": {"aiSeat": true},
        })))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let outcome = connector::<PutApp>(&server)
        .assign_license(&ada_ref(), sku("ai_seat"))
        .await
        .unwrap();
    assert_eq!(outcome, LicenseOutcome::Applied);
}

#[tokio::test]
async fn group_seats_change_membership() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/scim/v2/Groups"))
        .and(query_param("filter", r#"displayName eq "AI Users""#))
        .respond_with(ResponseTemplate::new(200).set_body_json(list_json(
            2,
            vec![
                json!({"id": "g0", "displayName": "AI Users (old)"}),
                json!({"id": "g1", "displayName": "ai users"}),
            ],
        )))
        .expect(2)
        .mount(&server)
        .await;
    let group_patch = |operation: serde_json::Value| {
        Mock::given(method("PATCH"))
            .and(path("/scim/v2/Groups/g1"))
            .and(body_json(
                json!({"schemas": [PATCH_OP_SCHEMA], "Operations": [operation]}),
            ))
            .respond_with(ResponseTemplate::new(204))
            .expect(1)
    };
    group_patch(json!({"op": "add", "path": "members", "value": [{"value": "1"}]}))
        .mount(&server)
        .await;
    group_patch(json!({"op": "remove", "path": r#"members[value eq "1"]"#}))
        .mount(&server)
        .await;
    let connector = connector::<PathApp>(&server);
    let seat = sku("ai_group");
    assert_eq!(
        connector.assign_license(&ada_ref(), seat).await.unwrap(),
        LicenseOutcome::Applied
    );
    assert_eq!(
        connector.revoke_license(&ada_ref(), seat).await.unwrap(),
        LicenseOutcome::Applied
    );
}

#[tokio::test]
async fn a_missing_group_is_not_found() {
    let server = MockServer::start().await;
    Mock::given(path("/scim/v2/Groups"))
        .respond_with(ResponseTemplate::new(200).set_body_json(list_json(0, vec![])))
        .mount(&server)
        .await;
    let error = connector::<PathApp>(&server)
        .assign_license(&ada_ref(), sku("ai_group"))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::NotFound { what } if what.contains("AI Users")),
        "{error:?}"
    );
}

#[tokio::test]
async fn manual_automatic_and_api_seats_call_nothing() {
    let server = MockServer::start().await;
    let connector = connector_sdk::scim::ScimConnector::<PathApp>::new(
        config(&server).with_variable("tenant", "acme"),
    )
    .unwrap();
    match connector
        .assign_license(&ada_ref(), sku("ai_manual"))
        .await
        .unwrap()
    {
        LicenseOutcome::ManualActionRequired(task) => {
            assert!(
                task.instructions.contains("AI add-on"),
                "{}",
                task.instructions
            );
            assert!(
                task.instructions.contains("Billing > Seats"),
                "{}",
                task.instructions
            );
            assert_eq!(
                task.url.as_deref(),
                Some("https://acme.example.com/admin/billing")
            );
        }
        other => panic!("{other:?}"),
    }
    let revoked = connector
        .revoke_license(&ada_ref(), sku("ai_manual"))
        .await
        .unwrap();
    assert!(matches!(revoked, LicenseOutcome::ManualActionRequired(_)));
    let automatic = connector
        .assign_license(&ada_ref(), sku("ai_auto"))
        .await
        .unwrap();
    assert_eq!(automatic, LicenseOutcome::Automatic);
    let api = connector
        .assign_license(&ada_ref(), sku("ai_api"))
        .await
        .unwrap_err();
    assert!(matches!(
        api,
        Error::Unsupported {
            operation: Operation::AssignLicense,
            ..
        }
    ));
    assert_eq!(request_count(&server).await, 0);
}

#[tokio::test]
async fn missing_capabilities_are_unsupported_without_a_call() {
    let server = MockServer::start().await;
    let connector = connector::<NothingApp>(&server);
    let who = ada();
    let account = ada_ref();
    let unsupported = |result: Result<(), Error>, expected: Operation| match result {
        Err(Error::Unsupported {
            connector: "test",
            operation,
        }) => assert_eq!(operation, expected),
        other => panic!("{expected}: {other:?}"),
    };
    unsupported(
        connector.list(PageRequest::first(10)).await.map(drop),
        Operation::List,
    );
    unsupported(connector.create(&who).await.map(drop), Operation::Create);
    unsupported(
        connector.update(&account, &who).await.map(drop),
        Operation::Update,
    );
    unsupported(connector.disable(&account).await, Operation::Disable);
    unsupported(connector.enable(&account).await, Operation::Enable);
    unsupported(connector.delete(&account).await, Operation::Delete);
    let seat = sku("ai_seat");
    unsupported(
        connector.assign_license(&account, seat).await.map(drop),
        Operation::AssignLicense,
    );
    unsupported(
        connector.revoke_license(&account, seat).await.map(drop),
        Operation::RevokeLicense,
    );
    assert_eq!(request_count(&server).await, 0);
}

#[test]
fn accounts_read_any_user_generically() {
    let mut user = ada_json("1");
    user["active"] = json!("False");
    user["displayName"] = json!("Ada Lovelace");
    user["emails"] = json!([{"value": "home@x.com"}, {"value": "work@x.com", "primary": true}]);
    user["urn:example:params:scim:schemas:extension:test:2.0:User"] = json!({"aiSeat": true});
    user["groups"] = json!([{"value": "g1", "display": "AI Users"}]);
    let account = account_from_json(&PATH, user.clone()).unwrap();
    assert!(!account.active);
    assert_eq!(account.display_name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(account.email.as_deref(), Some("work@x.com"));
    assert_eq!(account.licenses, ["ai_seat", "ai_group"]);
    assert_eq!(account.attributes, user);

    let minimal = account_from_json(&PATH, json!({"id": 42})).unwrap();
    assert_eq!((minimal.id.as_str(), minimal.active), ("42", true));
    assert!(minimal.licenses.is_empty());
    assert!(account_from_json(&PATH, json!({"userName": "x"})).is_err());
    assert!(account_from_json(&PATH, json!("x")).is_err());
}
