//! Shared by the engine's end-to-end tests: scim2-server instances per connector, an
//! assignments file pointing at them, and an engine over a temporary state file.

#![allow(dead_code)]

mod sandbox;

#[allow(unused_imports)]
pub(crate) use sandbox::SandboxWorld;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use connector_engine::state::Store;
use connector_engine::{
    ApplyOptions, ApplyReport, Assignments, Directory, Engine, MapSecrets, Plan, PlanOptions,
    Registry,
};
use connector_sdk::{Connector, Identity};
use connector_tests::Scim2Server;
use serde_json::Value;
use tempfile::TempDir;
use time::OffsetDateTime;
use time::macros::datetime;

/// The time the tests plan at, unless they say otherwise.
pub(crate) const NOW: OffsetDateTime = datetime!(2026-03-01 12:00 UTC);

/// The connectors the tests use.
pub(crate) fn registry() -> Registry {
    Registry::new()
        .with(&connector_chatgpt::MANIFEST, |c| {
            Ok(Arc::new(connector_chatgpt::connect(c)?) as Arc<dyn Connector>)
        })
        .with(&connector_slack::MANIFEST, |c| {
            Ok(Arc::new(connector_slack::connect(c)?) as Arc<dyn Connector>)
        })
        .with(&connector_zoom::MANIFEST, |c| {
            Ok(Arc::new(connector_zoom::connect(c)?) as Arc<dyn Connector>)
        })
}

/// A scim2-server with `connector`'s extension schemas.
pub(crate) fn server(connector: &str) -> Scim2Server {
    let schemas = match connector {
        "chatgpt" => connector_chatgpt::SCIM_EXTENSION_SCHEMAS,
        "slack" => connector_slack::SCIM_EXTENSION_SCHEMAS,
        "zoom" => connector_zoom::SCIM_EXTENSION_SCHEMAS,
        other => panic!("no connector {other}"),
    };
    let schemas: Vec<Value> = serde_json::from_str(schemas).unwrap();
    Scim2Server::start(&schemas).unwrap_or_else(|e| panic!("{e}"))
}

/// A person `i` at example.com in `groups`.
pub(crate) fn person(i: usize, groups: &[&str]) -> Identity {
    let mut who = connector_tests::people::person(i, "example.com");
    who.groups = groups.iter().map(|g| (*g).to_owned()).collect();
    who
}

/// A directory of these people.
pub(crate) fn directory(people: Vec<Identity>) -> Directory {
    Directory {
        people,
        groups: Vec::new(),
    }
}

/// One test's world: servers per instance, an assignments file, a state file.
pub(crate) struct World {
    /// The temporary folder (state, assignments, audit).
    pub dir: TempDir,
    /// Servers by instance name.
    pub servers: BTreeMap<String, Scim2Server>,
    /// The connector of each instance.
    pub connectors: BTreeMap<String, String>,
}

impl World {
    /// Starts a server for each `(instance, connector)`.
    pub(crate) fn new(instances: &[(&str, &str)]) -> Self {
        connector_tests::install_crypto_provider();
        let servers = instances
            .iter()
            .map(|(name, connector)| ((*name).to_owned(), server(connector)))
            .collect();
        Self {
            dir: tempfile::tempdir().unwrap(),
            servers,
            connectors: instances
                .iter()
                .map(|(n, c)| ((*n).to_owned(), (*c).to_owned()))
                .collect(),
        }
    }

    /// The server of `instance`.
    pub(crate) fn server(&self, instance: &str) -> &Scim2Server {
        &self.servers[instance]
    }

    /// The `[instances.*]` tables pointing at the servers, each followed by
    /// `policy[instance]` lines (TOML inside `[instances.NAME.policy]`).
    pub(crate) fn instances_toml(&self, policy: &[(&str, &str)]) -> String {
        let mut out = String::new();
        for (name, server) in &self.servers {
            let connector = &self.connectors[name];
            out.push_str(&format!(
                "[instances.{name}]\nconnector = \"{connector}\"\nbase_url = \"{}\"\n",
                server.base_url()
            ));
            out.push_str(&format!("token_env = \"{}_TOKEN\"\n", env(name)));
            if connector == "zoom" {
                out.push_str("variables = { vanity = \"acme\", account_id = \"A1\" }\n");
            }
            out.push_str(&format!("[instances.{name}.policy]\n"));
            for (instance, lines) in policy {
                if instance == name {
                    out.push_str(lines);
                    out.push('\n');
                }
            }
            out.push('\n');
        }
        out
    }

    /// The secrets of every instance.
    pub(crate) fn secrets(&self) -> MapSecrets {
        let mut secrets = MapSecrets::default();
        for (name, server) in &self.servers {
            secrets = secrets.with(format!("{}_TOKEN", env(name)), server.token());
        }
        secrets
    }

    /// Writes `text` as `assignments.toml` and checks it.
    pub(crate) fn assignments(&self, text: &str) -> Assignments {
        let path = self.dir.path().join("assignments.toml");
        std::fs::write(&path, text).unwrap();
        Assignments::load(&path, &registry()).unwrap_or_else(|e| panic!("{e}\n{text}"))
    }

    /// The state file's path.
    pub(crate) fn state_path(&self) -> PathBuf {
        self.dir.path().join("state.db")
    }

    /// An engine over `text` (an assignments file) and the world's state file.
    pub(crate) async fn engine(&self, text: &str) -> Engine {
        self.engine_with(text, registry()).await
    }

    /// An engine with another connector registry (fault-injecting wrappers).
    pub(crate) async fn engine_with(&self, text: &str, registry: Registry) -> Engine {
        let path = self.dir.path().join("assignments.toml");
        std::fs::write(&path, text).unwrap();
        let assignments =
            Assignments::load(&path, &registry).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let store = Store::open(&self.state_path()).await.unwrap();
        Engine::with_store(assignments, registry, Arc::new(self.secrets()), store)
    }
}

/// The environment-variable stem of an instance name.
fn env(instance: &str) -> String {
    instance.to_uppercase().replace('-', "_")
}

/// Plans at `now`.
pub(crate) async fn plan_at(
    engine: &Engine,
    people: &Directory,
    now: OffsetDateTime,
    options: PlanOptions,
) -> Plan {
    let connectors = engine.connectors(&[]);
    engine
        .plan_directory(
            people,
            "test directory",
            &connectors,
            &PlanOptions {
                now: Some(now),
                ..options
            },
        )
        .await
        .unwrap()
}

/// Plans at [`NOW`] with default options.
pub(crate) async fn plan(engine: &Engine, people: &Directory) -> Plan {
    plan_at(engine, people, NOW, PlanOptions::default()).await
}

/// Applies at `now`.
pub(crate) async fn apply_at(
    engine: &Engine,
    people: &Directory,
    now: OffsetDateTime,
    mut options: ApplyOptions,
) -> ApplyReport {
    options.plan.now = Some(now);
    engine
        .apply_directory(people.clone(), "test directory", options)
        .await
        .unwrap()
}

/// Applies at [`NOW`] with default options and checks nothing failed.
pub(crate) async fn apply(engine: &Engine, people: &Directory) -> ApplyReport {
    let report = apply_at(engine, people, NOW, ApplyOptions::default()).await;
    assert!(report.succeeded(), "{report:#?}");
    report
}

/// `(action, target label)` of every step of `instance`.
pub(crate) fn steps(plan: &Plan, instance: &str) -> Vec<(String, String)> {
    plan.instances
        .iter()
        .find(|i| i.instance == instance)
        .unwrap_or_else(|| panic!("no instance {instance} in the plan"))
        .steps
        .iter()
        .map(|s| (s.action.name().to_owned(), s.target.label().to_owned()))
        .collect()
}

/// The users on a server.
pub(crate) async fn users(server: &Scim2Server) -> Vec<Value> {
    server.state().list_users().await
}
