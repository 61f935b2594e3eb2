//! The Okta directory source against a local mock of the Management API: `Link` paging,
//! `SSWS` auth, a 429 honoured through `X-Rate-Limit-Reset`, groups and members.

use std::time::{SystemTime, UNIX_EPOCH};

use connector_engine::{DirectorySource, OktaSource};
use connector_sdk::{IdentityStatus, Secret};
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// An Okta user.
fn user(id: &str, login: &str, status: &str) -> serde_json::Value {
    json!({ "id": id, "status": status, "profile": {
        "login": login, "email": login, "firstName": "F", "lastName": "L", "title": "T" } })
}

#[tokio::test]
async fn reads_every_page_and_group_and_waits_out_a_rate_limit() {
    connector_tests::install_crypto_provider();
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .and(query_param_is_missing("after"))
        .and(header("authorization", "SSWS okta-token"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header(
                    "link",
                    format!("<{base}/api/v1/users?after=u2&limit=200>; rel=\"next\"").as_str(),
                )
                .insert_header("x-rate-limit-remaining", "599")
                .set_body_json(json!([
                    user("u1", "ada@x.io", "ACTIVE"),
                    user("u2", "bob@x.io", "SUSPENDED")
                ])),
        )
        .mount(&server)
        .await;
    let reset = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 1;
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .and(query_param("after", "u2"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("x-rate-limit-remaining", "0")
                .insert_header("x-rate-limit-reset", reset.to_string().as_str()),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .and(query_param("after", "u2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([user(
            "u3",
            "cy@x.io",
            "DEPROVISIONED"
        )])))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/groups"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            { "id": "g1", "profile": { "name": "eng", "description": "Engineering" } }
        ])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/groups/g1/users"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!([{ "id": "u1" }, { "id": "u3" }])),
        )
        .mount(&server)
        .await;

    let source = OktaSource::new(base.clone(), Secret::new("okta-token")).unwrap();
    assert_eq!(source.describe(), format!("okta {base}"));
    let directory = source.load().await.unwrap();
    let logins: Vec<_> = directory.people.iter().map(|p| p.login.as_str()).collect();
    assert_eq!(logins, ["ada@x.io", "bob@x.io", "cy@x.io"]);
    assert_eq!(directory.people[1].status, IdentityStatus::Suspended);
    assert_eq!(directory.people[2].status, IdentityStatus::Deprovisioned);
    assert_eq!(directory.people[0].groups, ["eng"]);
    assert_eq!(directory.people[2].groups, ["eng"]);
    assert!(directory.people[1].groups.is_empty());
    assert_eq!(
        directory.groups[0].description.as_deref(),
        Some("Engineering")
    );
}

#[tokio::test]
async fn a_failing_page_fails_the_whole_load() {
    connector_tests::install_crypto_provider();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .respond_with(
            ResponseTemplate::new(403).set_body_string("{\"errorSummary\":\"forbidden\"}"),
        )
        .mount(&server)
        .await;
    let source = OktaSource::new(server.uri(), Secret::new("t")).unwrap();
    let error = source.load().await.unwrap_err();
    assert!(error.to_string().contains("403"), "{error}");
}
