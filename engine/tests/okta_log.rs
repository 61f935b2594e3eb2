//! The System Log poller against the sandbox's Okta org over loopback, into a real state
//! file: a backlog longer than one page read whole through `Link: rel="next"`, only the
//! handled event types asked for, the cursor stored and continued (by a new poller, as
//! after a restart), the look-back of a first poll, an event already queued by the hook
//! not queued again, and a refused token recorded without the token.

use std::sync::Arc;
use std::time::{Duration, Instant};

use connector_engine::events::OktaLogPoller;
use connector_engine::events::okta_hook::parse_delivery;
use connector_engine::events::okta_log::SOURCE;
use connector_engine::state::{EventRecord, Store};
use connector_sandbox::{OktaOrg, RateLimitConfig, Sandbox, SandboxHandle, TenantSpec};
use connector_sdk::Secret;
use serde_json::{Value, json};

/// The org's API token.
const TOKEN: &str = "okta-token";

/// The sample org's person `i` (0 to 7; 7 is suspended).
fn user(i: usize) -> String {
    format!("00usample{i:011}")
}

async fn start() -> SandboxHandle {
    connector_tests::install_crypto_provider();
    Sandbox::builder()
        .tenant(
            TenantSpec::okta("okta", OktaOrg::sample("example.com"))
                .token(TOKEN)
                .rate_limit(RateLimitConfig::off()),
        )
        .start("127.0.0.1:0")
        .await
        .unwrap()
}

/// The org's URL.
fn org(sandbox: &SandboxHandle) -> String {
    sandbox.tenant("okta").unwrap().api_url().to_owned()
}

/// One call to the org's Management API; answers the status and the JSON body.
async fn okta(sandbox: &SandboxHandle, method: reqwest::Method, path: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .request(method, format!("{}/api/v1/{path}", org(sandbox)))
        .header("authorization", format!("SSWS {TOKEN}"))
        .json(&json!({"profile": {"title": "Principal"}}))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Makes `change` (`deactivate`, `suspend`, ...) to person `i` through the org's API.
async fn lifecycle(sandbox: &SandboxHandle, i: usize, change: &str) {
    let path = format!("users/{}/lifecycle/{change}", user(i));
    let (status, body) = okta(sandbox, reqwest::Method::POST, &path).await;
    assert_eq!(status, 200, "{path}: {body}");
}

/// A poller of the org with the right token.
fn org_poller(sandbox: &SandboxHandle) -> OktaLogPoller {
    OktaLogPoller::new(&org(sandbox), Secret::new(TOKEN)).unwrap()
}

/// Every queued event, oldest first.
async fn queued(store: &Store) -> Vec<EventRecord> {
    let mut events = store.events(None, 1000).await.unwrap();
    events.reverse();
    events
}

/// A fresh state file in `dir`.
async fn state(dir: &tempfile::TempDir) -> Store {
    Store::open(&dir.path().join("state.db")).await.unwrap()
}

#[tokio::test]
async fn a_backlog_longer_than_a_page_is_read_whole_and_the_cursor_continues() {
    let sandbox = start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = state(&dir).await;
    for i in 0..5 {
        lifecycle(&sandbox, i, "deactivate").await;
    }
    lifecycle(&sandbox, 7, "unsuspend").await;
    // A profile change: in the log, but of a type nothing handles, so never asked for.
    let (status, _) = okta(
        &sandbox,
        reqwest::Method::POST,
        &format!("users/{}", user(5)),
    )
    .await;
    assert_eq!(status, 200);

    let poller = org_poller(&sandbox).page_size(2);
    let started = Instant::now();
    let report = poller.poll(&store).await.unwrap();
    let took = started.elapsed();
    assert_eq!((report.read, report.queued), (6, 6), "{report:?}");
    assert!(report.pages >= 3, "6 events in pages of 2: {report:?}");
    assert!(report.malformed.is_empty() && !report.more, "{report:?}");
    let events = queued(&store).await;
    let people: Vec<_> = events.iter().map(|e| e.person.clone().unwrap()).collect();
    assert_eq!(people, [0, 1, 2, 3, 4, 7].map(user), "in the log's order");
    assert!(events.iter().all(|e| e.source == SOURCE));
    assert_eq!(events[5].event_type, "user.lifecycle.unsuspend");
    println!(
        "System Log: {} events in {} pages of 2 queued in {} ms",
        report.read,
        report.pages,
        took.as_millis()
    );

    let cursor = store.source_cursor(poller.name()).await.unwrap().unwrap();
    assert_eq!(cursor.events_read, 6);
    assert!(
        cursor.next_url.as_deref().unwrap().contains("after="),
        "{cursor:?}"
    );
    assert_eq!(cursor.last_published, events[5].published);
    assert_eq!(cursor.last_error, None);

    // Nothing new: nothing read. Then one more leaver: only that one is read, also by a
    // new poller over the same state (as after a restart).
    assert_eq!(poller.poll(&store).await.unwrap().read, 0);
    lifecycle(&sandbox, 6, "deactivate").await;
    let restarted = org_poller(&sandbox).page_size(2);
    let report = restarted.poll(&store).await.unwrap();
    assert_eq!((report.read, report.queued), (1, 1), "{report:?}");
    assert_eq!(queued(&store).await.len(), 7);
}

#[tokio::test]
async fn a_page_budget_leaves_the_rest_to_the_next_poll() {
    let sandbox = start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = state(&dir).await;
    for i in 0..5 {
        lifecycle(&sandbox, i, "deactivate").await;
    }
    let poller = org_poller(&sandbox).page_size(2).max_pages(1);
    let first = poller.poll(&store).await.unwrap();
    assert_eq!((first.read, first.pages, first.more), (2, 1, true));
    let mut read = first.read;
    while read < 5 {
        read += poller.poll(&store).await.unwrap().read;
    }
    assert_eq!(read, 5);
    assert_eq!(queued(&store).await.len(), 5);
}

#[tokio::test]
async fn the_first_poll_starts_at_the_look_back() {
    let sandbox = start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = state(&dir).await;
    lifecycle(&sandbox, 0, "deactivate").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let poller = org_poller(&sandbox).look_back(Duration::from_millis(100));
    assert_eq!(
        poller.poll(&store).await.unwrap().read,
        0,
        "older than the look-back"
    );
    lifecycle(&sandbox, 1, "deactivate").await;
    let report = poller.poll(&store).await.unwrap();
    assert_eq!(report.read, 1, "{report:?}");
    let events = queued(&store).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].person.as_deref(), Some(user(1).as_str()));
}

#[tokio::test]
async fn an_event_the_hook_queued_is_not_queued_again() {
    let sandbox = start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = state(&dir).await;
    lifecycle(&sandbox, 2, "suspend").await;
    // The hook's delivery of the same LogEvent, as the org would post it.
    let (status, log) = okta(&sandbox, reqwest::Method::GET, "logs").await;
    assert_eq!(status, 200);
    let delivery = json!({"eventType": "com.okta.event_hook", "data": {"events": log}});
    let events = parse_delivery(delivery.to_string().as_bytes()).unwrap();
    assert_eq!(store.enqueue_events(&events).await.unwrap(), [true]);

    let report = org_poller(&sandbox).poll(&store).await.unwrap();
    assert_eq!((report.read, report.queued), (1, 0), "{report:?}");
    let events = queued(&store).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].source, "okta-hook");
}

#[tokio::test]
async fn a_refused_token_is_recorded_without_the_token_and_retried() {
    let sandbox = start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = state(&dir).await;
    let secret = "wrong-token-9f2c1d";
    let poller = OktaLogPoller::new(&org(&sandbox), Secret::new(secret)).unwrap();
    let name = poller.name().to_owned();
    let error = poller.poll(&store).await.unwrap_err().to_string();
    assert!(error.contains("401"), "{error}");
    assert!(!error.contains(secret), "{error}");

    let polls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = polls.clone();
    let task = tokio::spawn(poller.run(
        store.clone(),
        Duration::from_millis(50),
        Arc::new(tokio::sync::Notify::new()),
        move |result| {
            assert!(result.is_err());
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        },
    ));
    let deadline = Instant::now() + Duration::from_secs(10);
    while polls.load(std::sync::atomic::Ordering::SeqCst) < 3 {
        assert!(Instant::now() < deadline, "the poller stopped polling");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    task.abort();
    let cursor = store.source_cursor(&name).await.unwrap().unwrap();
    let recorded = cursor.last_error.unwrap();
    assert!(
        recorded.contains("401") && !recorded.contains(secret),
        "{recorded}"
    );
    assert_eq!(cursor.next_url, None, "a failed poll moves no cursor");
}
