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

    /// Binds `address` (`127.0.0.1:0` picks a free port) and serves in the background on
    /// the current tokio runtime until the handle is shut down or dropped.
    ///
    /// # Errors
    ///
    /// [`SandboxError::InvalidTenant`] for a bad or duplicate tenant name or invalid
    /// settings, [`SandboxError::Bind`] when the address cannot be bound.
    pub async fn start(self, address: &str) -> Result<SandboxHandle, SandboxError> {
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
        let bind_error = |message: String| SandboxError::Bind {
            address: address.to_owned(),
            message,
        };
        let listener = TcpListener::bind(address)
            .await
            .map_err(|e| bind_error(e.to_string()))?;
        let local = listener
            .local_addr()
            .map_err(|e| bind_error(e.to_string()))?;
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
        let router = routes::router(state.clone()).merge(okta::router(state, seeds));
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
}
