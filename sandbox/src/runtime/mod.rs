//! The running sandbox: tenants with their rules, credentials, limits and faults.

pub(crate) mod auth;
pub(crate) mod faults;
pub(crate) mod group_rules;
pub(crate) mod limiter;
pub(crate) mod rules;
pub(crate) mod tenant;

use std::collections::BTreeMap;
use std::sync::Arc;

use tenant::Tenant;

/// What every request handler shares.
#[derive(Debug)]
pub(crate) struct AppState {
    /// The tenants by name.
    pub tenants: BTreeMap<String, Arc<Tenant>>,
    /// The token of the admin API.
    pub admin_token: String,
}

impl AppState {
    /// The tenant named `name`.
    pub(crate) fn tenant(&self, name: &str) -> Option<Arc<Tenant>> {
        self.tenants.get(name).cloned()
    }
}
