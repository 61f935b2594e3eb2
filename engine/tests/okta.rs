//! The Okta directory source against the sandbox's emulated Okta org, over loopback
//! sockets: every page of users, groups, members and app assignments; a 429 waited out
//! until `X-Rate-Limit-Reset`; a failing page, an unknown app and a bad token failing
//! the load with Okta's status and `errorSummary`; and, through the engine, an empty org
//! or one that shrank past `max_source_shrink` stopping the run before anything is
//! removed.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{NOW, registry};
use connector_engine::directory::guard::SourceStop;
use connector_engine::state::Store;
use connector_engine::{
    ApplyOptions, Assignments, DirectorySource, Engine, EngineError, MapSecrets, OktaSource,
    PlanOptions,
};
use connector_sandbox::{
    OktaApp, OktaFaults, OktaOrg, PageFault, RateLimitConfig, Sandbox, SandboxHandle, TenantHandle,
    TenantSpec,
};
use connector_sdk::{Identity, IdentityStatus, Secret};
use connector_tests::StateChecker;
use serde_json::{Value, json};

/// Person `i` at example.com (id `00u{i:06}`) in `groups`.
fn person(i: usize, groups: &[&str]) -> Identity {
    let mut who = connector_tests::people::person(i, "example.com");
    who.groups = groups.iter().map(|g| (*g).to_owned()).collect();
    who
}

/// Starts a sandbox with the Okta org `org` (token `okta-token`) under `rate_limit`,
/// and a ChatGPT tenant to provision into.
async fn start(org: OktaOrg, rate_limit: RateLimitConfig) -> SandboxHandle {
    connector_tests::install_crypto_provider();
    Sandbox::builder()
        .tenant(
            TenantSpec::okta("okta", org)
                .token("okta-token")
                .rate_limit(rate_limit),
        )
        .tenant(
            TenantSpec::for_manifest(&connector_chatgpt::MANIFEST)
                .rate_limit(RateLimitConfig::off()),
        )
        .start("127.0.0.1:0")
        .await
        .unwrap()
}

/// The emulated org.
fn okta(sandbox: &SandboxHandle) -> &TenantHandle {
    sandbox.tenant("okta").unwrap()
}

/// A source reading the org with its token, retrying 5xx quickly.
fn source(sandbox: &SandboxHandle) -> OktaSource {
    let org = okta(sandbox);
    OktaSource::new(org.api_url(), org.token())
        .unwrap()
        .retry_delay(Duration::from_millis(10))
}

/// Calls the org's admin API; returns the status and JSON body.
async fn admin(
    sandbox: &SandboxHandle,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let org = okta(sandbox);
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", org.admin_url()))
        .bearer_auth(org.admin_token().expose());
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The org's request log: `(path, status)`, oldest first.
async fn requests(sandbox: &SandboxHandle) -> Vec<(String, u16)> {
    let (_, log) = admin(sandbox, reqwest::Method::GET, "/requests", None).await;
    log.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let status = e["status"].as_u64().unwrap();
            (
                e["path"].as_str().unwrap().to_owned(),
                u16::try_from(status).unwrap(),
            )
        })
        .collect()
}

/// Sets the org's Okta faults.
async fn set_faults(sandbox: &SandboxHandle, faults: OktaFaults) {
    let body = serde_json::to_value(faults).unwrap();
    let (status, answer) = admin(sandbox, reqwest::Method::PUT, "/okta/faults", Some(body)).await;
    assert_eq!(status, 200, "{answer}");
}

/// 450 people: multiples of 3 in `eng`, of 5 in `ops`; 8 suspended; 9 deprovisioned.
/// ChatGPT is assigned to `eng` and to people 1 and 2; Claude to `ops`.
fn big_org() -> OktaOrg {
    let people = (1..=450).map(|i| {
        let mut groups = Vec::new();
        if i % 3 == 0 {
            groups.push("eng");
        }
        if i % 5 == 0 {
            groups.push("ops");
        }
        let mut who = person(i, &groups);
        who.status = match i {
            8 => IdentityStatus::Suspended,
            9 => IdentityStatus::Deprovisioned,
            _ => IdentityStatus::Active,
        };
        who
    });
    OktaOrg::new()
        .people(people)
        .group("eng", "Engineering")
        .app(
            OktaApp::new("0oachatgpt", "ChatGPT")
                .assign_group("eng")
                .assign_user("00u000001")
                .assign_user(person(2, &[]).login),
        )
        .app(OktaApp::new("0oaclaude", "Claude").assign_group("ops"))
}

#[tokio::test]
async fn reads_every_page_of_users_groups_members_and_app_assignments() {
    let sandbox = start(big_org(), RateLimitConfig::off()).await;
    let source = source(&sandbox)
        .app("0oachatgpt", "chatgpt-users")
        .app("0oaclaude", "claude-users");
    assert_eq!(
        source.describe(),
        format!("okta {}", okta(&sandbox).api_url())
    );
    let directory = source.load().await.unwrap();

    assert_eq!(
        directory.people.len(),
        450,
        "the deprovisioned person is read too"
    );
    let by_id = directory.by_id();
    assert_eq!(by_id["00u000008"].status, IdentityStatus::Suspended);
    assert_eq!(by_id["00u000009"].status, IdentityStatus::Deprovisioned);
    assert_eq!(by_id["00u000001"].first_name.as_deref(), Some("Grace"));
    assert_eq!(by_id["00u000001"].department.as_deref(), Some("Research"));
    let names: Vec<_> = directory.groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(
        names,
        ["Everyone", "eng", "ops", "chatgpt-users", "claude-users"]
    );
    let group = |name: &str| directory.groups.iter().find(|g| g.name == name).unwrap();
    assert_eq!(group("Everyone").members.len(), 450);
    assert_eq!(group("eng").members.len(), 150);
    assert_eq!(group("eng").description.as_deref(), Some("Engineering"));
    assert_eq!(group("ops").members.len(), 90);
    assert_eq!(
        group("chatgpt-users").description.as_deref(),
        Some("Assigned to the Okta app ChatGPT (0oachatgpt)")
    );
    assert_eq!(
        group("chatgpt-users").members.len(),
        151,
        "150 in eng, less the deprovisioned 9, plus 1 and 2 directly"
    );
    assert_eq!(group("claude-users").members.len(), 90);
    assert_eq!(
        by_id["00u000003"].groups,
        ["Everyone", "eng", "chatgpt-users"]
    );
    assert_eq!(by_id["00u000002"].groups, ["Everyone", "chatgpt-users"]);
    assert_eq!(by_id["00u000009"].groups, ["Everyone", "eng"]);
    assert_eq!(
        by_id["00u000015"].groups,
        ["Everyone", "eng", "ops", "chatgpt-users", "claude-users"]
    );

    let log = requests(&sandbox).await;
    let pages = |prefix: &str| log.iter().filter(|(p, _)| p.starts_with(prefix)).count();
    assert_eq!(pages("/api/v1/users?limit=200"), 1);
    assert_eq!(
        pages("/api/v1/users?after="),
        2,
        "450 users are 3 pages of 200"
    );
    assert!(log.iter().all(|(_, status)| *status == 200), "{log:?}");

    let small = source_with_small_pages(&sandbox).load().await.unwrap();
    assert_eq!(
        small, directory,
        "the page size changes nothing but the paging"
    );
    let log = requests(&sandbox).await;
    let members = log
        .iter()
        .filter(|(p, _)| p.starts_with("/api/v1/groups/") && p.contains("after="))
        .count();
    let assigned = log
        .iter()
        .filter(|(p, _)| p.starts_with("/api/v1/apps/0oachatgpt/users?after="))
        .count();
    assert!(
        members > 50 && assigned == 21,
        "{members} member pages, {assigned} assignment pages"
    );
    sandbox.shutdown().await;
}

/// The same source with 7 items a page.
fn source_with_small_pages(sandbox: &SandboxHandle) -> OktaSource {
    source(sandbox)
        .page_size(7)
        .app("0oachatgpt", "chatgpt-users")
        .app("0oaclaude", "claude-users")
}

#[tokio::test]
async fn a_429_is_waited_out_until_x_rate_limit_reset() {
    let org = OktaOrg::new().people((1..=5).map(|i| person(i, &["eng"])));
    let sandbox = start(org, RateLimitConfig::custom(3, 2000, 3)).await;
    let users = format!("{}/api/v1/users", okta(&sandbox).api_url());
    let client = reqwest::Client::new();
    for _ in 0..3 {
        let spent = client
            .get(&users)
            .header("authorization", "SSWS okta-token")
            .send()
            .await
            .unwrap();
        assert_eq!(spent.status(), 200, "another client spends the budget");
    }
    let started = Instant::now();
    let directory = source(&sandbox).load().await.unwrap();
    assert_eq!(directory.people.len(), 5);
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
    let log = requests(&sandbox).await;
    let throttled: Vec<_> = log.iter().filter(|(_, status)| *status == 429).collect();
    assert_eq!(
        throttled.len(),
        1,
        "one 429, then the source waits for the reset (and for later resets before spending the budget): {log:?}"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_failing_page_fails_the_load_with_the_status_and_okta_summary() {
    let org = OktaOrg::new().people((1..=10).map(|i| person(i, &["eng"])));
    let sandbox = start(org, RateLimitConfig::off()).await;

    set_faults(
        &sandbox,
        OktaFaults::none().fail_page(PageFault::new("users", 2)),
    )
    .await;
    let error = source(&sandbox).page_size(3).load().await.unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with("Okta answered 500 Internal Server Error to GET "),
        "{message}"
    );
    assert!(message.contains("/api/v1/users?after="), "{message}");
    assert!(
        message.ends_with("after 6 attempts: Internal Server Error (E0000009)"),
        "{message}"
    );

    let transient =
        OktaFaults::none().fail_page(PageFault::new("groups/*/users", 1).status(503).times(2));
    set_faults(&sandbox, transient).await;
    let directory = source(&sandbox).page_size(3).load().await.unwrap();
    assert_eq!(directory.people.len(), 10, "two 503s are retried");

    set_faults(&sandbox, OktaFaults::none()).await;
    let error = source(&sandbox)
        .app("0oanope", "nope-users")
        .load()
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("Okta app `0oanope` (group `nope-users`): Okta answered 404 Not Found"),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .ends_with("Not found: Resource not found: 0oanope (AppInstance) (E0000007)"),
        "{error}"
    );
    let clash = source(&sandbox)
        .app("0oanope", "eng")
        .load()
        .await
        .unwrap_err();
    assert!(
        clash.to_string().contains("already has this name"),
        "{clash}"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_bad_token_is_refused_with_okta_error_and_never_printed() {
    let org = OktaOrg::new().people((1..=3).map(|i| person(i, &[])));
    let sandbox = start(org, RateLimitConfig::manifest()).await;
    let wrong = OktaSource::new(okta(&sandbox).api_url(), Secret::new("wrong-token-3141")).unwrap();
    let error = wrong.load().await.unwrap_err();
    let message = error.to_string();
    assert!(message.contains("401 Unauthorized"), "{message}");
    assert!(
        message.contains("Invalid token provided (E0000011)"),
        "{message}"
    );
    assert!(message.contains("token_env"), "{message}");
    assert!(!message.contains("wrong-token-3141"), "{message}");
    assert!(!format!("{wrong:?}").contains("wrong-token-3141"));
    assert_eq!(requests(&sandbox).await.len(), 1, "a 401 is not retried");
    sandbox.shutdown().await;
}

/// An engine provisioning the `chatgpt-users` app group into the ChatGPT tenant, with
/// its state in `dir`.
async fn engine(sandbox: &SandboxHandle, dir: &tempfile::TempDir) -> Engine {
    let chatgpt = sandbox.tenant("chatgpt").unwrap();
    let text = format!(
        "[settings]\nmax_source_shrink = 0.2\n\n\
         [instances.chatgpt]\nconnector = \"chatgpt\"\nbase_url = \"{}\"\ntoken_env = \"CHATGPT_TOKEN\"\n\
         client_rate_limit = false\n\n\
         [[provision]]\ninstance = \"chatgpt\"\ngroups = [\"chatgpt-users\"]\n",
        chatgpt.scim_url()
    );
    let path = dir.path().join("assignments.toml");
    std::fs::write(&path, &text).unwrap();
    let assignments = Assignments::load(&path, &registry()).unwrap_or_else(|e| panic!("{e}"));
    let store = Store::open(&dir.path().join("state.db")).await.unwrap();
    let secrets = MapSecrets::default().with("CHATGPT_TOKEN", chatgpt.token());
    Engine::with_store(assignments, registry(), Arc::new(secrets), store)
}

/// Ten people; `ai` holds 1 to 8; ChatGPT is assigned to `ai` and to person 9.
fn team() -> OktaOrg {
    OktaOrg::new()
        .people((1..=10).map(|i| person(i, if i <= 8 { &["ai"] } else { &[] })))
        .app(
            OktaApp::new("0oachatgpt", "ChatGPT")
                .assign_group("ai")
                .assign_user("00u000009"),
        )
}

/// Plan options at [`NOW`].
fn at_now() -> PlanOptions {
    PlanOptions {
        now: Some(NOW),
        ..PlanOptions::default()
    }
}

/// Applies once from the org; checks nine ChatGPT accounts are active.
async fn first_run(sandbox: &SandboxHandle, engine: &Engine, source: &OktaSource) -> StateChecker {
    let options = ApplyOptions {
        plan: at_now(),
        ..ApplyOptions::default()
    };
    let report = engine.apply(source, options).await.unwrap();
    assert!(report.succeeded(), "{report:#?}");
    let chatgpt = sandbox.tenant("chatgpt").unwrap();
    let checker = StateChecker::new(chatgpt.admin_scim_url(), chatgpt.admin_token());
    assert_eq!(active(&checker).await, 9);
    checker
}

/// Active accounts in ChatGPT.
async fn active(checker: &StateChecker) -> usize {
    checker
        .list_users()
        .await
        .iter()
        .filter(|u| u["active"] == json!(true))
        .count()
}

#[tokio::test]
async fn an_empty_org_stops_the_run_before_anything_is_removed() {
    let sandbox = start(team(), RateLimitConfig::off()).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&sandbox, &dir).await;
    let source = source(&sandbox).app("0oachatgpt", "chatgpt-users");
    let checker = first_run(&sandbox, &engine, &source).await;

    set_faults(&sandbox, OktaFaults::none().empty_users()).await;
    let stopped = engine.plan(&source, &at_now()).await.unwrap_err();
    assert!(
        matches!(stopped, EngineError::SourceStop(SourceStop::Empty)),
        "{stopped}"
    );
    assert!(stopped.is_safety_stop());
    let options = ApplyOptions {
        plan: PlanOptions {
            allow_removals: true,
            ..at_now()
        },
        ..ApplyOptions::default()
    };
    let applied = engine.apply(&source, options).await.unwrap_err();
    assert!(
        applied.to_string().contains("returned no people"),
        "{applied}"
    );
    assert_eq!(active(&checker).await, 9, "nobody was removed");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_shrink_beyond_the_allowed_share_stops_the_run() {
    let sandbox = start(team(), RateLimitConfig::off()).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&sandbox, &dir).await;
    let source = source(&sandbox).app("0oachatgpt", "chatgpt-users");
    let checker = first_run(&sandbox, &engine, &source).await;

    for who in ["00u000001", "alan.turing2@example.com", "00u000003"] {
        let path = format!("/okta/users/{who}");
        let (status, body) = admin(&sandbox, reqwest::Method::DELETE, &path, None).await;
        assert_eq!(status, 200, "{who}: {body}");
    }
    let (_, state) = admin(&sandbox, reqwest::Method::GET, "/okta", None).await;
    assert_eq!(state["users"].as_array().unwrap().len(), 7);

    let stopped = engine.plan(&source, &at_now()).await.unwrap_err();
    match &stopped {
        EngineError::SourceStop(SourceStop::Shrank {
            previous, current, ..
        }) => assert_eq!((*previous, *current), (10, 7)),
        other => panic!("expected a shrink stop, got {other}"),
    }
    assert!(
        stopped.to_string().contains("shrank from 10 to 7"),
        "{stopped}"
    );
    let applied = engine
        .apply(
            &source,
            ApplyOptions {
                plan: at_now(),
                ..ApplyOptions::default()
            },
        )
        .await
        .unwrap_err();
    assert!(applied.is_safety_stop(), "{applied}");
    assert_eq!(active(&checker).await, 9, "nobody was removed");

    let accepted = PlanOptions {
        accept_source_shrink: true,
        allow_removals: true,
        ..at_now()
    };
    let plan = engine.plan(&source, &accepted).await.unwrap();
    assert_eq!(plan.source.people, 7);
    assert_eq!(plan.summary.by_action.get("disable"), Some(&3));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn people_whose_emails_differ_only_in_case_are_refused_as_from_files() {
    let first = person(1, &["eng"]);
    let mut second = person(2, &["eng"]);
    second.email = first.email.to_uppercase();
    let org = OktaOrg::new().people([first.clone(), second.clone()]);
    let sandbox = start(org, RateLimitConfig::off()).await;
    let error = source(&sandbox).load().await.unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "Okta directory: person `{}`: duplicate email `{}`: person `{}` has `{}`, the same \
             address in a different case",
            second.id, second.email, first.id, first.email
        )
    );
    sandbox.shutdown().await;
}
