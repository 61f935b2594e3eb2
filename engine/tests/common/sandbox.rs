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
        let tenant = sandbox.tenant(instance).expect("the tenant is served");
        let checker = StateChecker::new(tenant.admin_scim_url(), tenant.admin_token());
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
    let tenant = sandbox.tenant(instance).expect("the tenant is served");
    let token_env = format!("{}_TOKEN", instance.to_uppercase().replace('-', "_"));
    let text = format!(
        "[instances.{instance}]\nconnector = \"{instance}\"\nbase_url = \"{}\"\n\
         token_env = \"{token_env}\"\n{instance_lines}\n\n{rules}",
        tenant.scim_url()
    );
    let path = dir.path().join("assignments.toml");
    std::fs::write(&path, &text).expect("the assignments file is written");
    let assignments = Assignments::load(&path, &registry).unwrap_or_else(|e| panic!("{e}"));
    let store = Store::open(&dir.path().join("state.db"))
        .await
        .expect("the state opens");
    let secrets = MapSecrets::default().with(&token_env, tenant.token());
    Engine::with_store(assignments, registry, Arc::new(secrets), store)
}
