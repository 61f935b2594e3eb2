//! Seats against scim2-server: time-bound grants that end, reclaim with prices, and manual
//! SKUs that become manual tasks (never reported as done).

mod common;

use common::{World, apply_at, directory, person, plan_at, steps, users};
use connector_engine::plan::Action;
use connector_engine::{ApplyOptions, PlanOptions};
use serde_json::Value;
use time::macros::datetime;

/// The Zoom extension URN.
const ZOOM: &str = "urn:ietf:params:scim:schemas:extension:zoom:1.0:User";

#[tokio::test]
async fn a_time_bound_grant_ends_with_its_seat_reclaimed_and_its_account_disabled() {
    let world = World::new(&[("zoom", "zoom")]);
    let text = format!(
        r#"{}
[instances.zoom.prices]
whiteboard = 5.5

[[provision]]
instance = "zoom"
groups = ["ai"]

[[provision]]
instance = "zoom"
people = ["alan.turing2@example.com", "grace.hopper1@example.com"]
licenses = ["whiteboard"]
until = 2026-03-31
"#,
        world.instances_toml(&[])
    );
    let engine = world.engine(&text).await;
    // Grace stays in `ai`; Alan's only access is the time-bound rule.
    let people = directory(vec![person(1, &["ai"]), person(2, &[])]);
    let march = datetime!(2026-03-31 23:00 UTC);
    let report = apply_at(&engine, &people, march, ApplyOptions::default()).await;
    assert!(report.succeeded(), "{report:#?}");
    for user in users(world.server("zoom")).await {
        assert_eq!(user[ZOOM]["zoomWhiteboard"], Value::Bool(true), "{user:#}");
    }

    let april = datetime!(2026-04-01 00:00 UTC);
    let planned = plan_at(&engine, &people, april, PlanOptions::default()).await;
    assert_eq!(
        steps(&planned, "zoom"),
        [
            ("revoke_license", "grace.hopper1@example.com"),
            ("revoke_license", "alan.turing2@example.com"),
            ("disable", "alan.turing2@example.com"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    let instance = &planned.instances[0];
    assert!(
        instance.steps[0].reason.contains("grant ended 2026-03-31"),
        "{}",
        instance.steps[0].reason
    );
    assert!(
        instance.steps[2].reason.contains("access ended 2026-03-31"),
        "{}",
        instance.steps[2].reason
    );
    assert_eq!(instance.reclaim.seats, 2);
    assert!((instance.reclaim.monthly_saving - 11.0).abs() < 1e-9);
    let text = connector_engine::plan::render::render(&planned);
    assert!(
        text.contains("reclaim 2 seats, 11.00 USD a month"),
        "{text}"
    );

    let report = apply_at(&engine, &people, april, ApplyOptions::default()).await;
    assert!(report.succeeded(), "{report:#?}");
    for user in users(world.server("zoom")).await {
        assert_eq!(user[ZOOM]["zoomWhiteboard"], Value::Bool(false), "{user:#}");
        let alan = user["userName"] == "alan.turing2@example.com";
        assert_eq!(user["active"], Value::Bool(!alan), "{user:#}");
    }
    assert!(
        !plan_at(&engine, &people, april, PlanOptions::default())
            .await
            .has_changes()
    );
}

#[tokio::test]
async fn manual_skus_become_manual_tasks_on_assign_and_on_reclaim() {
    let world = World::new(&[("zoom", "zoom"), ("slack", "slack")]);
    let text = format!(
        r#"{}
[instances.zoom.prices]
custom_ai_companion = 12.0

[[provision]]
instance = "zoom"
groups = ["ai"]
licenses = ["custom_ai_companion"]

[[provision]]
instance = "slack"
groups = ["ai"]
licenses = ["member", "slack_ai"]
"#,
        world.instances_toml(&[])
    );
    let engine = world.engine(&text).await;
    let people = directory(vec![person(1, &["ai"])]);
    let planned = plan_at(&engine, &people, common::NOW, PlanOptions::default()).await;
    let zoom = &planned
        .instances
        .iter()
        .find(|i| i.instance == "zoom")
        .unwrap()
        .steps;
    let Action::ManualTask {
        operation,
        instructions,
        url,
        ..
    } = &zoom[1].action
    else {
        panic!("expected a manual task: {zoom:#?}");
    };
    assert_eq!(operation, "assign");
    assert!(
        instructions.contains("Custom AI Companion"),
        "{instructions}"
    );
    assert_eq!(url.as_deref(), Some("https://acme.zoom.us/account/user"));

    let report = apply_at(&engine, &people, common::NOW, ApplyOptions::default()).await;
    assert!(report.succeeded(), "{report:#?}");
    assert_eq!(report.counts.manual, 2, "{report:#?}");
    let status = engine.status().await.unwrap();
    assert_eq!(status.manual_tasks.len(), 2);
    assert!(
        status
            .manual_tasks
            .iter()
            .all(|t| t.action == "assign_license")
    );
    // A task already raised is not raised again.
    assert!(
        !plan_at(&engine, &people, common::NOW, PlanOptions::default())
            .await
            .has_changes()
    );

    // Grace leaves: the manual seats are reclaimed by tasks, the automatic Slack seat with
    // the account, and the accounts are disabled.
    // The group stays in the directory, empty: a rule naming a group the directory does
    // not have is refused.
    let mut gone = directory(vec![person(1, &[]), person(2, &[])]);
    gone.groups.push(connector_engine::Group {
        name: "ai".into(),
        description: None,
        members: Vec::new(),
    });
    let planned = plan_at(&engine, &gone, common::NOW, PlanOptions::default()).await;
    for instance in &planned.instances {
        let names: Vec<_> = instance.steps.iter().map(|s| s.action.name()).collect();
        assert_eq!(names, ["manual_task", "disable"], "{}", instance.instance);
    }
    let zoom = planned
        .instances
        .iter()
        .find(|i| i.instance == "zoom")
        .unwrap();
    assert!((zoom.reclaim.monthly_saving - 12.0).abs() < 1e-9);
    let slack = planned
        .instances
        .iter()
        .find(|i| i.instance == "slack")
        .unwrap();
    assert_eq!(
        slack.reclaim.by_sku.get("member"),
        Some(&1),
        "{:#?}",
        slack.reclaim
    );

    let report = apply_at(&engine, &gone, common::NOW, ApplyOptions::default()).await;
    assert!(report.succeeded(), "{report:#?}");
    let tasks = engine.status().await.unwrap().manual_tasks;
    assert_eq!(
        tasks.len(),
        2,
        "the revokes supersede the assigns: {tasks:#?}"
    );
    assert!(
        tasks.iter().all(|t| t.action == "revoke_license"),
        "{tasks:#?}"
    );
    assert!(engine.store().licenses("slack").await.unwrap().is_empty());
}

#[tokio::test]
async fn seats_of_an_account_deactivated_outside_the_engine_are_reclaimed() {
    let world = World::new(&[("zoom", "zoom")]);
    let text = format!(
        "{}[[provision]]\ninstance = \"zoom\"\ngroups = [\"ai\"]\nlicenses = [\"whiteboard\"]\n",
        world.instances_toml(&[])
    );
    let engine = world.engine(&text).await;
    let mut grace = person(1, &["ai"]);
    let report = apply_at(
        &engine,
        &directory(vec![grace.clone()]),
        common::NOW,
        ApplyOptions::default(),
    )
    .await;
    assert!(report.succeeded());
    // An admin deactivates her in Zoom; then she leaves the company.
    let id = users(world.server("zoom")).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    world.server("zoom").state().set_active(&id, false).await;
    grace.status = connector_sdk::IdentityStatus::Deprovisioned;
    let people = directory(vec![grace]);
    let planned = plan_at(&engine, &people, common::NOW, PlanOptions::default()).await;
    let steps = &planned.instances[0].steps;
    assert_eq!(steps.len(), 1, "{steps:#?}");
    assert_eq!(steps[0].action.name(), "revoke_license");
    assert!(
        steps[0]
            .reason
            .contains("the account is deactivated: reclaim its seats"),
        "{}",
        steps[0].reason
    );
    let report = apply_at(&engine, &people, common::NOW, ApplyOptions::default()).await;
    assert!(report.succeeded());
    let user = &users(world.server("zoom")).await[0];
    assert_eq!(user[ZOOM]["zoomWhiteboard"], Value::Bool(false));
    assert_eq!(user["active"], Value::Bool(false));
}
