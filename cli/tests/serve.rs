//! `connector serve` over real sockets: the sandbox (in this process) emulates ChatGPT
//! and Zoom on 127.0.0.1, `serve` runs as a child process with a real state file, and
//! the tests post Okta Event Hook deliveries in Okta's payload shape. They check the
//! verification answer, the shared secret (401, nothing queued), bad bodies (400,
//! nothing queued), duplicate delivery (processed once), a leaver disabled in every app
//! (read back through the sandbox's admin API), an app down (retried, dead-lettered with
//! its reason, `connector events retry` re-drives it) and a SIGKILL right after the
//! answer (after a restart the event is processed exactly once).
#![cfg(feature = "sandbox")]

#[path = "common/serve.rs"]
mod serve_fixture;

use serve_fixture::Serve;

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use connector_engine::state::{EventState, Outcome, Store};
use connector_sandbox::{Faults, RateLimitConfig, Sandbox, SandboxHandle, TenantSpec};
use connector_tests::StateChecker;
use serde_json::{Value, json};

/// The apps.
const APPS: [&str; 2] = ["chatgpt", "zoom"];
/// The hook's shared secret.
const SECRET: &str = "hook-secret-3f9a1c07d2b84e65";

/// The sandbox, a folder with the assignments, people and state, everyone applied.
struct World {
    sandbox: SandboxHandle,
    dir: tempfile::TempDir,
}

/// A person of the test directory.
fn person(i: usize) -> Value {
    json!({
        "id": format!("00u{i:06}"),
        "login": format!("person{i}@example.com"),
        "email": format!("person{i}@example.com"),
        "first_name": "Person",
        "last_name": format!("Number{i}"),
        "groups": if i <= 3 { vec!["ai"] } else { vec![] },
    })
}

impl World {
    async fn start() -> Self {
        connector_tests::install_crypto_provider();
        let mut builder = Sandbox::builder();
        for manifest in [&connector_chatgpt::MANIFEST, &connector_zoom::MANIFEST] {
            builder = builder
                .tenant(TenantSpec::for_manifest(manifest).rate_limit(RateLimitConfig::off()));
        }
        let sandbox = builder.start("127.0.0.1:0").await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::new();
        for app in APPS {
            let tenant = sandbox.tenant(app).unwrap();
            text.push_str(&format!(
                "[instances.{app}]\nconnector = \"{app}\"\nbase_url = \"{}\"\n\
                 token_env = \"{}_TOKEN\"\nclient_rate_limit = false\n\n\
                 [instances.{app}.policy]\nunhealthy_after = 2\n\n\
                 [[provision]]\ninstance = \"{app}\"\ngroups = [\"ai\"]\n\n",
                tenant.scim_url(),
                app.to_uppercase()
            ));
        }
        std::fs::write(dir.path().join("assignments.toml"), text).unwrap();
        let people: Vec<Value> = (1..=10).map(person).collect();
        std::fs::write(
            dir.path().join("people.json"),
            json!({ "people": people }).to_string(),
        )
        .unwrap();
        let world = Self { sandbox, dir };
        let applied = world.connector(&["apply", "--no-progress"]).await;
        assert!(applied.status.success(), "{}", text_of(&applied));
        world
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A `connector` command on this world's files and tokens.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_connector"));
        command
            .args(args)
            .arg("-c")
            .arg(self.path("assignments.toml"))
            .arg("--state")
            .arg(self.path("state.db"));
        for app in APPS {
            let token = self.sandbox.tenant(app).unwrap().token();
            command.env(format!("{}_TOKEN", app.to_uppercase()), token.expose());
        }
        command
    }

    /// Runs `connector ARGS` (plus `--people`) to the end.
    async fn connector(&self, args: &[&str]) -> Output {
        let mut command = self.command(args);
        if args[0] != "events" && args[0] != "status" {
            command.arg("--people").arg(self.path("people.json"));
        }
        tokio::task::spawn_blocking(move || command.output().unwrap())
            .await
            .unwrap()
    }

    /// Starts `connector serve` on a free port.
    fn serve(&self, extra: &[&str]) -> Serve {
        let mut command = self.command(&["serve"]);
        command
            .arg("--people")
            .arg(self.path("people.json"))
            .args(["--listen", "127.0.0.1:0", "--max-body", "8192"])
            .args(["--max-attempts", "2", "--retry-backoff", "200ms"])
            .args(extra)
            .env("OKTA_HOOK_SECRET", SECRET);
        Serve::spawn(
            command,
            std::fs::File::create(self.path("serve.log")).unwrap(),
        )
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.path("serve.log")).unwrap_or_default()
    }

    /// Whether person `i`'s account in `app` is active, as the app holds it.
    async fn active(&self, app: &str, i: usize) -> Option<bool> {
        let tenant = self.sandbox.tenant(app).unwrap();
        let checker = StateChecker::new(tenant.admin_scim_url(), tenant.admin_token());
        let found = checker
            .find_by_user_name(&format!("person{i}@example.com"))
            .await;
        found.first().map(|u| u["active"].as_bool().unwrap_or(true))
    }

    async fn faults(&self, app: &str, faults: Faults) {
        let tenant = self.sandbox.tenant(app).unwrap();
        let response = reqwest::Client::new()
            .put(format!("{}/faults", tenant.admin_url()))
            .bearer_auth(tenant.admin_token().expose())
            .json(&faults)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
    }

    /// The state, opened beside the running `serve`.
    async fn store(&self) -> Store {
        Store::open_existing(&self.path("state.db")).await.unwrap()
    }

    /// How many events are queued, in any state.
    async fn queued(&self) -> i64 {
        self.store()
            .await
            .event_counts()
            .await
            .unwrap()
            .values()
            .sum()
    }

    /// Waits until `check` holds (10 s at most).
    async fn until<F: Future<Output = bool>>(&self, what: &str, check: impl Fn() -> F) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !check().await {
            assert!(
                Instant::now() < deadline,
                "{what} never happened:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Changes of `action` made to person `i`'s accounts, per instance.
    async fn made(&self, action: &str, i: usize) -> std::collections::BTreeMap<String, usize> {
        let store = self.store().await;
        let who = format!("00u{i:06}");
        let mut made = std::collections::BTreeMap::new();
        for run in store.runs(1000).await.unwrap() {
            for entry in store.journal(&run.id).await.unwrap() {
                if entry.action == action
                    && entry.identity_id.as_deref() == Some(&who)
                    && matches!(entry.outcome, Some(Outcome::Ok | Outcome::Recovered))
                {
                    *made.entry(entry.instance.clone()).or_insert(0) += 1;
                }
            }
        }
        made
    }

    /// Journal entries of `action` about person `i`, whatever their outcome.
    async fn intents(&self, action: &str, i: usize) -> usize {
        let store = self.store().await;
        let who = format!("00u{i:06}");
        let mut count = 0;
        for run in store.runs(1000).await.unwrap() {
            let journal = store.journal(&run.id).await.unwrap();
            count += journal
                .iter()
                .filter(|e| e.action == action && e.identity_id.as_deref() == Some(&who))
                .count();
        }
        count
    }

    /// Changes of `action` made to person `i`'s accounts (journal entries whose outcome
    /// is done, or found done after a crash), over every run.
    async fn journaled(&self, action: &str, i: usize) -> usize {
        let store = self.store().await;
        let who = format!("00u{i:06}");
        let mut count = 0;
        for run in store.runs(1000).await.unwrap() {
            count += store
                .journal(&run.id)
                .await
                .unwrap()
                .iter()
                .filter(|e| e.action == action && e.identity_id.as_deref() == Some(&who))
                .filter(|e| matches!(e.outcome, Some(Outcome::Ok | Outcome::Recovered)))
                .count();
        }
        count
    }
}

/// The text a command printed.
fn text_of(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// An Okta Event Hook delivery of `event_type` about person `i`.
fn delivery(uuid: &str, event_type: &str, i: usize) -> Value {
    json!({
        "eventType": "com.okta.event_hook",
        "eventTypeVersion": "1.0",
        "cloudEventsVersion": "0.1",
        "source": "https://example.okta.com/api/v1/eventHooks/who8tr9yg7jQ3UMZp0g4",
        "eventId": format!("delivery-{uuid}"),
        "eventTime": "2026-03-01T12:00:00.000Z",
        "contentType": "application/json",
        "data": { "events": [{
            "uuid": uuid,
            "published": "2026-03-01T12:00:00.000Z",
            "eventType": event_type,
            "version": "0",
            "severity": "INFO",
            "actor": { "id": "00uadmin", "type": "User", "alternateId": "admin@example.com" },
            "outcome": { "result": "SUCCESS" },
            "target": [{
                "id": format!("00u{i:06}"), "type": "User",
                "alternateId": format!("person{i}@example.com"),
                "displayName": format!("Person Number{i}")
            }]
        }]}
    })
}

/// Posts `body` to `/hooks/okta` with `secret` in the Authorization header.
async fn post(serve: &Serve, secret: Option<&str>, body: String) -> reqwest::StatusCode {
    let mut request = reqwest::Client::new()
        .post(format!("{}/hooks/okta", serve.url))
        .header("content-type", "application/json")
        .body(body);
    if let Some(secret) = secret {
        request = request.header("authorization", secret);
    }
    request.send().await.unwrap().status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_secret_and_bad_bodies() {
    let world = World::start().await;
    let serve = world.serve(&[]);
    let client = reqwest::Client::new();
    let verified: Value = client
        .get(format!("{}/hooks/okta", serve.url))
        .header("X-Okta-Verification-Challenge", "wz9Xq1VRnXRGgAQqVeQy")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(verified, json!({ "verification": "wz9Xq1VRnXRGgAQqVeQy" }));
    let health = client
        .get(format!("{}/healthz", serve.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);

    let body = delivery("e-401", "user.lifecycle.deactivate", 1).to_string();
    assert_eq!(post(&serve, None, body.clone()).await, 401);
    assert_eq!(
        post(&serve, Some("hook-secret-3f9a1c07d2b84e66"), body.clone()).await,
        401
    );
    assert_eq!(post(&serve, Some(""), body).await, 401);
    assert_eq!(
        post(&serve, Some(SECRET), "{\"data\":".to_owned()).await,
        400
    );
    assert_eq!(
        post(
            &serve,
            Some(SECRET),
            "{\"data\":{\"events\":[{}]}}".to_owned()
        )
        .await,
        400
    );
    let mut oversized = delivery("e-big", "user.lifecycle.deactivate", 1);
    oversized["data"]["events"][0]["displayMessage"] = json!("x".repeat(10_000));
    assert_eq!(post(&serve, Some(SECRET), oversized.to_string()).await, 400);
    assert_eq!(world.queued().await, 0, "nothing refused is queued");
    // An unknown type is recorded and ignored (202).
    let unknown = delivery("e-unknown", "user.session.start", 1).to_string();
    assert_eq!(post(&serve, Some(SECRET), unknown).await, 202);
    assert_eq!(world.queued().await, 1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    for app in APPS {
        assert_eq!(world.active(app, 1).await, Some(true));
    }
    assert!(!world.log().contains(SECRET), "the secret is never printed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leaver_hook_disables_every_account_once_even_delivered_twice() {
    let world = World::start().await;
    let serve = world.serve(&[]);
    let body = delivery("leaver-1", "user.lifecycle.deactivate", 1).to_string();
    let posted = Instant::now();
    assert_eq!(post(&serve, Some(SECRET), body.clone()).await, 200);
    let answered = posted.elapsed();
    assert!(
        answered < Duration::from_secs(1),
        "answered in {answered:?}"
    );
    assert_eq!(
        post(&serve, Some(SECRET), body.clone()).await,
        200,
        "Okta's retry"
    );
    world
        .until("person 1 disabled in both apps", || async {
            world.active("chatgpt", 1).await == Some(false)
                && world.active("zoom", 1).await == Some(false)
        })
        .await;
    let latency = posted.elapsed();
    eprintln!("hook answered in {answered:?}; every account disabled {latency:?} after the post");
    world
        .until("the event is done", || async {
            world
                .store()
                .await
                .events(Some(EventState::Done), 10)
                .await
                .unwrap()
                .len()
                == 1
        })
        .await;
    // A third delivery after it was done is still one event.
    assert_eq!(post(&serve, Some(SECRET), body).await, 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(world.queued().await, 1);
    assert_eq!(
        world.journaled("disable", 1).await,
        2,
        "one disable per app"
    );
    for app in APPS {
        assert_eq!(
            world.active(app, 2).await,
            Some(true),
            "{app}: not in scope"
        );
    }
    // A person nobody assigned: recorded, nothing done.
    let nobody = delivery("nobody", "user.lifecycle.deactivate", 7).to_string();
    assert_eq!(post(&serve, Some(SECRET), nobody).await, 200);
    world
        .until("the unassigned person's event is done", || async {
            world
                .store()
                .await
                .events(Some(EventState::Done), 10)
                .await
                .unwrap()
                .len()
                == 2
        })
        .await;
    let events = world.store().await.events(None, 10).await.unwrap();
    assert!(
        events[0]
            .detail
            .as_deref()
            .unwrap()
            .starts_with("nothing to do"),
        "{events:#?}"
    );
    assert_eq!(world.active("chatgpt", 7).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_down_dead_letters_the_event_and_events_retry_redrives_it() {
    let world = World::start().await;
    world.faults("zoom", Faults::none().error_rate(1.0)).await;
    let serve = world.serve(&[]);
    let body = delivery("leaver-3", "user.lifecycle.deactivate", 3).to_string();
    assert_eq!(post(&serve, Some(SECRET), body).await, 200);
    world
        .until("the event is dead-lettered", || async {
            world
                .store()
                .await
                .events(Some(EventState::Dead), 10)
                .await
                .unwrap()
                .len()
                == 1
        })
        .await;
    assert_eq!(
        world.active("chatgpt", 3).await,
        Some(false),
        "the other app proceeds"
    );
    assert_eq!(world.active("zoom", 3).await, Some(true));
    let status = world.connector(&["status"]).await;
    let text = text_of(&status);
    assert!(text.contains("Events: 0 pending, 1 dead"), "{text}");
    assert!(text.contains("leaver-3"), "{text}");
    assert!(text.contains("instance zoom"), "{text}");
    let listed = world.connector(&["events", "list", "--only", "dead"]).await;
    let listed = text_of(&listed);
    assert!(
        listed.contains("[1] dead leaver-3 user.lifecycle.deactivate"),
        "{listed}"
    );
    assert!(listed.contains("failed 2 times"), "{listed}");

    world.faults("zoom", Faults::none()).await;
    let retried = world.connector(&["events", "retry", "1"]).await;
    assert!(retried.status.success(), "{}", text_of(&retried));
    world
        .until("zoom disables person 3 after the retry", || async {
            world.active("zoom", 3).await == Some(false)
        })
        .await;
    world
        .until("the event is done", || async {
            world
                .store()
                .await
                .events(Some(EventState::Done), 10)
                .await
                .unwrap()
                .len()
                == 1
        })
        .await;
    assert_eq!(
        world.journaled("disable", 3).await,
        2,
        "one disable per app, once"
    );
    let again = world.connector(&["events", "retry", "1"]).await;
    assert!(!again.status.success());
    assert!(
        text_of(&again).contains("is done, not dead"),
        "{}",
        text_of(&again)
    );
    drop(serve);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_serve_killed_right_after_answering_processes_the_event_once_after_restart() {
    let world = World::start().await;
    // Killed right after the answer (twice), then once the first disable call is
    // journaled (its outcome possibly unknown: the restart's apply settles it first).
    for (round, i, mid_apply) in [(0, 1, false), (1, 2, false), (2, 3, true)] {
        let mut serve = world.serve(&[]);
        let uuid = format!("killed-{round}");
        let body = delivery(&uuid, "user.lifecycle.deactivate", i).to_string();
        assert_eq!(post(&serve, Some(SECRET), body).await, 200);
        if mid_apply {
            world
                .until("a disable call is journaled", || async {
                    world.intents("disable", i).await > 0
                })
                .await;
        }
        serve.child.kill().unwrap(); // SIGKILL
        serve.child.wait().unwrap();
        let stored = world.store().await.events(None, 10).await.unwrap();
        let killed = stored.iter().find(|e| e.uuid == uuid);
        let killed = killed.expect("accepted means stored");
        eprintln!(
            "round {round}: at the kill the event was {} after {} attempts; {} disables made",
            killed.state,
            killed.attempts,
            world.journaled("disable", i).await
        );
        let _restarted = world.serve(&[]);
        world
            .until("the event is done after the restart", || async {
                world
                    .store()
                    .await
                    .events(Some(EventState::Done), 10)
                    .await
                    .unwrap()
                    .iter()
                    .any(|e| e.uuid == uuid)
            })
            .await;
        for app in APPS {
            assert_eq!(world.active(app, i).await, Some(false), "{app} person {i}");
        }
        // A change whose call was cut by the kill is settled by the restart (found done:
        // `recovered`, or left to the re-read plan: `rechecked`), never made twice.
        let made = world.made("disable", i).await;
        assert!(
            made.values().all(|n| *n <= 1),
            "round {round}: a change twice: {made:?}"
        );
        if !mid_apply {
            assert_eq!(made.len(), 2, "round {round}: {made:?}");
        }
    }
    let status = world.connector(&["status", "--json"]).await;
    let status: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert!(status["pending_intents"].as_array().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_interval_reconcile_provisions_what_no_event_announced() {
    let world = World::start().await;
    let _serve = world.serve(&["--reconcile-every", "1s"]);
    // Person 5 joins `ai` in the directory; no hook says so.
    let people: Vec<Value> = (1..=10)
        .map(|i| {
            let mut who = person(i);
            if i == 5 {
                who["groups"] = json!(["ai"]);
            }
            who
        })
        .collect();
    std::fs::write(
        world.path("people.json"),
        json!({ "people": people }).to_string(),
    )
    .unwrap();
    world
        .until("the reconcile provisions person 5", || async {
            world.active("chatgpt", 5).await == Some(true)
                && world.active("zoom", 5).await == Some(true)
        })
        .await;
    // The run's line is printed once the apply has finished, a moment after the app holds
    // the accounts.
    world
        .until("serve reports the reconcile run", || async {
            world.log().contains("reconcile r")
        })
        .await;
}
