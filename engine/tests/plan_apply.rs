//! Plan and apply end to end against scim2-server: ChatGPT, Zoom and two Slack workspaces.

mod common;

use common::{World, apply, directory, person, plan, steps, users};
use connector_engine::plan::Action;
use connector_engine::state::AuditFilter;
use connector_engine::{ApplyOptions, AuditSink};
use serde_json::Value;

/// Rules giving the `ai` group ChatGPT and Zoom (with the whiteboard seat).
fn rules() -> &'static str {
    r#"
[[provision]]
instance = "chatgpt"
groups = ["ai"]
licenses = ["enterprise_seat"]

[[provision]]
instance = "zoom"
groups = ["ai"]
licenses = ["whiteboard"]
"#
}

#[tokio::test]
async fn plan_writes_nothing_apply_creates_and_a_second_apply_plans_nothing() {
    let world = World::new(&[("chatgpt", "chatgpt"), ("zoom", "zoom")]);
    let text = format!("{}{}", world.instances_toml(&[]), rules());
    let engine = world.engine(&text).await;
    let people = directory(vec![
        person(1, &["ai"]),
        person(2, &["ai"]),
        person(3, &["other"]),
    ]);

    let first = plan(&engine, &people).await;
    assert_eq!(
        steps(&first, "chatgpt"),
        [
            ("create", "grace.hopper1@example.com"),
            ("assign_license", "grace.hopper1@example.com"),
            ("create", "alan.turing2@example.com"),
            ("assign_license", "alan.turing2@example.com"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    assert!(first.has_changes());
    assert_eq!(
        users(world.server("chatgpt")).await.len(),
        0,
        "plan writes nothing"
    );
    assert_eq!(world.server("chatgpt").state().count_users().await, 0);

    let report = apply(&engine, &people).await;
    assert_eq!(report.counts.applied, 8, "{report:#?}");
    let chatgpt = users(world.server("chatgpt")).await;
    assert_eq!(chatgpt.len(), 2);
    assert!(
        chatgpt.iter().any(|u| u["externalId"] == "00u000001"),
        "{chatgpt:#?}"
    );
    let zoom = users(world.server("zoom")).await;
    assert_eq!(zoom.len(), 2);
    for user in &zoom {
        assert_eq!(
            user["urn:ietf:params:scim:schemas:extension:zoom:1.0:User"]["zoomWhiteboard"],
            Value::Bool(true),
            "{user:#}"
        );
    }

    let second = plan(&engine, &people).await;
    assert!(
        !second.has_changes(),
        "{}",
        connector_engine::plan::render::render(&second)
    );
    let again = apply(&engine, &people).await;
    assert_eq!(again.counts.applied, 0);
    assert_eq!(
        users(world.server("chatgpt")).await.len(),
        2,
        "no duplicate"
    );

    let status = engine.status().await.unwrap();
    assert_eq!(status.links["chatgpt"], 2);
    assert_eq!(status.last_source_size, Some(3));
    assert!(status.pending_intents.is_empty());
}

#[tokio::test]
async fn a_profile_change_is_planned_as_a_diff_and_applied() {
    let world = World::new(&[("zoom", "zoom")]);
    let text = format!(
        "{}[[provision]]\ninstance = \"zoom\"\ngroups = [\"ai\"]\n",
        world.instances_toml(&[])
    );
    let engine = world.engine(&text).await;
    let mut ada = person(1, &["ai"]);
    apply(&engine, &directory(vec![ada.clone()])).await;

    ada.title = Some("Principal Engineer".into());
    ada.cost_center = Some("CC-9".into()); // not mapped by Zoom: no change
    let people = directory(vec![ada]);
    let plan = plan(&engine, &people).await;
    let step = &plan.instances[0].steps[0];
    let Action::Update { changes } = &step.action else {
        panic!("expected an update: {step:#?}");
    };
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(changes[0].field, "title");
    assert_eq!(changes[0].before, "Engineer");
    assert_eq!(changes[0].after, "Principal Engineer");
    let text = connector_engine::plan::render::render(&plan);
    assert!(
        text.contains("title: \"Engineer\" -> \"Principal Engineer\""),
        "{text}"
    );

    apply(&engine, &people).await;
    let user = &users(world.server("zoom")).await[0];
    assert_eq!(user["title"], "Principal Engineer");
    assert!(!common::plan(&engine, &people).await.has_changes());
}

#[tokio::test]
async fn two_slack_workspaces_are_two_instances_of_one_connector() {
    let world = World::new(&[("slack-eng", "slack"), ("slack-sales", "slack")]);
    let text = format!(
        r#"{}
[[provision]]
instance = "slack-eng"
groups = ["eng"]
licenses = ["member"]

[[provision]]
instance = "slack-sales"
groups = ["sales"]
"#,
        world.instances_toml(&[])
    );
    let engine = world.engine(&text).await;
    let people = directory(vec![
        person(1, &["eng"]),
        person(2, &["sales"]),
        person(3, &["eng", "sales"]),
    ]);
    apply(&engine, &people).await;
    let eng = users(world.server("slack-eng")).await;
    let sales = users(world.server("slack-sales")).await;
    assert_eq!(eng.len(), 2);
    assert_eq!(sales.len(), 2);
    // Slack's userName is the email's local part.
    assert!(
        eng.iter().any(|u| u["userName"] == "grace.hopper1"),
        "{eng:#?}"
    );
    assert!(!common::plan(&engine, &people).await.has_changes());
}

#[tokio::test]
async fn every_change_is_an_ocsf_event_in_the_state_and_the_audit_file_without_secrets() {
    let world = World::new(&[("chatgpt", "chatgpt")]);
    let text = format!(
        "{}[[provision]]\ninstance = \"chatgpt\"\ngroups = [\"ai\"]\n",
        world.instances_toml(&[])
    );
    let engine = world.engine(&text).await;
    let audit_path = world.dir.path().join("audit.jsonl");
    let options = ApplyOptions {
        audit: AuditSink::file(&audit_path).unwrap(),
        ..ApplyOptions::default()
    };
    let people = directory(vec![person(1, &["ai"])]);
    let report = common::apply_at(&engine, &people, common::NOW, options).await;
    assert!(report.succeeded());

    let file = std::fs::read_to_string(&audit_path).unwrap();
    let token = world.server("chatgpt").token();
    assert!(
        !file.contains(token.expose()),
        "the audit file holds the token"
    );
    let events: Vec<Value> = file
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event["class_uid"], 3001);
    assert_eq!(event["activity_id"], 1);
    assert_eq!(event["status"], "Success");
    assert_eq!(event["api"]["service"]["name"], "chatgpt");
    assert_eq!(event["unmapped"]["identity"]["id"], "00u000001");
    assert_eq!(event["metadata"]["correlation_uid"], report.run_id.as_str());
    assert!(
        event["user"]["uid"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );

    let stored = engine
        .store()
        .audit_events(&AuditFilter {
            activity: Some("create".into()),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(serde_json::from_str::<Value>(&stored[0]).unwrap(), *event);
    let none = engine
        .store()
        .audit_events(&AuditFilter {
            status: Some("failure".into()),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert!(none.is_empty());
}

#[tokio::test]
async fn sign_in_assignment_is_planned_apart_from_provisioning() {
    let world = World::new(&[("chatgpt", "chatgpt")]);
    let text = format!(
        r#"{}
[[provision]]
instance = "chatgpt"
groups = ["ai"]

[[sso]]
instance = "chatgpt"
groups = ["ai", "migrating"]
"#,
        world.instances_toml(&[])
    );
    let engine = world.engine(&text).await;
    // Grace is provisioned and signs in; Alan has a consumer account being migrated: he
    // signs in through the IdP but is not provisioned; Katherine is provisioned only.
    let mut katherine = person(3, &["ai"]);
    katherine.groups.clear();
    let rules_for_katherine = format!(
        "{text}\n[[provision]]\ninstance = \"chatgpt\"\npeople = [\"{}\"]\n",
        katherine.login
    );
    let engine_k = world.engine(&rules_for_katherine).await;
    let people = directory(vec![
        person(1, &["ai"]),
        person(2, &["migrating"]),
        katherine,
    ]);
    let sso = plan(&engine_k, &people).await.instances[0].sso.clone();
    assert!(sso.managed);
    assert_eq!(
        sso.tile, "bookmark",
        "ChatGPT accepts only SP-initiated sign-in"
    );
    assert_eq!(
        sso.login_url.as_deref(),
        Some("https://chatgpt.com/auth/login")
    );
    assert_eq!(
        sso.assigned,
        ["grace.hopper1@example.com", "alan.turing2@example.com"]
    );
    assert_eq!(sso.sso_only, ["alan.turing2@example.com"]);
    assert_eq!(
        sso.provisioned_without_sso,
        ["katherine.johnson3@example.com"]
    );
    let planned = plan(&engine, &people).await;
    assert_eq!(
        steps(&planned, "chatgpt"),
        [("create".to_owned(), "grace.hopper1@example.com".to_owned())],
        "only Grace is provisioned"
    );
}
