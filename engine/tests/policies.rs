//! Per-instance policies against scim2-server: adopt vs flag, orphan protection and
//! pruning, the removal circuit breaker, and the capability switches.

mod common;

use common::{NOW, World, apply, apply_at, directory, person, plan, plan_at, steps, users};
use connector_engine::plan::{Action, SkipCode};
use connector_engine::state::RunStatus;
use connector_engine::{ApplyOptions, PlanOptions};
use serde_json::json;

/// A rule giving `group` an account in `instance`.
fn rule(instance: &str, group: &str) -> String {
    format!("[[provision]]\ninstance = \"{instance}\"\ngroups = [\"{group}\"]\n\n")
}

#[tokio::test]
async fn an_existing_account_is_adopted_or_flagged_and_never_duplicated() {
    let world = World::new(&[("adopting", "chatgpt"), ("flagging", "chatgpt")]);
    let ada = person(1, &["ai"]);
    for instance in ["adopting", "flagging"] {
        world
            .server(instance)
            .state()
            .seed_user(json!({
                "userName": ada.email,
                "emails": [{ "value": ada.email, "type": "work", "primary": true }],
                "active": true,
            }))
            .await;
    }
    let text = format!(
        "{}{}{}",
        world.instances_toml(&[
            ("adopting", "existing_accounts = \"adopt\""),
            ("flagging", "existing_accounts = \"flag\""),
        ]),
        rule("adopting", "ai"),
        rule("flagging", "ai"),
    );
    let engine = world.engine(&text).await;
    let people = directory(vec![ada.clone()]);

    let planned = plan(&engine, &people).await;
    let adopting: Vec<_> = steps(&planned, "adopting")
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    assert_eq!(adopting, ["link", "update"]);
    let flagged = &planned
        .instances
        .iter()
        .find(|i| i.instance == "flagging")
        .unwrap()
        .steps;
    assert_eq!(flagged.len(), 1);
    assert_eq!(
        flagged[0].action,
        Action::Skip {
            skipped: "create".into(),
            code: SkipCode::ExistingAccountFlagged
        }
    );

    apply(&engine, &people).await;
    let adopted = users(world.server("adopting")).await;
    assert_eq!(adopted.len(), 1, "no duplicate: {adopted:#?}");
    assert_eq!(
        adopted[0]["externalId"], "00u000001",
        "the adopted account is managed"
    );
    let left = users(world.server("flagging")).await;
    assert_eq!(left.len(), 1, "no duplicate: {left:#?}");
    assert!(
        left[0].get("externalId").is_none(),
        "a flagged account is not touched"
    );

    let links = engine.store().links("adopting").await.unwrap();
    assert_eq!(
        links["00u000001"].origin,
        connector_engine::state::Origin::Adopted
    );
    assert!(engine.store().links("flagging").await.unwrap().is_empty());
    assert!(!plan(&engine, &people).await.has_changes());
}

#[tokio::test]
async fn accounts_matching_nobody_are_protected_unless_the_policy_prunes() {
    let world = World::new(&[("protecting", "chatgpt"), ("pruning", "chatgpt")]);
    for instance in ["protecting", "pruning"] {
        world
            .server(instance)
            .state()
            .seed_user(json!({ "userName": "stranger@elsewhere.example", "active": true }))
            .await;
    }
    let text = format!(
        "{}{}{}",
        world.instances_toml(&[("pruning", "prune = \"disable\"")]),
        rule("protecting", "ai"),
        rule("pruning", "ai"),
    );
    let engine = world.engine(&text).await;
    let people = directory(vec![person(1, &["ai"])]);
    let planned = plan(&engine, &people).await;
    let protecting = planned
        .instances
        .iter()
        .find(|i| i.instance == "protecting")
        .unwrap();
    assert_eq!(protecting.protected.len(), 1);
    assert_eq!(
        protecting.protected[0].user_name,
        "stranger@elsewhere.example"
    );
    assert!(
        steps(&planned, "protecting")
            .iter()
            .all(|(a, _)| a != "disable")
    );
    assert!(
        steps(&planned, "pruning")
            .contains(&("disable".into(), "stranger@elsewhere.example".into()))
    );

    apply(&engine, &people).await;
    let kept = world
        .server("protecting")
        .state()
        .find_by_user_name("stranger@elsewhere.example")
        .await;
    assert_eq!(kept[0]["active"], true);
    let pruned = world
        .server("pruning")
        .state()
        .find_by_user_name("stranger@elsewhere.example")
        .await;
    assert_eq!(pruned[0]["active"], false);
}

#[tokio::test]
async fn the_circuit_breaker_stops_before_touching_anything() {
    let world = World::new(&[("chatgpt", "chatgpt")]);
    let text = format!(
        "{}{}",
        world.instances_toml(&[("chatgpt", "max_removals = 1")]),
        rule("chatgpt", "ai")
    );
    let engine = world.engine(&text).await;
    let everyone = directory(vec![
        person(1, &["ai"]),
        person(2, &["ai"]),
        person(3, &["ai"]),
    ]);
    apply(&engine, &everyone).await;

    // Two people leave the group: two disables, over the limit of one.
    let fewer = directory(vec![person(1, &["ai"]), person(2, &[]), person(3, &[])]);
    let planned = plan(&engine, &fewer).await;
    let removals = &planned.instances[0].removals;
    assert_eq!((removals.count, removals.tripped), (2, true));
    assert!(planned.summary.blocked);

    let report = apply_at(&engine, &fewer, NOW, ApplyOptions::default()).await;
    assert_eq!(report.status, RunStatus::Stopped);
    assert!(report.stopped.is_some() && report.results.is_empty());
    let active = users(world.server("chatgpt"))
        .await
        .iter()
        .filter(|u| u["active"] == true)
        .count();
    assert_eq!(active, 3, "nothing was touched");

    let allowed = ApplyOptions {
        plan: PlanOptions {
            allow_removals: true,
            ..PlanOptions::default()
        },
        ..ApplyOptions::default()
    };
    let report = apply_at(&engine, &fewer, NOW, allowed).await;
    assert!(report.succeeded(), "{report:#?}");
    let active = users(world.server("chatgpt"))
        .await
        .iter()
        .filter(|u| u["active"] == true)
        .count();
    assert_eq!(active, 1);
}

#[tokio::test]
async fn a_percentage_limit_trips_on_small_instances() {
    let world = World::new(&[("chatgpt", "chatgpt")]);
    let text = format!(
        "{}{}",
        world.instances_toml(&[("chatgpt", "max_removals = 100\nmax_removal_percent = 10")]),
        rule("chatgpt", "ai")
    );
    let engine = world.engine(&text).await;
    apply(
        &engine,
        &directory(vec![person(1, &["ai"]), person(2, &["ai"])]),
    )
    .await;
    let planned = plan(
        &engine,
        &directory(vec![person(1, &["ai"]), person(2, &[])]),
    )
    .await;
    assert!(
        planned.instances[0].removals.tripped,
        "1 of 2 accounts is over 10%"
    );
}

#[tokio::test]
async fn capability_switches_turn_each_kind_of_change_into_a_skip() {
    let world = World::new(&[("zoom", "zoom")]);
    let open = format!(
        "{}[[provision]]\ninstance = \"zoom\"\ngroups = [\"ai\"]\nlicenses = [\"whiteboard\"]\n",
        world.instances_toml(&[])
    );
    let engine = world.engine(&open).await;
    apply(
        &engine,
        &directory(vec![person(1, &["ai"]), person(2, &["ai"])]),
    )
    .await;
    let before = users(world.server("zoom")).await;

    let locked = format!(
        "{}[[provision]]\ninstance = \"zoom\"\ngroups = [\"ai\"]\n",
        world.instances_toml(&[(
            "zoom",
            "create = false\nupdate = false\ndeactivate = false\nlicense = false"
        )])
    );
    let engine = world.engine(&locked).await;
    let mut grace = person(1, &["ai"]);
    grace.title = Some("Director".into());
    // Grace changes title and loses the whiteboard seat; Alan leaves; Katherine joins.
    let people = directory(vec![grace, person(2, &[]), person(3, &["ai"])]);
    let planned = plan_at(
        &engine,
        &people,
        NOW,
        PlanOptions {
            allow_removals: true,
            ..PlanOptions::default()
        },
    )
    .await;
    let skipped: Vec<_> = planned.instances[0]
        .steps
        .iter()
        .map(|s| match &s.action {
            Action::Skip { skipped, code } => {
                assert_eq!(*code, SkipCode::PolicyOff, "{s:#?}");
                assert!(s.reason.contains("policy switches"), "{}", s.reason);
                skipped.clone()
            }
            other => panic!("expected only skips, got {other:?}"),
        })
        .collect();
    assert_eq!(
        skipped,
        [
            "update",
            "revoke_license",
            "revoke_license",
            "disable",
            "create"
        ]
    );
    assert!(!planned.has_changes());

    apply(&engine, &people).await;
    assert_eq!(
        users(world.server("zoom")).await,
        before,
        "nothing changed on the server"
    );
}

#[tokio::test]
async fn removal_delete_deletes_leavers_but_only_disables_the_suspended() {
    let world = World::new(&[("chatgpt", "chatgpt")]);
    let text = format!(
        "{}{}",
        world.instances_toml(&[("chatgpt", "removal = \"delete\"")]),
        rule("chatgpt", "ai")
    );
    let engine = world.engine(&text).await;
    apply(
        &engine,
        &directory(vec![
            person(1, &["ai"]),
            person(2, &["ai"]),
            person(3, &["ai"]),
        ]),
    )
    .await;
    let mut suspended = person(2, &["ai"]);
    suspended.status = connector_sdk::IdentityStatus::Suspended;
    let people = directory(vec![person(1, &["ai"]), suspended, person(3, &[])]);
    let planned = plan(&engine, &people).await;
    assert_eq!(
        steps(&planned, "chatgpt"),
        [
            ("disable", "alan.turing2@example.com"),
            ("delete", "katherine.johnson3@example.com")
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    apply(&engine, &people).await;
    let left = users(world.server("chatgpt")).await;
    assert_eq!(left.len(), 2, "the leaver is deleted");
    assert!(
        left.iter()
            .any(|u| u["userName"] == "alan.turing2@example.com" && u["active"] == false)
    );
    assert!(
        !engine
            .store()
            .links("chatgpt")
            .await
            .unwrap()
            .contains_key("00u000003")
    );
    assert!(!plan(&engine, &people).await.has_changes());
}
