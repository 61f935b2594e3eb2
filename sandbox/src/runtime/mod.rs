//! The running sandbox: tenants with their rules, credentials, limits and faults.

pub mod auth;
pub mod faults;
pub mod limiter;
pub mod rules;
pub mod tenant;

use std::collections::BTreeMap;
use std::sync::Arc;

use tenant::Tenant;

/// What every request handler shares.
#[derive(Debug)]
pub struct AppState {
    /// The tenants by name.
    pub tenants: BTreeMap<String, Arc<Tenant>>,
    /// The token of the admin API.
    pub admin_token: String,
}

impl AppState {
    /// The tenant named `name`.
    pub fn tenant(&self, name: &str) -> Option<Arc<Tenant>> {
        self.tenants.get(name).cloned()
    }
}
