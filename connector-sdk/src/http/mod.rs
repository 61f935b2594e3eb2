//! The HTTP layer every connector call goes through.
//!
//! [`HttpClient`] is built from [`HttpSettings`] — one connector instance's (from its
//! manifest) or any other API's: base URL, timeout, `User-Agent` and credentials (a
//! token with its `Authorization` scheme, OAuth 2.0 client credentials or a service
//! account JWT, with a cached token). It waits on the client-side rate limit before every request, retries transient
//! failures (and the manifest's throttle responses) with exponential backoff and full
//! jitter while honouring `Retry-After` (and a service's rate-limit reset header), within
//! the caller's [`RetryBudget`] when it set one, and maps failures to the typed
//! [`Error`](crate::Error). No error or log line carries a secret.
//!
//! Modules, one job each:
//! - `request`: [`Method`], [`Request`], [`Response`] and URL building;
//! - `settings`: [`HttpSettings`], what a client is built from (a manifest converts
//!   into them);
//! - `client`: [`HttpClient`] itself;
//! - `budget`: [`RetryBudget`], retries shared by every request of one operation;
//! - `auth`: credentials and the OAuth token cache;
//! - `jwt`: service-account keys and RS256 assertions;
//! - `retry`: backoff, jitter and `Retry-After`;
//! - `rate_limit`: the client-side rate limit;
//! - `errors`: statuses and SCIM error bodies to typed errors.

mod auth;
mod budget;
mod client;
mod errors;
mod jwt;
mod rate_limit;
mod request;
mod retry;
mod settings;

pub use budget::RetryBudget;
pub use client::HttpClient;
pub(crate) use client::parse_url;
pub(crate) use errors::ErrorBody;
pub use request::{Answer, JSON, Method, Request, Response};
pub use settings::{HttpSettings, RateLimitHeaders};
