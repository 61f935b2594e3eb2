//! Turning HTTP failures into the typed [`Error`]: error statuses with their SCIM error
//! bodies (RFC 7644 §3.12), and transport failures.

use std::time::Duration;

use serde_json::Value;

use crate::error::Error;
use crate::secret::Secret;

/// The longest error detail kept from a response body, in characters.
const MAX_DETAIL: usize = 300;

/// What an error response body says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ErrorBody {
    /// SCIM `scimType`.
    pub scim_type: Option<String>,
    /// SCIM `detail`, another error field, or the body's text, truncated.
    pub detail: Option<String>,
}

impl ErrorBody {
    /// Parses an error body without secrets to redact.
    #[cfg(test)]
    pub(crate) fn parse(bytes: &[u8]) -> Self {
        Self::parse_redacted(bytes, &[])
    }

    /// Parses an error body: a SCIM error (`status` as a string or a number, `scimType`,
    /// `detail`), another JSON error shape, or plain text; after replacing every
    /// occurrence of each of `secrets` with `***` in the whole body (before the detail is
    /// cut, so no prefix of a secret survives).
    pub(crate) fn parse_redacted(bytes: &[u8], secrets: &[&Secret]) -> Self {
        let mut text = String::from_utf8_lossy(bytes).into_owned();
        for secret in secrets {
            let secret = secret.expose();
            if !secret.is_empty() && text.contains(secret) {
                text = text.replace(secret, "***");
            }
        }
        let text = text.trim();
        if text.is_empty() {
            return Self::default();
        }
        let Ok(json) = serde_json::from_str::<Value>(text) else {
            return Self {
                scim_type: None,
                detail: Some(truncate(text)),
            };
        };
        let field = |name: &str| json.get(name).and_then(Value::as_str).map(str::to_owned);
        // Google and Microsoft Graph nest theirs: {"error": {"code": .., "message": ..}}.
        let nested = json
            .get("error")
            .and_then(|e| e.get("message"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let detail = ["detail", "message", "error_description", "error"]
            .iter()
            .find_map(|name| field(name))
            .or(nested)
            .or_else(|| json.get("Errors").map(Value::to_string))
            .unwrap_or_else(|| json.to_string());
        Self {
            scim_type: field("scimType"),
            detail: Some(truncate(&detail)),
        }
    }
}

/// The typed error for an error status. `request` is `METHOD url` as shown to people,
/// `credentials` says where the credentials came from (never what they are).
pub(crate) fn status_error(
    status: u16,
    request: &str,
    body: ErrorBody,
    retry_after: Option<Duration>,
    credentials: &str,
) -> Error {
    let detail = body.detail.clone();
    match status {
        401 | 403 => Error::Auth {
            status: Some(status),
            detail: format!(
                "HTTP {status} from {request} using {credentials}{}",
                detail.map(|d| format!(": {d}")).unwrap_or_default()
            ),
        },
        404 => Error::NotFound {
            what: request.to_owned(),
        },
        409 => Error::Conflict {
            detail: detail.unwrap_or_else(|| format!("HTTP 409 from {request}")),
        },
        429 => Error::RateLimited { retry_after },
        _ => Error::Server {
            status,
            scim_type: body.scim_type,
            detail,
        },
    }
}

/// The typed error for a request that got no response.
pub(crate) fn transport_error(url: String, error: &reqwest::Error) -> Error {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "failed reading the response"
    } else {
        "request failed"
    };
    let mut message = kind.to_owned();
    // The chain below the reqwest error names the cause (refused, reset, TLS) and never
    // the URL or headers.
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    Error::Transport { url, message }
}

/// `text` cut to [`MAX_DETAIL`] characters, with an ellipsis when cut, and
/// [escaped](crate::display::escape) for the terminal: the detail is the service's words,
/// quoted in errors, the apply report and audit lines, so a control character or a line
/// break in it must not reach a terminal or fake a line.
pub(crate) fn truncate(text: &str) -> String {
    let cut = match text.char_indices().nth(MAX_DETAIL) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    };
    crate::display::escape(&cut).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_nested_error_messages() {
        let google = br#"{"error":{"code":403,"message":"Not Authorized to access this resource/api","errors":[{"reason":"forbidden"}]}}"#;
        assert_eq!(
            ErrorBody::parse(google).detail.as_deref(),
            Some("Not Authorized to access this resource/api")
        );
        let graph = br#"{"error":{"code":"Request_BadRequest","message":"License assignment failed because of an invalid usage location."}}"#;
        assert!(
            ErrorBody::parse(graph)
                .detail
                .unwrap()
                .contains("usage location")
        );
    }

    #[test]
    fn scim_error_with_string_or_number_status() {
        for body in [
            r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidValue","detail":"bad email"}"#,
            r#"{"status":400,"scimType":"invalidValue","detail":"bad email"}"#,
        ] {
            let parsed = ErrorBody::parse(body.as_bytes());
            assert_eq!(parsed.scim_type.as_deref(), Some("invalidValue"));
            assert_eq!(parsed.detail.as_deref(), Some("bad email"));
        }
    }

    #[test]
    fn other_bodies() {
        assert_eq!(ErrorBody::parse(b"  "), ErrorBody::default());
        let text = "x".repeat(1000);
        let parsed = ErrorBody::parse(text.as_bytes());
        assert_eq!(parsed.detail.unwrap().chars().count(), MAX_DETAIL + 1);
        let parsed = ErrorBody::parse(br#"{"ok":false,"error":"invalid_authentication"}"#);
        assert_eq!(parsed.detail.as_deref(), Some("invalid_authentication"));
        let parsed = ErrorBody::parse("é".repeat(400).as_bytes());
        assert!(parsed.detail.unwrap().ends_with('…'));
    }

    #[test]
    fn redacts_before_cutting() {
        let secret = Secret::new("tok-".to_owned() + &"9".repeat(50));
        let body = format!("{}{}", "x".repeat(MAX_DETAIL - 10), secret.expose());
        let parsed = ErrorBody::parse_redacted(body.as_bytes(), &[&secret]);
        assert!(!parsed.detail.unwrap().contains("tok-"));
    }

    #[test]
    fn details_are_escaped_for_the_terminal() {
        let body = "{\"detail\":\"no\\u001b[2K\\nuser \\u202eevil\"}";
        let parsed = ErrorBody::parse(body.as_bytes());
        assert_eq!(
            parsed.detail.as_deref(),
            Some("no\\u{1b}[2K\\nuser \\u{202e}evil")
        );
        let parsed = ErrorBody::parse(b"plain\x1b]0;title\x07 text");
        assert_eq!(
            parsed.detail.as_deref(),
            Some("plain\\u{1b}]0;title\\u{7} text")
        );
    }

    #[test]
    fn scrubs_secrets() {
        let token = Secret::new("tok-123");
        let parsed = ErrorBody::parse_redacted(b"bad header: Bearer tok-123", &[&token]);
        assert_eq!(parsed.detail.as_deref(), Some("bad header: Bearer ***"));
    }

    #[test]
    fn maps_statuses() {
        let body = || ErrorBody::parse(br#"{"detail":"nope","scimType":"uniqueness"}"#);
        let req = "GET https://h/Users";
        assert!(matches!(
            status_error(401, req, body(), None, "c"),
            Error::Auth {
                status: Some(401),
                ..
            }
        ));
        assert!(matches!(
            status_error(404, req, body(), None, "c"),
            Error::NotFound { .. }
        ));
        assert!(matches!(
            status_error(409, req, body(), None, "c"),
            Error::Conflict { .. }
        ));
        let secs = Some(Duration::from_secs(3));
        assert!(matches!(
            status_error(429, req, body(), secs, "c"),
            Error::RateLimited { retry_after } if retry_after == secs
        ));
        match status_error(500, req, body(), None, "c") {
            Error::Server {
                status,
                scim_type,
                detail,
            } => {
                assert_eq!(status, 500);
                assert_eq!(scim_type.as_deref(), Some("uniqueness"));
                assert_eq!(detail.as_deref(), Some("nope"));
            }
            other => panic!("{other:?}"),
        }
    }
}
