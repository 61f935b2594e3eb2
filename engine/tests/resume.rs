//! Crash recovery: an intent journaled without an outcome is settled by re-reading the
//! app, so a rerun neither duplicates an account nor loses a change.

mod common;

use common::{World, apply, directory, person, users};
use connector_engine::state::{Intent, Origin, Outcome};

/// The rule giving `ai` a ChatGPT account.
fn text(world: &World) -> String {
    format!(
        "{}[[provision]]\ninstance = \"chatgpt\"\ngroups = [\"ai\"]\n",
        world.instances_toml(&[])
    )
}

/// Journals a create intent for `who`, as a run killed mid-call leaves it.
async fn crashed_create(engine: &connector_engine::Engine, who: &connector_sdk::Identity) -> i64 {
    engine
        .store()
        .start_run("r-crashed", "test", 1)
        .await
        .unwrap();
    let step =
        serde_json::json!({ "target": { "identity_id": who.id, "login": who.login } }).to_string();
    engine
        .store()
        .record_intent(&Intent {
            run_id: "r-crashed",
            instance: "chatgpt",
            identity_id: Some(&who.id),
            account_id: None,
            action: "create",
            sku: None,
            step: &step,
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn a_create_that_reached_the_app_before_the_crash_is_linked_not_duplicated() {
    let world = World::new(&[("chatgpt", "chatgpt")]);
    let engine = world.engine(&text(&world)).await;
    let ada = person(1, &["ai"]);
    let entry = crashed_create(&engine, &ada).await;
    // The call reached the app; the process died before journaling the outcome.
    let connectors = engine.connectors(&[]);
    let connector = connectors["chatgpt"].as_ref().unwrap();
    connector.create(&ada).await.unwrap();
    assert_eq!(engine.status().await.unwrap().pending_intents.len(), 1);

    let report = apply(&engine, &directory(vec![ada.clone()])).await;
    assert_eq!(report.resumed.len(), 1);
    assert_eq!(report.resumed[0].outcome, "recovered", "{report:#?}");
    assert_eq!(
        users(world.server("chatgpt")).await.len(),
        1,
        "no duplicate"
    );
    let links = engine.store().links("chatgpt").await.unwrap();
    assert_eq!(
        links[&ada.id].origin,
        Origin::Created,
        "ours, not someone else's"
    );
    let journal = engine.store().journal("r-crashed").await.unwrap();
    assert_eq!(journal[0].id, entry);
    assert_eq!(journal[0].outcome, Some(Outcome::Recovered));
    let runs = engine.store().runs(10).await.unwrap();
    let crashed = runs.iter().find(|r| r.id == "r-crashed").unwrap();
    assert_eq!(
        crashed.status,
        connector_engine::state::RunStatus::Interrupted
    );
    assert!(engine.status().await.unwrap().pending_intents.is_empty());
    assert!(
        !common::plan(&engine, &directory(vec![ada]))
            .await
            .has_changes()
    );
}

#[tokio::test]
async fn a_create_that_never_reached_the_app_is_redone_once() {
    let world = World::new(&[("chatgpt", "chatgpt")]);
    let engine = world.engine(&text(&world)).await;
    let ada = person(1, &["ai"]);
    crashed_create(&engine, &ada).await;

    let report = apply(&engine, &directory(vec![ada.clone()])).await;
    assert_eq!(report.resumed[0].outcome, "not_done", "{report:#?}");
    assert_eq!(
        report.counts.applied, 1,
        "the lost create is made: {report:#?}"
    );
    assert_eq!(users(world.server("chatgpt")).await.len(), 1);
    assert!(
        !common::plan(&engine, &directory(vec![ada]))
            .await
            .has_changes()
    );
}

#[tokio::test]
async fn an_interrupted_update_is_rechecked_and_redone() {
    let world = World::new(&[("chatgpt", "chatgpt")]);
    let engine = world.engine(&text(&world)).await;
    let mut ada = person(1, &["ai"]);
    apply(&engine, &directory(vec![ada.clone()])).await;
    ada.last_name = Some("Byron".into());
    engine
        .store()
        .record_intent(&Intent {
            run_id: "r-crashed",
            instance: "chatgpt",
            identity_id: Some(&ada.id),
            account_id: None,
            action: "update",
            sku: None,
            step: "{}",
        })
        .await
        .unwrap();
    let report = apply(&engine, &directory(vec![ada.clone()])).await;
    assert_eq!(report.resumed[0].outcome, "rechecked");
    assert_eq!(report.counts.applied, 1);
    let user = &users(world.server("chatgpt")).await[0];
    assert_eq!(user["name"]["familyName"], "Byron");
}

#[tokio::test]
async fn a_second_apply_on_the_same_state_is_refused_while_one_runs() {
    let world = World::new(&[("chatgpt", "chatgpt")]);
    let engine = world.engine(&text(&world)).await;
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(world.dir.path().join("state.db.apply-lock"))
        .unwrap();
    lock.lock().unwrap();
    let error = engine
        .apply_directory(
            directory(vec![person(1, &["ai"])]),
            "test",
            Default::default(),
        )
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("another apply is running"),
        "{error}"
    );
    lock.unlock().unwrap();
    apply(&engine, &directory(vec![person(1, &["ai"])])).await;
}
