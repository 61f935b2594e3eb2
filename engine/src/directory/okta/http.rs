//! The HTTP side of the Okta source: `SSWS` authentication, `Link: rel="next"` paging
//! (never leaving the org's origin, so the token is only ever sent to the org), waiting
//! out `X-Rate-Limit-Remaining: 0` and 429s until `X-Rate-Limit-Reset`, retrying 5xx
//! answers and dropped connections, and errors that name the request, the HTTP status
//! and Okta's `errorSummary` and `errorCode`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use connector_sdk::Secret;
use reqwest::header::HeaderMap;
use reqwest::{StatusCode, Url};
use serde_json::Value;

use super::super::error::DirectoryError;

/// How many times one request is retried after a 429, a 5xx or a dropped connection.
const MAX_RETRIES: u32 = 5;
/// The longest wait for a rate-limit reset.
const MAX_WAIT: Duration = Duration::from_secs(120);

/// Okta's rate-limit headers of the last answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateLimitStatus {
    /// `X-Rate-Limit-Remaining`: requests left in the window.
    pub remaining: Option<u64>,
    /// `X-Rate-Limit-Reset`: when the window resets, in Unix seconds.
    pub reset: Option<u64>,
}

impl RateLimitStatus {
    /// Reads the headers of an answer.
    fn read(headers: &HeaderMap) -> Self {
        let number = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse().ok())
        };
        Self {
            remaining: number("x-rate-limit-remaining"),
            reset: number("x-rate-limit-reset"),
        }
    }

    /// How long to wait before the next request: until the reset when nothing remains
    /// (or the answer was a 429), at least a second, at most [`MAX_WAIT`].
    pub(super) fn wait(&self, now_secs: u64, exhausted: bool) -> Option<Duration> {
        let spent = exhausted || self.remaining == Some(0);
        if !spent {
            return None;
        }
        let wait = match self.reset {
            Some(reset) => Duration::from_secs(reset.saturating_sub(now_secs).max(1)),
            None => Duration::from_secs(60),
        };
        Some(wait.min(MAX_WAIT))
    }
}

/// An authenticated reader of one Okta org.
#[derive(Debug, Clone)]
pub(super) struct OktaClient {
    /// The org's URL, without a trailing `/`.
    base: String,
    /// The org's origin (`https://acme.okta.com`): `next` links must stay on it.
    origin: String,
    token: Secret,
    client: reqwest::Client,
    /// The `limit` asked for on every listing.
    pub page_size: u32,
    /// The wait before the first retry of a 5xx (doubled, then tripled, ...).
    pub retry_delay: Duration,
}

impl OktaClient {
    /// A client of the org at `base_url`.
    pub(super) fn new(base_url: &str, token: Secret) -> Result<Self, DirectoryError> {
        let base = base_url.trim().trim_end_matches('/');
        let parsed = Url::parse(base).map_err(|e| {
            DirectoryError::source(format!("the Okta URL `{base}` is not a URL: {e}"))
        })?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(DirectoryError::source(format!(
                "the Okta URL `{base}` must be an http(s) URL such as https://acme.okta.com"
            )));
        }
        if let Some(problem) = token.header_problem() {
            return Err(DirectoryError::source(format!(
                "the Okta API token{} cannot be sent in an HTTP header: it {problem}",
                token
                    .origin()
                    .map(|name| format!(" in {name}"))
                    .unwrap_or_default()
            )));
        }
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| DirectoryError::source(format!("cannot build the Okta client: {e}")))?;
        Ok(Self {
            base: base.to_owned(),
            origin: parsed.origin().ascii_serialization(),
            token,
            client,
            page_size: 200,
            retry_delay: Duration::from_millis(500),
        })
    }

    /// The org's URL.
    pub(super) fn base(&self) -> &str {
        &self.base
    }

    /// Every item of the listing at `path` (below the org) with `params`, following
    /// `Link: rel="next"`.
    pub(super) async fn collect(
        &self,
        path: &str,
        params: &[(&str, &str)],
    ) -> Result<Vec<Value>, DirectoryError> {
        let limit = self.page_size.to_string();
        let mut pairs: Vec<(&str, &str)> = params.to_vec();
        pairs.push(("limit", &limit));
        let first = Url::parse_with_params(&format!("{}{path}", self.base), &pairs)
            .map_err(|e| DirectoryError::source(format!("bad Okta path `{path}`: {e}")))?;
        let mut items = Vec::new();
        let mut url = Some(first);
        while let Some(page_url) = url {
            let (body, headers) = self.get(&page_url).await?;
            match body {
                Value::Array(page) => items.extend(page),
                other => {
                    return Err(DirectoryError::source(format!(
                        "Okta's answer to GET {page_url} is not a JSON list: {}",
                        snippet(&other.to_string())
                    )));
                }
            }
            url = self.next(&page_url, &headers)?;
        }
        Ok(items)
    }

    /// The object at `path` (below the org).
    pub(super) async fn object(&self, path: &str) -> Result<Value, DirectoryError> {
        let url = Url::parse(&format!("{}{path}", self.base))
            .map_err(|e| DirectoryError::source(format!("bad Okta path `{path}`: {e}")))?;
        Ok(self.get(&url).await?.0)
    }

    /// The `rel="next"` link of a page, checked to stay on the org's origin.
    fn next(&self, page: &Url, headers: &HeaderMap) -> Result<Option<Url>, DirectoryError> {
        let Some(link) = next_link(headers) else {
            return Ok(None);
        };
        let next = page.join(&link).map_err(|e| {
            DirectoryError::source(format!("Okta's next link `{link}` is not a URL: {e}"))
        })?;
        if next.origin().ascii_serialization() != self.origin {
            return Err(DirectoryError::source(format!(
                "Okta's next link {next} leaves {}; refusing to send the API token there",
                self.base
            )));
        }
        Ok(Some(next))
    }

    /// One GET, retried after 429s (until `X-Rate-Limit-Reset`), 5xx answers and
    /// dropped connections; waits for the reset when the answer spent the budget.
    async fn get(&self, url: &Url) -> Result<(Value, HeaderMap), DirectoryError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let sent = self
                .client
                .get(url.clone())
                .header("Authorization", format!("SSWS {}", self.token.expose()))
                .header("Accept", "application/json")
                .send()
                .await;
            let response = match sent {
                Ok(response) => response,
                Err(error) if attempt <= MAX_RETRIES => {
                    tracing::debug!(%url, %error, attempt, "Okta request failed; retrying");
                    tokio::time::sleep(self.retry_delay * attempt).await;
                    continue;
                }
                Err(error) => {
                    return Err(DirectoryError::source(format!(
                        "cannot reach Okta: GET {url} failed {attempt} times: {error}"
                    )));
                }
            };
            let status = response.status();
            let limit = RateLimitStatus::read(response.headers());
            let throttled = status == StatusCode::TOO_MANY_REQUESTS;
            if (throttled || status.is_server_error()) && attempt <= MAX_RETRIES {
                let wait = limit
                    .wait(now_secs(), throttled)
                    .unwrap_or(self.retry_delay * attempt);
                tracing::debug!(%url, %status, ?wait, attempt, "Okta asked to wait; retrying");
                tokio::time::sleep(wait).await;
                continue;
            }
            let headers = response.headers().clone();
            let text = response.text().await.map_err(|e| {
                DirectoryError::source(format!("GET {url}: the answer could not be read: {e}"))
            })?;
            if !status.is_success() {
                return Err(DirectoryError::source(failure(
                    url,
                    status,
                    &text,
                    attempt,
                    self.token.origin(),
                )));
            }
            let body = serde_json::from_str(&text).map_err(|e| {
                DirectoryError::source(format!(
                    "Okta's answer to GET {url} is not JSON ({e}): {}",
                    snippet(&text)
                ))
            })?;
            if let Some(wait) = limit.wait(now_secs(), false) {
                tracing::debug!(
                    ?wait,
                    "Okta's rate-limit budget is spent; waiting for the reset"
                );
                tokio::time::sleep(wait).await;
            }
            return Ok((body, headers));
        }
    }
}

/// What a failed answer says: the request, the status, Okta's `errorSummary` and
/// `errorCode` (or the start of the body), and what to check for a refused token.
/// `token_env` is the variable the token was read from, named by the hint of a 401.
fn failure(
    url: &Url,
    status: StatusCode,
    body: &str,
    attempts: u32,
    token_env: Option<&str>,
) -> String {
    let okta: Option<Value> = serde_json::from_str(body).ok();
    let field = |name: &str| {
        okta.as_ref()
            .and_then(|o| o.get(name))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let said = match (field("errorSummary"), field("errorCode")) {
        (Some(summary), Some(code)) => format!("{summary} ({code})"),
        (Some(summary), None) => summary,
        _ if body.trim().is_empty() => "no details".to_owned(),
        _ => snippet(body),
    };
    let tries = if attempts > 1 {
        format!(" after {attempts} attempts")
    } else {
        String::new()
    };
    let hint = match (status, token_env) {
        (StatusCode::UNAUTHORIZED, Some(name)) => format!("; check the API token in {name}"),
        (StatusCode::UNAUTHORIZED, None) => {
            "; check the API token in the environment variable `[directory.okta] token_env` names"
                .to_owned()
        }
        (StatusCode::FORBIDDEN, _) => {
            "; the API token's admin lacks the permission to read this".to_owned()
        }
        _ => String::new(),
    };
    let said = connector_sdk::display::escape(&said);
    format!("Okta answered {status} to GET {url}{tries}: {said}{hint}")
}

/// At most 300 characters of `text`.
fn snippet(text: &str) -> String {
    text.chars().take(300).collect()
}

/// The current time in Unix seconds.
fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The `rel="next"` URL of the `Link` headers, if any.
fn next_link(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all("link")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find(|part| part.contains("rel=\"next\""))
        .and_then(|part| {
            let start = part.find('<')? + 1;
            let end = part.find('>')?;
            part.get(start..end).map(str::to_owned)
        })
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    #[test]
    fn next_link_is_found_among_several() {
        let mut headers = HeaderMap::new();
        headers.append(
            "link",
            HeaderValue::from_static("<https://a.okta.com/api/v1/users?limit=2>; rel=\"self\""),
        );
        headers.append(
            "link",
            HeaderValue::from_static(
                "<https://a.okta.com/api/v1/users?after=00u2&limit=2>; rel=\"next\"",
            ),
        );
        assert_eq!(
            next_link(&headers).as_deref(),
            Some("https://a.okta.com/api/v1/users?after=00u2&limit=2")
        );
        let broken = HeaderMap::from_iter([(
            reqwest::header::LINK,
            HeaderValue::from_static(">oops<; rel=\"next\""),
        )]);
        assert_eq!(next_link(&broken), None);
    }

    #[test]
    fn waits_for_the_reset_only_when_the_budget_is_spent() {
        let status = RateLimitStatus {
            remaining: Some(0),
            reset: Some(1_010),
        };
        assert_eq!(status.wait(1_000, false), Some(Duration::from_secs(10)));
        let fine = RateLimitStatus {
            remaining: Some(5),
            reset: Some(1_010),
        };
        assert_eq!(fine.wait(1_000, false), None);
        assert_eq!(fine.wait(1_000, true), Some(Duration::from_secs(10)));
        assert_eq!(fine.wait(1_020, true), Some(Duration::from_secs(1)));
    }

    #[test]
    fn next_links_must_stay_on_the_org() {
        let client = OktaClient::new("https://acme.okta.com/", Secret::new("t")).unwrap();
        assert_eq!(client.base(), "https://acme.okta.com");
        let page = Url::parse("https://acme.okta.com/api/v1/users?limit=2").unwrap();
        let link = |value: &'static str| {
            HeaderMap::from_iter([(reqwest::header::LINK, HeaderValue::from_static(value))])
        };
        let same = client
            .next(&page, &link("</api/v1/users?after=1>; rel=\"next\""))
            .unwrap();
        assert_eq!(
            same.unwrap().as_str(),
            "https://acme.okta.com/api/v1/users?after=1"
        );
        let away = client
            .next(
                &page,
                &link("<https://evil.example/api/v1/users?after=1>; rel=\"next\""),
            )
            .unwrap_err();
        assert!(away.message.contains("refusing"), "{away}");
        assert!(OktaClient::new("acme.okta.com", Secret::new("t")).is_err());
        assert!(OktaClient::new("ftp://acme.okta.com", Secret::new("t")).is_err());
    }

    #[test]
    fn failures_quote_okta_and_never_the_token() {
        let url = Url::parse("https://acme.okta.com/api/v1/users?limit=200").unwrap();
        let body = r#"{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorLink":"E0000011","errorId":"oae1","errorCauses":[]}"#;
        let message = failure(&url, StatusCode::UNAUTHORIZED, body, 1, None);
        assert_eq!(
            message,
            "Okta answered 401 Unauthorized to GET https://acme.okta.com/api/v1/users?limit=200: \
             Invalid token provided (E0000011); check the API token in the environment variable \
             `[directory.okta] token_env` names"
        );
        let plain = failure(
            &url,
            StatusCode::BAD_GATEWAY,
            "<html>bad gateway</html>",
            6,
            None,
        );
        assert!(
            plain.ends_with("after 6 attempts: <html>bad gateway</html>"),
            "{plain}"
        );
    }

    #[test]
    fn a_refused_token_is_named_by_its_variable() {
        let url = Url::parse("https://acme.okta.com/api/v1/users").unwrap();
        let body = r#"{"errorCode":"E0000011","errorSummary":"Invalid token\u001b[2K provided"}"#;
        let message = failure(
            &url,
            StatusCode::UNAUTHORIZED,
            body,
            1,
            Some("OKTA_API_TOKEN"),
        );
        assert!(
            message.ends_with(
                "Invalid token\\u{1b}[2K provided (E0000011); check the API token in OKTA_API_TOKEN"
            ),
            "{message}"
        );
    }

    #[test]
    fn a_token_that_cannot_be_a_header_is_refused_at_once() {
        let token = Secret::new("00aé").with_origin("OKTA_API_TOKEN");
        let error = OktaClient::new("https://acme.okta.com", token).unwrap_err();
        assert_eq!(
            error.message,
            "the Okta API token in OKTA_API_TOKEN cannot be sent in an HTTP header: it contains \
             a non-ASCII character at position 4"
        );
    }
}
