//! The HTTP surface: the router, and one module per family of endpoints.
//!
//! - `scim`: each tenant's SCIM API at `/{tenant}/scim/v2/...` (auth, rate limit,
//!   faults, then `dispatch`), and its admin view at `/_admin/tenants/{tenant}/scim/v2/...`;
//! - `dispatch`: SCIM paths and methods to handlers;
//! - `request`: query, body and list-response helpers;
//! - `users`, `groups`, `search`, `discovery`: the SCIM handlers;
//! - `api`: the entry of the vendor REST APIs (`crate::vendors`) at
//!   `/{tenant}/{prefix}/...`;
//! - `oauth`: the token endpoint of OAuth tenants;
//! - `okta`: the Okta orgs' Management API and admin API, and their running tenants;
//! - `admin`: the admin API.

mod admin;
mod api;
mod discovery;
mod dispatch;
mod groups;
mod oauth;
pub(crate) mod okta;
mod request;
mod scim;
mod search;
mod users;

use std::sync::Arc;

use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post, put};

use crate::runtime::AppState;
use crate::scim::error::ScimError;

/// The sandbox's router.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/_admin/tenants", get(admin::list))
        .route("/_admin/reset", post(admin::reset_all))
        .route("/_admin/tenants/{tenant}", get(admin::tenant_summary))
        .route("/_admin/tenants/{tenant}/state", get(admin::state))
        .route(
            "/_admin/tenants/{tenant}/users",
            get(admin::users).post(admin::seed_user),
        )
        .route("/_admin/tenants/{tenant}/users/{id}", get(admin::user))
        .route(
            "/_admin/tenants/{tenant}/groups",
            get(admin::groups).post(admin::seed_group),
        )
        .route("/_admin/tenants/{tenant}/requests", get(admin::requests))
        .route(
            "/_admin/tenants/{tenant}/faults",
            put(admin::set_faults).get(admin::faults),
        )
        .route(
            "/_admin/tenants/{tenant}/rate-limit",
            put(admin::set_rate_limit).get(admin::rate_limit),
        )
        .route("/_admin/tenants/{tenant}/reset", post(admin::reset))
        .route("/_admin/tenants/{tenant}/api", get(admin::api_state))
        .route(
            "/_admin/tenants/{tenant}/api/users",
            post(admin::seed_api_user),
        )
        .route(
            "/_admin/tenants/{tenant}/api/users/{id}/owns-content",
            put(admin::set_owns_content),
        )
        .route(
            "/_admin/tenants/{tenant}/scim/v2/{*rest}",
            any(scim::admin_entry),
        )
        .route("/{tenant}/oauth/token", any(oauth::token))
        .route("/{tenant}/scim/v2/{*rest}", any(scim::entry))
        .route(
            "/{tenant}/admin/directory/v1/{*rest}",
            api::route("admin/directory/v1"),
        )
        .route(
            "/{tenant}/apps/licensing/v1/{*rest}",
            api::route("apps/licensing/v1"),
        )
        .route("/{tenant}/v1.0/{*rest}", api::route("v1.0"))
        .route("/{tenant}/2.0/{*rest}", api::route("2.0"))
        .route("/{tenant}/orgs/{*rest}", api::route("orgs"))
        .fallback(not_found)
        .with_state(state)
}

/// Anything else: a SCIM 404.
async fn not_found() -> Response {
    ScimError::not_found("no such endpoint").into_response()
}
