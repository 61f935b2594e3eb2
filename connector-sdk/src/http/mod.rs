//! The HTTP layer every connector call goes through.
//!
//! [`HttpClient`] resolves one instance's base URL, timeout, `User-Agent` and credentials
//! (bearer token, OAuth 2.0 client credentials or a service account JWT, with a cached
//! token), waits on the client-side rate limit before every request, retries transient
//! failures (and the manifest's throttle responses) with exponential backoff and full
//! jitter while honouring `Retry-After`, and maps failures to the typed
//! [`Error`](crate::Error). No error or log line carries a secret.
//!
//! Modules, one job each:
//! - `request`: [`Method`], [`Request`], [`Response`] and URL building;
//! - `client`: [`HttpClient`] itself;
//! - `auth`: credentials and the OAuth token cache;
//! - `jwt`: service-account keys and RS256 assertions;
//! - `retry`: backoff, jitter and `Retry-After`;
//! - `rate_limit`: the client-side rate limit;
//! - `errors`: statuses and SCIM error bodies to typed errors.

mod auth;
mod client;
mod errors;
mod jwt;
mod rate_limit;
mod request;
mod retry;

pub use client::HttpClient;
pub(crate) use client::parse_url;
pub(crate) use errors::ErrorBody;
pub use request::{JSON, Method, Request, Response};
