//! The `custom_api_call` card: a call of the caller's below the service's base URL,
//! through the connector's own HTTP layer (auth, rate limit, retries). An absolute URL,
//! or a path that would leave the base URL (`..`, `//`, or either percent-encoded), is
//! refused before anything is sent.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{CardCall, CardInput};
use crate::error::{Error, Result};
use crate::http::{HttpClient, Method, Request};

/// The HTTP methods `custom_api_call` may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum CustomMethod {
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

impl From<CustomMethod> for Method {
    fn from(method: CustomMethod) -> Self {
        match method {
            CustomMethod::Get => Self::Get,
            CustomMethod::Post => Self::Post,
            CustomMethod::Put => Self::Put,
            CustomMethod::Patch => Self::Patch,
            CustomMethod::Delete => Self::Delete,
        }
    }
}

/// The input of `custom_api_call`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomApiCallInput {
    /// The HTTP method.
    pub method: CustomMethod,
    /// A path relative to the service's base URL (`Users`, `/Users/42`); never an
    /// absolute URL, never `..` or `//`.
    pub path: String,
    /// Query parameters, unencoded.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query: BTreeMap<String, String>,
    /// The JSON body, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

impl CardInput for CustomApiCallInput {
    fn into_call(self) -> CardCall {
        CardCall::CustomApiCall(self)
    }
}

/// The output of `custom_api_call`: the service's final answer, whatever its status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CustomApiCallOutput {
    /// The HTTP status.
    pub status: u16,
    /// The body: its JSON, or its text when it is not JSON; `null` when empty. An error
    /// body has the credentials replaced by `***`.
    pub body: Value,
}

/// The path segments of `path` below the base URL, decoded; an error saying why when
/// `path` is absolute or would leave the base URL.
pub fn relative_segments(path: &str) -> std::result::Result<Vec<String>, String> {
    let refuse = |why: &str| Err(format!("custom_api_call path `{path}` is refused: {why}"));
    if path.starts_with("//") || path.starts_with("\\") || has_scheme(path) {
        return refuse("only a path relative to the service's base URL is allowed, not a URL");
    }
    if path.contains('?') || path.contains('#') {
        return refuse("put query parameters in `query`; `?` and `#` are not allowed in the path");
    }
    if path.contains('\\') {
        return refuse("a backslash is not allowed in the path");
    }
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
    if trimmed.is_empty() {
        return Ok(Vec::new());
    }
    let mut segments = Vec::new();
    for raw in trimmed.split('/') {
        if raw.is_empty() {
            return refuse("`//` would leave the base URL");
        }
        let decoded = percent_decode(raw).ok_or_else(|| {
            format!(
                "custom_api_call path `{path}` is refused: `{raw}` is not valid percent-encoding"
            )
        })?;
        let lower = decoded.to_ascii_lowercase();
        if decoded == "." || decoded == ".." {
            return refuse("`.` and `..` segments (encoded or not) would leave the base URL");
        }
        if decoded.contains('/') || decoded.contains('\\') {
            return refuse("an encoded `/` or `\\` would leave the base URL");
        }
        if lower.contains("%2e") || lower.contains("%2f") || lower.contains("%5c") {
            return refuse("doubly encoded `.`, `/` or `\\` is not allowed");
        }
        segments.push(decoded);
    }
    Ok(segments)
}

/// Whether `path` starts with a URL scheme (`https:`, `javascript:`).
fn has_scheme(path: &str) -> bool {
    let Some((scheme, _)) = path.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// `text` with its `%XX` escapes decoded; `None` for a bad escape or non-UTF-8 result.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Runs `input` through `http`: the final answer, whatever its status.
pub async fn call(http: &HttpClient, input: CustomApiCallInput) -> Result<CustomApiCallOutput> {
    let segments = relative_segments(&input.path).map_err(Error::Config)?;
    let mut request = Request::new(input.method.into(), segments);
    for (name, value) in input.query {
        request = request.query(name, value);
    }
    if let Some(body) = input.body {
        request = request.json(body);
    }
    let answer = http.exchange(&request).await?;
    let body = if answer.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&answer.body)
            .unwrap_or_else(|_| Value::String(answer.text().into_owned()))
    };
    Ok(CustomApiCallOutput {
        status: answer.status,
        body,
    })
}
