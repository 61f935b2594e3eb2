//! The Okta org emulation answered as Okta does, checked with plain HTTP: user, group,
//! member and app-assignment shapes, cursor paging with absolute `Link` headers, `SSWS`
//! tokens and `E0000011`, the `X-Rate-Limit-*` headers and 429 `E0000047`, page faults,
//! an empty listing, and the admin API that seeds, removes and resets.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{Answer, client, send, tenant};
use connector_sandbox::{
    OktaApp, OktaFaults, OktaOrg, PageFault, RateLimitConfig, Sandbox, SandboxHandle, TenantSpec,
};
use connector_sdk::{Identity, IdentityStatus};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Person `i` at example.com in `groups`.
fn person(i: usize, groups: &[&str]) -> Identity {
    let mut who = connector_tests::people::person(i, "example.com");
    who.groups = groups.iter().map(|g| (*g).to_owned()).collect();
    who
}

/// An org of five people (the fifth deprovisioned) in `eng`/`ops`, and two apps.
fn org() -> OktaOrg {
    let mut gone = person(5, &["eng"]);
    gone.status = IdentityStatus::Deprovisioned;
    OktaOrg::new()
        .people((1..=4).map(|i| person(i, if i <= 3 { &["eng"] } else { &["ops"] })))
        .person(gone)
        .group("eng", "Engineering")
        .app(
            OktaApp::new("0oachatgpt", "ChatGPT")
                .assign_group("eng")
                .assign_user(person(4, &[]).login),
        )
        .app(OktaApp::new("0oaslack", "Slack").assign_group("Everyone"))
}

/// A sandbox with the org as `okta` (token `okta-token`) under `rate_limit`.
async fn start(rate_limit: RateLimitConfig) -> SandboxHandle {
    Sandbox::builder()
        .tenant(
            TenantSpec::okta("okta", org())
                .token("okta-token")
                .rate_limit(rate_limit),
        )
        .start("127.0.0.1:0")
        .await
        .unwrap()
}

/// `GET url` with `Authorization` set to `authorization`.
async fn get_with(url: &str, authorization: Option<&str>) -> Answer {
    let mut request = client().get(url);
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        headers,
        body,
    }
}

/// `GET url` with the org's `SSWS` token.
async fn get(url: &str) -> Answer {
    get_with(url, Some("SSWS okta-token")).await
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

/// Every item of a listing, following `next` links; returns the items and page count.
async fn all(first: &str) -> (Vec<Value>, usize) {
    let (mut items, mut pages, mut url) = (Vec::new(), 0, Some(first.to_owned()));
    while let Some(page_url) = url {
        let answer = get(&page_url).await;
        assert_eq!(answer.status, StatusCode::OK, "{page_url}: {}", answer.body);
        items.extend(answer.body.as_array().unwrap().iter().cloned());
        pages += 1;
        url = link(&answer, "next");
    }
    (items, pages)
}

fn ids(items: &[Value]) -> Vec<&str> {
    items.iter().map(|i| i["id"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn users_page_by_cursor_with_absolute_links_and_okta_shapes() {
    let sandbox = start(RateLimitConfig::off()).await;
    let okta = tenant(&sandbox, "okta");
    let org_url = okta.api_url().to_owned();
    assert_eq!(org_url, format!("{}/okta", sandbox.base_url()));

    let first = get(&format!("{org_url}/api/v1/users?limit=2")).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(
        link(&first, "self").unwrap(),
        format!("{org_url}/api/v1/users?limit=2")
    );
    let next = link(&first, "next").unwrap();
    assert!(
        next.starts_with(&format!("{org_url}/api/v1/users?after=")),
        "{next}"
    );
    let user = &first.body[0];
    assert_eq!(user["id"], "00u000001");
    assert_eq!(user["status"], "ACTIVE");
    for key in ["created", "activated", "statusChanged", "lastUpdated"] {
        assert!(user[key].as_str().unwrap().ends_with('Z'), "{key}: {user}");
    }
    let profile = &user["profile"];
    assert_eq!(profile["login"], "grace.hopper1@example.com");
    assert_eq!(profile["email"], profile["login"]);
    assert_eq!(profile["firstName"], "Grace");
    assert_eq!(profile["displayName"], "Grace Hopper");
    assert_eq!(profile["department"], "Research");
    assert_eq!(
        user["_links"]["self"]["href"],
        format!("{org_url}/api/v1/users/00u000001")
    );

    let (listed, pages) = all(&format!("{org_url}/api/v1/users?limit=2")).await;
    assert_eq!(
        ids(&listed),
        ["00u000001", "00u000002", "00u000003", "00u000004"]
    );
    assert_eq!(pages, 2, "deprovisioned users are not listed by default");
    let capped = get(&format!("{org_url}/api/v1/users?limit=5000")).await;
    assert_eq!(capped.body.as_array().unwrap().len(), 4);
    assert_eq!(link(&capped, "next"), None);

    let filter = common::urlencode(r#"status eq "DEPROVISIONED""#);
    let gone = get(&format!("{org_url}/api/v1/users?filter={filter}")).await;
    assert_eq!(ids(gone.body.as_array().unwrap()), ["00u000005"]);
    let search =
        common::urlencode(r#"profile.department eq "Research" or profile.department eq "Sales""#);
    let found = get(&format!("{org_url}/api/v1/users?search={search}")).await;
    assert_eq!(
        ids(found.body.as_array().unwrap()),
        ["00u000001", "00u000002"]
    );
    let by_login = get(&format!("{org_url}/api/v1/users/grace.hopper1@example.com")).await;
    assert_eq!(by_login.body["id"], "00u000001");

    let bad_limit = get(&format!("{org_url}/api/v1/users?limit=lots")).await;
    assert_eq!(bad_limit.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_limit.body["errorCode"], "E0000001");
    let sw = common::urlencode(r#"profile.login sw "grace""#);
    let narrow = get(&format!("{org_url}/api/v1/users?filter={sw}")).await;
    assert_eq!(narrow.status, StatusCode::BAD_REQUEST, "{}", narrow.body);
    let broken = get(&format!("{org_url}/api/v1/users?search=%28status")).await;
    assert_eq!(broken.body["errorCode"], "E0000031");
    let missing = get(&format!("{org_url}/api/v1/users/00u404")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        missing.body["errorSummary"],
        "Not found: Resource not found: 00u404 (User)"
    );
    let scim = get(&format!("{}/Users", okta.scim_url())).await;
    assert_eq!(
        scim.status,
        StatusCode::NOT_FOUND,
        "an Okta org serves no SCIM"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn groups_members_and_app_assignments_are_okta_shaped() {
    let sandbox = start(RateLimitConfig::off()).await;
    let org_url = tenant(&sandbox, "okta").api_url().to_owned();

    let groups = get(&format!("{org_url}/api/v1/groups")).await.body;
    let names: Vec<_> = groups
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["profile"]["name"].as_str().unwrap(),
                g["type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("Everyone", "BUILT_IN"),
            ("eng", "OKTA_GROUP"),
            ("ops", "OKTA_GROUP")
        ]
    );
    let eng = &groups[1];
    assert_eq!(eng["profile"]["description"], "Engineering");
    let members_url = eng["_links"]["users"]["href"].as_str().unwrap();
    let (members, pages) = all(&format!("{members_url}?limit=1")).await;
    assert_eq!(
        ids(&members),
        ["00u000001", "00u000002", "00u000003", "00u000005"]
    );
    assert_eq!(pages, 4);
    assert_eq!(members[0]["profile"]["login"], "grace.hopper1@example.com");
    let okta_groups = common::urlencode(r#"type eq "OKTA_GROUP""#);
    let filtered = get(&format!("{org_url}/api/v1/groups?filter={okta_groups}")).await;
    assert_eq!(filtered.body.as_array().unwrap().len(), 2);

    let apps = get(&format!("{org_url}/api/v1/apps")).await.body;
    assert_eq!(ids(apps.as_array().unwrap()), ["0oachatgpt", "0oaslack"]);
    assert_eq!(apps[0]["label"], "ChatGPT");
    assert_eq!(apps[0]["name"], "chatgpt");
    assert_eq!(apps[0]["status"], "ACTIVE");
    let (assigned, pages) = all(&format!("{org_url}/api/v1/apps/0oachatgpt/users?limit=2")).await;
    assert_eq!(pages, 2);
    assert_eq!(
        ids(&assigned),
        ["00u000001", "00u000002", "00u000003", "00u000004"],
        "the deprovisioned member is not assigned"
    );
    let scopes: Vec<_> = assigned
        .iter()
        .map(|a| a["scope"].as_str().unwrap())
        .collect();
    assert_eq!(scopes, ["GROUP", "GROUP", "GROUP", "USER"]);
    assert_eq!(
        assigned[3]["credentials"]["userName"],
        "edsger.dijkstra4@example.com"
    );
    assert_eq!(assigned[0]["_links"]["group"]["name"], "eng");
    assert_eq!(assigned[0]["status"], "ACTIVE");
    let app_groups = get(&format!("{org_url}/api/v1/apps/0oachatgpt/groups"))
        .await
        .body;
    assert_eq!(app_groups[0]["id"], eng["id"]);
    assert_eq!(app_groups[0]["priority"], 0);
    let everyone = get(&format!("{org_url}/api/v1/apps/0oaslack/users"))
        .await
        .body;
    assert_eq!(everyone.as_array().unwrap().len(), 4);

    let unknown = get(&format!("{org_url}/api/v1/apps/0oanope/users")).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.body["errorCode"], "E0000007");
    let write = client()
        .post(format!("{org_url}/api/v1/users"))
        .header("authorization", "SSWS okta-token")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(write.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body: Value = write.json().await.unwrap();
    assert_eq!(body["errorCode"], "E0000022");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_missing_or_wrong_token_is_okta_e0000011() {
    let sandbox = start(RateLimitConfig::manifest()).await;
    let users = format!("{}/api/v1/users", tenant(&sandbox, "okta").api_url());
    for authorization in [None, Some("Bearer okta-token"), Some("SSWS wrong")] {
        let answer = get_with(&users, authorization).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{authorization:?}");
        assert_eq!(answer.body["errorCode"], "E0000011");
        assert_eq!(answer.body["errorSummary"], "Invalid token provided");
        assert_eq!(answer.body["errorLink"], "E0000011");
        assert!(answer.body["errorId"].as_str().unwrap().starts_with("oae"));
        assert_eq!(answer.body["errorCauses"], json!([]));
        assert_eq!(answer.header("x-rate-limit-limit"), Some("600"));
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn past_the_budget_okta_answers_429_e0000047_until_the_reset() {
    let sandbox = start(RateLimitConfig::custom(2, 1000, 2)).await;
    let users = format!("{}/api/v1/users", tenant(&sandbox, "okta").api_url());
    let unix = || {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
    };
    let before = unix();
    let first = get(&users).await;
    let after = unix();
    assert_eq!(first.header("x-rate-limit-limit"), Some("2"));
    assert_eq!(first.header("x-rate-limit-remaining"), Some("1"));
    let reset: u64 = first.header("x-rate-limit-reset").unwrap().parse().unwrap();
    assert!(
        (before + 1..=after + 2).contains(&reset),
        "the window of 1 s ends at {reset}, asked between {before} and {after}"
    );
    let second = get(&users).await;
    assert_eq!(second.header("x-rate-limit-remaining"), Some("0"));
    let third = get(&users).await;
    assert_eq!(third.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(third.body["errorCode"], "E0000047");
    assert_eq!(
        third.body["errorSummary"],
        "API call exceeded rate limit due to too many requests."
    );
    assert_eq!(third.header("x-rate-limit-remaining"), Some("0"));
    assert_eq!(
        third.header("x-rate-limit-reset"),
        Some(reset.to_string().as_str())
    );
    let until = UNIX_EPOCH + Duration::from_secs(reset);
    tokio::time::sleep(until.duration_since(SystemTime::now()).unwrap_or_default()).await;
    let next = get(&users).await;
    assert_eq!(next.status, StatusCode::OK, "{}", next.body);
    assert_eq!(next.header("x-rate-limit-remaining"), Some("1"));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn faults_and_admin_changes_and_a_reset() {
    let sandbox = start(RateLimitConfig::off()).await;
    let okta = tenant(&sandbox, "okta");
    let org_url = okta.api_url().to_owned();
    let admin = okta.admin_url().to_owned();
    let token = okta.admin_token().expose().to_owned();
    let users = format!("{org_url}/api/v1/users?limit=2");

    let faults = json!({"fail_pages": [{"path": "users", "page": 2}, {"path": "groups/*/users", "page": 1, "status": 503, "times": 1}]});
    let set = send(
        Method::PUT,
        &format!("{admin}/okta/faults"),
        Some(&token),
        Some(&faults),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let first = get(&users).await;
    assert_eq!(first.status, StatusCode::OK);
    let failed = get(&link(&first, "next").unwrap()).await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(failed.body["errorCode"], "E0000009");
    assert_eq!(failed.body["errorSummary"], "Internal Server Error");
    let groups = get(&format!("{org_url}/api/v1/groups")).await.body;
    let members = groups[1]["_links"]["users"]["href"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(get(&members).await.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(get(&members).await.status, StatusCode::OK, "it failed once");
    let bad = json!({"fail_pages": [{"path": "users", "page": 0}]});
    let refused = send(
        Method::PUT,
        &format!("{admin}/okta/faults"),
        Some(&token),
        Some(&bad),
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);

    let empty = serde_json::to_value(OktaFaults::none().empty_users()).unwrap();
    send(
        Method::PUT,
        &format!("{admin}/okta/faults"),
        Some(&token),
        Some(&empty),
    )
    .await;
    assert_eq!(get(&users).await.body, json!([]));
    let none = serde_json::to_value(OktaFaults::none()).unwrap();
    send(
        Method::PUT,
        &format!("{admin}/okta/faults"),
        Some(&token),
        Some(&none),
    )
    .await;

    let removed = send(
        Method::DELETE,
        &format!("{admin}/okta/users/grace.hopper1@example.com"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(removed.status, StatusCode::OK);
    assert_eq!(removed.body["id"], "00u000001");
    let (left, _) = all(&users).await;
    assert_eq!(ids(&left), ["00u000002", "00u000003", "00u000004"]);
    let chatgpt = get(&format!("{org_url}/api/v1/apps/0oachatgpt/users"))
        .await
        .body;
    assert_eq!(chatgpt.as_array().unwrap().len(), 3, "assignments go too");

    let seeded = send(
        Method::POST,
        &format!("{admin}/okta/users"),
        Some(&token),
        Some(&json!({"profile": {"login": "new@example.com", "email": "new@example.com", "firstName": "N", "lastName": "W"}, "status": "STAGED"})),
    )
    .await;
    assert_eq!(seeded.status, StatusCode::CREATED, "{}", seeded.body);
    assert_eq!(seeded.body["activated"], Value::Null);
    let group = send(
        Method::POST,
        &format!("{admin}/okta/groups"),
        Some(&token),
        Some(&json!({"profile": {"name": "ai"}, "members": ["new@example.com"]})),
    )
    .await;
    assert_eq!(group.status, StatusCode::CREATED, "{}", group.body);
    let app = send(
        Method::POST,
        &format!("{admin}/okta/apps"),
        Some(&token),
        Some(&json!({"id": "0oaclaude", "label": "Claude", "groups": ["ai"]})),
    )
    .await;
    assert_eq!(app.status, StatusCode::CREATED, "{}", app.body);
    let claude = get(&format!("{org_url}/api/v1/apps/0oaclaude/users"))
        .await
        .body;
    assert_eq!(claude[0]["profile"]["email"], "new@example.com");
    let duplicate = send(
        Method::POST,
        &format!("{admin}/okta/users"),
        Some(&token),
        Some(&json!({"profile": {"login": "NEW@example.com", "email": "x@example.com"}})),
    )
    .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);

    let summary = send(Method::GET, &admin, Some(&token), None).await.body;
    assert_eq!(summary["vendor"], "okta");
    assert_eq!(summary["users"], 5);
    assert_eq!(summary["api_url"], org_url);
    let state = send(Method::GET, &format!("{admin}/okta"), Some(&token), None).await;
    assert_eq!(state.body["apps"].as_array().unwrap().len(), 3);
    let log = send(
        Method::GET,
        &format!("{admin}/requests"),
        Some(&token),
        None,
    )
    .await
    .body;
    assert!(
        log.as_array().unwrap().iter().any(|e| e["status"] == 500 && e["path"].as_str().unwrap().starts_with("/api/v1/users")),
        "{log}"
    );
    assert_eq!(
        send(Method::GET, &format!("{admin}/okta"), None, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    let reset = send(Method::POST, &format!("{admin}/reset"), Some(&token), None).await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    let (back, _) = all(&users).await;
    assert_eq!(back.len(), 4, "a reset restores the seeded org");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn an_invalid_org_does_not_start() {
    let bad = OktaOrg::new().app(OktaApp::new("0oa1", "App").assign_user("nobody@example.com"));
    let error = Sandbox::builder()
        .okta("okta", bad)
        .start("127.0.0.1:0")
        .await
        .unwrap_err();
    assert!(error.to_string().contains("nobody@example.com"), "{error}");
    let bad_fault = OktaOrg::new().faults(OktaFaults::none().fail_page(PageFault::new("users", 0)));
    assert!(
        Sandbox::builder()
            .okta("okta", bad_fault)
            .start("127.0.0.1:0")
            .await
            .is_err()
    );
}
