//! `Engine::connectors` keeps each instance's connector across runs (one HTTP client, its
//! connections and its rate limiter's budget for a long-running `connector serve`), and
//! builds a new one when the instance's credentials read differently (a token rotated in
//! its variable or `_FILE`), or when one that could not connect can now.

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};

use common::registry;
use connector_engine::state::Store;
use connector_engine::{Assignments, Engine, Secrets};
use connector_sdk::Secret;

/// Secrets whose one token can be changed (or removed) while the engine runs.
#[derive(Default)]
struct Rotating(Mutex<Option<String>>);

impl Secrets for Rotating {
    fn get(&self, name: &str) -> Result<Secret, String> {
        match (name, self.0.lock().unwrap().clone()) {
            ("CHATGPT_TOKEN", Some(value)) => Ok(Secret::new(value)),
            _ => Err(format!("`{name}` is not set")),
        }
    }
}

impl Rotating {
    fn set(&self, value: Option<&str>) {
        *self.0.lock().unwrap() = value.map(str::to_owned);
    }
}

#[tokio::test]
async fn a_connector_is_kept_until_its_credentials_change() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[instances.chatgpt]\nconnector = \"chatgpt\"\nbase_url = \"http://127.0.0.1:9/scim/v2\"\ntoken_env = \"CHATGPT_TOKEN\"\n";
    let assignments = Assignments::parse(Path::new("assignments.toml"), text, &registry()).unwrap();
    let store = Store::open(&dir.path().join("state.db")).await.unwrap();
    let secrets = Arc::new(Rotating::default());
    let engine = Engine::with_store(assignments, registry(), secrets.clone(), store);
    let connector = |engine: &Engine| engine.connectors(&[]).remove("chatgpt").unwrap();

    // Not set: an error naming the variable, then a connector once it is set.
    let missing = connector(&engine).err().unwrap();
    assert!(missing.contains("CHATGPT_TOKEN"), "{missing}");
    secrets.set(Some("token-one"));
    let first = connector(&engine).unwrap();
    let again = connector(&engine).unwrap();
    assert!(Arc::ptr_eq(&first, &again), "the connector was built again");

    // Rotated: a new connector, then kept again.
    secrets.set(Some("token-two"));
    let rotated = connector(&engine).unwrap();
    assert!(
        !Arc::ptr_eq(&first, &rotated),
        "the rotated token was not taken"
    );
    assert!(Arc::ptr_eq(&rotated, &connector(&engine).unwrap()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_connector_reads_the_apps_schemas_once_not_once_per_plan() {
    let world = common::World::new(&[("slack", "slack")]);
    let text = format!(
        "{}\n[[provision]]\ninstance = \"slack\"\ngroups = [\"eng\"]\n",
        world.instances_toml(&[])
    );
    let engine = world.engine(&text).await;
    let people = common::directory(vec![common::person(1, &["eng"])]);
    for _ in 0..3 {
        common::plan(&engine, &people).await;
    }
    // A last request of our own: once it is in the server's log, so is every earlier one.
    let server = world.server("slack");
    let sentinel = "sentinel-after-the-plans";
    assert!(server.state().find_by_user_name(sentinel).await.is_empty());
    let log = server.output_when(|o| o.contains(sentinel)).await;
    let reads = log
        .lines()
        .filter(|l| l.contains("GET /v2/Schemas"))
        .count();
    assert_eq!(reads, 1, "three plans, one read of /Schemas:\n{log}");
}
