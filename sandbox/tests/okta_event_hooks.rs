//! The Okta org plays Okta's event side over real sockets: event hooks registered and
//! verified through the Event Hooks API against a receiver on 127.0.0.1, deliveries
//! when people change through the Management API (asynchronous, Okta's payload and
//! headers, 3-second timeout, one retry after a timeout or a 5xx), the System Log at
//! `/api/v1/logs` with its cursor, and the same event uuid on both paths.

mod common;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use common::{Answer, client, tenant};
use connector_sandbox::{OktaOrg, RateLimitConfig, Sandbox, SandboxHandle, TenantSpec};
use connector_sdk::Identity;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The hook's shared secret (sent as `Authorization`).
const SECRET: &str = "Basic aG9vazpzM2NyZXQ=";

/// What the receiver answers.
#[derive(Debug, Default)]
struct Inbox {
    /// Answer the verification with a wrong value.
    wrong_verification: bool,
    /// Statuses to answer to the next POSTs (then 204).
    answers: VecDeque<u16>,
    /// Seconds to wait before answering the next POSTs (then none).
    delays: VecDeque<u64>,
    /// Verification GETs: their headers.
    gets: Vec<HeaderMap>,
    /// POSTs: headers, body, and what was answered.
    posts: Vec<(HeaderMap, Value, u16)>,
}

type Shared = Arc<Mutex<Inbox>>;

/// A receiver on 127.0.0.1 answering Okta's verification and recording deliveries.
async fn receiver(inbox: Shared) -> String {
    async fn verify(State(inbox): State<Shared>, headers: HeaderMap) -> Response {
        let challenge = headers
            .get("x-okta-verification-challenge")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let mut inbox = inbox.lock().unwrap();
        inbox.gets.push(headers);
        let value = if inbox.wrong_verification {
            format!("not-{challenge}")
        } else {
            challenge
        };
        let body = json!({ "verification": value }).to_string();
        (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response()
    }
    async fn deliver(State(inbox): State<Shared>, headers: HeaderMap, body: String) -> Response {
        let (status, delay) = {
            let mut inbox = inbox.lock().unwrap();
            let status = inbox.answers.pop_front().unwrap_or(204);
            (status, inbox.delays.pop_front().unwrap_or(0))
        };
        tokio::time::sleep(Duration::from_secs(delay)).await;
        let body = serde_json::from_str(&body).unwrap_or(Value::String(body));
        inbox.lock().unwrap().posts.push((headers, body, status));
        AxumStatus::from_u16(status).unwrap().into_response()
    }
    let app = Router::new()
        .route("/okta/hook", get(verify).post(deliver))
        .with_state(inbox);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/okta/hook")
}

/// Ada, Grace and Alan at example.com; Ada and Grace in `eng`.
fn org() -> OktaOrg {
    let person = |i: usize, login: &str, groups: &[&str]| Identity {
        id: format!("00utest{i:013}"),
        login: login.into(),
        email: login.into(),
        first_name: Some(login.split('@').next().unwrap().to_owned()),
        last_name: Some("Test".into()),
        groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        ..Identity::default()
    };
    OktaOrg::new()
        .person(person(1, "ada@example.com", &["eng"]))
        .person(person(2, "grace@example.com", &["eng"]))
        .person(person(3, "alan@example.com", &[]))
}

const ADA: &str = "00utest0000000000001";
const GRACE: &str = "00utest0000000000002";
const ALAN: &str = "00utest0000000000003";

/// A sandbox with the org as `okta` (token `okta-token`), Okta's rate limit.
async fn start() -> SandboxHandle {
    Sandbox::builder()
        .tenant(
            TenantSpec::okta("okta", org())
                .token("okta-token")
                .rate_limit(RateLimitConfig::manifest()),
        )
        .start("127.0.0.1:0")
        .await
        .unwrap()
}

/// One call to the org's Management API with its `SSWS` token.
async fn okta(sandbox: &SandboxHandle, method: Method, path: &str, body: Option<Value>) -> Answer {
    let url = if path.starts_with("http") {
        path.to_owned()
    } else {
        format!("{}/api/v1/{path}", tenant(sandbox, "okta").api_url())
    };
    let mut request = client()
        .request(method, &url)
        .header("authorization", "SSWS okta-token")
        .header("user-agent", "okta-event-hooks-test");
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
    }
}

/// The admin view of the org's hooks and deliveries.
async fn deliveries(sandbox: &SandboxHandle) -> Value {
    let okta = tenant(sandbox, "okta");
    let answer = client()
        .get(format!("{}/okta/eventHooks", okta.admin_url()))
        .bearer_auth(okta.admin_token().expose())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    answer.json::<Value>().await.unwrap()["deliveries"].clone()
}

/// Waits (at most 10 s) until the deliveries are all closed and there are `count`.
async fn settled(sandbox: &SandboxHandle, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let all = deliveries(sandbox).await;
        let all = all.as_array().unwrap().clone();
        if all.len() == count && all.iter().all(|d| d["state"] != "PENDING") {
            return all;
        }
        assert!(
            Instant::now() < deadline,
            "deliveries did not settle: {all:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Registers a hook on `uri` for `items`; answers the hook's JSON.
async fn register(sandbox: &SandboxHandle, uri: &str, items: &[&str]) -> Value {
    let answer = okta(
        sandbox,
        Method::POST,
        "eventHooks",
        Some(json!({
            "name": "leavers",
            "events": {"type": "EVENT_TYPE", "items": items},
            "channel": {"type": "HTTP", "version": "1.0.0", "config": {
                "uri": uri,
                "headers": [{"key": "X-Flow", "value": "leaver"}],
                "authScheme": {"type": "HEADER", "key": "Authorization", "value": SECRET},
            }},
        })),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body
}

/// Registers and verifies a hook for `items` on a fresh receiver.
async fn verified_hook(sandbox: &SandboxHandle, items: &[&str]) -> (Shared, String) {
    let inbox = Shared::default();
    let uri = receiver(inbox.clone()).await;
    let hook = register(sandbox, &uri, items).await;
    let id = hook["id"].as_str().unwrap().to_owned();
    let verify = format!("eventHooks/{id}/lifecycle/verify");
    let verified = okta(sandbox, Method::POST, &verify, None).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    assert_eq!(verified.body["verificationStatus"], "VERIFIED");
    (inbox, id)
}

#[tokio::test]
async fn a_verified_hook_receives_a_deactivation_with_okta_payload_and_headers() {
    let sandbox = start().await;
    let inbox = Shared::default();
    let uri = receiver(inbox.clone()).await;
    let hook = register(&sandbox, &uri, &["user.lifecycle.deactivate"]).await;
    assert_eq!(hook["status"], "ACTIVE");
    assert_eq!(hook["verificationStatus"], "UNVERIFIED");
    assert_eq!(
        hook["channel"]["config"]["authScheme"]["key"],
        "Authorization"
    );
    assert!(
        !hook.to_string().contains(SECRET),
        "the secret is never shown"
    );
    let id = hook["id"].as_str().unwrap();
    let fetched = okta(&sandbox, Method::GET, &format!("eventHooks/{id}"), None).await;
    assert_eq!(fetched.body["channel"]["config"]["uri"], uri.as_str());

    let verified = okta(
        &sandbox,
        Method::POST,
        &format!("eventHooks/{id}/lifecycle/verify"),
        None,
    )
    .await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    assert_eq!(verified.body["verificationStatus"], "VERIFIED");
    {
        let inbox = inbox.lock().unwrap();
        assert_eq!(inbox.gets.len(), 1, "one verification call");
        let challenge = inbox.gets[0].get("x-okta-verification-challenge").unwrap();
        assert!(!challenge.is_empty());
        assert_eq!(inbox.gets[0].get("authorization").unwrap(), SECRET);
    }

    // Not subscribed: recorded in the log, delivered nowhere.
    let suspended = okta(
        &sandbox,
        Method::POST,
        &format!("users/{ALAN}/lifecycle/suspend"),
        None,
    )
    .await;
    assert_eq!(suspended.status, StatusCode::OK);
    assert_eq!(deliveries(&sandbox).await, json!([]));

    let deactivated = okta(
        &sandbox,
        Method::POST,
        &format!("users/{ADA}/lifecycle/deactivate"),
        None,
    )
    .await;
    assert_eq!(deactivated.status, StatusCode::OK, "{}", deactivated.body);
    assert_eq!(deactivated.body, json!({}));
    assert!(deactivated.headers.contains_key("x-rate-limit-remaining"));
    let user = okta(&sandbox, Method::GET, &format!("users/{ADA}"), None).await;
    assert_eq!(user.body["status"], "DEPROVISIONED");

    let done = settled(&sandbox, 1).await;
    assert_eq!(done[0]["state"], "DELIVERED");
    assert_eq!(done[0]["attempts"].as_array().unwrap().len(), 1);
    assert_eq!(done[0]["attempts"][0]["status"], 204);
    assert_eq!(done[0]["hook"], id);
    let posts = inbox.lock().unwrap().posts.clone();
    assert_eq!(posts.len(), 1);
    let (headers, body, _) = &posts[0];
    assert_eq!(headers.get("authorization").unwrap(), SECRET);
    assert_eq!(headers.get("x-flow").unwrap(), "leaver");
    assert_eq!(headers.get("content-type").unwrap(), "application/json");
    assert_eq!(body["eventType"], "com.okta.event_hook");
    assert_eq!(body["eventTypeVersion"], "1.0");
    assert_eq!(body["cloudEventsVersion"], "0.1");
    assert_eq!(body["contentType"], "application/json");
    assert_eq!(body["eventId"], done[0]["eventId"]);
    assert!(
        body["source"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/api/v1/eventHooks/{id}"))
    );
    let events = body["data"]["events"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event["eventType"], "user.lifecycle.deactivate");
    assert_eq!(event["outcome"]["result"], "SUCCESS");
    assert_eq!(event["actor"]["type"], "User");
    assert_eq!(event["target"][0]["id"], ADA);
    assert_eq!(event["target"][0]["type"], "User");
    assert_eq!(event["target"][0]["alternateId"], "ada@example.com");
    assert_eq!(event["target"][0]["displayName"], "ada Test");
    assert_eq!(
        event["client"]["userAgent"]["rawUserAgent"],
        "okta-event-hooks-test"
    );
    assert_eq!(event["uuid"].as_str().unwrap().len(), 36);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_5xx_is_retried_once_and_a_4xx_is_not() {
    let sandbox = start().await;
    let (inbox, _) = verified_hook(
        &sandbox,
        &["user.lifecycle.suspend", "user.lifecycle.unsuspend"],
    )
    .await;

    inbox.lock().unwrap().answers.push_back(500);
    okta(
        &sandbox,
        Method::POST,
        &format!("users/{ADA}/lifecycle/suspend"),
        None,
    )
    .await;
    let done = settled(&sandbox, 1).await;
    assert_eq!(done[0]["state"], "DELIVERED");
    let statuses: Vec<&Value> = done[0]["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["status"])
        .collect();
    assert_eq!(statuses, [&json!(500), &json!(204)]);
    {
        let inbox = inbox.lock().unwrap();
        assert_eq!(inbox.posts.len(), 2);
        assert_eq!(
            inbox.posts[0].1, inbox.posts[1].1,
            "the retry carries the same payload"
        );
    }

    inbox.lock().unwrap().answers.extend([503, 502, 500]);
    okta(
        &sandbox,
        Method::POST,
        &format!("users/{ADA}/lifecycle/unsuspend"),
        None,
    )
    .await;
    let done = settled(&sandbox, 2).await;
    assert_eq!(done[1]["state"], "FAILED");
    assert_eq!(
        done[1]["attempts"].as_array().unwrap().len(),
        2,
        "one retry only"
    );

    inbox.lock().unwrap().answers.clear();
    inbox.lock().unwrap().answers.push_back(400);
    okta(
        &sandbox,
        Method::POST,
        &format!("users/{GRACE}/lifecycle/suspend"),
        None,
    )
    .await;
    let done = settled(&sandbox, 3).await;
    assert_eq!(done[2]["state"], "FAILED");
    assert_eq!(
        done[2]["attempts"].as_array().unwrap().len(),
        1,
        "a 4xx is not retried"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(inbox.lock().unwrap().posts.len(), 5);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_slow_receiver_times_out_after_three_seconds_without_holding_the_api_call() {
    let sandbox = start().await;
    let (inbox, _) = verified_hook(&sandbox, &["user.lifecycle.deactivate"]).await;
    inbox.lock().unwrap().delays.push_back(4);
    let started = Instant::now();
    let answer = okta(
        &sandbox,
        Method::POST,
        &format!("users/{GRACE}/lifecycle/deactivate"),
        None,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "the API call does not wait for the hook: {:?}",
        started.elapsed()
    );
    let done = settled(&sandbox, 1).await;
    let attempts = done[0]["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2, "{done:?}");
    assert!(attempts[0]["error"].as_str().unwrap().contains("3 s"));
    let waited = attempts[0]["millis"].as_u64().unwrap();
    assert!(
        (2900..3900).contains(&waited),
        "timed out after {waited} ms"
    );
    assert_eq!(attempts[1]["status"], 204);
    assert_eq!(done[0]["state"], "DELIVERED");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_hook_failing_verification_stays_unverified_and_receives_nothing() {
    let sandbox = start().await;
    let inbox = Shared::default();
    inbox.lock().unwrap().wrong_verification = true;
    let uri = receiver(inbox.clone()).await;
    let hook = register(&sandbox, &uri, &["user.lifecycle.deactivate"]).await;
    let id = hook["id"].as_str().unwrap();
    let answer = okta(
        &sandbox,
        Method::POST,
        &format!("eventHooks/{id}/lifecycle/verify"),
        None,
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.body["errorCode"], "E0000001");
    let cause = answer.body["errorCauses"][0]["errorSummary"]
        .as_str()
        .unwrap();
    assert!(cause.contains("Verification failed"), "{cause}");
    assert!(!answer.body.to_string().contains(SECRET));
    let fetched = okta(&sandbox, Method::GET, &format!("eventHooks/{id}"), None).await;
    assert_eq!(fetched.body["verificationStatus"], "UNVERIFIED");

    okta(
        &sandbox,
        Method::POST,
        &format!("users/{ADA}/lifecycle/deactivate"),
        None,
    )
    .await;
    assert_eq!(deliveries(&sandbox).await, json!([]));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(inbox.lock().unwrap().posts.is_empty());

    // Only loopback endpoints may be registered; the error names the field.
    let outside = okta(
        &sandbox,
        Method::POST,
        "eventHooks",
        Some(json!({
            "name": "outside",
            "events": {"type": "EVENT_TYPE", "items": ["user.lifecycle.deactivate"]},
            "channel": {"type": "HTTP", "version": "1.0.0", "config": {"uri": "https://hooks.example.com/okta"}},
        })),
    )
    .await;
    assert_eq!(outside.status, StatusCode::BAD_REQUEST);
    let cause = outside.body["errorCauses"][0]["errorSummary"]
        .as_str()
        .unwrap();
    assert!(
        cause.contains("loopback") && cause.contains("channel.config.uri"),
        "{cause}"
    );

    // An ACTIVE hook cannot be deleted; an INACTIVE one can.
    let refused = okta(&sandbox, Method::DELETE, &format!("eventHooks/{id}"), None).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let off = okta(
        &sandbox,
        Method::POST,
        &format!("eventHooks/{id}/lifecycle/deactivate"),
        None,
    )
    .await;
    assert_eq!(off.body["status"], "INACTIVE");
    let deleted = okta(&sandbox, Method::DELETE, &format!("eventHooks/{id}"), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = okta(&sandbox, Method::GET, &format!("eventHooks/{id}"), None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.body["errorCode"], "E0000007");
    sandbox.shutdown().await;
}

/// The `rel` link of an answer.
fn link(answer: &Answer, rel: &str) -> Option<String> {
    answer
        .headers
        .get_all("link")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.ends_with(&format!("rel=\"{rel}\"")))
        .map(|v| v[1..v.find('>').unwrap()].to_owned())
}

fn event_types(answer: &Answer) -> Vec<&str> {
    answer
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["eventType"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn the_system_log_pages_by_cursor_polls_and_honours_since_and_filter() {
    let sandbox = start().await;
    let eng = okta(&sandbox, Method::GET, "groups?q=eng", None).await.body[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let empty = okta(&sandbox, Method::GET, "logs", None).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(empty.body, json!([]));
    assert!(empty.headers.contains_key("x-rate-limit-limit"));
    let poll = link(&empty, "next").expect("a polling request always has a next link");

    let changes = [
        (Method::POST, format!("users/{ADA}/lifecycle/suspend"), None),
        (
            Method::POST,
            format!("users/{ADA}/lifecycle/unsuspend"),
            None,
        ),
        (Method::PUT, format!("groups/{eng}/users/{ALAN}"), None),
        (Method::DELETE, format!("groups/{eng}/users/{GRACE}"), None),
        (
            Method::POST,
            format!("users/{ALAN}"),
            Some(json!({"profile": {"title": "Engineer"}})),
        ),
    ];
    for (method, path, body) in changes {
        let answer = okta(&sandbox, method, &path, body).await;
        assert!(answer.status.is_success(), "{path}: {}", answer.body);
    }
    let profile = okta(&sandbox, Method::GET, &format!("users/{ALAN}"), None).await;
    assert_eq!(profile.body["profile"]["title"], "Engineer");
    assert_eq!(profile.body["profile"]["login"], "alan@example.com");

    let from_poll = okta(&sandbox, Method::GET, &poll, None).await;
    assert_eq!(
        from_poll.body.as_array().unwrap().len(),
        5,
        "the earlier cursor sees later events"
    );

    let first = okta(&sandbox, Method::GET, "logs?limit=2", None).await;
    assert_eq!(
        event_types(&first),
        ["user.lifecycle.suspend", "user.lifecycle.unsuspend"]
    );
    let second = okta(&sandbox, Method::GET, &link(&first, "next").unwrap(), None).await;
    assert_eq!(
        event_types(&second),
        ["group.user_membership.add", "group.user_membership.remove"]
    );
    assert_eq!(second.body[0]["target"][1]["id"], eng.as_str());
    assert_eq!(second.body[0]["target"][1]["type"], "UserGroup");
    let third = okta(&sandbox, Method::GET, &link(&second, "next").unwrap(), None).await;
    assert_eq!(event_types(&third), ["user.account.update_profile"]);
    let tail = link(&third, "next").expect("polling continues");
    let nothing = okta(&sandbox, Method::GET, &tail, None).await;
    assert_eq!(nothing.body, json!([]));
    okta(
        &sandbox,
        Method::POST,
        &format!("users/{GRACE}/lifecycle/deactivate"),
        None,
    )
    .await;
    let later = okta(&sandbox, Method::GET, &tail, None).await;
    assert_eq!(event_types(&later), ["user.lifecycle.deactivate"]);

    let all = okta(&sandbox, Method::GET, "logs", None).await;
    let third_published = all.body[2]["published"].as_str().unwrap().to_owned();
    let since = okta(
        &sandbox,
        Method::GET,
        &format!("logs?since={third_published}"),
        None,
    )
    .await;
    let kept = since.body.as_array().unwrap();
    assert!(
        kept.iter()
            .all(|e| e["published"].as_str().unwrap() >= third_published.as_str())
    );
    assert!(kept.iter().any(|e| e["uuid"] == all.body[2]["uuid"]));
    let future = okta(
        &sandbox,
        Method::GET,
        "logs?since=2999-01-01T00:00:00.000Z",
        None,
    )
    .await;
    assert_eq!(future.body, json!([]));
    let bounded = okta(
        &sandbox,
        Method::GET,
        "logs?since=2000-01-01T00:00:00Z&until=2999-01-01T00:00:00Z&limit=6",
        None,
    )
    .await;
    assert_eq!(bounded.body.as_array().unwrap().len(), 6);
    assert_eq!(link(&bounded, "next"), None, "a bounded request ends");

    let filtered = okta(
        &sandbox,
        Method::GET,
        "logs?filter=eventType%20eq%20%22group.user_membership.remove%22",
        None,
    )
    .await;
    assert_eq!(event_types(&filtered), ["group.user_membership.remove"]);
    assert_eq!(filtered.body[0]["target"][0]["id"], GRACE);
    let by_target = okta(
        &sandbox,
        Method::GET,
        &format!("logs?filter=target.id%20eq%20%22{ALAN}%22"),
        None,
    )
    .await;
    assert_eq!(
        event_types(&by_target),
        ["group.user_membership.add", "user.account.update_profile"]
    );
    let newest = okta(
        &sandbox,
        Method::GET,
        "logs?sortOrder=DESCENDING&limit=1",
        None,
    )
    .await;
    assert_eq!(event_types(&newest), ["user.lifecycle.deactivate"]);

    for bad in [
        "logs?since=yesterday",
        "logs?after=nonsense",
        "logs?filter=eventType%20sw%20%22user%22",
        "logs?sortOrder=UP",
    ] {
        let answer = okta(&sandbox, Method::GET, bad, None).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(answer.body["errorCode"], "E0000001", "{bad}");
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_delivered_event_and_the_logged_event_share_one_uuid() {
    let sandbox = start().await;
    let (inbox, _) = verified_hook(&sandbox, &["group.user_membership.remove"]).await;
    let eng = okta(&sandbox, Method::GET, "groups?q=eng", None).await.body[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let removed = okta(
        &sandbox,
        Method::DELETE,
        &format!("groups/{eng}/users/{ADA}"),
        None,
    )
    .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    let again = okta(
        &sandbox,
        Method::DELETE,
        &format!("groups/{eng}/users/{ADA}"),
        None,
    )
    .await;
    assert_eq!(
        again.status,
        StatusCode::NO_CONTENT,
        "removing a non-member changes nothing"
    );
    settled(&sandbox, 1).await;
    let delivered = inbox.lock().unwrap().posts[0].1["data"]["events"][0].clone();
    let logged = okta(
        &sandbox,
        Method::GET,
        "logs?filter=eventType%20eq%20%22group.user_membership.remove%22",
        None,
    )
    .await;
    assert_eq!(logged.body.as_array().unwrap().len(), 1);
    assert_eq!(logged.body[0]["uuid"], delivered["uuid"]);
    assert_eq!(logged.body[0], delivered, "the same LogEvent on both paths");
    assert_eq!(delivered["target"][1]["displayName"], "eng");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn lifecycle_changes_follow_okta_status_rules() {
    let sandbox = start().await;
    let path = |who: &str, action: &str| format!("users/{who}/lifecycle/{action}");
    let unsuspend = okta(&sandbox, Method::POST, &path(ADA, "unsuspend"), None).await;
    assert_eq!(unsuspend.status, StatusCode::BAD_REQUEST);
    assert!(unsuspend.body.to_string().contains("not suspended"));
    let unknown = okta(&sandbox, Method::POST, &path("00unobody", "suspend"), None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let wrong_verb = okta(&sandbox, Method::GET, &path(ADA, "suspend"), None).await;
    assert_eq!(wrong_verb.status, StatusCode::METHOD_NOT_ALLOWED);
    okta(&sandbox, Method::POST, &path(ADA, "deactivate"), None).await;
    let twice = okta(&sandbox, Method::POST, &path(ADA, "deactivate"), None).await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST);
    let back = okta(&sandbox, Method::POST, &path(ADA, "activate"), None).await;
    assert_eq!(back.status, StatusCode::OK);
    let user = okta(&sandbox, Method::GET, &format!("users/{ADA}"), None).await;
    assert_eq!(user.body["status"], "ACTIVE");
    let logs = okta(&sandbox, Method::GET, "logs", None).await;
    assert_eq!(
        event_types(&logs),
        ["user.lifecycle.deactivate", "user.lifecycle.reactivate"],
        "refused changes record nothing"
    );
    let everyone = okta(&sandbox, Method::GET, "groups?q=Everyone", None)
        .await
        .body[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let built_in = okta(
        &sandbox,
        Method::PUT,
        &format!("groups/{everyone}/users/{ADA}"),
        None,
    )
    .await;
    assert_eq!(built_in.status, StatusCode::BAD_REQUEST);
    let taken = okta(
        &sandbox,
        Method::POST,
        &format!("users/{ADA}"),
        Some(json!({"profile": {"login": "grace@example.com"}})),
    )
    .await;
    assert_eq!(taken.status, StatusCode::BAD_REQUEST);
    sandbox.shutdown().await;
}
