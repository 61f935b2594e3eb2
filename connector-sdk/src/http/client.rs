//! [`HttpClient`]: one connector instance's configured HTTP client.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use url::Url;

use super::auth::Authenticator;
use super::budget;
use super::errors::{ErrorBody, status_error, transport_error};
use super::rate_limit::RateLimiter;
use super::request::{Answer, Request, Response, display_url};
use super::retry::{Failure, is_retryable_status, parse_retry_after, with_retry};
use super::settings::{HttpSettings, RateLimitHeaders};
use crate::config::{InstanceConfig, RateLimitSetting, RetryPolicy};
use crate::error::{Error, Result};
use crate::manifest::{Manifest, ThrottleRule};
use crate::secret::Secret;

/// The HTTP client of one connector instance (or of another API): base URL, timeout,
/// `User-Agent`, credentials, client-side rate limit and retry policy, resolved once
/// from [`HttpSettings`].
///
/// Cloning is cheap and clones share the rate limit and the cached access token.
#[derive(Clone)]
pub struct HttpClient {
    /// The shared state.
    inner: Arc<Inner>,
}

/// What clones of an [`HttpClient`] share.
struct Inner {
    /// What the client talks to (the connector's name).
    name: String,
    /// The configured reqwest client (timeout, `User-Agent`, no redirects).
    http: reqwest::Client,
    /// The resolved base URL.
    base_url: Url,
    /// The `User-Agent` header.
    user_agent: String,
    /// The credentials.
    auth: Authenticator,
    /// The `Authorization` scheme (`Bearer`).
    scheme: String,
    /// The client-side rate limit.
    limiter: RateLimiter,
    /// How failed calls are retried.
    retry: RetryPolicy,
    /// Answers that count as a 429.
    throttle: Vec<ThrottleRule>,
    /// The service's rate-limit headers, if it sends some.
    rate_limit_headers: Option<RateLimitHeaders>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("connector", &self.inner.name)
            .field("base_url", &display_url(&self.inner.base_url))
            .field("user_agent", &self.inner.user_agent)
            .field("credentials", &self.inner.auth.source())
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// One answer as it came, before it is judged.
struct Raw {
    /// The status.
    status: u16,
    /// The headers.
    headers: HeaderMap,
    /// The body.
    bytes: Vec<u8>,
    /// How long the service asked to wait (`Retry-After`, or its rate-limit reset).
    retry_after: Option<Duration>,
    /// The token sent, to keep it out of errors.
    token: Secret,
}

impl HttpClient {
    /// Resolves `config` against `manifest`: the client of
    /// [`HttpSettings::from_manifest`].
    ///
    /// # Errors
    ///
    /// When the base URL, a credential or the rate limit is wrong; a missing credential
    /// is an [`Error::Auth`] naming the variable.
    pub fn new(manifest: &'static Manifest, config: &InstanceConfig) -> Result<Self> {
        Self::from_settings(HttpSettings::from_manifest(manifest, config)?)
    }

    /// The client of `settings`.
    ///
    /// # Errors
    ///
    /// When the rate limit is nonsense or the HTTP client cannot be built.
    pub fn from_settings(settings: HttpSettings) -> Result<Self> {
        let limit = settings
            .rate_limit
            .map_or(RateLimitSetting::Off, RateLimitSetting::Custom);
        let limiter = RateLimiter::new(limit, None)?;
        install_crypto_provider();
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .user_agent(settings.user_agent.as_str())
            // A redirect could change the method or carry the token elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            inner: Arc::new(Inner {
                name: settings.name,
                http,
                base_url: settings.base_url,
                user_agent: settings.user_agent,
                auth: settings.auth,
                scheme: settings.scheme,
                limiter,
                retry: settings.retry,
                throttle: settings.throttle,
                rate_limit_headers: settings.rate_limit_headers,
            }),
        })
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
    /// A response matching one of the throttle rules (status and body text, such as
    /// Google's 403 `userRateLimitExceeded`) counts as a 429.
    pub async fn send(&self, request: &Request) -> Result<Response> {
        self.send_expecting(request, &[]).await
    }

    /// [`send`](Self::send), except that a final answer whose status is in `expected`
    /// is returned as a [`Response`] rather than an error, for callers that give
    /// statuses their own meaning (a declared operation's `already_done`). The body of
    /// such an answer is its JSON, or `None` when it is empty or not JSON.
    ///
    /// Throttle rules are matched first, and a refused OAuth token is still refreshed
    /// once.
    pub async fn send_expecting(&self, request: &Request, expected: &[u16]) -> Result<Response> {
        let url = request.url(&self.inner.base_url)?;
        let call = format!("{} {}", request.method, display_url(&url));
        with_retry(&self.inner.retry, &call, || async {
            let raw = self.round_trip(request, &url, &call).await?;
            self.judge(request, &call, raw, expected)
        })
        .await
    }

    /// Sends `request` with the same waits and retries as [`send`](Self::send) (429s,
    /// throttle rules, 5xx and dropped connections are retried), and returns the final
    /// answer whatever its status, with its headers and the number of requests made.
    ///
    /// # Errors
    ///
    /// [`Error::Transport`] when the last attempt got no answer; [`Error::Auth`] when
    /// credentials cannot be had; [`Error::Config`] for a request that has no URL.
    pub async fn exchange(&self, request: &Request) -> Result<Answer> {
        let url = request.url(&self.inner.base_url)?;
        let call = format!("{} {}", request.method, display_url(&url));
        let attempts = AtomicU32::new(0);
        // The last answer of a status worth retrying, returned once the retries end.
        let last: Mutex<Option<Answer>> = Mutex::new(None);
        let keep = |answer: Option<Answer>| {
            if let Ok(mut last) = last.lock() {
                *last = answer;
            }
        };
        let result = with_retry(&self.inner.retry, &call, || async {
            keep(None);
            let sent = attempts.fetch_add(1, Ordering::AcqRel) + 1;
            let raw = self.round_trip(request, &url, &call).await?;
            let throttled = self.throttled(raw.status, &raw.bytes);
            let retry = throttled || is_retryable_status(raw.status);
            let retry_after = raw.retry_after;
            let answer = self.answer(request, raw, sent);
            if !retry {
                return Ok(answer);
            }
            let error = Error::Server {
                status: answer.status,
                scim_type: None,
                detail: None,
            };
            keep(Some(answer));
            Err(Failure::transient(error, retry_after))
        })
        .await;
        match result {
            Ok(answer) => Ok(answer),
            Err(error) => match last.lock().ok().and_then(|mut last| last.take()) {
                Some(answer) => Ok(answer),
                None => Err(error),
            },
        }
    }

    /// `raw` as an [`Answer`], scrubbed of secrets unless it is a 2xx.
    fn answer(&self, request: &Request, raw: Raw, attempts: u32) -> Answer {
        let body = if (200..300).contains(&raw.status) {
            raw.bytes
        } else {
            let mut secrets: Vec<&Secret> = request.redact.iter().collect();
            secrets.push(&raw.token);
            scrub(&raw.bytes, &secrets)
        };
        Answer {
            status: raw.status,
            body,
            attempts,
            headers: raw.headers,
        }
    }

    /// Sends one request (two when an OAuth token is refused and refreshed), after the
    /// client-side rate limit; after an answer saying the service's window is spent,
    /// waits for its reset.
    async fn round_trip(&self, request: &Request, url: &Url, call: &str) -> Result<Raw, Failure> {
        let inner = &*self.inner;
        let shown = display_url(url);
        let mut refreshed = false;
        loop {
            inner.limiter.until_ready().await;
            let token = inner.auth.token(&inner.http).await?;
            let mut builder = inner
                .http
                .request(request.method.to_reqwest(), url.clone())
                .header(
                    AUTHORIZATION,
                    format!("{} {}", inner.scheme, token.expose()),
                )
                .header(ACCEPT, request.accept);
            if let Some(body) = &request.body {
                builder = builder
                    .header(CONTENT_TYPE, request.content_type)
                    .body(body.to_string());
            }
            budget::count_request();
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
            let headers = response.headers().clone();
            let window = self.window(&headers);
            let retry_after = headers
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, SystemTime::now()))
                .or(window.reset_in.filter(|_| status == 429 || window.spent));
            let bytes = response
                .bytes()
                .await
                .map_err(|e| Failure::transient(transport_error(shown.clone(), &e), None))?
                .to_vec();
            if (200..300).contains(&status) && window.spent {
                let wait = window
                    .reset_in
                    .unwrap_or(Duration::from_secs(1))
                    .min(inner.retry.max_retry_after);
                tracing::debug!(
                    call,
                    ?wait,
                    "the service's rate-limit window is spent; waiting for its reset"
                );
                tokio::time::sleep(wait).await;
            }
            return Ok(Raw {
                status,
                headers,
                bytes,
                retry_after,
                token,
            });
        }
    }

    /// What the service's rate-limit headers say, if it sends some.
    fn window(&self, headers: &HeaderMap) -> Window {
        let Some(names) = &self.inner.rate_limit_headers else {
            return Window::default();
        };
        let number = |name: &str| -> Option<u64> {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse().ok())
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Window {
            spent: number(&names.remaining) == Some(0),
            // At least a second: the reset is rounded down to the second.
            reset_in: number(&names.reset)
                .map(|reset| Duration::from_secs(reset.saturating_sub(now).max(1))),
        }
    }

    /// A 2xx as a [`Response`], an expected status as one too, anything else as a
    /// failure, transient or not.
    fn judge(
        &self,
        request: &Request,
        call: &str,
        raw: Raw,
        expected: &[u16],
    ) -> Result<Response, Failure> {
        let shown = call.split_once(' ').map_or(call, |(_, url)| url);
        let status = raw.status;
        if self.throttled(status, &raw.bytes) {
            tracing::debug!(call, status, "the service asks to slow down");
            let error = Error::RateLimited {
                retry_after: raw.retry_after,
            };
            return Err(Failure::transient(error, raw.retry_after));
        }
        if (200..300).contains(&status) {
            return success(status, &raw.bytes, shown).map_err(Failure::fatal);
        }
        if expected.contains(&status) {
            let body = serde_json::from_slice(&raw.bytes).ok();
            return Ok(Response { status, body });
        }
        let mut secrets: Vec<&Secret> = request.redact.iter().collect();
        secrets.push(&raw.token);
        let body = ErrorBody::parse_redacted(&raw.bytes, &secrets);
        let retry_after = raw.retry_after;
        let error = status_error(status, call, body, retry_after, self.inner.auth.source());
        Err(if is_retryable_status(status) {
            Failure::transient(error, retry_after)
        } else {
            Failure::fatal(error)
        })
    }
}

/// What a service's rate-limit headers said.
#[derive(Debug, Default, Clone, Copy)]
struct Window {
    /// Nothing remains in the window.
    spent: bool,
    /// The time until its reset.
    reset_in: Option<Duration>,
}

/// `bytes` with every occurrence of each non-empty secret replaced by `***`.
fn scrub(bytes: &[u8], secrets: &[&Secret]) -> Vec<u8> {
    let mut text = String::from_utf8_lossy(bytes).into_owned();
    for secret in secrets {
        let secret = secret.expose();
        if !secret.is_empty() && text.contains(secret) {
            text = text.replace(secret, "***");
        }
    }
    text.into_bytes()
}

impl HttpClient {
    /// Whether an answer matches one of the manifest's throttle rules.
    fn throttled(&self, status: u16, body: &[u8]) -> bool {
        let rules = &self.inner.throttle;
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
