//! [`Sandbox::builder`]: choose the tenants, then start the server.

use std::collections::BTreeMap;
use std::sync::Arc;

use connector_sdk::Manifest;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::error::SandboxError;
use crate::handle::{SandboxHandle, TenantHandle};
use crate::routes;
use crate::routes::okta;
use crate::runtime::AppState;
use crate::runtime::auth::random_token;
use crate::runtime::tenant::Tenant;
use crate::server;
use crate::tenant_spec::TenantSpec;
use crate::vendors::okta::OktaOrg;

/// The sandbox: a local server emulating each SaaS's SCIM dialect, one tenant per
/// emulated service instance. Start with [`Sandbox::builder`].
#[derive(Debug, Clone, Copy)]
pub struct Sandbox;

impl Sandbox {
    /// A builder with no tenants.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }
}

/// Chooses the tenants and the admin token of a sandbox.
#[derive(Debug, Clone, Default)]
pub struct SandboxBuilder {
    tenants: Vec<TenantSpec>,
    admin_token: Option<String>,
    nested: Vec<(String, axum::Router)>,
}

impl SandboxBuilder {
    /// Adds a tenant.
    pub fn tenant(mut self, spec: TenantSpec) -> Self {
        self.tenants.push(spec);
        self
    }

    /// Adds a tenant emulating `manifest`, named after it, with default settings.
    pub fn manifest(self, manifest: &'static Manifest) -> Self {
        self.tenant(TenantSpec::for_manifest(manifest))
    }

    /// Adds a strict RFC 7644 tenant named `name`.
    pub fn generic(self, name: impl Into<String>) -> Self {
        self.tenant(TenantSpec::generic(name))
    }

    /// Adds an emulated Okta org named `name` (see [`TenantSpec::okta`]).
    pub fn okta(self, name: impl Into<String>, org: OktaOrg) -> Self {
        self.tenant(TenantSpec::okta(name, org))
    }

    /// The admin API's bearer token (random by default).
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.admin_token = Some(token.into());
        self
    }

    /// Serves `router` under `path` (`/saml`) beside the tenants, on the same listener:
    /// another service the sandbox stands in for (the CLI mounts the SAML SPs this way).
    /// `path` must start with `/` and must not be a tenant's name.
    pub fn nest(mut self, path: impl Into<String>, router: axum::Router) -> Self {
        self.nested.push((path.into(), router));
        self
    }

    /// Binds `address` (`127.0.0.1:0` picks a free port) and serves in the background on
    /// the current tokio runtime until the handle is shut down or dropped.
    ///
    /// # Errors
    ///
    /// [`SandboxError::InvalidTenant`] for a bad or duplicate tenant name or invalid
    /// settings, [`SandboxError::Bind`] when the address cannot be bound.
    pub async fn start(self, address: &str) -> Result<SandboxHandle, SandboxError> {
        self.validate()?;
        let listener = TcpListener::bind(address)
            .await
            .map_err(|e| SandboxError::Bind {
                address: address.to_owned(),
                message: e.to_string(),
            })?;
        self.start_on(listener).await
    }

    /// Serves on a listener the caller bound (so it knows the address, and the URLs of
    /// what it [`nest`](Self::nest)s, before the sandbox starts), as [`start`](Self::start).
    ///
    /// # Errors
    ///
    /// As [`start`](Self::start); [`SandboxError::Bind`] when the listener has no local
    /// address, [`SandboxError::InvalidTenant`] for a nested path that is not `/name` or
    /// is a tenant's name.
    pub async fn start_on(self, listener: TcpListener) -> Result<SandboxHandle, SandboxError> {
        self.validate()?;
        let local = listener.local_addr().map_err(|e| SandboxError::Bind {
            address: "(the given listener)".to_owned(),
            message: e.to_string(),
        })?;
        let base_url = format!("http://{local}");
        let admin_token = self.admin_token.unwrap_or_else(|| random_token("admin-"));
        let seeds: BTreeMap<String, OktaOrg> = self
            .tenants
            .iter()
            .filter_map(|spec| Some((spec.name().to_owned(), spec.okta.clone()?)))
            .collect();
        let tenants: BTreeMap<String, Arc<Tenant>> = self
            .tenants
            .into_iter()
            .map(|spec| {
                let name = spec.name().to_owned();
                let tenant = match seeds.get(&name) {
                    Some(org) => okta::tenant(spec, org, &base_url),
                    None => Tenant::new(spec, &base_url),
                };
                (name, Arc::new(tenant))
            })
            .collect();
        let handles = tenants
            .values()
            .map(|tenant| TenantHandle::new(tenant, &base_url, &admin_token))
            .collect();
        let state = Arc::new(AppState {
            tenants,
            admin_token: admin_token.clone(),
        });
        let (shutdown, signal) = watch::channel(false);
        let mut router = routes::router(state.clone()).merge(okta::router(state, seeds));
        for (path, nested) in self.nested {
            router = router.nest(&path, nested);
        }
        let task = tokio::spawn(server::serve(listener, router, signal));
        Ok(SandboxHandle::new(
            local,
            base_url,
            admin_token,
            handles,
            shutdown,
            task,
        ))
    }

    /// Tenant names unique and valid; nested paths `/name`, clear of tenants and `_admin`.
    fn validate(&self) -> Result<(), SandboxError> {
        let mut names = Vec::new();
        for spec in &self.tenants {
            spec.validate().map_err(SandboxError::InvalidTenant)?;
            if names.contains(&spec.name()) {
                return Err(SandboxError::InvalidTenant(format!(
                    "two tenants are named `{}`",
                    spec.name()
                )));
            }
            names.push(spec.name());
        }
        for (path, _) in &self.nested {
            let name = path.strip_prefix('/').unwrap_or_default();
            if name.is_empty() || name.contains('/') || name == "_admin" {
                return Err(SandboxError::InvalidTenant(format!(
                    "cannot nest a service at `{path}`: give one segment such as `/saml`"
                )));
            }
            if names.contains(&name) {
                return Err(SandboxError::InvalidTenant(format!(
                    "cannot nest a service at `{path}`: a tenant has that name"
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn refused(builder: SandboxBuilder) -> String {
        match builder.start("127.0.0.1:0").await {
            Err(SandboxError::InvalidTenant(message)) => message,
            other => panic!(
                "expected an invalid-tenant error, got {:?}",
                other.map(|_| ())
            ),
        }
    }

    #[tokio::test]
    async fn nested_paths_are_one_segment_clear_of_tenants() {
        for path in ["saml", "/", "/a/b", "/_admin"] {
            let message = refused(Sandbox::builder().nest(path, axum::Router::new())).await;
            assert!(message.contains("one segment"), "{path}: {message}");
        }
        let message = refused(
            Sandbox::builder()
                .generic("saml")
                .nest("/saml", axum::Router::new()),
        )
        .await;
        assert!(message.contains("a tenant has that name"), "{message}");
    }
}
