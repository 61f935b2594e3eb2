//! [`SandboxHandle`]: where a started sandbox listens, its tenants' URLs and
//! credentials, and how to stop it.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use connector_sdk::config::{Credentials, InstanceConfig, RateLimitSetting};
use connector_sdk::{Manifest, Secret};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::runtime::tenant::Tenant;

/// How a client authenticates to a tenant.
#[derive(Debug, Clone)]
pub enum TenantCredentials {
    /// A static bearer token.
    Bearer {
        /// The token.
        token: Secret,
    },
    /// OAuth 2.0 client credentials at the tenant's token endpoint.
    ClientCredentials {
        /// The token endpoint, `http://HOST/{tenant}/oauth/token`.
        token_url: String,
        /// The client id.
        client_id: Secret,
        /// The client secret.
        client_secret: Secret,
    },
}

/// One tenant of a running sandbox: its URLs and credentials.
#[derive(Debug, Clone)]
pub struct TenantHandle {
    name: String,
    manifest: Option<&'static Manifest>,
    scim_url: String,
    api_url: String,
    variables: BTreeMap<String, String>,
    admin_url: String,
    token: Secret,
    admin_token: Secret,
    credentials: TenantCredentials,
}

impl TenantHandle {
    /// The handle of a running tenant.
    pub(crate) fn new(tenant: &Tenant, base_url: &str, admin_token: &str) -> Self {
        let credentials = match &tenant.token_url {
            Some(token_url) => TenantCredentials::ClientCredentials {
                token_url: token_url.clone(),
                client_id: Secret::new(tenant.auth.client_id.clone()),
                client_secret: Secret::new(tenant.auth.client_secret.clone()),
            },
            None => TenantCredentials::Bearer {
                token: Secret::new(tenant.auth.token.clone()),
            },
        };
        Self {
            name: tenant.name.clone(),
            manifest: tenant.manifest,
            scim_url: tenant.scim_url.clone(),
            api_url: tenant.api_url.clone(),
            variables: tenant.variables.clone(),
            admin_url: format!("{base_url}/_admin/tenants/{}", tenant.name),
            token: Secret::new(tenant.auth.token.clone()),
            admin_token: Secret::new(admin_token),
            credentials,
        }
    }

    /// The tenant's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The manifest it emulates (`None` for a generic tenant).
    pub fn manifest(&self) -> Option<&'static Manifest> {
        self.manifest
    }

    /// The SCIM base URL, `http://HOST/{tenant}/scim/v2` (GitHub's:
    /// `.../scim/v2/enterprises/{enterprise}`; no trailing slash).
    pub fn scim_url(&self) -> &str {
        &self.scim_url
    }

    /// The base URL a connector uses: the SCIM URL, or for a tenant emulating a vendor
    /// REST API that API's base (`http://HOST/{tenant}/admin/directory/v1`,
    /// `.../v1.0`, `.../2.0`).
    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    /// The tenant variables [`config`](Self::config) sets: each manifest variable's
    /// example, with the API URLs (`licensing_api`, `api_url`) pointed at the tenant.
    pub fn variables(&self) -> &BTreeMap<String, String> {
        &self.variables
    }

    /// A bearer token the SCIM API accepts (for an OAuth tenant: one it issued at start).
    pub fn token(&self) -> Secret {
        self.token.clone()
    }

    /// How connectors authenticate (client credentials for OAuth tenants).
    pub fn credentials(&self) -> &TenantCredentials {
        &self.credentials
    }

    /// The tenant's admin API base, `http://HOST/_admin/tenants/{tenant}`.
    pub fn admin_url(&self) -> &str {
        &self.admin_url
    }

    /// The permissive SCIM view of the tenant's data for the admin token (no limits,
    /// faults or dialect restrictions): `{admin_url}/scim/v2`.
    pub fn admin_scim_url(&self) -> String {
        format!("{}/scim/v2", self.admin_url)
    }

    /// The sandbox's admin token.
    pub fn admin_token(&self) -> Secret {
        self.admin_token.clone()
    }

    /// A connector configuration pointed at this tenant: its base URL
    /// ([`api_url`](Self::api_url)), credentials (and token URL), the
    /// [`variables`](Self::variables), and no client-side rate limit (so the tenant's own
    /// limit is what throttles).
    pub fn config(&self) -> InstanceConfig {
        let mut config = InstanceConfig {
            base_url: Some(self.api_url.clone()),
            variables: self.variables.clone(),
            rate_limit: RateLimitSetting::Off,
            timeout: Duration::from_secs(30),
            ..InstanceConfig::default()
        };
        config.credentials = Some(match &self.credentials {
            TenantCredentials::Bearer { token } => Credentials::Bearer(token.clone()),
            TenantCredentials::ClientCredentials {
                token_url,
                client_id,
                client_secret,
            } => {
                config.token_url = Some(token_url.clone());
                Credentials::ClientCredentials {
                    client_id: client_id.clone(),
                    client_secret: client_secret.clone(),
                }
            }
        });
        config
    }
}

/// A running sandbox. Dropping it stops the server (as [`shutdown`](Self::shutdown)
/// does, without waiting).
#[derive(Debug)]
pub struct SandboxHandle {
    addr: SocketAddr,
    base_url: String,
    admin_token: Secret,
    tenants: Vec<TenantHandle>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl SandboxHandle {
    pub(crate) fn new(
        addr: SocketAddr,
        base_url: String,
        admin_token: String,
        tenants: Vec<TenantHandle>,
        shutdown: watch::Sender<bool>,
        task: JoinHandle<()>,
    ) -> Self {
        Self {
            addr,
            base_url,
            admin_token: Secret::new(admin_token),
            tenants,
            shutdown,
            task: Some(task),
        }
    }

    /// The address the sandbox listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://HOST:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The admin API base, `http://HOST:PORT/_admin`.
    pub fn admin_url(&self) -> String {
        format!("{}/_admin", self.base_url)
    }

    /// The admin API's bearer token.
    pub fn admin_token(&self) -> Secret {
        self.admin_token.clone()
    }

    /// The tenants, by name.
    pub fn tenants(&self) -> &[TenantHandle] {
        &self.tenants
    }

    /// The tenant named `name`.
    pub fn tenant(&self, name: &str) -> Option<&TenantHandle> {
        self.tenants.iter().find(|t| t.name == name)
    }

    /// The SCIM base URL of the tenant named `name`.
    pub fn tenant_url(&self, name: &str) -> Option<&str> {
        self.tenant(name).map(TenantHandle::scim_url)
    }

    /// A bearer token the tenant named `name` accepts.
    pub fn token(&self, name: &str) -> Option<Secret> {
        self.tenant(name).map(TenantHandle::token)
    }

    /// Stops accepting, closes every connection and waits for the server task.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}
