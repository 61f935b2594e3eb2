//! The HTTP side of the Okta source, over the SDK's [`HttpClient`]: the client sends
//! `Authorization: SSWS <token>`, waits out `X-Rate-Limit-Remaining: 0` and 429s until
//! `X-Rate-Limit-Reset`, and retries 5xx answers and dropped connections; this module
//! adds `Link: rel="next"` paging (never leaving the org's origin, so the token is only
//! ever sent to the org) and errors that name the request, the HTTP status and Okta's
//! `errorSummary` and `errorCode`.

use std::sync::OnceLock;
use std::time::Duration;

use connector_sdk::http::{HttpClient, HttpSettings, Method, Request};
use connector_sdk::{RetryPolicy, Secret};
use reqwest::{StatusCode, Url};
use serde_json::Value;

use super::super::error::DirectoryError;

/// How many times one request is retried after a 429, a 5xx or a dropped connection.
const MAX_RETRIES: u32 = 5;
/// The longest wait for a rate-limit reset.
const MAX_WAIT: Duration = Duration::from_secs(120);
/// The timeout of one request.
const TIMEOUT: Duration = Duration::from_secs(60);

/// An authenticated reader of one Okta org.
#[derive(Debug, Clone)]
pub(crate) struct OktaClient {
    /// The org's URL, without a trailing `/`.
    base: String,
    /// The org's origin (`https://acme.okta.com`): `next` links must stay on it.
    origin: String,
    /// The API token.
    token: Secret,
    /// The HTTP client (SSWS, rate-limit headers, retries), built on first use.
    client: OnceLock<HttpClient>,
    /// The `limit` asked for on every listing.
    pub page_size: u32,
    /// The longest wait before the first retry of a 5xx (doubled for each next one).
    retry_delay: Duration,
}

impl OktaClient {
    /// A client of the org at `base_url`.
    pub(crate) fn new(base_url: &str, token: Secret) -> Result<Self, DirectoryError> {
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
        let retry_delay = Duration::from_millis(500);
        // Checked now, built on first use (after the options are set).
        settings(base, &token, retry_delay)?;
        Ok(Self {
            base: base.to_owned(),
            origin: parsed.origin().ascii_serialization(),
            token,
            client: OnceLock::new(),
            page_size: 200,
            retry_delay,
        })
    }

    /// Sets the longest wait before the first retry of a 5xx (doubled for each next one).
    pub(super) fn set_retry_delay(&mut self, delay: Duration) {
        self.retry_delay = delay;
        self.client = OnceLock::new();
    }

    /// The HTTP client, built on first use.
    fn http(&self) -> Result<&HttpClient, DirectoryError> {
        if let Some(client) = self.client.get() {
            return Ok(client);
        }
        let settings = settings(&self.base, &self.token, self.retry_delay)?;
        let client =
            HttpClient::from_settings(settings).map_err(|e| cannot_build(&self.base, &e))?;
        // Another task may have built one meanwhile: either will do.
        let _ = self.client.set(client);
        self.client
            .get()
            .ok_or_else(|| DirectoryError::source("the Okta client was not built"))
    }

    /// The org's URL.
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// Every item of the listing at `path` (below the org) with `params`, following
    /// `Link: rel="next"`.
    pub(crate) async fn collect(
        &self,
        path: &str,
        params: &[(&str, &str)],
    ) -> Result<Vec<Value>, DirectoryError> {
        let limit = self.page_size.to_string();
        let mut pairs: Vec<(&str, &str)> = params.to_vec();
        pairs.push(("limit", &limit));
        let first = self.url(path, &pairs)?;
        let mut items = Vec::new();
        let mut url = Some(first);
        while let Some(page_url) = url {
            let (page, next) = self.page(&page_url).await?;
            items.extend(page);
            url = next;
        }
        Ok(items)
    }

    /// The URL of `path` (below the org) with the query `params`.
    pub(crate) fn url(&self, path: &str, params: &[(&str, &str)]) -> Result<Url, DirectoryError> {
        Url::parse_with_params(&format!("{}{path}", self.base), params)
            .map_err(|e| DirectoryError::source(format!("bad Okta path `{path}`: {e}")))
    }

    /// Whether `url` is on the org's origin (where the token may be sent).
    pub(crate) fn is_on_org(&self, url: &Url) -> bool {
        url.origin().ascii_serialization() == self.origin
    }

    /// One page of a listing: its items and the `rel="next"` link, checked to stay on
    /// the org's origin.
    pub(crate) async fn page(
        &self,
        url: &Url,
    ) -> Result<(Vec<Value>, Option<Url>), DirectoryError> {
        let (body, links) = self.get(url).await?;
        match body {
            Value::Array(page) => Ok((page, self.next(url, &links)?)),
            other => Err(DirectoryError::source(format!(
                "Okta's answer to GET {url} is not a JSON list: {}",
                snippet(&other.to_string())
            ))),
        }
    }

    /// The object at `path` (below the org).
    pub(crate) async fn object(&self, path: &str) -> Result<Value, DirectoryError> {
        let url = Url::parse(&format!("{}{path}", self.base))
            .map_err(|e| DirectoryError::source(format!("bad Okta path `{path}`: {e}")))?;
        Ok(self.get(&url).await?.0)
    }

    /// One request that may write (`POST`, `PUT`, `DELETE`) to `path` below the org, with
    /// an optional JSON body, retried and rate-limited like reads; the answer whatever
    /// its status (`None` only when Okta could not be reached).
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        accept: &'static str,
    ) -> Result<Sent, DirectoryError> {
        let url = self.url(path, &[])?;
        let mut request = Request::new(method, Vec::<String>::new())
            .at(url.clone())
            .media_types(connector_sdk::http::JSON, accept);
        if let Some(body) = body {
            request = request.json(body);
        }
        let answer = self.http()?.exchange(&request).await.map_err(|error| {
            DirectoryError::source(format!("cannot reach Okta: {method} {url}: {error}"))
        })?;
        Ok(Sent {
            status: answer.status,
            body: answer.text().into_owned(),
            www_authenticate: answer.header("www-authenticate").map(str::to_owned),
        })
    }

    /// The `rel="next"` link among a page's `Link` values, checked to stay on the org's
    /// origin.
    fn next(&self, page: &Url, links: &[String]) -> Result<Option<Url>, DirectoryError> {
        let Some(link) = next_link(links) else {
            return Ok(None);
        };
        let next = page.join(&link).map_err(|e| {
            DirectoryError::source(format!("Okta's next link `{link}` is not a URL: {e}"))
        })?;
        if !self.is_on_org(&next) {
            return Err(DirectoryError::source(format!(
                "Okta's next link {next} leaves {}; refusing to send the API token there",
                self.base
            )));
        }
        Ok(Some(next))
    }

    /// One GET (retried and rate-limited by the client): the JSON body and the `Link`
    /// header values.
    async fn get(&self, url: &Url) -> Result<(Value, Vec<String>), DirectoryError> {
        let request = Request::new(Method::Get, Vec::<String>::new()).at(url.clone());
        let answer = self.http()?.exchange(&request).await.map_err(|error| {
            DirectoryError::source(format!("cannot reach Okta: GET {url}: {error}"))
        })?;
        let text = answer.text();
        if !answer.is_success() {
            let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_GATEWAY);
            let mut message = failure(url, status, &text, answer.attempts, self.token.origin());
            if let Some(scope) = answer.header("www-authenticate").and_then(lacking_scope) {
                message.push_str(&format!(" (the token lacks the scope `{scope}`)"));
            }
            return Err(DirectoryError::source(message));
        }
        let body = serde_json::from_str(&text).map_err(|e| {
            DirectoryError::source(format!(
                "Okta's answer to GET {url} is not JSON ({e}): {}",
                snippet(&text)
            ))
        })?;
        let links = answer
            .header_values("link")
            .into_iter()
            .map(str::to_owned)
            .collect();
        Ok((body, links))
    }
}

/// Okta's answer to [`OktaClient::send`].
#[derive(Debug, Clone)]
pub(crate) struct Sent {
    /// The HTTP status.
    pub status: u16,
    /// The body (the token redacted from error bodies).
    pub body: String,
    /// `WWW-Authenticate`, which names the scope a token lacks.
    pub www_authenticate: Option<String>,
}

/// The SDK client settings of the org at `base`: `SSWS` token, Okta's rate-limit
/// headers, five retries starting after `delay` at most.
fn settings(base: &str, token: &Secret, delay: Duration) -> Result<HttpSettings, DirectoryError> {
    let retry = RetryPolicy {
        max_attempts: MAX_RETRIES + 1,
        initial_backoff: delay,
        max_backoff: delay * 16,
        max_retry_after: MAX_WAIT,
    };
    Ok(HttpSettings::new("okta", base, token.clone())
        .map_err(|e| cannot_build(base, &e))?
        .auth_scheme("SSWS")
        .credentials_source("the Okta API token")
        .rate_limit_headers("x-rate-limit-remaining", "x-rate-limit-reset")
        .retry(retry)
        .timeout(TIMEOUT))
}

/// The error of a client that cannot be built.
fn cannot_build(base: &str, error: &connector_sdk::Error) -> DirectoryError {
    DirectoryError::source(format!("cannot build the Okta client for {base}: {error}"))
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

/// The scope a `WWW-Authenticate` value says the token lacks (`scope="okta.apps.read"`
/// with `error="insufficient_scope"`), as Okta names it in a 403.
pub(crate) fn lacking_scope(header: &str) -> Option<String> {
    if !header.contains("insufficient_scope") {
        return None;
    }
    let start = header.find("scope=\"")? + "scope=\"".len();
    let rest = header.get(start..)?;
    let scope = rest.get(..rest.find('"')?)?;
    let printable = !scope.is_empty() && scope.chars().all(|c| c.is_ascii_graphic() || c == ' ');
    printable.then(|| scope.to_owned())
}

/// At most 300 characters of `text`.
fn snippet(text: &str) -> String {
    text.chars().take(300).collect()
}

/// The `rel="next"` URL of the `Link` header values, if any.
fn next_link(values: &[String]) -> Option<String> {
    values
        .iter()
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
    use super::*;

    #[test]
    fn next_link_is_found_among_several() {
        let values = [
            "<https://a.okta.com/api/v1/users?limit=2>; rel=\"self\"".to_owned(),
            "<https://a.okta.com/api/v1/users?after=00u2&limit=2>; rel=\"next\"".to_owned(),
        ];
        assert_eq!(
            next_link(&values).as_deref(),
            Some("https://a.okta.com/api/v1/users?after=00u2&limit=2")
        );
        assert_eq!(next_link(&[">oops<; rel=\"next\"".to_owned()]), None);
    }

    #[test]
    fn next_links_must_stay_on_the_org() {
        let client = OktaClient::new("https://acme.okta.com/", Secret::new("t")).unwrap();
        assert_eq!(client.base(), "https://acme.okta.com");
        let page = Url::parse("https://acme.okta.com/api/v1/users?limit=2").unwrap();
        let link = |value: &str| vec![value.to_owned()];
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
    fn the_lacking_scope_is_read_from_www_authenticate() {
        let header = r#"Bearer realm="x", scope="okta.apps.read", error="insufficient_scope""#;
        assert_eq!(lacking_scope(header).as_deref(), Some("okta.apps.read"));
        assert_eq!(lacking_scope(r#"Bearer scope="okta.apps.read""#), None);
        assert_eq!(
            lacking_scope(r#"Bearer scope="", error="insufficient_scope""#),
            None
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
