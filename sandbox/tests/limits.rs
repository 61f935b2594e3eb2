//! Rate limits, Google-style throttling and injected faults, set at start and over the
//! admin API. No check depends on how fast the machine is: budgets are an hour long,
//! faults come from a seeded generator, and latency is only checked as a lower bound.

mod common;

use std::time::{Duration, Instant};

use common::{Admin, Scim, tenant};
use connector_sandbox::{Faults, RateLimitConfig, Sandbox, TenantSpec, ThrottleStyle};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Two requests an hour: the third within the hour is always over the limit.
fn hourly() -> RateLimitConfig {
    RateLimitConfig::custom(2, 3_600_000, 2)
}

#[tokio::test]
async fn over_the_limit_is_429_with_retry_after() {
    let spec = TenantSpec::generic("limited").rate_limit(hourly());
    let sandbox = Sandbox::builder()
        .tenant(spec)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let limited = tenant(&sandbox, "limited");
    let scim = Scim::of(limited);
    for _ in 0..2 {
        assert_eq!(scim.get("/Users").await.status, StatusCode::OK);
    }
    let throttled = scim.get("/Users").await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = throttled.header("retry-after").unwrap().parse().unwrap();
    assert!(retry_after >= 1, "{retry_after}");
    assert_eq!(throttled.body["status"], "429");
    assert_eq!(
        throttled.header("content-type"),
        Some("application/scim+json")
    );
    let admin = Admin::of(limited);
    assert_eq!(admin.stats().await["throttled"], 1);

    // Off at run time, then Google's style.
    admin.put("/rate-limit", &json!({"mode": "off"})).await;
    assert_eq!(scim.get("/Users").await.status, StatusCode::OK);
    let google = hourly().with_style(ThrottleStyle::Google403);
    admin
        .put("/rate-limit", &serde_json::to_value(google).unwrap())
        .await;
    for _ in 0..2 {
        assert_eq!(scim.get("/Users").await.status, StatusCode::OK);
    }
    let forbidden = scim.get("/Users").await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    assert_eq!(
        forbidden.body,
        json!({"error": {
            "code": 403,
            "message": "User Rate Limit Exceeded",
            "errors": [{"domain": "usageLimits", "reason": "userRateLimitExceeded", "message": "User Rate Limit Exceeded"}],
        }})
    );
    let bad = admin
        .call(Method::PUT, "/rate-limit", Some(&json!({"mode": "custom"})))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn manifest_rate_limits_are_the_default() {
    let sandbox = Sandbox::builder()
        .manifest(&connector_slack::MANIFEST)
        .generic("generic")
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let slack = Admin::of(tenant(&sandbox, "slack"))
        .get("/rate-limit")
        .await;
    assert_eq!(
        slack["limits"],
        json!({"requests": 180, "period_ms": 60000, "burst": 20})
    );
    let generic = Admin::of(tenant(&sandbox, "generic"))
        .get("/rate-limit")
        .await;
    assert_eq!(generic["limits"], Value::Null);
}

#[tokio::test]
async fn injected_errors_and_drops() {
    let spec = TenantSpec::generic("broken").faults(Faults::none().error_rate(1.0));
    let sandbox = Sandbox::builder()
        .tenant(spec)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let broken = tenant(&sandbox, "broken");
    let scim = Scim::of(broken);
    for _ in 0..5 {
        let answer = scim.get("/Users").await;
        assert!(
            [500, 502, 503, 504].contains(&answer.status.as_u16()),
            "{}",
            answer.status
        );
        assert_eq!(answer.body["status"], answer.status.as_u16().to_string());
    }
    let admin = Admin::of(broken);
    admin.put("/faults", &json!({"drop_rate": 1.0})).await;
    let dropped = common::try_send(
        Method::GET,
        &format!("{}/Users", scim.base),
        Some(&scim.token),
        None,
    )
    .await;
    assert!(dropped.is_err(), "the connection closes without an answer");
    let stats = admin.stats().await;
    assert_eq!(
        (stats["injected_errors"].clone(), stats["dropped"].clone()),
        (json!(5), json!(1))
    );
    let log = admin.get("/requests").await;
    assert_eq!(log.as_array().unwrap().last().unwrap()["status"], 0);
    let bad = admin
        .call(Method::PUT, "/faults", Some(&json!({"error_rate": 2.0})))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    admin
        .put("/faults", &serde_json::to_value(Faults::none()).unwrap())
        .await;
    assert_eq!(scim.get("/Users").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_seed_reproduces_the_same_faults() {
    let faults = Faults::none().error_rate(0.5).seed(1234);
    let sandbox = Sandbox::builder()
        .tenant(TenantSpec::generic("one").faults(faults))
        .tenant(TenantSpec::generic("two").faults(faults))
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let mut runs = Vec::new();
    for name in ["one", "two"] {
        let scim = Scim::of(tenant(&sandbox, name));
        let mut statuses = Vec::new();
        for _ in 0..40 {
            statuses.push(scim.get("/Users").await.status.as_u16());
        }
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(
        runs[0].contains(&200) && runs[0].iter().any(|s| *s >= 500),
        "{:?}",
        runs[0]
    );
    // A reset restores the start's faults and reseeds them.
    let one = tenant(&sandbox, "one");
    Admin::of(one).call(Method::POST, "/reset", None).await;
    let scim = Scim::of(one);
    let mut again = Vec::new();
    for _ in 0..40 {
        again.push(scim.get("/Users").await.status.as_u16());
    }
    assert_eq!(again, runs[0]);
}

#[tokio::test]
async fn latency_is_added() {
    let spec = TenantSpec::generic("slow").faults(Faults::none().latency_ms(150));
    let sandbox = Sandbox::builder()
        .tenant(spec)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let scim = Scim::of(tenant(&sandbox, "slow"));
    let start = Instant::now();
    assert_eq!(scim.get("/Users").await.status, StatusCode::OK);
    assert!(start.elapsed() >= Duration::from_millis(150));
}
