//! `RestConnector` against a mock shaped like Google's Directory API: find by user name,
//! cursor paging, create conflicts, updates, suspension, 403 throttling, licences on
//! another API, and sensitive attributes.

mod rest_fixtures;

use connector_sdk::rest::RestConnector;
use connector_sdk::{
    AccountRef, Connector, Error, Identity, LicenseOutcome, Operation, PageRequest, list_all,
};
use rest_fixtures::apps::{GOOGLE, Google, PASSWORD};
use rest_fixtures::{TOKEN, config, requests};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BASE: &str = "/admin/directory/v1";

fn connector(server: &MockServer) -> RestConnector<Google> {
    let config = config(server, BASE)
        .with_variable("licensing_api", format!("{}/licensing/v1", server.uri()));
    RestConnector::new(config).expect("the test configuration resolves")
}

fn ada() -> Identity {
    Identity {
        id: "00u1".to_owned(),
        login: "ada@example.com".to_owned(),
        email: "ada@example.com".to_owned(),
        first_name: Some("Ada".to_owned()),
        last_name: Some("Lovelace".to_owned()),
        department: Some("Eng".to_owned()),
        ..Identity::default()
    }
}

fn ada_ref() -> AccountRef {
    AccountRef {
        id: "g1".to_owned(),
        user_name: "ada@example.com".to_owned(),
    }
}

/// Ada as Google holds her.
fn ada_json(suspended: bool) -> Value {
    json!({
        "kind": "admin#directory#user",
        "id": "g1",
        "primaryEmail": "Ada@Example.com",
        "name": {"givenName": "Ada", "familyName": "Lovelace", "fullName": "Ada Lovelace"},
        "orgUnitPath": "/Eng",
        "suspended": suspended,
    })
}

fn user(id: u32) -> Value {
    json!({"id": format!("g{id}"), "primaryEmail": format!("u{id}@example.com"), "suspended": false})
}

#[tokio::test]
async fn find_by_user_name_and_404_is_none() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/users/ada@example.com")))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(ada_json(false)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/users/nobody@example.com")))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"error": {"code": 404}})))
        .expect(1)
        .mount(&server)
        .await;
    let connector = connector(&server);
    let found = connector.find(&ada()).await.unwrap().expect("Ada exists");
    assert_eq!(found.id, "g1");
    assert_eq!(found.user_name, "Ada@Example.com");
    assert_eq!(found.email.as_deref(), Some("Ada@Example.com"));
    assert_eq!(found.display_name.as_deref(), Some("Ada Lovelace"));
    assert!(found.active);
    let nobody = Identity {
        email: "nobody@example.com".to_owned(),
        ..ada()
    };
    assert_eq!(connector.find(&nobody).await.unwrap(), None);
}

#[tokio::test]
async fn lists_three_pages_by_cursor() {
    let server = MockServer::start().await;
    let pages = [
        (
            None,
            json!({"users": [user(1), user(2)], "nextPageToken": "t2"}),
        ),
        (
            Some("t2"),
            json!({"users": [user(3), user(4)], "nextPageToken": "t3"}),
        ),
        (Some("t3"), json!({"users": [user(5)]})),
    ];
    for (token, body) in pages {
        let mock = Mock::given(method("GET"))
            .and(path(format!("{BASE}/users")))
            // The variable's default, since the instance sets none.
            .and(query_param("customer", "my_customer"))
            .and(query_param("maxResults", "2"));
        let mock = match token {
            None => mock.and(query_param_is_missing("pageToken")),
            Some(token) => mock.and(query_param("pageToken", token)),
        };
        mock.respond_with(ResponseTemplate::new(200).set_body_json(body))
            .expect(if token.is_none() { 2 } else { 1 })
            .mount(&server)
            .await;
    }
    let connector = connector(&server);
    let first = connector.list(PageRequest::first(50)).await.unwrap();
    assert_eq!(first.items.len(), 2);
    let next = first.next.clone().expect("a second page");
    assert_eq!(next.cursor.as_deref(), Some("t2"));
    assert_eq!(next.start_index, 3);
    let all = list_all(&connector).await.unwrap();
    let ids: Vec<&str> = all.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["g1", "g2", "g3", "g4", "g5"]);
}

#[tokio::test]
async fn create_sends_the_account_and_hides_the_password() {
    let server = MockServer::start().await;
    let sent = json!({
        "primaryEmail": "ada@example.com",
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "orgUnitPath": "/Eng",
        "password": PASSWORD,
    });
    let mut echoed = ada_json(false);
    echoed["password"] = json!(PASSWORD);
    Mock::given(method("POST"))
        .and(path(format!("{BASE}/users")))
        .and(body_json(&sent))
        .respond_with(ResponseTemplate::new(201).set_body_json(echoed))
        .expect(1)
        .mount(&server)
        .await;
    let account = connector(&server).create(&ada()).await.unwrap();
    assert_eq!(account.id, "g1");
    assert!(account.attributes.get("password").is_none());
    assert_eq!(account.attributes["orgUnitPath"], "/Eng");
    assert!(!format!("{account:?}").contains(PASSWORD));
}

#[tokio::test]
async fn create_conflict_reports_the_existing_account_without_adopting_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("{BASE}/users")))
        .respond_with(ResponseTemplate::new(409).set_body_json(
            json!({"error": {"code": 409, "message": format!("Entity already exists: {PASSWORD}")}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/users/ada@example.com")))
        .respond_with(ResponseTemplate::new(200).set_body_json(ada_json(true)))
        .expect(1)
        .mount(&server)
        .await;
    // The connector never adopts: the caller decides whose account it is.
    let error = connector(&server).create(&ada()).await.unwrap_err();
    let Error::AlreadyExists { existing, cause } = &error else {
        panic!("expected AlreadyExists, got {error:?}");
    };
    assert_eq!(existing.id, "g1");
    assert!(!existing.active, "suspended = true is inactive");
    assert!(
        !cause.contains(PASSWORD) && !error.to_string().contains(PASSWORD),
        "{error}"
    );

    // Without an account found, the conflict is the error, without the password.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(409).set_body_json(
            json!({"error": {"code": 409, "message": format!("Entity already exists: {PASSWORD}")}}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let error = connector(&server).create(&ada()).await.unwrap_err();
    assert!(matches!(error, Error::Conflict { .. }), "{error:?}");
    assert!(!error.to_string().contains(PASSWORD), "{error}");
}

#[tokio::test]
async fn update_sends_only_when_managed_attributes_differ() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/users/g1")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "g1",
            "primaryEmail": "ada@example.com",
            "name": {"givenName": "Ada", "familyName": "Byron", "fullName": "Ada Byron"},
            "orgUnitPath": "/Eng",
            "suspended": false,
        })))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{BASE}/users/g1")))
        .respond_with(ResponseTemplate::new(200).set_body_json(ada_json(false)))
        .expect(1)
        .mount(&server)
        .await;
    let connector = connector(&server);
    let updated = connector.update(&ada_ref(), &ada()).await.unwrap();
    assert_eq!(updated.attributes["name"]["familyName"], "Lovelace");
    let put = &requests(&server, "PUT", &format!("{BASE}/users/g1")).await[0];
    let body: Value = serde_json::from_slice(&put.body).unwrap();
    assert_eq!(body["name"]["familyName"], "Lovelace");
    assert!(
        body.get("password").is_none(),
        "create_only is never updated"
    );

    // Already in line: only the GET.
    let byron = Identity {
        last_name: Some("Byron".to_owned()),
        ..ada()
    };
    connector.update(&ada_ref(), &byron).await.unwrap();
    assert_eq!(
        requests(&server, "PUT", &format!("{BASE}/users/g1"))
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn disable_enable_and_delete() {
    let server = MockServer::start().await;
    for suspended in [true, false] {
        Mock::given(method("PUT"))
            .and(path(format!("{BASE}/users/g1")))
            .and(body_json(json!({"suspended": suspended})))
            .respond_with(ResponseTemplate::new(200).set_body_json(ada_json(suspended)))
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("DELETE"))
        .and(path(format!("{BASE}/users/g1")))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&server)
        .await;
    let connector = connector(&server);
    connector.disable(&ada_ref()).await.unwrap();
    connector.enable(&ada_ref()).await.unwrap();
    connector
        .delete(&ada_ref())
        .await
        .expect("already gone is deleted");
}

#[tokio::test]
async fn throttling_403_is_retried_like_429() {
    let server = MockServer::start().await;
    let throttled =
        json!({"error": {"code": 403, "errors": [{"reason": "userRateLimitExceeded"}]}});
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/users/g1")))
        .respond_with(ResponseTemplate::new(403).set_body_json(&throttled))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/users/g1")))
        .respond_with(ResponseTemplate::new(200).set_body_json(ada_json(false)))
        .expect(1)
        .mount(&server)
        .await;
    let connector = connector(&server);
    assert_eq!(connector.get(&ada_ref()).await.unwrap().id, "g1");

    // Throttled on every attempt: rate limited. A 403 without the text: an auth error.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/users/g1")))
        .respond_with(ResponseTemplate::new(403).set_body_json(&throttled))
        .expect(3)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/users/g2")))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"error": "forbidden"})))
        .expect(1)
        .mount(&server)
        .await;
    let connector = self::connector(&server);
    let error = connector.get(&ada_ref()).await.unwrap_err();
    assert!(matches!(error, Error::RateLimited { .. }), "{error:?}");
    let other = AccountRef {
        id: "g2".to_owned(),
        ..ada_ref()
    };
    let error = connector.get(&other).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Auth {
                status: Some(403),
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn licences_by_mode() {
    let server = MockServer::start().await;
    let seat = "/licensing/v1/product/101068/sku/1010680001/user";
    Mock::given(method("POST"))
        .and(path(seat))
        .and(body_json(json!({"userId": "ada@example.com"})))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"kind": "licensing#licenseAssignment"})),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(seat))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({"error": {"code": 409}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{seat}/ada@example.com")))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&server)
        .await;
    let connector = connector(&server);
    let sku = |name: &str| GOOGLE.license(name).unwrap();
    let ada = ada_ref();
    for _ in 0..2 {
        let outcome = connector.assign_license(&ada, sku("gemini")).await.unwrap();
        assert_eq!(outcome, LicenseOutcome::Applied, "409 is already done");
    }
    let outcome = connector.revoke_license(&ada, sku("gemini")).await.unwrap();
    assert_eq!(outcome, LicenseOutcome::Applied, "404 is already done");

    match connector
        .assign_license(&ada, sku("gemini_app"))
        .await
        .unwrap()
    {
        LicenseOutcome::ManualActionRequired(task) => {
            assert!(task.instructions.contains("ada@example.com"), "{task:?}");
            assert_eq!(
                task.url.as_deref(),
                Some("https://admin.google.com/ac/my_customer/apps")
            );
        }
        other => panic!("{other:?}"),
    }
    let automatic = connector
        .assign_license(&ada, sku("workspace"))
        .await
        .unwrap();
    assert_eq!(automatic, LicenseOutcome::Automatic);
    let error = connector
        .revoke_license(&ada, sku("scim_only"))
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        Error::Unsupported {
            operation: Operation::RevokeLicense,
            ..
        }
    ));
}
