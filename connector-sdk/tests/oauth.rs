//! OAuth 2.0 client credentials against a mock token endpoint on 127.0.0.1.

mod common;

use common::*;
use connector_sdk::http::{HttpClient, Method, Request};
use connector_sdk::{Credentials, Error, InstanceConfig, Secret};
use serde_json::json;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CLIENT_SECRET: &str = "client-s3cret";
/// `client-id:client-s3cret` in base64.
const BASIC: &str = "Basic Y2xpZW50LWlkOmNsaWVudC1zM2NyZXQ=";

fn oauth_config(server: &MockServer) -> InstanceConfig {
    InstanceConfig {
        token_url: Some(format!("{}/oauth/token", server.uri())),
        credentials: Some(Credentials::ClientCredentials {
            client_id: Secret::new("client-id"),
            client_secret: Secret::new(CLIENT_SECRET),
        }),
        ..config(server)
    }
    .with_variable("tenant", "acme")
}

fn client(server: &MockServer) -> HttpClient {
    HttpClient::new(&OAUTH, &oauth_config(server)).unwrap()
}

/// The token endpoint, checking the grant it receives.
fn token_endpoint(body: serde_json::Value) -> Mock {
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(header("authorization", BASIC))
        .and(body_string_contains("grant_type=account_credentials"))
        .and(body_string_contains("scope=user%3Aread+user%3Awrite"))
        .and(body_string_contains("account_id=acme"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
}

fn api(token: &str, status: u16) -> Mock {
    Mock::given(path("/scim/v2/Users/1"))
        .and(header("authorization", format!("Bearer {token}")))
        .respond_with(ResponseTemplate::new(status).set_body_json(json!({"id": "1"})))
}

fn get_user() -> Request {
    Request::new(Method::Get, ["Users", "1"])
}

#[tokio::test]
async fn the_token_is_fetched_once_and_cached() {
    let server = MockServer::start().await;
    token_endpoint(json!({"access_token": "tok-1", "token_type": "bearer", "expires_in": 3600}))
        .expect(1)
        .mount(&server)
        .await;
    api("tok-1", 200).expect(3).mount(&server).await;
    let client = client(&server);
    for _ in 0..3 {
        client.send(&get_user()).await.unwrap();
    }
}

#[tokio::test]
async fn an_expired_token_is_fetched_again() {
    let server = MockServer::start().await;
    token_endpoint(json!({"access_token": "tok-1", "expires_in": "0"}))
        .expect(2)
        .mount(&server)
        .await;
    api("tok-1", 200).expect(2).mount(&server).await;
    let client = client(&server);
    client.send(&get_user()).await.unwrap();
    client.send(&get_user()).await.unwrap();
}

#[tokio::test]
async fn a_refused_token_is_refreshed_once() {
    let server = MockServer::start().await;
    token_endpoint(json!({"access_token": "tok-1", "expires_in": 3600}))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    token_endpoint(json!({"access_token": "tok-2", "expires_in": 3600}))
        .expect(1)
        .mount(&server)
        .await;
    api("tok-1", 401).expect(1).mount(&server).await;
    api("tok-2", 200).expect(2).mount(&server).await;
    let client = client(&server);
    let response = client.send(&get_user()).await.unwrap();
    assert_eq!(response.status, 200);
    // The new token is cached.
    client.send(&get_user()).await.unwrap();
}

#[tokio::test]
async fn a_token_refused_twice_is_an_auth_error() {
    let server = MockServer::start().await;
    token_endpoint(json!({"access_token": "tok-1"}))
        .expect(2)
        .mount(&server)
        .await;
    api("tok-1", 401).expect(2).mount(&server).await;
    let error = client(&server).send(&get_user()).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Auth {
                status: Some(401),
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!format!("{error} {error:?}").contains("tok-1"));
}

#[tokio::test]
async fn token_endpoint_errors_never_show_the_secret() {
    let server = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": "invalid_client",
            "error_description": format!("unknown secret {CLIENT_SECRET}"),
        })))
        .expect(1)
        .mount(&server)
        .await;
    let error = client(&server).send(&get_user()).await.unwrap_err();
    let shown = format!("{error} {error:?}");
    assert!(
        matches!(
            error,
            Error::Auth {
                status: Some(401),
                ..
            }
        ),
        "{shown}"
    );
    assert!(shown.contains("unknown secret ***"), "{shown}");
    assert!(!shown.contains(CLIENT_SECRET), "{shown}");
    assert_eq!(request_count(&server).await, 1);
}

#[tokio::test]
async fn missing_client_credentials_name_the_variables() {
    let server = MockServer::start().await;
    let config = InstanceConfig {
        credentials: None,
        ..oauth_config(&server)
    };
    let error = HttpClient::new(&OAUTH, &config).unwrap_err();
    assert!(
        matches!(error, Error::Auth { status: None, .. }),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("CONNECTOR_SDK_TEST_ID_NEVER_SET"),
        "{error}"
    );
}

#[tokio::test]
async fn the_token_url_template_is_rendered() {
    let config = InstanceConfig {
        token_url: None,
        ..InstanceConfig::for_base_url("https://h.example/scim", Secret::new("unused"))
    };
    // Client credentials in the configuration, token URL from the spec's template.
    let config = InstanceConfig {
        credentials: Some(Credentials::ClientCredentials {
            client_id: Secret::new("id"),
            client_secret: Secret::new("secret"),
        }),
        ..config
    };
    let error = HttpClient::new(&OAUTH, &config).unwrap_err();
    assert!(error.to_string().contains("`tenant` is not set"), "{error}");
    assert!(HttpClient::new(&OAUTH, &config.with_variable("tenant", "acme")).is_ok());
}

/// Client credentials read from the variables `ZOOM_CLIENT_ID` and `ZOOM_CLIENT_SECRET`.
fn named_credentials(server: &MockServer, client_secret: &str) -> InstanceConfig {
    InstanceConfig {
        credentials: Some(Credentials::ClientCredentials {
            client_id: Secret::new("client-id").with_origin("ZOOM_CLIENT_ID"),
            client_secret: Secret::new(client_secret).with_origin("ZOOM_CLIENT_SECRET"),
        }),
        ..oauth_config(server)
    }
}

#[tokio::test]
async fn a_refused_grant_names_the_variables() {
    let server = MockServer::start().await;
    token_endpoint(json!({"access_token": "tok-1"}))
        .expect(2)
        .mount(&server)
        .await;
    api("tok-1", 401).expect(2).mount(&server).await;
    let client = HttpClient::new(&OAUTH, &named_credentials(&server, CLIENT_SECRET)).unwrap();
    let error = client.send(&get_user()).await.unwrap_err().to_string();
    assert!(
        error.contains("the client credentials in ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET"),
        "{error}"
    );
    assert!(
        !error.contains(CLIENT_SECRET) && !error.contains("tok-1"),
        "{error}"
    );
}

#[tokio::test]
async fn a_client_secret_that_cannot_be_sent_is_a_configuration_error() {
    let server = MockServer::start().await;
    let error = HttpClient::new(&OAUTH, &named_credentials(&server, "sécret")).unwrap_err();
    assert!(matches!(error, Error::Config(_)), "{error:?}");
    let text = error.to_string();
    assert!(
        text.contains(
            "the client secret in ZOOM_CLIENT_SECRET cannot be sent in an HTTP header: it \
             contains a non-ASCII character at position 2"
        ),
        "{text}"
    );
    assert!(!text.contains("sécret"), "{text}");
    assert_eq!(request_count(&server).await, 0);
}

#[tokio::test]
async fn an_access_token_that_cannot_be_sent_is_refused() {
    let server = MockServer::start().await;
    token_endpoint(json!({"access_token": "tök-1", "expires_in": 3600}))
        .expect(1)
        .mount(&server)
        .await;
    let client = HttpClient::new(&OAUTH, &named_credentials(&server, CLIENT_SECRET)).unwrap();
    let error = client.send(&get_user()).await.unwrap_err();
    let text = error.to_string();
    assert!(matches!(error, Error::Auth { .. }), "{error:?}");
    assert!(
        text.contains(
            "cannot be sent in an HTTP header: it contains a non-ASCII character at position 2"
        ),
        "{text}"
    );
    assert!(
        text.contains("ZOOM_CLIENT_SECRET") && !text.contains("tök"),
        "{text}"
    );
    // The token endpoint was asked once; the API never.
    assert_eq!(request_count(&server).await, 1);
}
