//! The request and response values of [`HttpClient`](super::HttpClient), and URL building.

use serde_json::Value;
use url::Url;

use crate::error::{Error, Result};
use crate::secret::Secret;

/// `application/json`, the default media type of requests.
pub const JSON: &str = "application/json";

/// An HTTP method the connectors use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method's name on the wire (`GET`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }

    /// The same method for reqwest.
    pub(crate) fn to_reqwest(self) -> reqwest::Method {
        match self {
            Self::Get => reqwest::Method::GET,
            Self::Post => reqwest::Method::POST,
            Self::Put => reqwest::Method::PUT,
            Self::Patch => reqwest::Method::PATCH,
            Self::Delete => reqwest::Method::DELETE,
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One call to the service, relative to the client's base URL (or to another absolute
/// URL, see [`Request::at`]).
///
/// Path segments are percent-encoded one by one, so an id from the service can never
/// change the path (`Request::new(Method::Get, ["Users", id])`).
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// An absolute URL that replaces the client's base URL: a declared operation on
    /// another API, or a next-page link. `None` for the client's base URL.
    pub base: Option<Url>,
    /// Path segments appended to the base URL, unencoded.
    pub segments: Vec<String>,
    /// Query parameters, unencoded, in order.
    pub query: Vec<(String, String)>,
    /// The JSON body, if any.
    pub body: Option<Value>,
    /// The `Content-Type` sent with a body.
    pub content_type: &'static str,
    /// The `Accept` header.
    pub accept: &'static str,
    /// Values the body carries that must never show (a password): removed from the
    /// details of errors, and so from log lines.
    pub redact: Vec<Secret>,
}

impl Request {
    /// A request for `method` on the base URL followed by `segments`.
    pub fn new<I, S>(method: Method, segments: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            method,
            base: None,
            segments: segments.into_iter().map(Into::into).collect(),
            query: Vec::new(),
            body: None,
            content_type: JSON,
            accept: JSON,
            redact: Vec::new(),
        }
    }

    /// The same request addressed below `url` instead of the client's base URL. With no
    /// segments and no query the request goes to `url` exactly as given.
    pub fn at(mut self, url: Url) -> Self {
        self.base = Some(url);
        self
    }

    /// Adds a query parameter.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Sets the JSON body.
    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Adds values that must never appear in an error (see [`redact`](Self::redact)).
    pub fn redacting(mut self, secrets: impl IntoIterator<Item = Secret>) -> Self {
        self.redact.extend(secrets);
        self
    }

    /// Sets the `Content-Type` of the body and the `Accept` header.
    pub fn media_types(mut self, content_type: &'static str, accept: &'static str) -> Self {
        self.content_type = content_type;
        self.accept = accept;
        self
    }

    /// The full URL of this request under `base` (or under its own [`base`](Self::base)).
    pub(crate) fn url(&self, base: &Url) -> Result<Url> {
        let base = self.base.as_ref().unwrap_or(base);
        let mut url = base.clone();
        if !self.segments.is_empty() {
            let mut path = url
                .path_segments_mut()
                .map_err(|()| Error::Config(format!("base URL `{base}` cannot have a path")))?;
            path.pop_if_empty();
            path.extend(self.segments.iter().map(String::as_str));
        }
        if !self.query.is_empty() {
            let mut query = url.query().map(str::to_owned).unwrap_or_default();
            for (name, value) in &self.query {
                if !query.is_empty() {
                    query.push('&');
                }
                query.push_str(&percent_encode(name));
                query.push('=');
                query.push_str(&percent_encode(value));
            }
            url.set_query(Some(&query));
        }
        Ok(url)
    }
}

/// What the service answered to a successful (2xx) call.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// The parsed JSON body; `None` for 204 and empty bodies.
    pub body: Option<Value>,
}

/// The final answer to a request sent with
/// [`HttpClient::exchange`](super::HttpClient::exchange), whatever its status, for
/// callers that read headers (`Link` paging) or give error bodies their own meaning.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The body. In an answer that is not 2xx, the token and the request's
    /// [`redact`](Request::redact) values are replaced by `***`.
    pub body: Vec<u8>,
    /// Requests sent to get it, retries included.
    pub attempts: u32,
    /// The headers.
    pub(crate) headers: reqwest::header::HeaderMap,
}

impl Answer {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The first value of the header `name` (any case), when it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Every textual value of the header `name` (any case), in order.
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters (so a space is `%20`,
/// which every server decodes, unlike `+`).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The URL as it may appear in errors and logs: scheme, host, port and path only, never
/// credentials, query or fragment.
pub(crate) fn display_url(url: &Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.set_query(None);
    shown.set_fragment(None);
    shown.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_and_query_are_encoded() {
        let base = Url::parse("https://api.example.com/scim/v2/").unwrap();
        let url = Request::new(Method::Get, ["Users", "a/b c"])
            .query("filter", "userName eq \"o'b@x.com\"")
            .url(&base)
            .unwrap();
        assert_eq!(
            url.as_str(),
            "https://api.example.com/scim/v2/Users/a%2Fb%20c?filter=userName%20eq%20%22o%27b%40x.com%22"
        );
    }

    #[test]
    fn absolute_urls_replace_the_base() {
        let base = Url::parse("https://api.example.com/scim/v2/").unwrap();
        let next = Url::parse("https://api.example.com/v1/users/?$skiptoken=a%2Fb").unwrap();
        let url = Request::new(Method::Get, Vec::<String>::new())
            .at(next.clone())
            .url(&base)
            .unwrap();
        assert_eq!(url, next);
        let other = Url::parse("https://licensing.example.com/v1").unwrap();
        let url = Request::new(Method::Post, ["product", "a b"])
            .at(other)
            .query("x", "1")
            .url(&base)
            .unwrap();
        assert_eq!(
            url.as_str(),
            "https://licensing.example.com/v1/product/a%20b?x=1"
        );
    }

    #[test]
    fn base_without_trailing_slash_keeps_its_path() {
        let base = Url::parse("https://api.example.com/scim").unwrap();
        let url = Request::new(Method::Get, ["Users"]).url(&base).unwrap();
        assert_eq!(url.as_str(), "https://api.example.com/scim/Users");
    }

    #[test]
    fn displayed_urls_carry_no_credentials_or_query() {
        let url = Url::parse("https://user:pw@h.example/p?access_token=x#f").unwrap();
        assert_eq!(display_url(&url), "https://h.example/p");
    }
}
