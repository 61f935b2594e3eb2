//! [`HttpSettings`]: what an [`HttpClient`](super::HttpClient) is built from — base URL,
//! credentials, `User-Agent`, client-side rate limit, retry policy, throttle rules,
//! rate-limit headers and timeout. A connector's manifest and instance configuration
//! convert into them ([`HttpSettings::from_manifest`]); any other API (a directory
//! source) states them directly ([`HttpSettings::new`]).

use std::time::Duration;

use url::Url;

use super::auth::Authenticator;
use super::client::parse_url;
use crate::config::{InstanceConfig, RateLimitSetting, RetryPolicy, render_template};
use crate::error::Result;
use crate::manifest::{Manifest, RateLimit, ThrottleRule};
use crate::secret::Secret;

/// The request timeout when the configuration sets none (zero).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The headers in which a service says how many requests its window has left and when
/// the window resets (in Unix seconds), such as Okta's `X-Rate-Limit-Remaining` and
/// `X-Rate-Limit-Reset`. A 429 without `Retry-After` waits until the reset; an answer
/// saying nothing remains waits for it before the next request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitHeaders {
    /// The header counting the requests left (`X-Rate-Limit-Remaining`).
    pub remaining: String,
    /// The header giving the reset time in Unix seconds (`X-Rate-Limit-Reset`).
    pub reset: String,
}

/// Everything an [`HttpClient`](super::HttpClient) needs, resolved.
///
/// ```
/// use connector_sdk::Secret;
/// use connector_sdk::http::{HttpClient, HttpSettings};
///
/// let settings = HttpSettings::new("okta", "https://acme.okta.com", Secret::new("t"))?
///     .auth_scheme("SSWS")
///     .credentials_source("the API token in OKTA_API_TOKEN")
///     .rate_limit_headers("x-rate-limit-remaining", "x-rate-limit-reset");
/// let client = HttpClient::from_settings(settings)?;
/// assert_eq!(client.base_url().as_str(), "https://acme.okta.com/");
/// # Ok::<(), connector_sdk::Error>(())
/// ```
#[derive(Debug)]
pub struct HttpSettings {
    /// What the client talks to (the connector's name), for logs.
    pub(crate) name: String,
    /// The base URL.
    pub(crate) base_url: Url,
    /// The `User-Agent` header.
    pub(crate) user_agent: String,
    /// The credentials.
    pub(crate) auth: Authenticator,
    /// The `Authorization` scheme the token is sent with (`Bearer`).
    pub(crate) scheme: String,
    /// The client-side rate limit, if any.
    pub(crate) rate_limit: Option<RateLimit>,
    /// How failed requests are retried.
    pub(crate) retry: RetryPolicy,
    /// Answers that mean "slow down" although their status is not 429.
    pub(crate) throttle: Vec<ThrottleRule>,
    /// The timeout of one request.
    pub(crate) timeout: Duration,
    /// The service's rate-limit headers, if it sends some.
    pub(crate) rate_limit_headers: Option<RateLimitHeaders>,
}

impl HttpSettings {
    /// Settings for `name`'s API at `base_url` (http or https, no credentials in it),
    /// sending `token` as `Authorization: Bearer <token>`; no client-side rate limit,
    /// the default [`RetryPolicy`], a 60-second timeout and the `User-Agent`
    /// `connector-toolkit/<version> (<name>)`.
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) when `base_url` is not such a URL.
    pub fn new(name: impl Into<String>, base_url: &str, token: Secret) -> Result<Self> {
        let name = name.into();
        Ok(Self {
            base_url: parse_url("base URL", base_url.trim())?,
            user_agent: default_user_agent(&name),
            auth: Authenticator::Bearer {
                token,
                source: format!("the token of {name}"),
            },
            name,
            scheme: "Bearer".to_owned(),
            rate_limit: None,
            retry: RetryPolicy::default(),
            throttle: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            rate_limit_headers: None,
        })
    }

    /// The settings of a connector instance: `config.base_url`, else the manifest's
    /// `provisioning.base_url` rendered over `config.variables` (with the manifest's
    /// defaults); the dialect's required `User-Agent`, else the default one; credentials
    /// from `config.credentials`, else from the environment variables the manifest
    /// names (a missing one is an [`Error::Auth`](crate::Error::Auth) naming the
    /// variable); the rate limit `config.rate_limit` selects; the manifest's throttle
    /// rules; `config.retry` and `config.timeout` (zero: 60 seconds).
    ///
    /// # Errors
    ///
    /// When the base URL or a credential cannot be resolved.
    pub fn from_manifest(manifest: &'static Manifest, config: &InstanceConfig) -> Result<Self> {
        let variables = config.variables_for(manifest);
        let base_url = match &config.base_url {
            Some(url) => url.clone(),
            None => render_template(manifest.provisioning.base_url, &variables)?,
        };
        let user_agent = match manifest.provisioning.dialect.user_agent {
            Some(agent) => agent.to_owned(),
            None => default_user_agent(manifest.name),
        };
        let rate_limit = match config.rate_limit {
            RateLimitSetting::Spec => manifest.provisioning.rate_limit,
            RateLimitSetting::Custom(limit) => Some(limit),
            RateLimitSetting::Off => None,
        };
        Ok(Self {
            name: manifest.name.to_owned(),
            base_url: parse_url("base URL", &base_url)?,
            user_agent,
            auth: Authenticator::new(&manifest.auth, config, &variables)?,
            scheme: "Bearer".to_owned(),
            rate_limit,
            retry: config.retry,
            throttle: manifest.provisioning.throttle.to_vec(),
            timeout: if config.timeout.is_zero() {
                DEFAULT_TIMEOUT
            } else {
                config.timeout
            },
            rate_limit_headers: None,
        })
    }

    /// Sends the token as `Authorization: <scheme> <token>` (Okta's `SSWS`) rather
    /// than `Bearer`.
    pub fn auth_scheme(mut self, scheme: impl Into<String>) -> Self {
        self.scheme = scheme.into();
        self
    }

    /// Says where the token came from (`the API token in OKTA_API_TOKEN`), for errors;
    /// only for a token given to [`new`](Self::new).
    pub fn credentials_source(mut self, source: impl Into<String>) -> Self {
        if let Authenticator::Bearer {
            source: current, ..
        } = &mut self.auth
        {
            *current = source.into();
        }
        self
    }

    /// Replaces the `User-Agent`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Sets the client-side rate limit (`None`: none).
    pub fn rate_limit(mut self, limit: Option<RateLimit>) -> Self {
        self.rate_limit = limit;
        self
    }

    /// Sets how failed requests are retried.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Adds answers that count as a 429 (status and body text).
    pub fn throttle(mut self, rules: &[ThrottleRule]) -> Self {
        self.throttle.extend_from_slice(rules);
        self
    }

    /// Sets the timeout of one request (zero: 60 seconds).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = if timeout.is_zero() {
            DEFAULT_TIMEOUT
        } else {
            timeout
        };
        self
    }

    /// Honours the service's rate-limit headers (see [`RateLimitHeaders`]).
    pub fn rate_limit_headers(
        mut self,
        remaining: impl Into<String>,
        reset: impl Into<String>,
    ) -> Self {
        self.rate_limit_headers = Some(RateLimitHeaders {
            remaining: remaining.into(),
            reset: reset.into(),
        });
        self
    }
}

/// `connector-toolkit/<version> (<name>)`.
fn default_user_agent(name: &str) -> String {
    format!("connector-toolkit/{} ({name})", env!("CARGO_PKG_VERSION"))
}
