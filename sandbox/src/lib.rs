//! # connector-sandbox
//!
//! A local server that emulates each AI SaaS's SCIM API the way the vendor does it,
//! driven by the connector manifests, plus a strict RFC 7643/7644 tenant (`generic`).
//!
//! Each *tenant* is one emulated service instance at `/{tenant}/scim/v2/...` with its
//! own in-memory Users and Groups, bearer token (or OAuth client credentials and a token
//! endpoint at `/{tenant}/oauth/token`), rate limit and injected faults. What a tenant
//! does follows its manifest's dialect: PATCH or PUT updates, path or path-less PATCH,
//! DELETE that removes, deactivates (Slack) or is refused (Canva), the one filter
//! attribute the service supports, its page size and its rate limit.
//!
//! The admin API at `/_admin/...` (its own token) lists tenants, shows and seeds their
//! data, changes faults and rate limits at run time, and resets them, so tests check
//! the final state independently of any connector.
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
//! (discovery documents).

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

pub use builder::{Sandbox, SandboxBuilder};
pub use config::{Faults, Limits, RateLimitConfig, RateLimitMode, ThrottleStyle};
pub use error::SandboxError;
pub use handle::{SandboxHandle, TenantCredentials, TenantHandle};
pub use runtime::faults::Stats;
pub use tenant_spec::{DEFAULT_TOKEN_LIFETIME, TenantSpec};
