//! The HTTP surface of the Okta orgs: the Management API (`entry`) and its admin API
//! (`admin`) over the org state of `crate::vendors::okta`, and the running tenant an
//! Okta org is served from.

mod admin;
mod entry;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::routing::{any, delete, get, post};

use crate::runtime::AppState;
use crate::runtime::tenant::Tenant;
use crate::tenant_spec::TenantSpec;
use crate::vendors::okta::{OktaOrg, State};
use crate::vendors::{Vendor, VendorState};

/// The running tenant of an Okta org: SCIM off, its API URL the org's URL, its data
/// seeded from `org`.
pub(crate) fn tenant(spec: TenantSpec, org: &OktaOrg, base_url: &str) -> Tenant {
    let mut tenant = Tenant::new(spec, base_url);
    tenant.vendor = Some(Vendor::Okta);
    tenant.serves_scim = false;
    tenant.api_url = tenant.root_url.clone();
    tenant.lock().api = Some(VendorState::Okta(Box::new(State::new(org))));
    tenant
}

/// What the Okta routes share: the sandbox's tenants and each org's seed (to rebuild
/// an org that a tenant reset dropped).
#[derive(Debug)]
struct Ctx {
    app: Arc<AppState>,
    seeds: BTreeMap<String, OktaOrg>,
}

impl Ctx {
    /// The Okta org named `name`, if there is one.
    fn tenant(&self, name: &str) -> Option<Arc<Tenant>> {
        self.app
            .tenant(name)
            .filter(|t| t.vendor == Some(Vendor::Okta))
    }
}

/// The routes of every Okta org of a sandbox (`seeds` by tenant name): the Management
/// API and its admin API. They are merged into the sandbox's router.
pub(crate) fn router(app: Arc<AppState>, seeds: BTreeMap<String, OktaOrg>) -> Router {
    let ctx = Arc::new(Ctx { app, seeds });
    Router::new()
        .route("/{tenant}/api/v1/{*rest}", any(entry::api))
        .route("/_admin/tenants/{tenant}/okta", get(admin::state))
        .route(
            "/_admin/tenants/{tenant}/okta/users",
            post(admin::seed_user),
        )
        .route(
            "/_admin/tenants/{tenant}/okta/users/{user}",
            delete(admin::remove_user),
        )
        .route(
            "/_admin/tenants/{tenant}/okta/groups",
            post(admin::seed_group),
        )
        .route("/_admin/tenants/{tenant}/okta/apps", post(admin::seed_app))
        .route(
            "/_admin/tenants/{tenant}/okta/eventHooks",
            get(admin::event_hooks),
        )
        .route(
            "/_admin/tenants/{tenant}/okta/faults",
            get(admin::faults).put(admin::set_faults),
        )
        .with_state(ctx)
}

/// The org in `slot` (a tenant's vendor state), rebuilt from `seed` when a tenant
/// reset dropped it.
fn org<'a>(slot: &'a mut Option<VendorState>, seed: Option<&OktaOrg>) -> Option<&'a mut State> {
    if !matches!(slot, Some(VendorState::Okta(_))) {
        let empty = OktaOrg::default();
        *slot = Some(VendorState::Okta(Box::new(State::new(
            seed.unwrap_or(&empty),
        ))));
    }
    match slot {
        Some(VendorState::Okta(state)) => Some(state),
        _ => None,
    }
}
