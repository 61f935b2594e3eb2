//! The event queue and its handling, against the sandbox's ChatGPT and Zoom on
//! 127.0.0.1 with a real state file: a leaver delivered in Okta's payload shape is
//! disabled in every app that person has (read back through the sandbox's admin API),
//! a second delivery of one uuid is processed once, a person nobody assigned gets
//! nothing, an unknown type is recorded and ignored, a person's events run in order, and
//! an app that is down makes the event wait, retry and dead-letter with its reason while
//! the other app proceeds; `retry_event` re-drives it.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use common::{directory, person, registry};
use connector_engine::events::okta_hook::parse_delivery;
use connector_engine::events::{QueuePolicy, process_due};
use connector_engine::state::{EventState, Store};
use connector_engine::{ApplyOptions, Assignments, Engine, FileSource, MapSecrets};
use connector_sandbox::{Faults, RateLimitConfig, Sandbox, SandboxHandle, TenantSpec};
use connector_sdk::Identity;
use connector_tests::StateChecker;
use serde_json::{Value, json};

/// The apps.
const APPS: [&str; 2] = ["chatgpt", "zoom"];

/// A sandbox with ChatGPT (for group `ai`) and Zoom (for group `video`), people 1..=3
/// in both groups and people 4..=10 in none, everything applied once.
struct World {
    sandbox: SandboxHandle,
    engine: Engine,
    source: FileSource,
    dir: tempfile::TempDir,
}

impl World {
    async fn start() -> Self {
        Self::start_with("").await
    }

    /// As [`start`](Self::start), with `policy` added to each instance's policy table.
    async fn start_with(policy: &str) -> Self {
        connector_tests::install_crypto_provider();
        let mut builder = Sandbox::builder();
        for manifest in [&connector_chatgpt::MANIFEST, &connector_zoom::MANIFEST] {
            builder = builder
                .tenant(TenantSpec::for_manifest(manifest).rate_limit(RateLimitConfig::off()));
        }
        let sandbox = builder.start("127.0.0.1:0").await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::new();
        let mut secrets = MapSecrets::default();
        for app in APPS {
            let tenant = sandbox.tenant(app).unwrap();
            let env = format!("{}_TOKEN", app.to_uppercase());
            text.push_str(&format!(
                "[instances.{app}]\nconnector = \"{app}\"\nbase_url = \"{}\"\n\
                 token_env = \"{env}\"\nclient_rate_limit = false\n\n\
                 [instances.{app}.policy]\nunhealthy_after = 2\n{policy}\n\
                 [[provision]]\ninstance = \"{app}\"\ngroups = [\"{}\"]\n\n",
                tenant.scim_url(),
                group_of(app)
            ));
            secrets = secrets.with(&env, tenant.token());
        }
        let path = dir.path().join("assignments.toml");
        std::fs::write(&path, &text).unwrap();
        let assignments = Assignments::load(&path, &registry()).unwrap_or_else(|e| panic!("{e}"));
        let store = Store::open(&dir.path().join("state.db")).await.unwrap();
        let engine = Engine::with_store(assignments, registry(), Arc::new(secrets), store);
        let people_path = dir.path().join("people.json");
        write_people(&people_path, &[]);
        let source = FileSource::new(&people_path, None);
        let report = engine
            .apply(&source, ApplyOptions::default())
            .await
            .unwrap();
        assert!(report.succeeded(), "{:#?}", report.results);
        assert_eq!(report.counts.applied, 6, "three people in two apps");
        Self {
            sandbox,
            engine,
            source,
            dir,
        }
    }

    /// Whether person `i`'s account in `app` is active, as the app holds it (`None`:
    /// no account).
    async fn active(&self, app: &str, i: usize) -> Option<bool> {
        let tenant = self.sandbox.tenant(app).unwrap();
        let checker = StateChecker::new(tenant.admin_scim_url(), tenant.admin_token());
        let found = checker.find_by_user_name(&person(i, &[]).login).await;
        found.first().map(|u| u["active"].as_bool().unwrap_or(true))
    }

    /// Sets `app`'s faults.
    async fn faults(&self, app: &str, faults: Faults) {
        let tenant = self.sandbox.tenant(app).unwrap();
        let response = reqwest::Client::new()
            .put(format!("{}/faults", tenant.admin_url()))
            .bearer_auth(tenant.admin_token().expose())
            .json(&faults)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{}", response.status());
    }

    /// Stores a delivery; whether each event was new.
    async fn deliver(&self, body: &Value) -> Vec<bool> {
        let events = parse_delivery(body.to_string().as_bytes()).unwrap();
        self.engine.store().enqueue_events(&events).await.unwrap()
    }

    /// Journal entries of `action` about person `i`, over every run.
    async fn journaled(&self, action: &str, i: usize) -> usize {
        let who = person(i, &[]).id;
        let mut count = 0;
        for run in self.engine.store().runs(1000).await.unwrap() {
            count += self
                .engine
                .store()
                .journal(&run.id)
                .await
                .unwrap()
                .iter()
                .filter(|e| e.action == action && e.identity_id.as_deref() == Some(&who))
                .count();
        }
        count
    }
}

/// The group each app is provisioned for.
fn group_of(app: &str) -> &'static str {
    if app == "zoom" { "video" } else { "ai" }
}

/// Writes the directory: people 1..=3 in `ai` and `video`, 4..=10 in no group, but for
/// `changes` (a person and their groups, `None`: left the directory).
fn write_people(path: &std::path::Path, changes: &[(usize, Option<&[&str]>)]) {
    let people: Vec<Identity> = (1..=10)
        .filter_map(|i| {
            let standard: &[&str] = if i <= 3 { &["ai", "video"] } else { &[] };
            match changes.iter().find(|(who, _)| *who == i) {
                Some((_, None)) => None,
                Some((_, Some(groups))) => Some(person(i, groups)),
                None => Some(person(i, standard)),
            }
        })
        .collect();
    std::fs::write(path, serde_json::to_string(&directory(people)).unwrap()).unwrap();
}

/// An Okta Event Hook delivery of one event of `event_type` about person `i`.
fn okta_delivery(uuid: &str, event_type: &str, i: usize) -> Value {
    let who = person(i, &[]);
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
            "displayMessage": "Deactivate Okta user",
            "severity": "INFO",
            "actor": { "id": "00uadmin", "type": "User", "alternateId": "admin@example.com" },
            "outcome": { "result": "SUCCESS" },
            "target": [{
                "id": who.id, "type": "User", "alternateId": who.login,
                "displayName": who.display_name
            }]
        }]}
    })
}

/// The backoff of the tests' policy.
const BACKOFF: Duration = Duration::from_millis(400);

/// A quick policy for tests.
fn policy() -> QueuePolicy {
    QueuePolicy {
        max_attempts: 2,
        backoff: BACKOFF,
        ..QueuePolicy::default()
    }
}

/// Processes until nothing is due now.
async fn drain(world: &World) -> Vec<connector_engine::events::EventOutcome> {
    let mut outcomes = Vec::new();
    while let Some(batch) = process_due(&world.engine, &world.source, &policy())
        .await
        .unwrap()
    {
        outcomes.extend(batch.outcomes);
    }
    outcomes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leaver_delivered_twice_is_disabled_everywhere_once() {
    let world = World::start().await;
    let delivery = okta_delivery("leaver-1", "user.lifecycle.deactivate", 1);
    assert_eq!(world.deliver(&delivery).await, [true]);
    assert_eq!(
        world.deliver(&delivery).await,
        [false],
        "the same uuid again"
    );
    let outcomes = drain(&world).await;
    assert_eq!(outcomes.len(), 1, "{outcomes:#?}");
    assert_eq!(outcomes[0].state, EventState::Done, "{outcomes:#?}");
    for app in APPS {
        assert_eq!(world.active(app, 1).await, Some(false), "{app}");
        assert_eq!(
            world.active(app, 2).await,
            Some(true),
            "{app}: not in scope"
        );
        assert_eq!(
            world.active(app, 3).await,
            Some(true),
            "{app}: not in scope"
        );
    }
    // Delivered again after it was done: still nothing new.
    assert_eq!(world.deliver(&delivery).await, [false]);
    assert!(drain(&world).await.is_empty());
    assert_eq!(world.journaled("disable", 1).await, 2, "one per app");
    // The run names the event, and so do its audit events.
    let event = world.engine.store().event(1).await.unwrap().unwrap();
    let run = event.run_id.unwrap();
    assert!(run.starts_with("ev-leaver-1-"), "{run}");
    let audit = world
        .engine
        .store()
        .audit_events(&Default::default())
        .await
        .unwrap();
    assert!(audit.iter().any(|e| e.contains(&run)), "{audit:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_assigned_and_unknown_types_are_recorded_and_nothing_is_done() {
    let world = World::start().await;
    // Person 3 leaves the directory file: only a full reconcile may act on that, not an
    // event about someone else (the scope).
    write_people(&world.dir.path().join("people.json"), &[(3, None)]);
    // Person 4 is in the directory but assigned nowhere; person 99 is nowhere at all.
    world
        .deliver(&okta_delivery("unassigned", "user.lifecycle.deactivate", 4))
        .await;
    world
        .deliver(&okta_delivery("stranger", "user.lifecycle.suspend", 99))
        .await;
    world
        .deliver(&okta_delivery("login", "user.session.start", 1))
        .await;
    let outcomes = drain(&world).await;
    assert_eq!(
        outcomes.len(),
        2,
        "the unknown type is not processed: {outcomes:#?}"
    );
    for outcome in &outcomes {
        assert_eq!(outcome.state, EventState::Done, "{outcome:#?}");
        assert!(outcome.detail.starts_with("nothing to do"), "{outcome:#?}");
    }
    let ignored = world
        .engine
        .store()
        .events(Some(EventState::Ignored), 10)
        .await
        .unwrap();
    assert_eq!(ignored.len(), 1);
    assert_eq!(ignored[0].event_type, "user.session.start");
    for app in APPS {
        for i in 1..=3 {
            assert_eq!(
                world.active(app, i).await,
                Some(true),
                "{app} {i} is out of scope"
            );
        }
        assert_eq!(world.active(app, 4).await, None, "{app}");
    }
    assert_eq!(world.journaled("disable", 1).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persons_events_run_in_order_and_one_at_a_time() {
    let world = World::start().await;
    world
        .deliver(&okta_delivery("s1", "user.lifecycle.suspend", 2))
        .await;
    world
        .deliver(&okta_delivery("u1", "user.lifecycle.unsuspend", 2))
        .await;
    world
        .deliver(&okta_delivery("d3", "user.lifecycle.deactivate", 3))
        .await;
    let due = world.engine.store().due_events(i64::MAX, 10).await.unwrap();
    let uuids: Vec<&str> = due.iter().map(|e| e.uuid.as_str()).collect();
    assert_eq!(
        uuids,
        ["s1", "d3"],
        "person 2's second event waits for the first"
    );
    let outcomes = drain(&world).await;
    let order: Vec<&str> = outcomes.iter().map(|o| o.uuid.as_str()).collect();
    assert_eq!(order, ["s1", "u1", "d3"], "{outcomes:#?}");
    assert!(outcomes.iter().all(|o| o.state == EventState::Done));
    for app in APPS {
        // Suspended, then unsuspended: planned from the directory, where 2 is active.
        assert_eq!(world.active(app, 2).await, Some(true), "{app}");
        assert_eq!(world.active(app, 3).await, Some(false), "{app}");
    }
    assert_eq!(world.journaled("disable", 2).await, 2);
    assert_eq!(world.journaled("enable", 2).await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_down_makes_the_event_retry_then_dead_letter_and_the_other_app_proceeds() {
    let world = World::start().await;
    world.faults("zoom", Faults::none().error_rate(1.0)).await;
    world
        .deliver(&okta_delivery("leaver-2", "user.lifecycle.deactivate", 2))
        .await;
    let first = drain(&world).await;
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].state, EventState::Pending, "{first:#?}");
    assert!(first[0].detail.contains("zoom"), "{first:#?}");
    assert_eq!(
        world.active("chatgpt", 2).await,
        Some(false),
        "the other app proceeds"
    );
    // The backoff holds it back, then the last attempt dead-letters it with the reason.
    assert!(drain(&world).await.is_empty(), "not due during the backoff");
    tokio::time::sleep(BACKOFF).await;
    let second = drain(&world).await;
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].state, EventState::Dead, "{second:#?}");
    assert!(second[0].detail.contains("failed 2 times"), "{second:#?}");
    assert!(second[0].detail.contains("zoom"), "{second:#?}");
    let counts = world.engine.store().event_counts().await.unwrap();
    assert_eq!(counts.get("dead"), Some(&1));
    // Zoom is back; the dead letter is re-driven and completes.
    world.faults("zoom", Faults::none()).await;
    assert!(
        drain(&world).await.is_empty(),
        "a dead letter waits to be re-driven"
    );
    let id = second[0].id;
    let before = world
        .engine
        .store()
        .retry_event(id, false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(before.state, EventState::Dead);
    let third = drain(&world).await;
    assert_eq!(third.len(), 1);
    assert_eq!(third[0].state, EventState::Done, "{third:#?}");
    assert_eq!(world.active("zoom", 2).await, Some(false));
    assert_eq!(
        world.journaled("disable", 2).await,
        2,
        "one disable per app, once"
    );
    drop(world.dir);
}

/// An Okta delivery of a group membership event about person `i` and `group`.
fn membership(uuid: &str, event_type: &str, i: usize, group: &str) -> Value {
    let mut delivery = okta_delivery(uuid, event_type, i);
    delivery["data"]["events"][0]["target"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "id": "00g0001", "type": "UserGroup", "displayName": group }));
    delivery
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_joiner_is_provisioned_now_and_a_mover_loses_only_what_the_group_gave() {
    let world = World::start().await;
    // Okta: person 4 joins `ai`, person 2 leaves `video`; the directory says so too.
    write_people(
        &world.dir.path().join("people.json"),
        &[(4, Some(&["ai"])), (2, Some(&["ai"]))],
    );
    world
        .deliver(&membership("join-4", "group.user_membership.add", 4, "ai"))
        .await;
    world
        .deliver(&membership(
            "move-2",
            "group.user_membership.remove",
            2,
            "video",
        ))
        .await;
    let outcomes = drain(&world).await;
    assert_eq!(outcomes.len(), 2, "{outcomes:#?}");
    assert!(
        outcomes.iter().all(|o| o.state == EventState::Done),
        "{outcomes:#?}"
    );
    assert_eq!(
        world.active("chatgpt", 4).await,
        Some(true),
        "the joiner has ChatGPT now"
    );
    assert_eq!(world.active("zoom", 4).await, None, "and nothing else");
    assert_eq!(
        world.active("zoom", 2).await,
        Some(false),
        "the mover loses Zoom"
    );
    assert_eq!(
        world.active("chatgpt", 2).await,
        Some(true),
        "and keeps ChatGPT"
    );
    // A membership event without its group is recorded and ignored.
    let mut groupless = okta_delivery("groupless", "group.user_membership.add", 5);
    groupless["data"]["events"][0]["eventType"] = json!("group.user_membership.add");
    world.deliver(&groupless).await;
    assert!(drain(&world).await.is_empty());
}

/// Drains with `batch` people per apply.
async fn drain_batched(world: &World, batch: u32) -> Vec<connector_engine::events::BatchReport> {
    let policy = QueuePolicy { batch, ..policy() };
    let mut reports = Vec::new();
    while let Some(report) = process_due(&world.engine, &world.source, &policy)
        .await
        .unwrap()
    {
        reports.push(report);
    }
    reports
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_applies_several_people_at_once_one_event_each() {
    let world = World::start().await;
    for (uuid, i) in [("b-1", 1), ("b-2", 2), ("b-1-again", 1)] {
        world
            .deliver(&okta_delivery(uuid, "user.lifecycle.deactivate", i))
            .await;
    }
    let reports = drain_batched(&world, 10).await;
    // People 1 and 2 in one apply; person 1's second event waits for the next.
    assert_eq!(reports.len(), 2, "{reports:#?}");
    let first: Vec<&str> = reports[0]
        .outcomes
        .iter()
        .map(|o| o.uuid.as_str())
        .collect();
    assert_eq!(first, ["b-1", "b-2"], "{reports:#?}");
    assert_eq!(reports[1].outcomes[0].uuid, "b-1-again");
    assert!(
        reports
            .iter()
            .flat_map(|r| &r.outcomes)
            .all(|o| o.state == EventState::Done),
        "{reports:#?}"
    );
    for app in APPS {
        assert_eq!(world.active(app, 1).await, Some(false), "{app}");
        assert_eq!(world.active(app, 2).await, Some(false), "{app}");
        assert_eq!(
            world.active(app, 3).await,
            Some(true),
            "{app}: not in scope"
        );
    }
    assert_eq!(world.journaled("disable", 1).await, 2, "one per app");
    assert_eq!(world.journaled("disable", 2).await, 2, "one per app");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_breaker_weighs_what_events_removed_in_the_last_hour() {
    // Two removals per instance within the hour: three leavers in one apply trip it; alone,
    // the first two pass and the third, after those two, trips it again.
    let world = World::start_with("max_removals = 2\n").await;
    for (uuid, i) in [("t-1", 1), ("t-2", 2), ("t-3", 3)] {
        world
            .deliver(&okta_delivery(uuid, "user.lifecycle.deactivate", i))
            .await;
    }
    let reports = drain_batched(&world, 10).await;
    let last: BTreeMap<&str, &connector_engine::events::EventOutcome> = reports
        .iter()
        .flat_map(|r| &r.outcomes)
        .map(|o| (o.uuid.as_str(), o))
        .collect();
    assert_eq!(last["t-1"].state, EventState::Done, "{reports:#?}");
    assert_eq!(last["t-2"].state, EventState::Done, "{reports:#?}");
    let stopped = last["t-3"];
    assert_eq!(stopped.state, EventState::Dead, "{reports:#?}");
    assert!(
        stopped
            .detail
            .contains("1 removal, after 2 made by events in the last hour, over max_removals 2"),
        "{}",
        stopped.detail
    );
    for app in APPS {
        assert_eq!(world.active(app, 1).await, Some(false), "{app}");
        assert_eq!(world.active(app, 2).await, Some(false), "{app}");
        assert_eq!(world.active(app, 3).await, Some(true), "{app}: stopped");
    }
    for id in [1, 2, 3] {
        let event = world.engine.store().event(id).await.unwrap().unwrap();
        assert_eq!(
            event.attempts, 2,
            "the stopped batch, then alone: {event:#?}"
        );
    }
    // A person looks and re-drives it past the breaker: it is applied.
    let again = world
        .engine
        .store()
        .retry_event(3, true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.state, EventState::Dead);
    let outcomes = drain(&world).await;
    assert_eq!(outcomes.len(), 1, "{outcomes:#?}");
    assert_eq!(outcomes[0].state, EventState::Done, "{outcomes:#?}");
    for app in APPS {
        assert_eq!(world.active(app, 3).await, Some(false), "{app}: re-driven");
    }
    // A full `apply` is not weighed against the events' removals.
    let plan = world
        .engine
        .plan(&world.source, &connector_engine::PlanOptions::default())
        .await
        .unwrap();
    assert!(plan.instances.iter().all(|i| i.removals.earlier == 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leaver_whose_account_the_app_no_longer_has_is_retried_and_the_retry_reads() {
    let world = World::start().await;
    // Person 2's ChatGPT account is deleted in the app, behind the engine's back.
    let links = world.engine.store().links("chatgpt").await.unwrap();
    let account = &links[&person(2, &[]).id].account_id;
    let tenant = world.sandbox.tenant("chatgpt").unwrap();
    let deleted = reqwest::Client::new()
        .delete(format!("{}/Users/{account}", tenant.scim_url()))
        .bearer_auth(tenant.token().expose())
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    world
        .deliver(&okta_delivery(
            "leaver-gone",
            "user.lifecycle.deactivate",
            2,
        ))
        .await;

    // The first attempt takes the accounts from the links: Zoom's is disabled, and the
    // disable of the ChatGPT account the app no longer has fails.
    let first = drain(&world).await;
    assert_eq!(first.len(), 1, "{first:#?}");
    assert_eq!(first[0].state, EventState::Pending, "{first:#?}");
    assert!(first[0].detail.contains("chatgpt disable"), "{first:#?}");
    assert_eq!(world.active("zoom", 2).await, Some(false));

    // The retry reads: the ChatGPT account is gone (nothing to disable), Zoom's is
    // already disabled; the event is done.
    tokio::time::sleep(BACKOFF * 2).await;
    let second = drain(&world).await;
    assert_eq!(second.len(), 1, "{second:#?}");
    assert_eq!(second[0].state, EventState::Done, "{second:#?}");
    assert_eq!(second[0].attempt, 2);
    assert_eq!(world.active("chatgpt", 2).await, None);
    assert_eq!(
        world.journaled("disable", 2).await,
        2,
        "Zoom's, and the one that failed"
    );
}
