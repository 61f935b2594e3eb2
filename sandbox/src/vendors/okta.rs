//! Okta's Management API, the directory the engine reads people, groups and app
//! assignments from, emulated at `/{tenant}/api/v1/...` for tenants declared with
//! [`TenantSpec::okta`](crate::TenantSpec::okta): the org's URL (what an Okta source is
//! pointed at) is the tenant's [`api_url`](crate::TenantHandle::api_url).
//!
//! - Authentication: `Authorization: SSWS <tenant token>`; anything else is 401
//!   `E0000011` "Invalid token provided".
//! - Reads: users, groups, group members, apps, app user and group assignments
//!   (module `serve`), with Okta's cursor paging and `Link` headers (`paging`) and
//!   `filter`/`search` expressions (`filter`).
//! - Rate limit: a fixed window whose budget is the tenant's rate limit setting
//!   (`window`); every answer carries `X-Rate-Limit-Limit`, `-Remaining` and `-Reset`,
//!   and a request past the budget is 429 `E0000047`.
//! - Faults: the tenant's random ones (latency, dropped connections, 5xx with Okta's
//!   `E0000009`), plus an empty users listing and failing pages (`faults`).
//! - Data: seeded from an [`OktaOrg`] (`org`), kept as Okta's JSON (`store`, `shapes`),
//!   changed through the admin API (`admin`): `GET /_admin/tenants/{tenant}/okta`,
//!   `POST .../okta/users` (Okta's create-user JSON), `DELETE .../okta/users/{id or
//!   login}`, `POST .../okta/groups`, `POST .../okta/apps`, `GET`/`PUT .../okta/faults`.
//!   A tenant reset restores the seed.
//!
//! The emulation is read-only: the engine never writes to its directory.

mod admin;
mod entry;
mod error;
mod faults;
mod filter;
mod org;
mod paging;
mod serve;
mod shapes;
mod store;
mod window;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::routing::{any, delete, get, post};

pub use faults::{OktaFaults, PageFault};
pub use org::{OktaApp, OktaOrg};
pub use store::State;

use super::{Vendor, VendorState};
use crate::runtime::AppState;
use crate::runtime::tenant::Tenant;
use crate::tenant_spec::TenantSpec;

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
