//! GitHub's rate-limit 403s are throttling, any other 403 is an authorization failure:
//! the spec's `[rest] throttle` rules against a scripted GitHub on a local socket, so
//! the exact answers (status, body, `retry-after`) are GitHub's documented ones
//! (https://docs.github.com/rest/using-the-rest-api/troubleshooting-the-rest-api).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use connector_sdk::{
    AccountRef, Connector, Error, InstanceConfig, LicenseOutcome, RateLimitSetting, RetryPolicy,
    Secret,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One scripted answer: status line, extra headers, JSON body.
type Scripted = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

/// Serves `script` in order, one answer per connection, and records when each request
/// arrived (with its request line).
async fn scripted(script: Vec<Scripted>) -> (String, Arc<Mutex<Vec<(Instant, String)>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    tokio::spawn(async move {
        for (status, headers, body) in script {
            let (mut socket, _) = listener.accept().await.unwrap();
            let request = read_request(&mut socket).await;
            let line = request.lines().next().unwrap_or_default().to_owned();
            log.lock().unwrap().push((Instant::now(), line));
            let mut answer = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
                body.len()
            );
            for (name, value) in headers {
                answer.push_str(&format!("{name}: {value}\r\n"));
            }
            answer.push_str("\r\n");
            answer.push_str(body);
            socket.write_all(answer.as_bytes()).await.unwrap();
            socket.shutdown().await.ok();
        }
    });
    (url, seen)
}

/// The request head and body (by `content-length`).
async fn read_request(socket: &mut tokio::net::TcpStream) -> String {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = socket.read(&mut chunk).await.unwrap();
        bytes.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if bytes.len() >= end + 4 + length || n == 0 {
                return text;
            }
        } else if n == 0 {
            return text;
        }
    }
}

fn connector(url: &str) -> impl Connector {
    let mut config = InstanceConfig::for_base_url(
        format!("{url}/scim/v2/enterprises/acme"),
        Secret::new("ghp_test".to_owned()),
    )
    .with_variable("api_url", url)
    .with_variable("enterprise", "acme")
    .with_variable("org", "acme-engineering")
    .with_variable("shortcode", "acme");
    config.rate_limit = RateLimitSetting::Off;
    config.retry = RetryPolicy {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(5),
    };
    connector_github_copilot::connect(config).unwrap()
}

fn ada() -> AccountRef {
    AccountRef {
        id: "1".into(),
        user_name: "ada".into(),
    }
}

const SECONDARY: &str = r#"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits","status":"403"}"#;

#[tokio::test]
async fn a_secondary_rate_limit_403_is_retried_after_the_advertised_wait() {
    let (url, seen) = scripted(vec![
        ("403 Forbidden", &[("retry-after", "1")], SECONDARY),
        ("201 Created", &[], r#"{"seats_created":1}"#),
    ])
    .await;
    let sku = connector_github_copilot::MANIFEST
        .license("copilot")
        .unwrap();
    let outcome = connector(&url).assign_license(&ada(), sku).await.unwrap();
    assert!(matches!(outcome, LicenseOutcome::Applied), "{outcome:?}");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(
        seen[0]
            .1
            .starts_with("POST /orgs/acme-engineering/copilot/billing/selected_users")
    );
    let waited = seen[1].0 - seen[0].0;
    assert!(
        waited >= Duration::from_millis(950),
        "retried after {waited:?}"
    );
}

#[tokio::test]
async fn a_primary_rate_limit_403_is_retried_too() {
    let (url, seen) = scripted(vec![
        (
            "403 Forbidden",
            &[("x-ratelimit-remaining", "0"), ("retry-after", "1")],
            r#"{"message":"API rate limit exceeded for user ID 1.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}"#,
        ),
        ("201 Created", &[], r#"{"seats_created":1}"#),
    ])
    .await;
    let sku = connector_github_copilot::MANIFEST
        .license("copilot")
        .unwrap();
    connector(&url).assign_license(&ada(), sku).await.unwrap();
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn any_other_403_is_an_authorization_failure_not_retried() {
    let (url, seen) = scripted(vec![(
        "403 Forbidden",
        &[],
        r#"{"message":"Resource not accessible by personal access token","documentation_url":"https://docs.github.com/rest/copilot/copilot-user-management","status":"403"}"#,
    )])
    .await;
    let sku = connector_github_copilot::MANIFEST
        .license("copilot")
        .unwrap();
    let error = connector(&url)
        .assign_license(&ada(), sku)
        .await
        .unwrap_err();
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
    assert_eq!(seen.lock().unwrap().len(), 1);
}
