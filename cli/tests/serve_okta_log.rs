//! `connector serve --poll-okta-logs` over loopback, with Okta's side played by the
//! sandbox's Okta org (the directory source, `[directory.okta]`): a person deactivated
//! through the org's Management API is disabled in every app by polling alone (no hook);
//! with a hook too, the event runs once (one queue row, one disable per app); and after
//! `serve` was stopped, the people deactivated meanwhile are handled from the stored
//! cursor when it starts again, and nobody twice.
#![cfg(feature = "sandbox")]

#[path = "common/serve.rs"]
mod serve_fixture;

use serve_fixture::Serve;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use connector_engine::state::{EventRecord, EventState, Outcome, Store};
use connector_sandbox::{OktaOrg, RateLimitConfig, Sandbox, SandboxHandle, TenantSpec};
use connector_tests::StateChecker;
use serde_json::{Value, json};

/// The apps every engineer is provisioned to.
const APPS: [&str; 2] = ["chatgpt", "zoom"];
/// The org's API token.
const OKTA_TOKEN: &str = "okta-token";
/// The hook's shared secret.
const SECRET: &str = "hook-secret-0b7d41e9c2a65f38";
/// The poll interval of every test.
const EVERY: &str = "200ms";
/// Engineers of `OktaOrg::sample` (id, login): provisioned to both apps.
const ADA: (&str, &str) = ("00usample00000000000", "ada.lovelace@example.com");
const ALAN: (&str, &str) = ("00usample00000000002", "alan.turing@example.com");
const EDSGER: (&str, &str) = ("00usample00000000004", "edsger.dijkstra@example.com");
/// An engineer who stays.
const GRACE: &str = "grace.hopper@example.com";

async fn start_sandbox() -> SandboxHandle {
    connector_tests::install_crypto_provider();
    let mut builder = Sandbox::builder().tenant(
        TenantSpec::okta("okta", OktaOrg::sample("example.com"))
            .token(OKTA_TOKEN)
            .rate_limit(RateLimitConfig::off()),
    );
    for manifest in [&connector_chatgpt::MANIFEST, &connector_zoom::MANIFEST] {
        builder =
            builder.tenant(TenantSpec::for_manifest(manifest).rate_limit(RateLimitConfig::off()));
    }
    builder.start("127.0.0.1:0").await.unwrap()
}

/// The assignments: the Okta org as the directory, engineers in both apps.
fn assignments(sandbox: &SandboxHandle) -> String {
    let mut text = format!(
        "[directory.okta]\nurl = \"{}\"\ntoken_env = \"OKTA_API_TOKEN\"\n\n",
        sandbox.tenant("okta").unwrap().api_url()
    );
    for app in APPS {
        text.push_str(&format!(
            "[instances.{app}]\nconnector = \"{app}\"\nbase_url = \"{}\"\n\
             token_env = \"{}_TOKEN\"\nclient_rate_limit = false\n\n\
             [[provision]]\ninstance = \"{app}\"\ngroups = [\"engineering\"]\n\n",
            sandbox.tenant(app).unwrap().scim_url(),
            app.to_uppercase()
        ));
    }
    text
}

/// A `connector` command on `dir`'s files, with the org's and the apps' tokens (and no
/// hook secret).
fn connector(sandbox: &SandboxHandle, dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_connector"));
    command
        .args(args)
        .arg("-c")
        .arg(dir.join("assignments.toml"))
        .arg("--state")
        .arg(dir.join("state.db"))
        .env("OKTA_API_TOKEN", OKTA_TOKEN)
        .env_remove("OKTA_HOOK_SECRET");
    for app in APPS {
        let token = sandbox.tenant(app).unwrap().token();
        command.env(format!("{}_TOKEN", app.to_uppercase()), token.expose());
    }
    command
}

/// Writes the assignments and provisions the engineers to both apps.
async fn provisioned(sandbox: &SandboxHandle) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("assignments.toml"), assignments(sandbox)).unwrap();
    let applied = connector(sandbox, dir.path(), &["apply", "--no-progress"])
        .output()
        .unwrap();
    assert!(
        applied.status.success(),
        "{}{}",
        String::from_utf8_lossy(&applied.stdout),
        String::from_utf8_lossy(&applied.stderr)
    );
    for who in [ADA.1, ALAN.1, EDSGER.1, GRACE] {
        for app in APPS {
            assert_eq!(
                active(sandbox, app, who).await,
                Some(true),
                "{who} in {app}"
            );
        }
    }
    dir
}

/// Starts `connector serve --poll-okta-logs 200ms` with `extra` options (and the hook
/// secret when `hook`), and reads its address from the first line.
fn serve(sandbox: &SandboxHandle, dir: &Path, hook: bool, extra: &[&str]) -> Serve {
    let mut args = vec![
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--poll-okta-logs",
        EVERY,
    ];
    args.extend_from_slice(extra);
    let mut command = connector(sandbox, dir, &args);
    if hook {
        command.env("OKTA_HOOK_SECRET", SECRET);
    }
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("serve.log"))
        .unwrap();
    let serve = Serve::spawn(command, log);
    assert!(
        serve.banner.contains("System Log polled every 200ms"),
        "{}",
        serve.banner
    );
    assert_eq!(
        serve.banner.contains("hooks refused"),
        !hook,
        "{}",
        serve.banner
    );
    serve
}

/// What `serve` wrote on standard error so far.
fn log(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("serve.log")).unwrap_or_default()
}

/// One call to the org's Management API; answers the status and the JSON body.
async fn okta(sandbox: &SandboxHandle, path: &str, body: Option<Value>) -> (u16, Value) {
    let url = format!(
        "{}/api/v1/{path}",
        sandbox.tenant("okta").unwrap().api_url()
    );
    let mut request = reqwest::Client::new()
        .post(url)
        .header("authorization", format!("SSWS {OKTA_TOKEN}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Deactivates `id` through the org's API.
async fn deactivate(sandbox: &SandboxHandle, id: &str) {
    let (status, answer) = okta(sandbox, &format!("users/{id}/lifecycle/deactivate"), None).await;
    assert_eq!(status, 200, "{answer}");
}

/// Whether `user_name`'s account in `app` is active, as the app holds it.
async fn active(sandbox: &SandboxHandle, app: &str, user_name: &str) -> Option<bool> {
    let tenant = sandbox.tenant(app).unwrap();
    let checker = StateChecker::new(tenant.admin_scim_url(), tenant.admin_token());
    let found = checker.find_by_user_name(user_name).await;
    found.first().map(|u| u["active"].as_bool().unwrap_or(true))
}

/// Waits until `login` is disabled in every app (at most 20 s).
async fn disabled_everywhere(sandbox: &SandboxHandle, dir: &Path, login: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mut disabled = 0;
        for app in APPS {
            if active(sandbox, app, login).await == Some(false) {
                disabled += 1;
            }
        }
        if disabled == APPS.len() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{login} still active somewhere after 20 s:\n{}",
            log(dir)
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The state, opened beside the running `serve`.
async fn store(dir: &Path) -> Store {
    Store::open_existing(&dir.join("state.db")).await.unwrap()
}

/// Every queued event, oldest first.
async fn events(dir: &Path) -> Vec<EventRecord> {
    let mut events = store(dir).await.events(None, 1000).await.unwrap();
    events.reverse();
    events
}

/// Disables made to `id`'s accounts, per app, over every run.
async fn disables(dir: &Path, id: &str) -> Vec<(String, usize)> {
    let store = store(dir).await;
    let mut made = std::collections::BTreeMap::new();
    for run in store.runs(1000).await.unwrap() {
        for entry in store.journal(&run.id).await.unwrap() {
            if entry.action == "disable"
                && entry.identity_id.as_deref() == Some(id)
                && matches!(entry.outcome, Some(Outcome::Ok | Outcome::Recovered))
            {
                *made.entry(entry.instance.clone()).or_insert(0) += 1;
            }
        }
    }
    made.into_iter().collect()
}

/// One disable in each app.
fn once_per_app() -> Vec<(String, usize)> {
    APPS.iter().map(|app| ((*app).to_owned(), 1)).collect()
}

/// Waits until the poller stored a cursor that has read at least `read` events.
async fn polled(dir: &Path, read: i64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let cursors = store(dir).await.source_cursors().await.unwrap();
        if cursors.iter().any(|c| c.events_read >= read) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the System Log was not read: {cursors:?}\n{}",
            log(dir)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_alone_disables_a_person_deactivated_in_okta_in_every_app() {
    let sandbox = start_sandbox().await;
    let dir = provisioned(&sandbox).await;
    let serve = serve(&sandbox, dir.path(), false, &[]);
    polled(dir.path(), 0).await;

    let started = Instant::now();
    deactivate(&sandbox, ADA.0).await;
    disabled_everywhere(&sandbox, dir.path(), ADA.1).await;
    println!(
        "deactivated in Okta -> disabled in {} apps by polling every {EVERY}: {} ms",
        APPS.len(),
        started.elapsed().as_millis()
    );
    for app in APPS {
        assert_eq!(active(&sandbox, app, GRACE).await, Some(true), "{app}");
    }
    let queued = events(dir.path()).await;
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(queued[0].source, "okta-log");
    assert_eq!(queued[0].person.as_deref(), Some(ADA.0));
    assert_eq!(disables(dir.path(), ADA.0).await, once_per_app());

    // Without a secret, a hook delivery is refused.
    let refused = reqwest::Client::new()
        .post(format!("{}/hooks/okta", serve.url))
        .header("authorization", "")
        .json(&json!({"data": {"events": []}}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 401);

    let status = connector(&sandbox, dir.path(), &["status"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&status.stdout);
    assert!(said.contains("okta-log http://"), "{said}");
    assert!(said.contains("1 events read"), "{said}");
    assert!(
        !log(dir.path()).contains(OKTA_TOKEN),
        "the API token reached the log"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_hook_and_polling_a_deactivation_runs_once() {
    let sandbox = start_sandbox().await;
    let dir = provisioned(&sandbox).await;
    let serve = serve(&sandbox, dir.path(), true, &[]);
    let (status, hook) = okta(
        &sandbox,
        "eventHooks",
        Some(json!({
            "name": "leavers",
            "events": {"type": "EVENT_TYPE", "items": ["user.lifecycle.deactivate"]},
            "channel": {"type": "HTTP", "version": "1.0.0", "config": {
                "uri": format!("{}/hooks/okta", serve.url),
                "authScheme": {"type": "HEADER", "key": "Authorization", "value": SECRET},
            }},
        })),
    )
    .await;
    assert_eq!(status, 200, "{hook}");
    let id = hook["id"].as_str().unwrap();
    let (status, verified) =
        okta(&sandbox, &format!("eventHooks/{id}/lifecycle/verify"), None).await;
    assert_eq!(status, 200, "{verified}");

    deactivate(&sandbox, ADA.0).await;
    disabled_everywhere(&sandbox, dir.path(), ADA.1).await;
    // The poller reads the same event too; wait for it, then for any second run.
    polled(dir.path(), 1).await;
    tokio::time::sleep(Duration::from_millis(600)).await;

    let queued = events(dir.path()).await;
    assert_eq!(queued.len(), 1, "one queue row: {queued:?}");
    assert_eq!(queued[0].state, EventState::Done);
    assert_eq!(queued[0].attempts, 1);
    assert_eq!(disables(dir.path(), ADA.0).await, once_per_app());
    // Both paths brought it: the org delivered the hook (and `serve` answered it).
    let org = sandbox.tenant("okta").unwrap();
    let hooks = reqwest::Client::new()
        .get(format!("{}/okta/eventHooks", org.admin_url()))
        .bearer_auth(org.admin_token().expose())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(hooks.contains("DELIVERED"), "{hooks}");
    assert!(
        !log(dir.path()).contains(SECRET),
        "the hook secret reached the log"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_deactivated_while_serve_was_down_are_handled_after_a_restart() {
    let sandbox = start_sandbox().await;
    let dir = provisioned(&sandbox).await;
    let first = serve(&sandbox, dir.path(), false, &[]);
    deactivate(&sandbox, EDSGER.0).await;
    disabled_everywhere(&sandbox, dir.path(), EDSGER.1).await;
    // The queue row is marked done a moment after the apps hold the change; stopping
    // before that would (rightly) count a second attempt after the restart.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !events(dir.path())
        .await
        .iter()
        .any(|e| e.state == EventState::Done)
    {
        assert!(Instant::now() < deadline, "{}", log(dir.path()));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    drop(first);

    // While serve is down, two people leave.
    deactivate(&sandbox, ADA.0).await;
    deactivate(&sandbox, ALAN.0).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    // A look-back of 1 ms: only the stored cursor can find them.
    let started = Instant::now();
    let _second = serve(
        &sandbox,
        dir.path(),
        false,
        &["--okta-log-look-back", "1ms"],
    );
    disabled_everywhere(&sandbox, dir.path(), ADA.1).await;
    disabled_everywhere(&sandbox, dir.path(), ALAN.1).await;
    println!(
        "restart -> both leavers disabled in {} apps: {} ms",
        APPS.len(),
        started.elapsed().as_millis()
    );
    tokio::time::sleep(Duration::from_millis(600)).await;

    let queued = events(dir.path()).await;
    let people: Vec<_> = queued.iter().map(|e| e.person.clone().unwrap()).collect();
    assert_eq!(people, [EDSGER.0, ADA.0, ALAN.0], "{queued:?}");
    assert!(
        queued
            .iter()
            .all(|e| e.state == EventState::Done && e.attempts == 1)
    );
    for id in [EDSGER.0, ADA.0, ALAN.0] {
        assert_eq!(disables(dir.path(), id).await, once_per_app(), "{id}");
    }
    for app in APPS {
        assert_eq!(active(&sandbox, app, GRACE).await, Some(true), "{app}");
    }
}
