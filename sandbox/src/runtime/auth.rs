//! How a tenant authenticates clients: static bearer tokens, or OAuth 2.0 client
//! credentials whose access tokens only its own token endpoint issues.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use base64::Engine as _;
use connector_sdk::manifest::Auth;

/// How clients authenticate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AuthKind {
    /// A static bearer token.
    Bearer,
    /// OAuth 2.0 client credentials (or a vendor grant of that shape).
    OAuth {
        /// The `grant_type` the token endpoint accepts.
        grant_type: &'static str,
        /// Form parameters the token request must carry (Zoom's `account_id`).
        params: Vec<&'static str>,
    },
}

impl AuthKind {
    /// The kind a manifest's `auth` declares.
    pub(crate) fn from_manifest(auth: &Auth) -> Self {
        match auth {
            // A service-account tenant is reached with a bearer token here; the JWT
            // exchange is exercised against the SDK's own tests.
            Auth::Bearer { .. } | Auth::ServiceAccountJwt { .. } => Self::Bearer,
            Auth::OAuth2ClientCredentials {
                grant_type, params, ..
            } => Self::OAuth {
                grant_type,
                params: params.iter().map(|(name, _)| *name).collect(),
            },
        }
    }
}

/// A tenant's credentials.
#[derive(Debug, Clone)]
pub(crate) struct TenantAuth {
    /// How clients authenticate.
    pub kind: AuthKind,
    /// The bearer token accepted as is (for OAuth tenants: one issued at start).
    pub token: String,
    /// The OAuth client id.
    pub client_id: String,
    /// The OAuth client secret.
    pub client_secret: String,
    /// The lifetime of issued access tokens.
    pub token_lifetime: Duration,
}

impl TenantAuth {
    /// Whether the token endpoint's client authentication is right: HTTP Basic, else
    /// `client_id`/`client_secret` form fields (RFC 6749 §2.3.1).
    pub(crate) fn client_ok(&self, headers: &HeaderMap, form: &[(String, String)]) -> bool {
        if let Some(text) = basic_text(headers) {
            // As sent (reqwest does not escape), or form-encoded as RFC 6749 says.
            let raw = format!("{}:{}", self.client_id, self.client_secret);
            return text == raw
                || text.split_once(':').is_some_and(|(id, secret)| {
                    unescape(id) == self.client_id && unescape(secret) == self.client_secret
                });
        }
        let field = |name: &str| {
            form.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        field("client_id") == Some(self.client_id.as_str())
            && field("client_secret") == Some(self.client_secret.as_str())
    }
}

/// The bearer token of a request, if it has one.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The decoded `id:secret` text of an HTTP Basic `Authorization` header.
fn basic_text(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    String::from_utf8(decoded).ok()
}

/// `text` with `application/x-www-form-urlencoded` escapes decoded.
fn unescape(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={text}").as_bytes())
        .next()
        .map_or_else(|| text.to_owned(), |(_, v)| v.into_owned())
}

/// A random token with `prefix`: 128 bits from the process's random hasher keys.
pub(crate) fn random_token(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let half = |round: u64| {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        hasher.write_u64(round);
        hasher.write_u32(std::process::id());
        hasher.finish()
    };
    format!("{prefix}{:016x}{:016x}", half(0), half(1))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn auth() -> TenantAuth {
        TenantAuth {
            kind: AuthKind::Bearer,
            token: "t".into(),
            client_id: "id:1".into(),
            client_secret: "s&2".into(),
            token_lifetime: Duration::from_secs(60),
        }
    }

    #[test]
    fn reads_bearer_and_basic_credentials() {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static("bearer  abc "));
        assert_eq!(bearer_token(&headers), Some("abc"));
        let basic = base64::engine::general_purpose::STANDARD.encode("id%3A1:s%262");
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_str(&format!("Basic {basic}")).unwrap(),
        );
        assert!(auth().client_ok(&headers, &[]));
        let raw = base64::engine::general_purpose::STANDARD.encode("id:1:s&2");
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_str(&format!("Basic {raw}")).unwrap(),
        );
        assert!(auth().client_ok(&headers, &[]));
        assert_eq!(bearer_token(&headers), None);
        let form = [
            ("client_id".to_owned(), "id:1".to_owned()),
            ("client_secret".to_owned(), "s&2".to_owned()),
        ];
        assert!(auth().client_ok(&HeaderMap::new(), &form));
        assert!(!auth().client_ok(&HeaderMap::new(), &form[..1]));
        assert_ne!(random_token("x"), random_token("x"));
    }
}
