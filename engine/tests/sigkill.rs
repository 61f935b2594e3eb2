//! SIGKILL trials: an apply in a child process is killed at 20 seeded points of its run
//! (the first call, a late one, and 18 between); a rerun settles the interrupted calls and ends
//! with every account created exactly once and nothing left to plan.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{World, apply, directory, person, registry, users};
use connector_engine::state::Store;
use connector_engine::{ApplyOptions, Assignments, Engine, FileSource, MapSecrets};
use connector_sdk::Secret;

/// The environment variable that makes [`child_apply`] run (the folder of the trial).
const CHILD_DIR: &str = "ENGINE_SIGKILL_CHILD_DIR";
/// The environment variable with the server's token for the child.
const CHILD_TOKEN: &str = "CHATGPT_TOKEN";
/// People per trial.
const PEOPLE: usize = 60;

/// Run by the parent as a child process: applies the trial folder's plan until killed.
#[tokio::test]
#[ignore = "run as a child process by the SIGKILL trials"]
async fn child_apply() {
    let Ok(dir) = std::env::var(CHILD_DIR) else {
        return;
    };
    let dir = Path::new(&dir);
    let assignments = Assignments::load(&dir.join("assignments.toml"), &registry()).unwrap();
    let store = Store::open(&dir.join("state.db")).await.unwrap();
    let token = std::env::var(CHILD_TOKEN).unwrap();
    let secrets = MapSecrets::default().with(CHILD_TOKEN, Secret::new(token));
    let engine = Engine::with_store(assignments, registry(), Arc::new(secrets), store);
    let source = FileSource::new(dir.join("people.json"), None);
    let report = engine
        .apply(&source, ApplyOptions::default())
        .await
        .unwrap();
    println!("child finished: {:?}", report.counts);
}

/// One trial: kill the child once `kill_after` calls are journaled, then recover.
async fn trial(kill_after: usize) {
    let world = World::new(&[("chatgpt", "chatgpt")]);
    let text = format!(
        "[settings]\nconcurrency = 1\n\n{}[[provision]]\ninstance = \"chatgpt\"\ngroups = [\"ai\"]\n",
        world.instances_toml(&[])
    );
    world.assignments(&text);
    let people = directory((1..=PEOPLE).map(|i| person(i, &["ai"])).collect());
    std::fs::write(
        world.dir.path().join("people.json"),
        serde_json::to_string(&people).unwrap(),
    )
    .unwrap();

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "child_apply", "--nocapture"])
        .env(CHILD_DIR, world.dir.path())
        .env(CHILD_TOKEN, world.server("chatgpt").token().expose())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(world.dir.path().join("child.log")).unwrap())
        .spawn()
        .unwrap();
    let watcher = Store::open(&world.state_path()).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let journaled = match watcher.runs(1).await.unwrap().first() {
            Some(run) => watcher.journal(&run.id).await.unwrap().len(),
            None => 0,
        };
        if journaled >= kill_after || child.try_wait().unwrap().is_some() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the child journaled only {journaled} calls"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let exited_first = child.try_wait().unwrap();
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let log = std::fs::read_to_string(world.dir.path().join("child.log")).unwrap_or_default();
    assert!(
        exited_first.is_none(),
        "the child ended before the kill ({exited_first:?}):\n{log}"
    );
    drop(watcher);

    let before = users(world.server("chatgpt")).await.len();
    let engine = world.engine(&text).await;
    let report = apply(&engine, &people).await;
    let after = users(world.server("chatgpt")).await;
    eprintln!(
        "killed after {kill_after} journaled calls: {before} accounts existed, {} calls settled on resume, {} applied by the rerun",
        report.resumed.len(),
        report.counts.applied
    );
    let names: BTreeSet<_> = after
        .iter()
        .map(|u| u["userName"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        after.len(),
        PEOPLE,
        "killed after {kill_after} ({before} accounts then): {report:#?}"
    );
    assert_eq!(names.len(), PEOPLE, "a duplicate account");
    assert!(engine.status().await.unwrap().pending_intents.is_empty());
    assert!(
        !common::plan(&engine, &people).await.has_changes(),
        "killed after {kill_after}"
    );
    let links = engine.store().links("chatgpt").await.unwrap();
    assert_eq!(links.len(), PEOPLE);
    assert!(
        links
            .values()
            .all(|l| l.origin == connector_engine::state::Origin::Created)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_apply_resumes_without_duplicates_or_lost_changes() {
    // 20 seeded kill points over the run (a fixed LCG, so a failure is reproducible:
    // the message names the point); the first and a late one are always included.
    let mut seed: u64 = 0x5eed_c0de;
    let mut points = vec![1, PEOPLE - 5];
    while points.len() < 20 {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        points.push(1 + (seed >> 33) as usize % (PEOPLE - 5));
    }
    for kill_after in points {
        trial(kill_after).await;
    }
}
