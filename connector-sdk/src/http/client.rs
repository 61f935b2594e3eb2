//! [`HttpClient`]: one connector instance's configured HTTP client.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::header::{ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use url::Url;

use super::auth::Authenticator;
use super::errors::{ErrorBody, status_error, transport_error};
use super::rate_limit::RateLimiter;
use super::request::{Request, Response, display_url};
use super::retry::{Failure, is_retryable_status, parse_retry_after, with_retry};
use crate::config::{InstanceConfig, RetryPolicy, render_template};
use crate::error::{Error, Result};
use crate::manifest::Manifest;
use crate::secret::Secret;

/// The request timeout when the configuration sets none (zero).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The HTTP client of one connector instance: base URL, timeout, `User-Agent`,
/// credentials, client-side rate limit and retry policy, resolved once.
///
/// Cloning is cheap and clones share the rate limit and the cached access token.
#[derive(Clone)]
pub struct HttpClient {
    /// The shared state.
    inner: Arc<Inner>,
}

/// What clones of an [`HttpClient`] share.
struct Inner {
    /// The connector's manifest.
    manifest: &'static Manifest,
    /// The configured reqwest client (timeout, `User-Agent`, no redirects).
    http: reqwest::Client,
    /// The resolved base URL.
    base_url: Url,
    /// The `User-Agent` header.
    user_agent: String,
    /// The credentials.
    auth: Authenticator,
    /// The client-side rate limit.
    limiter: RateLimiter,
    /// How failed calls are retried.
    retry: RetryPolicy,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("connector", &self.inner.manifest.name)
            .field("base_url", &display_url(&self.inner.base_url))
            .field("user_agent", &self.inner.user_agent)
            .field("credentials", &self.inner.auth.source())
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

impl HttpClient {
    /// Resolves `config` against `manifest`.
    ///
    /// The base URL is `config.base_url`, else the manifest's `provisioning.base_url`
    /// rendered over `config.variables` (with the manifest's defaults). The `User-Agent` is the dialect's required one,
    /// else `connector-toolkit/<version> (<connector>)`. Credentials come from
    /// `config.credentials`, else from the environment variables the manifest names; a
    /// missing one is an [`Error::Auth`] naming the variable.
    pub fn new(manifest: &'static Manifest, config: &InstanceConfig) -> Result<Self> {
        let variables = config.variables_for(manifest);
        let base_url = match &config.base_url {
            Some(url) => url.clone(),
            None => render_template(manifest.provisioning.base_url, &variables)?,
        };
        let base_url = parse_url("base URL", &base_url)?;
        let user_agent = match manifest.provisioning.dialect.user_agent {
            Some(agent) => agent.to_owned(),
            None => format!(
                "connector-toolkit/{} ({})",
                env!("CARGO_PKG_VERSION"),
                manifest.name
            ),
        };
        let timeout = if config.timeout.is_zero() {
            DEFAULT_TIMEOUT
        } else {
            config.timeout
        };
        let auth = Authenticator::new(&manifest.auth, config, &variables)?;
        let limiter = RateLimiter::new(config.rate_limit, manifest.provisioning.rate_limit)?;
        install_crypto_provider();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(user_agent.as_str())
            // A redirect could change the method or carry the token elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            inner: Arc::new(Inner {
                manifest,
                http,
                base_url,
                user_agent,
                auth,
                limiter,
                retry: config.retry,
            }),
        })
    }

    /// The connector's manifest.
    pub fn manifest(&self) -> &'static Manifest {
        self.inner.manifest
    }

    /// The resolved base URL.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// The `User-Agent` sent with every request.
    pub fn user_agent(&self) -> &str {
        &self.inner.user_agent
    }

    /// `METHOD url` of `request`, as errors and logs show it (no credentials or query).
    pub fn describe(&self, request: &Request) -> String {
        let url = request
            .url(self.base_url())
            .unwrap_or_else(|_| self.base_url().clone());
        format!("{} {}", request.method, display_url(&url))
    }

    /// The base URL followed by `segments`, as errors show it (no credentials or query).
    pub fn display_url(&self, segments: &[&str]) -> String {
        match Request::new(super::Method::Get, segments.iter().copied()).url(self.base_url()) {
            Ok(url) => display_url(&url),
            Err(_) => display_url(self.base_url()),
        }
    }

    /// Sends `request`, waiting on the rate limit before every attempt and retrying
    /// transient failures, and returns the status and JSON body of a 2xx answer.
    ///
    /// Errors: 401/403 → [`Error::Auth`] (an OAuth token is refreshed once first),
    /// 404 → [`Error::NotFound`], 409 → [`Error::Conflict`], 429 after the retries or with
    /// a `Retry-After` beyond the policy → [`Error::RateLimited`], other statuses →
    /// [`Error::Server`] with the SCIM error parsed, no answer → [`Error::Transport`], a
    /// 2xx body that is not JSON → [`Error::InvalidResponse`].
    ///
    /// A response matching one of the manifest's throttle rules (status and body text,
    /// such as Google's 403 `userRateLimitExceeded`) counts as a 429.
    pub async fn send(&self, request: &Request) -> Result<Response> {
        self.send_expecting(request, &[]).await
    }

    /// [`send`](Self::send), except that a final answer whose status is in `expected`
    /// is returned as a [`Response`] rather than an error, for callers that give
    /// statuses their own meaning (a declared operation's `already_done`). The body of
    /// such an answer is its JSON, or `None` when it is empty or not JSON.
    ///
    /// Throttle rules and retryable statuses are matched first, and a refused OAuth
    /// token is still refreshed once.
    pub async fn send_expecting(&self, request: &Request, expected: &[u16]) -> Result<Response> {
        let url = request.url(&self.inner.base_url)?;
        let call = format!("{} {}", request.method, display_url(&url));
        with_retry(&self.inner.retry, &call, || {
            self.attempt(request, &url, &call, expected)
        })
        .await
    }

    /// One attempt (two when an OAuth token is refused and refreshed).
    async fn attempt(
        &self,
        request: &Request,
        url: &Url,
        call: &str,
        expected: &[u16],
    ) -> Result<Response, Failure> {
        let inner = &*self.inner;
        let shown = display_url(url);
        let mut refreshed = false;
        loop {
            inner.limiter.until_ready().await;
            let token = inner.auth.token(&inner.http).await?;
            let mut builder = inner
                .http
                .request(request.method.to_reqwest(), url.clone())
                .bearer_auth(token.expose())
                .header(ACCEPT, request.accept);
            if let Some(body) = &request.body {
                builder = builder
                    .header(CONTENT_TYPE, request.content_type)
                    .body(body.to_string());
            }
            let response = builder
                .send()
                .await
                .map_err(|e| Failure::transient(transport_error(shown.clone(), &e), None))?;
            let status = response.status().as_u16();
            tracing::debug!(call, status, "response");
            if status == 401 && inner.auth.can_refresh() && !refreshed {
                tracing::info!(call, "access token refused; fetching a new one");
                inner.auth.invalidate(&token).await;
                refreshed = true;
                continue;
            }
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, SystemTime::now()));
            let bytes = response
                .bytes()
                .await
                .map_err(|e| Failure::transient(transport_error(shown.clone(), &e), None))?;
            if self.throttled(status, &bytes) {
                tracing::debug!(call, status, "the service asks to slow down");
                let error = Error::RateLimited { retry_after };
                return Err(Failure::transient(error, retry_after));
            }
            if (200..300).contains(&status) {
                return success(status, &bytes, &shown).map_err(Failure::fatal);
            }
            if expected.contains(&status) {
                let body = serde_json::from_slice(&bytes).ok();
                return Ok(Response { status, body });
            }
            let mut secrets: Vec<&Secret> = request.redact.iter().collect();
            secrets.push(&token);
            let body = ErrorBody::parse_redacted(&bytes, &secrets);
            let error = status_error(status, call, body, retry_after, inner.auth.source());
            return Err(if is_retryable_status(status) {
                Failure::transient(error, retry_after)
            } else {
                Failure::fatal(error)
            });
        }
    }
}

impl HttpClient {
    /// Whether an answer matches one of the manifest's throttle rules.
    fn throttled(&self, status: u16, body: &[u8]) -> bool {
        let rules = self.inner.manifest.provisioning.throttle;
        if !rules.iter().any(|rule| rule.status == status) {
            return false;
        }
        let text = String::from_utf8_lossy(body);
        rules
            .iter()
            .any(|rule| rule.status == status && text.contains(rule.body_contains))
    }
}

/// The [`Response`] of a 2xx answer: no body for 204 or an empty body, else JSON.
fn success(status: u16, bytes: &[u8], shown: &str) -> Result<Response> {
    if status == 204 || bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Response { status, body: None });
    }
    let body = serde_json::from_slice(bytes).map_err(|e| Error::InvalidResponse {
        url: shown.to_owned(),
        detail: format!("HTTP {status} body is not JSON ({e})"),
    })?;
    Ok(Response {
        status,
        body: Some(body),
    })
}

/// Parses an http(s) URL that can take a path and carries no credentials.
pub(crate) fn parse_url(what: &str, text: &str) -> Result<Url> {
    let url = Url::parse(text).map_err(|e| {
        // An unparsable URL is shown only when it cannot hold `user:password@`.
        let shown = if text.contains('@') { "" } else { text };
        Error::Config(format!("invalid {what} `{shown}`: {e}"))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(Error::Config(format!(
            "the {what} `{}` is not an http(s) URL",
            display_url(&url)
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::Config(format!(
            "the {what} must not contain credentials: {}",
            display_url(&url)
        )));
    }
    Ok(url)
}

/// Installs *ring* as the process's rustls crypto provider, unless the application has
/// installed one: with the `rustls-no-provider` feature reqwest takes the process
/// default and panics when there is none.
fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race to another thread is fine: a default is installed either way.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}
