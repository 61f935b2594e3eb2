//! The connectors an engine can drive, by name, and where secrets come from.

use std::collections::BTreeMap;
use std::sync::Arc;

use connector_sdk::{Connector, InstanceConfig, Manifest, Secret};

/// Builds a connector for one instance configuration.
pub type ConnectFn = fn(InstanceConfig) -> connector_sdk::Result<Arc<dyn Connector>>;

/// A connector the engine knows: its manifest and how to build an instance.
#[derive(Clone, Copy)]
pub struct ConnectorKind {
    /// What the connector declares.
    pub manifest: &'static Manifest,
    /// Builds an instance.
    pub connect: ConnectFn,
}

impl std::fmt::Debug for ConnectorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectorKind")
            .field("name", &self.manifest.name)
            .finish_non_exhaustive()
    }
}

/// The connectors an engine can drive, by machine name (`slack`, `zoom`).
#[derive(Debug, Clone, Default)]
pub struct Registry {
    kinds: BTreeMap<&'static str, ConnectorKind>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a connector.
    ///
    /// ```ignore
    /// let registry = Registry::new().with(&connector_slack::MANIFEST, |config| {
    ///     Ok(Arc::new(connector_slack::connect(config)?) as Arc<dyn Connector>)
    /// });
    /// ```
    pub fn with(mut self, manifest: &'static Manifest, connect: ConnectFn) -> Self {
        self.kinds
            .insert(manifest.name, ConnectorKind { manifest, connect });
        self
    }

    /// The connector named `name`.
    pub fn get(&self, name: &str) -> Option<&ConnectorKind> {
        self.kinds.get(name)
    }

    /// The names of every connector, sorted.
    pub fn names(&self) -> Vec<&'static str> {
        self.kinds.keys().copied().collect()
    }
}

/// Where the engine reads secrets (tokens, client secrets) by name.
pub trait Secrets: Send + Sync {
    /// The secret held by `name`. The error names the variable, never a value.
    ///
    /// # Errors
    ///
    /// When no secret is set under `name`.
    fn get(&self, name: &str) -> Result<Secret, String>;
}

/// Secrets from environment variables (or `NAME_FILE` files): the only source the CLI uses.
#[derive(Debug, Clone, Copy, Default)]
pub struct EnvSecrets;

impl Secrets for EnvSecrets {
    fn get(&self, name: &str) -> Result<Secret, String> {
        Secret::from_env(name)
    }
}

/// Secrets from a map (tests, embedding applications).
#[derive(Debug, Clone, Default)]
pub struct MapSecrets(pub BTreeMap<String, Secret>);

impl MapSecrets {
    /// Adds a secret under `name`.
    pub fn with(mut self, name: impl Into<String>, secret: Secret) -> Self {
        self.0.insert(name.into(), secret);
        self
    }
}

impl Secrets for MapSecrets {
    fn get(&self, name: &str) -> Result<Secret, String> {
        self.0
            .get(name)
            .cloned()
            .ok_or_else(|| format!("secret {name} is not set"))
    }
}
