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
//!   changed through the admin API (`crate::routes::okta`, with the Management API's
//!   entry): `GET /_admin/tenants/{tenant}/okta`,
//!   `POST .../okta/users` (Okta's create-user JSON), `DELETE .../okta/users/{id or
//!   login}`, `POST .../okta/groups`, `POST .../okta/apps`, `GET`/`PUT .../okta/faults`.
//!   A tenant reset restores the seed (and drops hooks, deliveries and the log).
//! - Okta's event side (<https://developer.okta.com/docs/concepts/event-hooks/>): the
//!   Management API's writes on people (`lifecycle`: user lifecycle, profile, group
//!   membership) record `LogEvent`s in the org's System Log (`events`), served at
//!   `GET /api/v1/logs` (`logs`, with `clock` for its timestamps), and delivered to the
//!   event hooks registered and verified through `/api/v1/eventHooks` (`hook_api`,
//!   `hooks`) by HTTP calls to loopback endpoints (`deliver`). The admin API shows the
//!   hooks and every delivery: `GET /_admin/tenants/{tenant}/okta/eventHooks`.
//!
//! - Apps written through the Management API (`app_api`, for `connector sso apply`):
//!   `POST`/`PUT /api/v1/apps`, group and direct user assignments, each SAML app's IdP
//!   metadata with a certificate of its own (`app_key`, made with `openssl`), and a sandbox-only
//!   `POST /api/v1/apps/{id}/sso/saml/sign` that returns a Response the app signed for a
//!   user (`saml_response`, signed with `xmlsec1`); scopes the token lacks
//!   (`missing_scopes` fault) answer 403 `E0000006`.
//!
//! The directory side of the engine only reads; the writes on people are there for tests
//! and for the event flows built on Okta's hooks and System Log.

pub(crate) mod app_api;
mod app_key;
mod clock;
pub(crate) mod deliver;
pub(crate) mod error;
mod events;
mod faults;
mod filter;
mod hook_api;
pub(crate) mod hooks;
mod lifecycle;
mod logs;
mod org;
mod paging;
mod saml_response;
pub(crate) mod serve;
mod shapes;
pub(crate) mod store;
pub(crate) mod window;

pub use faults::{OktaFaults, PageFault};
pub use org::{OktaApp, OktaOrg};
pub(crate) use store::State;
