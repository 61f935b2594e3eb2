//! Group push to a REST connector end to end: `[[push_groups]]` to a Box instance in the
//! sandbox, through the declared Box group operations, with a real SQLite state file.
//! The group is created with the directory group's name as Box's
//! `external_sync_identifier`, its members follow the directory group, it is renamed
//! when the name template changes, and a second run plans nothing. Every check reads the
//! sandbox's own view (its admin API), not the connector under test.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use common::{directory, person, plan};
use connector_engine::state::Store;
use connector_engine::{Assignments, Engine, MapSecrets, Registry};
use connector_sandbox::{Sandbox, SandboxHandle, TenantSpec};
use connector_sdk::Connector;
use serde_json::{Value, json};
use tempfile::TempDir;

/// The Box connector only.
fn registry() -> Registry {
    Registry::new().with(&connector_box::MANIFEST, |c| {
        Ok(Arc::new(connector_box::connect(c)?) as Arc<dyn Connector>)
    })
}

/// An engine over the Box tenant, provisioning `eng` and pushing it as `name`.
async fn engine(sandbox: &SandboxHandle, dir: &TempDir, name: &str) -> Engine {
    let tenant = sandbox.tenant("box").expect("the Box tenant");
    let config = tenant.config();
    let variables: Vec<String> = config
        .variables
        .iter()
        .map(|(k, v)| format!("{k} = \"{v}\""))
        .collect();
    let text = format!(
        "[instances.box]\nconnector = \"box\"\nbase_url = \"{}\"\ntoken_env = \"BOX_TOKEN\"\n\
         client_rate_limit = false\nvariables = {{ {} }}\n\n\
         [[provision]]\ninstance = \"box\"\ngroups = [\"eng\"]\n\n\
         [[push_groups]]\ninstance = \"box\"\ngroups = [\"eng\"]\nname = \"{name}\"\n",
        config.base_url.as_deref().expect("a base URL"),
        variables.join(", ")
    );
    let path = dir.path().join("assignments.toml");
    std::fs::write(&path, &text).unwrap();
    let assignments = Assignments::load(&path, &registry()).unwrap_or_else(|e| panic!("{e}"));
    let store = Store::open(&dir.path().join("state.db")).await.unwrap();
    let secrets = MapSecrets::default().with("BOX_TOKEN", tenant.token());
    Engine::with_store(assignments, registry(), Arc::new(secrets), store)
}

/// Box's users, groups and memberships as the sandbox holds them.
async fn box_state(sandbox: &SandboxHandle) -> Value {
    let tenant = sandbox.tenant("box").unwrap();
    let answer = reqwest::Client::new()
        .get(format!("{}/api", tenant.admin_url()))
        .bearer_auth(tenant.admin_token().expose())
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success());
    answer.json().await.unwrap()
}

/// The stored group with `external_sync_identifier` `external`.
fn group_tagged(state: &Value, external: &str) -> Value {
    state["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["external_sync_identifier"] == json!(external))
        .cloned()
        .unwrap_or_else(|| panic!("no group tagged {external}: {state}"))
}

/// The logins of the members of group `group_id`.
fn member_logins(state: &Value, group_id: &Value) -> BTreeSet<String> {
    state["memberships"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["group"]["id"] == *group_id)
        .map(|m| m["user"]["login"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_groups_to_box_creates_fills_follows_and_renames() {
    connector_tests::install_crypto_provider();
    let sandbox = Sandbox::builder()
        .tenant(TenantSpec::for_manifest(&connector_box::MANIFEST))
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (ada, bob, cy) = (
        person(1, &["eng"]),
        person(2, &["eng"]),
        person(3, &["sales"]),
    );

    // First run: the accounts, the group tagged with the directory group, two members.
    let first = engine(&sandbox, &dir, "team-{group}").await;
    let people = directory(vec![ada.clone(), bob.clone(), cy.clone()]);
    let report = common::apply(&first, &people).await;
    assert!(report.succeeded(), "{report:#?}");
    let state = box_state(&sandbox).await;
    let group = group_tagged(&state, "eng");
    assert_eq!(group["name"], "team-eng");
    assert_eq!(
        member_logins(&state, &group["id"]),
        BTreeSet::from([ada.email.clone(), bob.email.clone()])
    );

    // Nothing left to do.
    let again = plan(&first, &people).await;
    let box_plan = again
        .instances
        .iter()
        .find(|i| i.instance == "box")
        .unwrap();
    assert!(box_plan.groups.is_empty(), "{:#?}", box_plan.groups);
    // Members are read for the pushed group only, never for the org's other groups
    // (the Box AI group here): an org has many groups.
    let other = state["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] != group["id"])
        .expect("the Box AI group")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let tenant = sandbox.tenant("box").unwrap();
    let log: Value = reqwest::Client::new()
        .get(format!("{}/requests", tenant.admin_url()))
        .bearer_auth(tenant.admin_token().expose())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let member_reads = |id: &str| {
        log.as_array()
            .unwrap()
            .iter()
            .filter(|e| e["method"] == "GET")
            .filter(|e| {
                e["path"]
                    .as_str()
                    .is_some_and(|p| p.contains(&format!("/groups/{id}/memberships")))
            })
            .count()
    };
    assert_eq!(member_reads(&other), 0, "{log}");
    assert!(member_reads(group["id"].as_str().unwrap()) > 0, "{log}");

    // Bob leaves `eng`: his membership goes (his account is deprovisioned by policy).
    let moved = directory(vec![ada.clone(), person(2, &["sales"]), cy.clone()]);
    common::apply(&first, &moved).await;
    let state = box_state(&sandbox).await;
    assert_eq!(
        member_logins(&state, &group["id"]),
        BTreeSet::from([ada.email.clone()])
    );

    // A new name template: the same group (found by its external id) is renamed.
    drop(first);
    let renamed = engine(&sandbox, &dir, "squad-{group}").await;
    common::apply(&renamed, &moved).await;
    let state = box_state(&sandbox).await;
    let after = group_tagged(&state, "eng");
    assert_eq!(
        (after["id"].clone(), after["name"].clone()),
        (group["id"].clone(), json!("squad-eng"))
    );
    assert_eq!(
        state["groups"].as_array().unwrap().len(),
        2,
        "Box AI and squad-eng"
    );
}
