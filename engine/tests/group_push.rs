//! Group push end to end against scim2-server (a third-party SCIM server), checked with
//! its own GETs: `[[push_groups]]` creates the group, adds the members once their
//! accounts exist, removes those who leave the directory group, renames, deletes when
//! allowed; a group renamed in the app by hand is flagged, not fought over; a group the
//! engine did not create is flagged or adopted by policy; member removals count toward
//! the removal breaker; the state remembers what it pushed.

mod common;

use common::{World, apply, directory, person, plan};
use connector_engine::plan::{GroupAction, GroupSkipCode, GroupStep, InstancePlan};
use connector_engine::{ApplyOptions, Plan};

/// The group steps of the instance `slack` in `plan`.
fn groups(plan: &Plan) -> Vec<GroupStep> {
    instance(plan).groups.clone()
}

/// The instance `slack` of `plan`.
fn instance(plan: &Plan) -> &InstancePlan {
    plan.instances
        .iter()
        .find(|i| i.instance == "slack")
        .expect("slack is planned")
}

/// `(action, name)` of each group step.
fn actions(steps: &[GroupStep]) -> Vec<(&str, &str)> {
    steps
        .iter()
        .map(|s| (s.action.name(), s.name.as_str()))
        .collect()
}

/// An assignments file giving `eng` and `sales` Slack accounts and pushing `pushed`.
fn assignments(world: &World, push: &str, policy: &str) -> String {
    format!(
        "{}\n[[provision]]\ninstance = \"slack\"\ngroups = [\"eng\", \"sales\"]\n\n{push}",
        world.instances_toml(&[("slack", policy)])
    )
}

/// The id on the server of the Slack account of the person with login `login` (Slack's
/// userName is the address's local part).
async fn user_id(world: &World, login: &str) -> String {
    let handle = login.split('@').next().unwrap();
    let found = world
        .server("slack")
        .state()
        .find_by_user_name(handle)
        .await;
    assert_eq!(found.len(), 1, "{login}: {found:?}");
    found[0]["id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_are_pushed_with_their_members_and_kept_in_line() {
    let world = World::new(&[("slack", "slack")]);
    let push =
        "[[push_groups]]\ninstance = \"slack\"\ngroups = [\"eng\"]\nname = \"team-{group}\"\n";
    let engine = world.engine(&assignments(&world, push, "")).await;
    let (ada, bob, cy) = (
        person(1, &["eng"]),
        person(2, &["eng"]),
        person(3, &["sales"]),
    );
    let people = directory(vec![ada.clone(), bob.clone(), cy.clone()]);

    // First plan: the accounts, then the group and its two members (created by this run).
    let first = plan(&engine, &people).await;
    let steps = groups(&first);
    assert_eq!(
        actions(&steps),
        [("create_group", "team-eng"), ("add_members", "team-eng")],
        "{steps:#?}"
    );
    let GroupAction::AddMembers { members } = &steps[1].action else {
        panic!("{steps:#?}");
    };
    assert_eq!(members.len(), 2);
    assert!(
        members.iter().all(|m| m.account_id.is_none()),
        "{members:?}"
    );
    let text = connector_engine::plan::render::render(&first);
    assert!(
        text.contains("+ create   group team-eng (directory group eng)"),
        "{text}"
    );
    assert!(
        text.contains("+ members  group team-eng (directory group eng): +2"),
        "{text}"
    );
    assert!(
        text.contains(&format!("+ {} (account created by this run)", ada.login)),
        "{text}"
    );

    let report = apply(&engine, &people).await;
    let group_results: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.step.contains("#g"))
        .collect();
    assert_eq!(group_results.len(), 2, "{report:#?}");
    assert!(
        group_results.iter().all(|r| r.status.as_str() == "applied"),
        "{group_results:#?}"
    );

    // The server's own view: one group, externalId = the directory group, both members.
    let state = world.server("slack").state();
    let group = state
        .find_group("team-eng")
        .await
        .expect("the group exists");
    assert_eq!(group["externalId"], "eng", "{group}");
    let group_id = group["id"].as_str().unwrap().to_owned();
    let mut expected = vec![
        user_id(&world, &ada.login).await,
        user_id(&world, &bob.login).await,
    ];
    expected.sort();
    assert_eq!(state.group_member_ids(&group_id).await, expected);

    // Nothing left to do.
    let again = plan(&engine, &people).await;
    assert!(groups(&again).is_empty(), "{:#?}", groups(&again));

    // Bob leaves `eng`: his membership goes (a removal for the breaker), his account stays.
    let moved = directory(vec![ada.clone(), person(2, &["sales"]), cy.clone()]);
    let mover = plan(&engine, &moved).await;
    let steps = groups(&mover);
    assert_eq!(
        actions(&steps),
        [("remove_members", "team-eng")],
        "{steps:#?}"
    );
    assert_eq!(instance(&mover).removals.count, 1);
    apply(&engine, &moved).await;
    assert_eq!(
        state.group_member_ids(&group_id).await,
        vec![user_id(&world, &ada.login).await]
    );
    user_id(&world, &bob.login).await;

    // The rule's name changes: the group is renamed, not created again.
    let renamed_rule = push.replace("team-{group}", "eng-team");
    let engine = world.engine(&assignments(&world, &renamed_rule, "")).await;
    let rename = plan(&engine, &moved).await;
    assert_eq!(
        actions(&groups(&rename)),
        [("rename_group", "eng-team")],
        "{:#?}",
        groups(&rename)
    );
    apply(&engine, &moved).await;
    assert_eq!(
        state.get_group(&group_id).await.unwrap()["displayName"],
        "eng-team"
    );

    // Renamed in the app by hand: flagged, never renamed back, members left alone.
    state.rename_group(&group_id, "Engineering (hand)").await;
    let bob_back = directory(vec![ada.clone(), bob.clone(), cy.clone()]);
    let flagged = plan(&engine, &bob_back).await;
    let steps = groups(&flagged);
    assert_eq!(steps.len(), 1, "{steps:#?}");
    assert!(
        matches!(
            steps[0].action,
            GroupAction::Skip {
                code: GroupSkipCode::RenamedInApp,
                ..
            }
        ),
        "{steps:#?}"
    );
    assert!(
        steps[0].reason.contains("Engineering (hand)"),
        "{}",
        steps[0].reason
    );
    apply(&engine, &bob_back).await;
    assert_eq!(
        state.get_group(&group_id).await.unwrap()["displayName"],
        "Engineering (hand)"
    );
    assert_eq!(state.group_member_ids(&group_id).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_group_is_flagged_or_adopted_and_deleted_only_when_created_and_allowed() {
    let world = World::new(&[("slack", "slack")]);
    let state = world.server("slack").state();
    let theirs = state.seed_group("sales").await;
    let people = directory(vec![person(1, &["eng"]), person(2, &["sales"])]);

    // `sales` exists and the engine did not create it: flagged by default.
    let push =
        "[[push_groups]]\ninstance = \"slack\"\ngroups = [\"eng\", \"sales\"]\ndelete = true\n";
    let engine = world.engine(&assignments(&world, push, "")).await;
    let first = plan(&engine, &people).await;
    let steps = groups(&first);
    let sales: Vec<_> = steps
        .iter()
        .filter(|s| s.directory_group == "sales")
        .collect();
    assert_eq!(sales.len(), 1, "{steps:#?}");
    assert!(
        matches!(
            sales[0].action,
            GroupAction::Skip {
                code: GroupSkipCode::ExistingGroupFlagged,
                ..
            }
        ),
        "{steps:#?}"
    );
    apply(&engine, &people).await;
    assert!(state.group_member_ids(&theirs).await.is_empty());

    // Adopted under `existing_groups = "adopt"`: linked, then its member added.
    let adopt = format!("{push}existing_groups = \"adopt\"\n");
    let engine = world.engine(&assignments(&world, &adopt, "")).await;
    let adopted = plan(&engine, &people).await;
    let sales: Vec<_> = groups(&adopted)
        .into_iter()
        .filter(|s| s.directory_group == "sales")
        .collect();
    assert_eq!(
        actions(&sales),
        [("link_group", "sales"), ("add_members", "sales")],
        "{sales:#?}"
    );
    apply(&engine, &people).await;
    assert_eq!(state.group_member_ids(&theirs).await.len(), 1);
    let eng = state.find_group("eng").await.expect("eng was created");
    let eng_id = eng["id"].as_str().unwrap().to_owned();

    // `delete = false` now: recorded (no call), so the rule going away deletes nothing.
    let keep = adopt.replace("delete = true", "delete = false");
    let engine = world.engine(&assignments(&world, &keep, "")).await;
    let steps = groups(&plan(&engine, &people).await);
    assert_eq!(actions(&steps), [("link_group", "eng")], "{steps:#?}");
    apply(&engine, &people).await;
    let engine = world.engine(&assignments(&world, "", "")).await;
    let kept = groups(&plan(&engine, &people).await);
    assert!(kept.is_empty(), "{kept:#?}");
    // `delete = true` again: recorded; then the rule goes and the group with it.
    let engine = world.engine(&assignments(&world, &adopt, "")).await;
    assert_eq!(
        actions(&groups(&plan(&engine, &people).await)),
        [("link_group", "eng")]
    );
    apply(&engine, &people).await;

    // The rule goes: `eng` (created, `delete = true`) is deleted; `sales` (adopted) stays.
    let engine = world.engine(&assignments(&world, "", "")).await;
    let gone = plan(&engine, &people).await;
    let steps = groups(&gone);
    assert_eq!(actions(&steps), [("delete_group", "eng")], "{steps:#?}");
    assert!(
        instance(&gone)
            .warnings
            .iter()
            .any(|w| w.contains("`sales` (sales) is no longer pushed")),
        "{:?}",
        instance(&gone).warnings
    );
    assert_eq!(instance(&gone).removals.count, 1);
    apply(&engine, &people).await;
    assert!(state.get_group(&eng_id).await.is_none());
    assert!(state.get_group(&theirs).await.is_some());
    let after = plan(&engine, &people).await;
    assert!(groups(&after).is_empty(), "{:#?}", groups(&after));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_removals_trip_the_breaker_before_anything_changes() {
    let world = World::new(&[("slack", "slack")]);
    let push = "[[push_groups]]\ninstance = \"slack\"\ngroups = [\"eng\"]\n";
    let engine = world
        .engine(&assignments(&world, push, "max_removals = 1"))
        .await;
    let people = directory(vec![
        person(1, &["eng"]),
        person(2, &["eng"]),
        person(3, &["eng"]),
    ]);
    apply(&engine, &people).await;
    let state = world.server("slack").state();
    let group_id = state.find_group("eng").await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(state.group_member_ids(&group_id).await.len(), 3);

    // Two leave `eng` (they keep their accounts through `sales`): two removals, limit one.
    let moved = directory(vec![
        person(1, &["eng"]),
        person(2, &["sales"]),
        person(3, &["sales"]),
    ]);
    let report = common::apply_at(&engine, &moved, common::NOW, ApplyOptions::default()).await;
    assert!(report.stopped.is_some(), "{report:#?}");
    assert_eq!(state.group_member_ids(&group_id).await.len(), 3);
}

#[test]
fn push_rules_are_checked_at_their_line() {
    use std::path::Path;
    use std::sync::Arc;

    use connector_engine::Assignments;
    use connector_sdk::{Capability, Connector, Manifest};

    // A connector whose spec declares no `groups` (Slack's manifest without it).
    let mut manifest: Manifest = connector_slack::MANIFEST.clone();
    manifest.name = "nogroups";
    manifest.display_name = "No Groups";
    let capabilities: Vec<Capability> = manifest
        .provisioning
        .capabilities
        .iter()
        .copied()
        .filter(|c| *c != Capability::Groups)
        .collect();
    manifest.provisioning.capabilities = Box::leak(capabilities.into_boxed_slice());
    let manifest: &'static Manifest = Box::leak(Box::new(manifest));
    let registry = common::registry().with(manifest, |c| {
        Ok(Arc::new(connector_slack::connect(c)?) as Arc<dyn Connector>)
    });
    let text = r#"[instances.slack]
connector = "slack"

[instances.plain]
connector = "nogroups"

[[push_groups]]
instance = "plain"
groups = ["eng"]

[[push_groups]]
instance = "slak"
groups = ["eng"]

[[push_groups]]
instance = "slack"
groups = ["eng", "Eng"]
name = "team-{grp}"
existing_groups = "take"

[[push_groups]]
instance = "slack"
groups = ["eng", "ops"]
name = "{group}"

[[push_groups]]
instance = "slack"
groups = []
"#;
    let errors: Vec<String> = Assignments::parse(Path::new("assignments.toml"), text, &registry)
        .unwrap_err()
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect();
    let expected = [
        "assignments.toml:8:12: instance `plain` cannot take pushed groups: No Groups declares no `groups` capability",
        "assignments.toml:12:12: unknown instance `slak`",
        "assignments.toml:18:8: the group name `team-{grp}` may only read `{group}`",
        "assignments.toml:19:19: `existing_groups` is `adopt` or `flag`, not `take`",
        "assignments.toml:23:11: group `eng` is pushed to instance `slack` by an earlier rule too",
        "assignments.toml:28:10: the rule pushes no group",
    ];
    for prefix in expected {
        assert!(
            errors.iter().any(|e| e.starts_with(prefix)),
            "missing `{prefix}` in:\n{}",
            errors.join("\n")
        );
    }
    assert_eq!(errors.len(), expected.len(), "{}", errors.join("\n"));
    // Two directory groups one name apart only by case would be one group in the app.
    let clash = "[instances.slack]\nconnector = \"slack\"\n\n[[push_groups]]\ninstance = \"slack\"\ngroups = [\"eng\", \"ENG\"]\n";
    let errors = Assignments::parse(Path::new("assignments.toml"), clash, &registry)
        .unwrap_err()
        .to_string();
    assert!(
        errors.contains(
            "assignments.toml:6:18: groups `eng` and `ENG` would both be `ENG` in instance `slack`"
        ),
        "{errors}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_an_interrupted_run_created_is_linked_not_created_again() {
    let world = World::new(&[("slack", "slack")]);
    let state = world.server("slack").state();
    // What a create that reached the app before the crash leaves: the group, with the
    // directory group's name as externalId, and no link in the state.
    let orphan = state
        .seed_group_resource(serde_json::json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName": "eng",
                "externalId": "eng",
        }))
        .await;
    let push = "[[push_groups]]\ninstance = \"slack\"\ngroups = [\"eng\"]\n";
    let engine = world.engine(&assignments(&world, push, "")).await;
    let people = directory(vec![person(1, &["eng"])]);
    let steps = groups(&plan(&engine, &people).await);
    assert_eq!(
        actions(&steps),
        [("link_group", "eng"), ("add_members", "eng")],
        "{steps:#?}"
    );
    assert!(
        matches!(&steps[0].action, GroupAction::LinkGroup { origin, .. } if origin == "created"),
        "{steps:#?}"
    );
    apply(&engine, &people).await;
    assert_eq!(state.group_member_ids(&orphan).await.len(), 1);
    let groups_now = state.find_group("eng").await;
    assert_eq!(groups_now.unwrap()["id"], orphan.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_events_scoped_plan_changes_the_pushed_groups_of_its_people_only() {
    use connector_engine::PlanOptions;

    let world = World::new(&[("slack", "slack")]);
    let push = "[[push_groups]]\ninstance = \"slack\"\ngroups = [\"eng\"]\n";
    let engine = world.engine(&assignments(&world, push, "")).await;
    let people = directory(vec![
        person(1, &["eng"]),
        person(2, &["eng"]),
        person(3, &["eng"]),
    ]);
    apply(&engine, &people).await;
    let push = push.replace("[\"eng\"]", "[\"eng\", \"ops\"]");
    let engine = world.engine(&assignments(&world, &push, "")).await;

    // Two people leave `eng`, and a new group `ops` appears with one of them; an event
    // about person 2 only changes person 2's memberships (and creates `ops` for them).
    let moved = directory(vec![
        person(1, &["eng"]),
        person(2, &["sales", "ops"]),
        person(3, &["sales"]),
    ]);
    let scope = [person(2, &[]).id].into_iter().collect();
    let scoped = common::plan_at(
        &engine,
        &moved,
        common::NOW,
        PlanOptions {
            scope: Some(scope),
            ..PlanOptions::default()
        },
    )
    .await;
    let steps = groups(&scoped);
    assert_eq!(
        actions(&steps),
        [
            ("remove_members", "eng"),
            ("create_group", "ops"),
            ("add_members", "ops")
        ],
        "{steps:#?}"
    );
    for step in &steps {
        if let GroupAction::AddMembers { members } | GroupAction::RemoveMembers { members } =
            &step.action
        {
            assert_eq!(members.len(), 1, "{steps:#?}");
            assert_eq!(members[0].identity_id.as_deref(), Some("00u000002"));
        }
    }
    // The full plan has person 3's removal too.
    let full = groups(&plan(&engine, &moved).await);
    let removed: usize = full
        .iter()
        .map(|s| match &s.action {
            GroupAction::RemoveMembers { members } => members.len(),
            _ => 0,
        })
        .sum();
    assert_eq!(removed, 2, "{full:#?}");
}
