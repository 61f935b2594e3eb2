//! `ScimConnector` find, list, create and update against mock SCIM servers on 127.0.0.1.

mod common;

use std::time::Duration;

use common::*;
use connector_sdk::scim::patch::PATCH_OP_SCHEMA;
use connector_sdk::scim::{CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA, ScimConnector};
use connector_sdk::{AccountRef, Connector, Error, InstanceConfig, PageRequest, list_all};
use serde_json::json;
use wiremock::matchers::{
    body_json, body_partial_json, header, headers, method, path, query_param,
    query_param_is_missing,
};
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

const DEPARTMENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department";

fn users() -> MockBuilder {
    Mock::given(method("GET")).and(path("/scim/v2/Users"))
}

fn filter(value: &str) -> MockBuilder {
    users().and(query_param("filter", value))
}

fn ok(body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

fn ada_ref() -> AccountRef {
    AccountRef {
        id: "1".to_owned(),
        user_name: "o\"ada@example.com".to_owned(),
    }
}

#[tokio::test]
async fn find_filters_on_user_name_with_escaping_and_ignores_case() {
    let server = MockServer::start().await;
    let mut upper = ada_json("1");
    upper["userName"] = json!("O\"ADA@EXAMPLE.COM");
    filter(r#"userName eq "o\"ada@example.com""#)
        .and(headers(
            "accept",
            vec!["application/scim+json", "application/json"],
        ))
        .and(query_param("startIndex", "1"))
        .respond_with(ok(list_json(1, vec![other_json("9"), upper])))
        .expect(1)
        .mount(&server)
        .await;
    let found = connector::<PathApp>(&server)
        .find(&ada())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, "1");
    assert_eq!(found.email.as_deref(), Some("ada@example.com"));
    assert_eq!(found.external_id.as_deref(), Some("00u1"));
    assert!(found.active);
}

#[tokio::test]
async fn find_without_a_match_is_none() {
    let server = MockServer::start().await;
    // An empty ListResponse may leave `Resources` out.
    users()
        .respond_with(ok(json!({"schemas": [], "totalResults": 0})))
        .mount(&server)
        .await;
    assert_eq!(
        connector::<PathApp>(&server).find(&ada()).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn find_by_email_filters_on_the_email_value() {
    let server = MockServer::start().await;
    let mut user = ada_json("1");
    user["emails"] = json!([{"value": "old@example.com"}, {"value": "ADA@example.com"}]);
    filter(r#"emails.value eq "ada@example.com""#)
        .respond_with(ok(list_json(1, vec![user])))
        .expect(1)
        .mount(&server)
        .await;
    let found = connector::<SlackLikeApp>(&server)
        .find(&ada())
        .await
        .unwrap();
    assert_eq!(found.unwrap().email.as_deref(), Some("old@example.com"));
}

#[tokio::test]
async fn find_without_filtering_pages_through_short_pages() {
    let server = MockServer::start().await;
    users()
        .and(query_param_is_missing("filter"))
        .and(query_param("startIndex", "1"))
        .and(query_param("count", "2"))
        .respond_with(ok(list_json(4, vec![other_json("10")])))
        .expect(1)
        .mount(&server)
        .await;
    users()
        .and(query_param("startIndex", "2"))
        .respond_with(ok(list_json(4, vec![other_json("11"), ada_json("12")])))
        .expect(1)
        .mount(&server)
        .await;
    let found = connector::<NoFilterApp>(&server)
        .find(&ada())
        .await
        .unwrap();
    assert_eq!(found.unwrap().id, "12");
}

#[tokio::test]
async fn list_follows_short_pages_to_the_total() {
    let server = MockServer::start().await;
    for (start, ids) in [
        ("1", vec!["1", "2"]),
        ("3", vec!["3", "4"]),
        ("5", vec!["5"]),
    ] {
        users()
            .and(query_param("startIndex", start))
            .and(query_param("count", "100"))
            .respond_with(ok(list_json(5, ids.into_iter().map(other_json).collect())))
            // The last page is read again below.
            .expect(if start == "5" { 2 } else { 1 })
            .mount(&server)
            .await;
    }
    let connector = connector::<PathApp>(&server);
    let accounts = list_all(&connector).await.unwrap();
    let ids: Vec<_> = accounts.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["1", "2", "3", "4", "5"]);
    // A larger page than the server's is capped at its page size.
    let page = connector
        .list(PageRequest {
            start_index: 5,
            count: 500,
            cursor: None,
        })
        .await
        .unwrap();
    assert_eq!(
        (page.items.len(), page.total_results, page.next),
        (1, Some(5), None)
    );
}

#[tokio::test]
async fn create_posts_the_mapped_user_with_its_schemas() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/scim/v2/Users"))
        .and(header("content-type", "application/scim+json"))
        .and(body_json(json!({
            "schemas": [CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
            "userName": "o\"ada@example.com",
            "externalId": "00u1",
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "emails": [{"value": "ada@example.com", "type": "work", "primary": true}],
            ENTERPRISE_USER_SCHEMA: {"department": "R&D"},
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(ada_json("1")))
        .expect(1)
        .mount(&server)
        .await;
    let account = connector::<PathApp>(&server).create(&ada()).await.unwrap();
    assert_eq!(account.reference(), ada_ref());
}

fn create_fails(response: ResponseTemplate) -> Mock {
    Mock::given(method("POST"))
        .and(path("/scim/v2/Users"))
        .respond_with(response)
}

#[tokio::test]
async fn create_conflict_reports_the_existing_account_without_adopting_it() {
    let server = MockServer::start().await;
    let conflict = json!({"status": "409", "scimType": "uniqueness", "detail": "exists"});
    create_fails(ResponseTemplate::new(409).set_body_json(conflict))
        .expect(1)
        .mount(&server)
        .await;
    filter(r#"userName eq "o\"ada@example.com""#)
        .respond_with(ok(list_json(1, vec![ada_json("7")])))
        .expect(1)
        .mount(&server)
        .await;
    let error = connector::<PathApp>(&server)
        .create(&ada())
        .await
        .unwrap_err();
    let Error::AlreadyExists { existing, .. } = &error else {
        panic!("expected AlreadyExists, got {error:?}");
    };
    assert_eq!(existing.id, "7");
}

#[tokio::test]
async fn create_after_timeouts_is_ambiguous_and_adopts_nothing() {
    let server = MockServer::start().await;
    create_fails(ResponseTemplate::new(201).set_delay(Duration::from_secs(2)))
        .expect(3)
        .mount(&server)
        .await;
    // The caller (the engine) looks the person up before creating again.
    users()
        .respond_with(ok(list_json(1, vec![ada_json("7")])))
        .expect(0)
        .mount(&server)
        .await;
    let config = InstanceConfig {
        timeout: Duration::from_millis(150),
        ..config(&server)
    };
    let connector = ScimConnector::<PathApp>::new(config).unwrap();
    let error = connector.create(&ada()).await.unwrap_err();
    assert!(error.is_transient(), "{error:?}");
}

#[tokio::test]
async fn create_conflict_without_a_match_fails() {
    let server = MockServer::start().await;
    create_fails(ResponseTemplate::new(409))
        .mount(&server)
        .await;
    users()
        .respond_with(ok(list_json(0, vec![])))
        .mount(&server)
        .await;
    let error = connector::<PathApp>(&server)
        .create(&ada())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Conflict { .. }), "{error:?}");
}

#[tokio::test]
async fn create_propagates_invalid_values() {
    let server = MockServer::start().await;
    let invalid = json!({"status": 400, "scimType": "invalidValue", "detail": "bad email"});
    create_fails(ResponseTemplate::new(400).set_body_json(invalid))
        .expect(1)
        .mount(&server)
        .await;
    users()
        .respond_with(ok(list_json(0, vec![])))
        .expect(0)
        .mount(&server)
        .await;
    let error = connector::<PathApp>(&server)
        .create(&ada())
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Server { status: 400, .. }),
        "{error:?}"
    );
}

/// Ada as the server holds her before an update: another family name and department.
fn ada_before_update() -> serde_json::Value {
    let mut ada = ada_json("1");
    ada["name"]["familyName"] = json!("Byron");
    ada[ENTERPRISE_USER_SCHEMA]["department"] = json!("Maths");
    ada["active"] = json!(false);
    ada
}

fn get_ada(body: serde_json::Value) -> Mock {
    Mock::given(method("GET"))
        .and(path("/scim/v2/Users/1"))
        .respond_with(ok(body))
}

fn patch_ada(operations: serde_json::Value) -> MockBuilder {
    Mock::given(method("PATCH"))
        .and(path("/scim/v2/Users/1"))
        .and(header("content-type", "application/scim+json"))
        .and(body_json(
            json!({"schemas": [PATCH_OP_SCHEMA], "Operations": operations}),
        ))
}

#[tokio::test]
async fn update_patches_only_changed_attributes_by_path() {
    let server = MockServer::start().await;
    // A 204 answer: the account is read again.
    get_ada(ada_before_update()).expect(2).mount(&server).await;
    patch_ada(json!([
        {"op": "replace", "path": "name.familyName", "value": "Lovelace"},
        {"op": "replace", "path": DEPARTMENT, "value": "R&D"},
    ]))
    .respond_with(ResponseTemplate::new(204))
    .expect(1)
    .mount(&server)
    .await;
    let account = connector::<PathApp>(&server)
        .update(&ada_ref(), &ada())
        .await
        .unwrap();
    assert_eq!(account.id, "1");
}

#[tokio::test]
async fn update_patches_pathless_with_nested_values() {
    let server = MockServer::start().await;
    get_ada(ada_before_update()).expect(1).mount(&server).await;
    patch_ada(json!([{"op": "replace", "value": {
        "name": {"familyName": "Lovelace"},
        ENTERPRISE_USER_SCHEMA: {"department": "R&D"},
    }}]))
    .respond_with(ok(ada_json("1")))
    .expect(1)
    .mount(&server)
    .await;
    let account = connector::<PathlessApp>(&server)
        .update(&ada_ref(), &ada())
        .await
        .unwrap();
    assert_eq!(account.attributes["name"]["familyName"], "Lovelace");
}

#[tokio::test]
async fn update_without_changes_sends_nothing() {
    let server = MockServer::start().await;
    get_ada(ada_json("1")).expect(1).mount(&server).await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(204))
        .expect(0)
        .mount(&server)
        .await;
    connector::<PathApp>(&server)
        .update(&ada_ref(), &ada())
        .await
        .unwrap();
}

#[tokio::test]
async fn update_puts_the_mapped_user_keeping_active() {
    let server = MockServer::start().await;
    get_ada(ada_before_update()).expect(1).mount(&server).await;
    Mock::given(method("PUT"))
        .and(path("/scim/v2/Users/1"))
        .and(body_partial_json(json!({
            "schemas": [CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
            "id": "1",
            "active": false,
            "name": {"familyName": "Lovelace"},
            ENTERPRISE_USER_SCHEMA: {"department": "R&D"},
        })))
        .respond_with(ok(ada_json("1")))
        .expect(1)
        .mount(&server)
        .await;
    connector::<PutApp>(&server)
        .update(&ada_ref(), &ada())
        .await
        .unwrap();
}
