//! Drift: a value changed by hand in the app shows in the next plan as an update
//! (`drift = "correct"`, the default) or a reported skip (`drift = "report"`), although
//! the directory did not change; against the sandbox's Slack emulation, whose state the
//! test edits and reads over its admin API.

mod common;

use std::sync::Arc;

use common::{NOW, person, registry};
use connector_engine::directory::Directory;
use connector_engine::plan::{Action, Plan, SkipCode};
use connector_engine::state::Store;
use connector_engine::{ApplyOptions, Assignments, Engine, MapSecrets, PlanOptions};
use connector_sandbox::{SandboxHandle, TenantSpec};
use connector_tests::StateChecker;
use serde_json::json;

/// A Slack tenant with two people applied, and an engine on it.
struct World {
    _sandbox: SandboxHandle,
    _dir: tempfile::TempDir,
    engine: Engine,
    checker: StateChecker,
    people: Directory,
}

async fn world(policy: &str) -> World {
    connector_tests::install_crypto_provider();
    let sandbox = connector_sandbox::Sandbox::builder()
        .tenant(TenantSpec::for_manifest(&connector_slack::MANIFEST))
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let tenant = sandbox.tenant("slack").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "[instances.slack]\nconnector = \"slack\"\nbase_url = \"{}\"\ntoken_env = \"SLACK_TOKEN\"\n\
         variables = {{ domain = \"acme\" }}\n[instances.slack.policy]\n{policy}\n\n\
         [[provision]]\ninstance = \"slack\"\ngroups = [\"eng\"]\n",
        tenant.scim_url()
    );
    let path = dir.path().join("assignments.toml");
    std::fs::write(&path, &text).unwrap();
    let assignments = Assignments::load(&path, &registry()).unwrap();
    let store = Store::open(&dir.path().join("state.db")).await.unwrap();
    let secrets = MapSecrets::default().with("SLACK_TOKEN", tenant.token());
    let engine = Engine::with_store(assignments, registry(), Arc::new(secrets), store);
    let checker = StateChecker::new(tenant.admin_scim_url(), tenant.admin_token());
    let people = Directory {
        people: vec![person(1, &["eng"]), person(2, &["eng"])],
        groups: Vec::new(),
    };
    let report = engine
        .apply_directory(people.clone(), "test", options())
        .await
        .unwrap();
    assert!(report.succeeded(), "{:#?}", report.results);
    World {
        _sandbox: sandbox,
        _dir: dir,
        engine,
        checker,
        people,
    }
}

fn options() -> ApplyOptions {
    ApplyOptions {
        plan: PlanOptions {
            now: Some(NOW),
            ..PlanOptions::default()
        },
        ..ApplyOptions::default()
    }
}

async fn plan(world: &World) -> Plan {
    let connectors = world.engine.connectors(&[]);
    world
        .engine
        .plan_directory(&world.people, "test", &connectors, &options().plan)
        .await
        .unwrap()
}

/// Changes person 1's family name by hand in the app; returns their account id.
async fn edit_by_hand(world: &World) -> String {
    let links = world.engine.store().links("slack").await.unwrap();
    let id = links["00u000001"].account_id.clone();
    world
        .checker
        .replace_attribute(&id, "name.familyName", json!("Edited-by-hand"))
        .await;
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_edit_in_the_app_is_planned_as_an_update_and_corrected() {
    let world = world("").await;
    assert!(!plan(&world).await.has_changes(), "nothing to do at first");
    let id = edit_by_hand(&world).await;

    let planned = plan(&world).await;
    let steps = &planned.instances[0].steps;
    assert_eq!(steps.len(), 1, "{steps:#?}");
    let Action::Update { changes } = &steps[0].action else {
        panic!("expected an update: {steps:#?}");
    };
    assert_eq!(changes[0].field, "name.familyName");
    assert_eq!(changes[0].before, json!("Edited-by-hand"));
    assert!(steps[0].reason.contains("drift"), "{}", steps[0].reason);

    let report = world
        .engine
        .apply_directory(world.people.clone(), "test", options())
        .await
        .unwrap();
    assert!(report.succeeded(), "{:#?}", report.results);
    let user = world.checker.get_user(&id).await.unwrap();
    assert_ne!(user["name"]["familyName"], "Edited-by-hand", "{user}");
    assert!(!plan(&world).await.has_changes(), "corrected: nothing left");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_drift_report_a_hand_edit_is_shown_and_left() {
    let world = world("drift = \"report\"").await;
    let id = edit_by_hand(&world).await;
    let planned = plan(&world).await;
    let steps = &planned.instances[0].steps;
    assert_eq!(steps.len(), 1, "{steps:#?}");
    assert_eq!(
        steps[0].action,
        Action::Skip {
            skipped: "update".into(),
            code: SkipCode::DriftReported
        }
    );
    assert!(
        steps[0].reason.contains("name.familyName"),
        "{}",
        steps[0].reason
    );
    world
        .engine
        .apply_directory(world.people.clone(), "test", options())
        .await
        .unwrap();
    let user = world.checker.get_user(&id).await.unwrap();
    assert_eq!(user["name"]["familyName"], "Edited-by-hand", "left alone");
}
