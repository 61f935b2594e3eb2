//! One sandbox tenant and an engine on it: the assignments file names the tenant's URL
//! and token, the state is a file in a temporary folder, and a [`StateChecker`] reads the
//! tenant's own view over its admin API.

use std::sync::Arc;

use connector_engine::state::Store;
use connector_engine::{Assignments, Engine, MapSecrets, Registry};
use connector_sandbox::{Sandbox, SandboxHandle, TenantSpec};
use connector_tests::StateChecker;
use tempfile::TempDir;

/// A sandbox serving one tenant, and an engine whose instance of the same name is it.
pub(crate) struct SandboxWorld {
    /// The running sandbox (shut down when dropped).
    pub sandbox: SandboxHandle,
    /// The temporary folder: `assignments.toml`, `state.db`.
    pub dir: TempDir,
    /// The engine.
    pub engine: Engine,
    /// The tenant's state, read independently of the connector.
    pub checker: StateChecker,
}

impl SandboxWorld {
    /// Serves `spec` (its tenant named `instance`) and builds an engine whose
    /// `[instances.<instance>]` (connector `instance`, the tenant's URL and token) has
    /// `instance_lines` added, followed by `rules`, with the connectors of `registry`.
    pub(crate) async fn start(
        spec: TenantSpec,
        instance: &str,
        instance_lines: &str,
        rules: &str,
        registry: Registry,
    ) -> Self {
        connector_tests::install_crypto_provider();
        let sandbox = Sandbox::builder()
            .tenant(spec)
            .start("127.0.0.1:0")
            .await
            .expect("the sandbox starts");
        let dir = tempfile::tempdir().expect("a temporary folder");
        let engine = engine(&sandbox, &dir, instance, instance_lines, rules, registry).await;
        let checker = checker(&sandbox, instance);
        Self {
            sandbox,
            dir,
            engine,
            checker,
        }
    }

    /// Another engine on the same tenant and state file, with other instance lines
    /// (a changed assignments file).
    pub(crate) async fn reconfigure(
        &self,
        instance: &str,
        instance_lines: &str,
        rules: &str,
    ) -> Engine {
        engine(
            &self.sandbox,
            &self.dir,
            instance,
            instance_lines,
            rules,
            super::registry(),
        )
        .await
    }

    /// Serves several tenants in one sandbox and builds one engine over all of them:
    /// each `(spec, instance_lines)` becomes `[instances.<tenant name>]` with connector
    /// `connector_of(tenant)` (the tenant's manifest), its URL and token, and its lines;
    /// `rules` follow. [`checker`](Self::checker) reads the first tenant;
    /// [`checker_of`](Self::checker_of) any.
    pub(crate) async fn start_tenants(
        tenants: Vec<(TenantSpec, String)>,
        rules: &str,
        registry: Registry,
    ) -> Self {
        connector_tests::install_crypto_provider();
        let names: Vec<String> = tenants
            .iter()
            .map(|(spec, _)| spec.name().to_owned())
            .collect();
        let mut builder = Sandbox::builder();
        let mut lines = Vec::new();
        for (spec, instance_lines) in tenants {
            lines.push(instance_lines);
            builder = builder.tenant(spec);
        }
        let sandbox = builder
            .start("127.0.0.1:0")
            .await
            .expect("the sandbox starts");
        let dir = tempfile::tempdir().expect("a temporary folder");
        let instances: Vec<(&str, &str)> = names
            .iter()
            .map(String::as_str)
            .zip(lines.iter().map(String::as_str))
            .collect();
        let engine = engine_of(&sandbox, &dir, &instances, rules, registry).await;
        let checker = checker(&sandbox, &names[0]);
        Self {
            sandbox,
            dir,
            engine,
            checker,
        }
    }

    /// A [`StateChecker`] on the tenant `instance`.
    pub(crate) fn checker_of(&self, instance: &str) -> StateChecker {
        checker(&self.sandbox, instance)
    }
}

/// A checker reading `instance`'s tenant over the sandbox's admin API.
fn checker(sandbox: &SandboxHandle, instance: &str) -> StateChecker {
    let tenant = sandbox.tenant(instance).expect("the tenant is served");
    StateChecker::new(tenant.admin_scim_url(), tenant.admin_token())
}

/// Writes the assignments file and opens the engine over the state file in `dir`.
async fn engine(
    sandbox: &SandboxHandle,
    dir: &TempDir,
    instance: &str,
    instance_lines: &str,
    rules: &str,
    registry: Registry,
) -> Engine {
    engine_of(sandbox, dir, &[(instance, instance_lines)], rules, registry).await
}

/// Writes an assignments file with an `[instances.<name>]` per `(name, lines)` (its
/// connector the tenant's manifest, else the name) and opens the engine over `dir`.
async fn engine_of(
    sandbox: &SandboxHandle,
    dir: &TempDir,
    instances: &[(&str, &str)],
    rules: &str,
    registry: Registry,
) -> Engine {
    let mut text = String::new();
    let mut secrets = MapSecrets::default();
    for (instance, instance_lines) in instances {
        let tenant = sandbox.tenant(instance).expect("the tenant is served");
        let connector = tenant.manifest().map_or(*instance, |m| m.name);
        let token_env = format!("{}_TOKEN", instance.to_uppercase().replace('-', "_"));
        text.push_str(&format!(
            "[instances.{instance}]\nconnector = \"{connector}\"\nbase_url = \"{}\"\n\
             token_env = \"{token_env}\"\n{instance_lines}\n\n",
            tenant.scim_url()
        ));
        secrets = secrets.with(&token_env, tenant.token());
    }
    text.push_str(rules);
    let path = dir.path().join("assignments.toml");
    std::fs::write(&path, &text).expect("the assignments file is written");
    let assignments = Assignments::load(&path, &registry).unwrap_or_else(|e| panic!("{e}"));
    let store = Store::open(&dir.path().join("state.db"))
        .await
        .expect("the state opens");
    Engine::with_store(assignments, registry, Arc::new(secrets), store)
}
