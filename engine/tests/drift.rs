//! Drift: a value changed by hand in the app shows in the next plan as an update
//! (`drift = "correct"`, the default) or a reported skip (`drift = "report"`), although
//! the directory did not change; against the sandbox's Slack emulation, whose state the
//! test edits and reads over its admin API.

mod common;

use common::{NOW, SandboxWorld, person, registry};
use connector_engine::directory::Directory;
use connector_engine::plan::{Action, Plan, SkipCode};
use connector_engine::{ApplyOptions, PlanOptions};
use connector_sandbox::TenantSpec;
use serde_json::json;

/// A Slack tenant with two people applied, and an engine on it.
struct World {
    slack: SandboxWorld,
    people: Directory,
}

async fn world(policy: &str) -> World {
    let slack = SandboxWorld::start(
        TenantSpec::for_manifest(&connector_slack::MANIFEST),
        "slack",
        &format!("variables = {{ domain = \"acme\" }}\n[instances.slack.policy]\n{policy}"),
        "[[provision]]\ninstance = \"slack\"\ngroups = [\"eng\"]\n",
        registry(),
    )
    .await;
    let people = Directory {
        people: vec![person(1, &["eng"]), person(2, &["eng"])],
        groups: Vec::new(),
    };
    let report = slack
        .engine
        .apply_directory(people.clone(), "test", options())
        .await
        .unwrap();
    assert!(report.succeeded(), "{:#?}", report.results);
    World { slack, people }
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
    let connectors = world.slack.engine.connectors(&[]);
    world
        .slack
        .engine
        .plan_directory(&world.people, "test", &connectors, &options().plan)
        .await
        .unwrap()
}

/// Changes person 1's family name by hand in the app; returns their account id.
async fn edit_by_hand(world: &World) -> String {
    let links = world.slack.engine.store().links("slack").await.unwrap();
    let id = links["00u000001"].account_id.clone();
    world
        .slack
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
        .slack
        .engine
        .apply_directory(world.people.clone(), "test", options())
        .await
        .unwrap();
    assert!(report.succeeded(), "{:#?}", report.results);
    let user = world.slack.checker.get_user(&id).await.unwrap();
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
        .slack
        .engine
        .apply_directory(world.people.clone(), "test", options())
        .await
        .unwrap();
    let user = world.slack.checker.get_user(&id).await.unwrap();
    assert_eq!(user["name"]["familyName"], "Edited-by-hand", "left alone");
}
