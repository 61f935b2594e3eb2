//! `RestConnector` against mocks shaped like Microsoft Graph (next-link paging,
//! `accountEnabled`) and Box (offset paging, a licence group membership found by lookup).

mod rest_fixtures;

use connector_sdk::rest::RestConnector;
use connector_sdk::{
    AccountRef, Connector, Error, Identity, LicenseOutcome, Operation, PageRequest, list_all,
};
use rest_fixtures::apps::{BOX, BoxApp, Graph, PASSWORD};
use rest_fixtures::{config, requests};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn ada() -> Identity {
    Identity {
        id: "00u1".to_owned(),
        login: "ada@example.com".to_owned(),
        email: "ada@example.com".to_owned(),
        display_name: Some("Ada Lovelace".to_owned()),
        ..Identity::default()
    }
}

fn ada_ref(id: &str) -> AccountRef {
    AccountRef {
        id: id.to_owned(),
        user_name: "ada@example.com".to_owned(),
    }
}

fn graph_user(id: u32, enabled: bool) -> Value {
    json!({"id": format!("m{id}"), "userPrincipalName": format!("u{id}@example.com"), "accountEnabled": enabled})
}

fn graph(server: &MockServer) -> RestConnector<Graph> {
    RestConnector::new(config(server, "/v1.0")).unwrap()
}

#[tokio::test]
async fn graph_pages_by_next_link_on_the_same_host_only() {
    let server = MockServer::start().await;
    let next = format!("{}/v1.0/users?$top=2&$skiptoken=X%2FY", server.uri());
    Mock::given(method("GET"))
        .and(path("/v1.0/users"))
        .and(query_param("$top", "2"))
        .and(query_param_is_missing("$skiptoken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [graph_user(1, true), graph_user(2, false)],
            "@odata.nextLink": next,
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/users"))
        .and(query_param("$skiptoken", "X/Y"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"value": [graph_user(3, true)]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let all = list_all(&graph(&server)).await.unwrap();
    let states: Vec<(&str, bool)> = all.iter().map(|a| (a.id.as_str(), a.active)).collect();
    assert_eq!(states, [("m1", true), ("m2", false), ("m3", true)]);

    // A link to another host is refused before any request.
    let elsewhere = PageRequest {
        start_index: 3,
        count: 2,
        cursor: Some("https://evil.example.com/v1.0/users?$skiptoken=1".to_owned()),
    };
    let error = graph(&server).list(elsewhere).await.unwrap_err();
    assert!(matches!(error, Error::InvalidResponse { .. }), "{error:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn graph_disable_create_and_sensitive_nested_attributes() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path("/v1.0/users/m1"))
        .and(body_json(json!({"accountEnabled": false})))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1.0/users"))
        .and(body_json(json!({
            "userPrincipalName": "ada@example.com",
            "displayName": "Ada Lovelace",
            "accountEnabled": true,
            "passwordProfile": {"password": PASSWORD},
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": "m1",
            "userPrincipalName": "ada@example.com",
            "accountEnabled": true,
            "passwordProfile": {"password": PASSWORD, "forceChangePasswordNextSignIn": false},
        })))
        .expect(1)
        .mount(&server)
        .await;
    let connector = graph(&server);
    connector.disable(&ada_ref("m1")).await.unwrap();
    let account = connector.create(&ada()).await.unwrap();
    assert_eq!(account.id, "m1");
    assert!(account.active);
    assert_eq!(
        account.attributes["passwordProfile"],
        json!({"forceChangePasswordNextSignIn": false})
    );
    assert!(!account.attributes.to_string().contains(PASSWORD));
    // A SKU of another connector.
    let sku = BOX.license("box_ai").unwrap();
    let error = connector
        .assign_license(&ada_ref("m1"), sku)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
}

fn box_user(id: u32) -> Value {
    json!({"type": "user", "id": format!("{id}"), "login": format!("u{id}@example.com"), "status": "active"})
}

fn box_connector(server: &MockServer) -> RestConnector<BoxApp> {
    let config = config(server, "/2.0").with_variable("box_ai_group_id", "g-ai");
    RestConnector::new(config).unwrap()
}

#[tokio::test]
async fn ping_reports_the_identity_whoami_points_at() {
    let server = MockServer::start().await;
    let answers = [
        (
            json!({"type": "user", "id": "19", "login": "AutomationUser_1_x@boxdevedition.com"}),
            Some("AutomationUser_1_x@boxdevedition.com"),
        ),
        (json!({"type": "user", "id": "19", "login": 42}), Some("42")),
        (
            json!({"type": "user", "id": "19", "login": {"a": true}}),
            Some(r#"{"a":true}"#),
        ),
        (json!({"type": "user", "id": "19"}), None),
    ];
    for (answer, identity) in answers {
        server.reset().await;
        Mock::given(method("GET"))
            .and(path("/2.0/users/me"))
            .respond_with(ResponseTemplate::new(200).set_body_json(&answer))
            .expect(1)
            .mount(&server)
            .await;
        let ping = box_connector(&server).ping().await.unwrap();
        assert_eq!(ping.identity.as_deref(), identity, "{answer}");
        assert_eq!(ping.call, "GET /users/me");
    }

    // Pinging lists nothing, and a refused token is an authentication error.
    assert!(requests(&server, "GET", "/2.0/users").await.is_empty());
    for status in [401, 403] {
        server.reset().await;
        Mock::given(method("GET"))
            .and(path("/2.0/users/me"))
            .respond_with(ResponseTemplate::new(status))
            .mount(&server)
            .await;
        let error = box_connector(&server).ping().await.unwrap_err();
        assert!(
            matches!(error, Error::Auth { status: Some(s), .. } if s == status),
            "{error:?}"
        );
    }
}

#[tokio::test]
async fn box_pages_by_offset_up_to_the_total() {
    let server = MockServer::start().await;
    for (offset, ids) in [("0", vec![1, 2]), ("2", vec![3, 4]), ("4", vec![5])] {
        let entries: Vec<Value> = ids.into_iter().map(box_user).collect();
        Mock::given(method("GET"))
            .and(path("/2.0/users"))
            .and(query_param("limit", "2"))
            .and(query_param("offset", offset))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "total_count": 5, "entries": entries, "limit": 2, "offset": offset.parse::<u32>().unwrap(),
            })))
            // The last page is read twice: by `list_all`, then on its own.
            .expect(if offset == "4" { 2 } else { 1 })
            .mount(&server)
            .await;
    }
    let connector = box_connector(&server);
    let all = list_all(&connector).await.unwrap();
    assert_eq!(all.len(), 5);
    assert!(all.iter().all(|a| a.active));
    let last = connector
        .list(PageRequest {
            start_index: 5,
            count: 2,
            cursor: None,
        })
        .await
        .unwrap();
    assert_eq!((last.total_results, last.next), (Some(5), None));
}

#[tokio::test]
async fn box_find_picks_the_exact_login_among_matches() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/2.0/users"))
        .and(query_param("filter_term", "ada@example.com"))
        .and(query_param("user_type", "managed"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"total_count": 2, "entries": [
                {"id": "7", "login": "ada@example.com.au", "status": "active"},
                {"id": "8", "login": "ADA@example.com", "status": "inactive"},
            ]}),
        ))
        .mount(&server)
        .await;
    let found = box_connector(&server).find(&ada()).await.unwrap().unwrap();
    assert_eq!((found.id.as_str(), found.active), ("8", false));
}

#[tokio::test]
async fn box_licences_through_group_memberships() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/2.0/group_memberships"))
        .and(body_json(
            json!({"user": {"id": "8"}, "group": {"id": "g-ai"}}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "m2"})))
        .expect(1)
        .mount(&server)
        .await;
    let memberships = |entries: Value| {
        ResponseTemplate::new(200).set_body_json(json!({"total_count": 2, "entries": entries}))
    };
    Mock::given(method("GET"))
        .and(path("/2.0/users/8/memberships"))
        .respond_with(memberships(json!([
            {"id": "m1", "group": {"id": "g-other"}},
            {"id": "m2", "group": {"id": "g-ai"}},
        ])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/2.0/users/9/memberships"))
        .respond_with(memberships(
            json!([{"id": "m3", "group": {"id": "g-other"}}]),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/2.0/group_memberships/m2"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let connector = box_connector(&server);
    let sku = BOX.license("box_ai").unwrap();
    let assigned = connector.assign_license(&ada_ref("8"), sku).await.unwrap();
    assert_eq!(assigned, LicenseOutcome::Applied);
    let revoked = connector.revoke_license(&ada_ref("8"), sku).await.unwrap();
    assert_eq!(revoked, LicenseOutcome::Applied);
    // No membership of the group: nothing to remove, already revoked.
    let revoked = connector.revoke_license(&ada_ref("9"), sku).await.unwrap();
    assert_eq!(revoked, LicenseOutcome::Applied);
    assert_eq!(
        requests(&server, "DELETE", "/2.0/group_memberships/m2")
            .await
            .len(),
        1
    );
    // A capability without its operation is unsupported, without a request.
    let error = connector.delete(&ada_ref("8")).await.unwrap_err();
    assert!(matches!(
        error,
        Error::Unsupported {
            operation: Operation::Delete,
            ..
        }
    ));
}
