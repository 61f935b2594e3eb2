//! The HTTP layer against mock servers on 127.0.0.1: retry, `Retry-After`, error
//! mapping, secrets, rate limiting.

mod common;

use std::time::{Duration, Instant};

use common::*;
use connector_sdk::http::{HttpClient, Method, Request};
use connector_sdk::manifest::RateLimit;
use connector_sdk::{Error, InstanceConfig, RateLimitSetting, Secret};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> HttpClient {
    HttpClient::new(&PATH, &config(server)).unwrap()
}

fn get_user() -> Request {
    Request::new(Method::Get, ["Users", "1"])
}

fn scim_error(status: &str, scim_type: &str, detail: &str) -> serde_json::Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": status, "scimType": scim_type, "detail": detail,
    })
}

#[tokio::test]
async fn retries_503_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(path("/scim/v2/Users/1"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/scim/v2/Users/1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1"})))
        .mount(&server)
        .await;
    let response = client(&server).send(&get_user()).await.unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.body, Some(json!({"id": "1"})));
    assert_eq!(request_count(&server).await, 2);
}

async fn throttled_once(retry_after: String) -> (MockServer, Duration) {
    let server = MockServer::start().await;
    Mock::given(path("/scim/v2/Users/1"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", retry_after))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/scim/v2/Users/1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1"})))
        .mount(&server)
        .await;
    let started = Instant::now();
    client(&server).send(&get_user()).await.unwrap();
    (server, started.elapsed())
}

#[tokio::test]
async fn honours_retry_after_seconds() {
    // The policy's own backoff is 5-20 ms: waiting a second means the header won.
    let (server, waited) = throttled_once("1".to_owned()).await;
    assert!(waited >= Duration::from_millis(950), "waited {waited:?}");
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn honours_retry_after_http_date() {
    // Whole seconds: two seconds from now is at least one second away.
    let date = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
    let (server, waited) = throttled_once(date).await;
    assert!(waited >= Duration::from_millis(900), "waited {waited:?}");
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn retry_after_beyond_the_maximum_fails_at_once() {
    let server = MockServer::start().await;
    Mock::given(path("/scim/v2/Users/1"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "3600"))
        .mount(&server)
        .await;
    Mock::given(path("/scim/v2/Users/2"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "3600"))
        .mount(&server)
        .await;
    let client = client(&server);
    for id in ["1", "2"] {
        let error = client
            .send(&Request::new(Method::Get, ["Users", id]))
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::RateLimited { retry_after: Some(d) } if d == Duration::from_secs(3600)),
            "{error:?}"
        );
    }
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn throttled_after_every_retry_is_rate_limited() {
    let server = MockServer::start().await;
    Mock::given(path("/scim/v2/Users/1"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .expect(3)
        .mount(&server)
        .await;
    let error = client(&server).send(&get_user()).await.unwrap_err();
    assert!(
        matches!(error, Error::RateLimited { retry_after: Some(d) } if d.is_zero()),
        "{error:?}"
    );
}

#[tokio::test]
async fn exhausted_5xx_is_a_server_error_with_the_scim_detail() {
    let server = MockServer::start().await;
    Mock::given(path("/scim/v2/Users/1"))
        .respond_with(ResponseTemplate::new(500).set_body_json(scim_error(
            "500",
            "",
            "database down",
        )))
        .expect(3)
        .mount(&server)
        .await;
    let error = client(&server).send(&get_user()).await.unwrap_err();
    match &error {
        Error::Server {
            status: 500,
            detail,
            ..
        } => assert_eq!(detail.as_deref(), Some("database down")),
        other => panic!("{other:?}"),
    }
    assert!(error.is_transient());
}

#[tokio::test]
async fn scim_error_with_a_string_status_is_parsed_and_not_retried() {
    let server = MockServer::start().await;
    Mock::given(path("/scim/v2/Users"))
        .respond_with(ResponseTemplate::new(400).set_body_json(scim_error(
            "400",
            "invalidFilter",
            "bad filter",
        )))
        .expect(1)
        .mount(&server)
        .await;
    let request = Request::new(Method::Get, ["Users"]).query("filter", "x");
    match client(&server).send(&request).await.unwrap_err() {
        Error::Server {
            status,
            scim_type,
            detail,
        } => {
            assert_eq!(status, 400);
            assert_eq!(scim_type.as_deref(), Some("invalidFilter"));
            assert_eq!(detail.as_deref(), Some("bad filter"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn status_codes_map_to_typed_errors() {
    let server = MockServer::start().await;
    for (id, status) in [("404", 404), ("409", 409), ("403", 403)] {
        Mock::given(path(format!("/scim/v2/Users/{id}")))
            .respond_with(ResponseTemplate::new(status).set_body_string("<html>nope</html>"))
            .mount(&server)
            .await;
    }
    let client = client(&server);
    let send = |id: &'static str| {
        let client = client.clone();
        async move {
            client
                .send(&Request::new(Method::Get, ["Users", id]))
                .await
                .unwrap_err()
        }
    };
    assert!(matches!(send("404").await, Error::NotFound { .. }));
    assert!(
        matches!(send("409").await, Error::Conflict { detail } if detail == "<html>nope</html>")
    );
    assert!(matches!(
        send("403").await,
        Error::Auth {
            status: Some(403),
            ..
        }
    ));
}

#[tokio::test]
async fn unauthorized_is_an_auth_error_that_never_shows_the_token() {
    let server = MockServer::start().await;
    Mock::given(path("/scim/v2/Users/1"))
        .and(header("authorization", format!("Bearer {TOKEN}")))
        .respond_with(
            ResponseTemplate::new(401).set_body_string(format!("bad token: Bearer {TOKEN}")),
        )
        .expect(1)
        .mount(&server)
        .await;
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
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(shown.contains("instance configuration"), "{shown}");
}

#[tokio::test]
async fn a_missing_token_names_the_environment_variable() {
    let config = InstanceConfig {
        credentials: None,
        base_url: Some("http://127.0.0.1:9/scim".to_owned()),
        ..InstanceConfig::default()
    };
    let error = HttpClient::new(&PATH, &config).unwrap_err();
    assert!(
        matches!(error, Error::Auth { status: None, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains(UNSET_TOKEN_ENV), "{error}");
}

#[tokio::test]
async fn the_base_url_template_needs_its_variables() {
    let config = InstanceConfig {
        base_url: None,
        ..InstanceConfig::for_base_url("unused", Secret::new(TOKEN))
    };
    let error = HttpClient::new(&PATH, &config).unwrap_err();
    assert!(error.to_string().contains("`tenant` is not set"), "{error}");
    let client = HttpClient::new(&PATH, &config.with_variable("tenant", "acme")).unwrap();
    assert_eq!(
        client.base_url().as_str(),
        "https://acme.example.com/scim/v2"
    );
    let with_credentials =
        InstanceConfig::for_base_url("https://u:pw@h.example/scim", Secret::new(TOKEN));
    let error = HttpClient::new(&PATH, &with_credentials).unwrap_err();
    assert!(!error.to_string().contains("pw"), "{error}");
}

#[tokio::test]
async fn connection_failures_are_transport_errors_after_retries() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let config = InstanceConfig {
        retry: fast_retry(),
        ..InstanceConfig::for_base_url(format!("http://{address}/scim"), Secret::new(TOKEN))
    };
    let client = HttpClient::new(&PATH, &config).unwrap();
    let request = get_user().query("filter", "secret-ish");
    match client.send(&request).await.unwrap_err() {
        Error::Transport { url, message } => {
            assert_eq!(url, format!("http://{address}/scim/Users/1"));
            assert!(message.starts_with("could not connect"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn timeouts_are_transport_errors() {
    let server = MockServer::start().await;
    Mock::given(path("/scim/v2/Users/1"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .expect(3)
        .mount(&server)
        .await;
    let config = InstanceConfig {
        timeout: Duration::from_millis(100),
        ..config(&server)
    };
    let client = HttpClient::new(&PATH, &config).unwrap();
    match client.send(&get_user()).await.unwrap_err() {
        Error::Transport { message, .. } => assert!(message.starts_with("timed out"), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn empty_and_non_json_bodies() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>"))
        .mount(&server)
        .await;
    let client = client(&server);
    let deleted = client
        .send(&Request::new(Method::Delete, ["Users", "1"]))
        .await
        .unwrap();
    assert_eq!((deleted.status, deleted.body), (204, None));
    let error = client.send(&get_user()).await.unwrap_err();
    assert!(matches!(error, Error::InvalidResponse { .. }), "{error:?}");
}

#[tokio::test]
async fn sends_the_user_agent() {
    let server = MockServer::start().await;
    let default_agent = format!("connector-toolkit/{} (test)", env!("CARGO_PKG_VERSION"));
    Mock::given(path("/scim/v2/Users/1"))
        .and(header("user-agent", default_agent.as_str()))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/scim/v2/Users/2"))
        .and(header("user-agent", "Vendor-Required-Agent/1.0"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    client(&server).send(&get_user()).await.unwrap();
    let vendor = HttpClient::new(&USER_AGENT, &config(&server)).unwrap();
    vendor
        .send(&Request::new(Method::Get, ["Users", "2"]))
        .await
        .unwrap();
    assert_eq!(vendor.user_agent(), "Vendor-Required-Agent/1.0");
}

#[tokio::test]
async fn the_rate_limit_spaces_requests() {
    let server = MockServer::start().await;
    Mock::given(path("/scim/v2/Users/1"))
        .respond_with(ResponseTemplate::new(204))
        .expect(8)
        .mount(&server)
        .await;
    // The spec's 10 per second, burst 1: five calls need at least 4 × 100 ms.
    let spec = InstanceConfig {
        rate_limit: RateLimitSetting::Spec,
        ..config(&server)
    };
    let client = HttpClient::new(&RATE_LIMITED, &spec).unwrap();
    let started = Instant::now();
    for _ in 0..5 {
        client.send(&get_user()).await.unwrap();
    }
    assert!(
        started.elapsed() >= Duration::from_millis(380),
        "{:?}",
        started.elapsed()
    );

    // A custom limit replaces the spec's: 5 per second, burst 1, is 200 ms apart.
    let custom = InstanceConfig {
        rate_limit: RateLimitSetting::Custom(RateLimit {
            requests: 5,
            period_ms: 1000,
            burst: 1,
        }),
        ..spec
    };
    let slower = HttpClient::new(&RATE_LIMITED, &custom).unwrap();
    let started = Instant::now();
    for _ in 0..3 {
        slower.send(&get_user()).await.unwrap();
    }
    assert!(
        started.elapsed() >= Duration::from_millis(380),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_refused_token_names_the_variable_that_holds_it() {
    let server = MockServer::start().await;
    Mock::given(path("/scim/v2/Users/1"))
        .respond_with(ResponseTemplate::new(401).set_body_string("invalid_auth"))
        .expect(1)
        .mount(&server)
        .await;
    let config = InstanceConfig::for_base_url(
        format!("{}/scim/v2", server.uri()),
        Secret::new(TOKEN).with_origin("SLACK_TOKEN"),
    );
    let error = HttpClient::new(&PATH, &config)
        .unwrap()
        .send(&get_user())
        .await
        .unwrap_err();
    let shown = format!("{error} {error:?}");
    assert!(
        shown.contains("using the bearer token in SLACK_TOKEN: invalid_auth"),
        "{shown}"
    );
    assert!(!shown.contains(TOKEN), "{shown}");
}

#[tokio::test]
async fn a_token_that_cannot_be_a_header_is_a_configuration_error() {
    let server = MockServer::start().await;
    let token = "xoxb-tök3n";
    let config = InstanceConfig::for_base_url(
        format!("{}/scim/v2", server.uri()),
        Secret::new(token).with_origin("SLACK_TOKEN"),
    );
    let error = HttpClient::new(&PATH, &config).unwrap_err();
    assert!(matches!(error, Error::Config(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        "configuration error: the bearer token in SLACK_TOKEN cannot be sent in an HTTP \
         header: it contains a non-ASCII character at position 7"
    );
    // Without a variable name, the error says where the token was given.
    let config = InstanceConfig::for_base_url(server.uri(), Secret::new("a\u{7}b"));
    let error = HttpClient::new(&PATH, &config).unwrap_err().to_string();
    assert!(
        error.contains("the bearer token of the instance configuration")
            && error.contains("a control character at position 2"),
        "{error}"
    );
    assert_eq!(request_count(&server).await, 0);
}
