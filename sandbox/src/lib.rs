//! # connector-sandbox
//!
//! A local server that emulates each AI SaaS's provisioning API the way the vendor does it,
//! driven by the connector manifests, plus a strict RFC 7643/7644 tenant (`generic`).
//!
//! Each *tenant* is one emulated service instance at `/{tenant}/scim/v2/...` with its
//! own in-memory Users and Groups, bearer token (or OAuth client credentials and a token
//! endpoint at `/{tenant}/oauth/token`), rate limit and injected faults. What a tenant
//! does follows its manifest's dialect: PATCH or PUT updates, path or path-less PATCH,
//! DELETE that removes, deactivates (Slack) or is refused (Canva), the one filter
//! attribute the service supports, its page size and its rate limit.
//!
//! Tenants of connectors that provision through a vendor REST API serve that API the
//! way the vendor answers it, on the same authentication, rate limit and fault
//! machinery (module `vendors`): Gemini's Google Directory API at
//! `/{tenant}/admin/directory/v1` and License Manager at `/{tenant}/apps/licensing/v1`
//! (throttled with Google's 403 `userRateLimitExceeded`), Microsoft 365 Copilot's Graph
//! at `/{tenant}/v1.0`, Box at `/{tenant}/2.0`, and GitHub Copilot's seat API at
//! `/{tenant}/orgs/{org}/copilot/...` next to its enterprise SCIM API at
//! `/{tenant}/scim/v2/enterprises/{enterprise}`. [`TenantHandle::config`] sets the base
//! URL and the tenant variables (`licensing_api`, `api_url`, ...) that reach them.
//!
//! An Okta org ([`TenantSpec::okta`], seeded from an [`OktaOrg`]) serves Okta's
//! Management API at `/{tenant}/api/v1` for directory sources: users, groups, members,
//! apps and their assignments, `Link` paging, `SSWS` tokens, `X-Rate-Limit-*` headers
//! and 429 `E0000047`, and [`OktaFaults`] (an empty listing, failing pages); its admin
//! API is at `/_admin/tenants/{tenant}/okta`. It plays Okta's event side too: user
//! lifecycle, profile and group membership writes are recorded in a System Log
//! (`GET /api/v1/logs`) and delivered to event hooks registered and verified through
//! `/api/v1/eventHooks` (loopback endpoints only), retried once as Okta does; the
//! sandbox's README lists the endpoints.
//!
//! The admin API at `/_admin/...` (its own token) lists tenants, shows and seeds their
//! data, changes faults and rate limits at run time, and resets them, so tests check
//! the final state independently of any connector. For a vendor API tenant,
//! `GET /_admin/tenants/{tenant}/api` shows its users (vendor JSON), licences, seats,
//! groups and memberships, `POST .../api/users` seeds an account, and
//! `PUT .../api/users/{id}/owns-content` (`true`/`false`) marks a Box user as owning
//! content.
//!
//! ```no_run
//! # async fn demo() -> Result<(), connector_sandbox::SandboxError> {
//! use connector_sandbox::{Faults, Sandbox, TenantSpec};
//!
//! let sandbox = Sandbox::builder()
//!     .generic("generic")
//!     .tenant(TenantSpec::generic("flaky").faults(Faults::none().error_rate(0.2).seed(7)))
//!     .start("127.0.0.1:0")
//!     .await?;
//! let tenant = sandbox.tenant("flaky").expect("declared above");
//! println!("{} with token {}", tenant.scim_url(), tenant.token().expose());
//! sandbox.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! Modules, one job each: `builder` (start), `handle` (URLs, credentials, stop),
//! `tenant_spec` (a tenant's settings), `config` (rate limits and faults), `server`
//! (connections), `routes` (HTTP endpoints), `runtime` (tenants, rules, auth, limits,
//! faults), `store` (data), `scim` (filters, PATCH, projection, errors), `schemas`
//! (discovery documents), `vendors` (the Google, Graph, Box, GitHub and Okta REST APIs).

#![warn(missing_docs)]

mod builder;
mod config;
mod error;
mod handle;
mod routes;
mod runtime;
mod schemas;
mod scim;
mod server;
mod store;
mod tenant_spec;
mod vendors;

pub use builder::{Sandbox, SandboxBuilder};
pub use config::{
    Faults, Limits, RateLimitConfig, RateLimitMode, ThrottleStyle, UndeclaredAttributes,
};
pub use error::SandboxError;
pub use handle::{SandboxHandle, TenantCredentials, TenantHandle};
pub use runtime::faults::Stats;
pub use tenant_spec::{DEFAULT_TOKEN_LIFETIME, TenantSpec};
pub use vendors::okta::{OktaApp, OktaFaults, OktaOrg, PageFault};
