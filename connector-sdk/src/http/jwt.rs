//! Service-account JWTs (RFC 7523): a Google service account's JSON key, and the RS256
//! assertion exchanged for an access token. Neither the key nor an assertion ever
//! appears in an error or a log line.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::secret::Secret;

/// The `grant_type` of the JWT bearer grant (RFC 7523 §2.1).
pub(crate) const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// How long an assertion is valid, in seconds (Google's maximum).
const LIFETIME: u64 = 3600;

/// A service account: its email and RSA key, and the claims its assertions carry.
pub(crate) struct ServiceAccount {
    /// `client_email` of the key: the assertion's issuer.
    client_email: String,
    /// The signing key.
    key: RsaKeyPair,
    /// The user to impersonate (domain-wide delegation), if any.
    subject: Option<String>,
    /// The scopes, space-separated.
    scope: String,
    /// The token endpoint: the assertion's audience.
    audience: String,
}

impl std::fmt::Debug for ServiceAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceAccount")
            .field("client_email", &self.client_email)
            .field("subject", &self.subject)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl ServiceAccount {
    /// Reads a service account JSON key (`client_email` and a `private_key` PEM).
    /// `source` names where the key came from, for errors (never the key itself).
    pub(super) fn from_json_key(
        key: &Secret,
        source: &str,
        subject: Option<String>,
        scopes: &[&str],
        audience: &str,
    ) -> Result<Self> {
        let invalid = |what: &str| Error::Auth {
            status: None,
            detail: format!("{source} is not a usable service account JSON key: {what}"),
        };
        let json: Value =
            serde_json::from_str(key.expose()).map_err(|_| invalid("it is not JSON"))?;
        let client_email = json
            .get("client_email")
            .and_then(Value::as_str)
            .filter(|email| !email.is_empty())
            .ok_or_else(|| invalid("no `client_email`"))?;
        let pem = json
            .get("private_key")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("no `private_key`"))?;
        let key = private_key(pem).map_err(invalid)?;
        Ok(Self {
            client_email: client_email.to_owned(),
            key,
            subject,
            scope: scopes.join(" "),
            audience: audience.to_owned(),
        })
    }

    /// A signed assertion issued now.
    pub(super) fn assertion(&self) -> Result<Secret> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        self.assertion_at(now)
    }

    /// A signed assertion issued at `now` (seconds since the Unix epoch): header
    /// `{"alg":"RS256","typ":"JWT"}`, claims `iss`, `sub` (when impersonating),
    /// `scope`, `aud`, `iat` and `exp`.
    fn assertion_at(&self, now: u64) -> Result<Secret> {
        let header = json!({"alg": "RS256", "typ": "JWT"});
        let mut claims = json!({
            "iss": self.client_email,
            "scope": self.scope,
            "aud": self.audience,
            "iat": now,
            "exp": now + LIFETIME,
        });
        if let Some(subject) = &self.subject {
            claims["sub"] = Value::String(subject.clone());
        }
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                signing_input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| Error::Auth {
                status: None,
                detail: format!("cannot sign the JWT of {}", self.client_email),
            })?;
        Ok(Secret::new(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        )))
    }
}

/// The RSA key of a PEM: PKCS#8 (`BEGIN PRIVATE KEY`, what Google issues) or PKCS#1
/// (`BEGIN RSA PRIVATE KEY`). The error says what is wrong, never what the key is.
fn private_key(pem: &str) -> Result<RsaKeyPair, &'static str> {
    for (label, pkcs8) in [("PRIVATE KEY", true), ("RSA PRIVATE KEY", false)] {
        let begin = format!("-----BEGIN {label}-----");
        let end = format!("-----END {label}-----");
        let Some(start) = pem.find(&begin) else {
            continue;
        };
        let body = &pem[start + begin.len()..];
        let body = &body[..body.find(&end).ok_or("the PEM has no END line")?];
        let text: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        let der = STANDARD.decode(text).map_err(|_| "the PEM is not base64")?;
        let key = if pkcs8 {
            RsaKeyPair::from_pkcs8(&der)
        } else {
            RsaKeyPair::from_der(&der)
        };
        return key.map_err(|_| "`private_key` is not an RSA key of 2048 bits or more");
    }
    Err("`private_key` is not a PEM private key")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_errors_name_the_problem_not_the_key() {
        let source = "the key in TEST_KEY";
        let check = |text: &str, expected: &str| {
            let error = ServiceAccount::from_json_key(
                &Secret::new(text),
                source,
                None,
                &["s"],
                "https://t",
            )
            .unwrap_err()
            .to_string();
            assert!(
                error.contains(source) && error.contains(expected),
                "{error}"
            );
            assert!(!error.contains("MIIE"), "{error}");
        };
        check("not json", "not JSON");
        check(r#"{"private_key": "x"}"#, "no `client_email`");
        check(r#"{"client_email": "a@b"}"#, "no `private_key`");
        check(
            r#"{"client_email": "a@b", "private_key": "MIIEsecret"}"#,
            "not a PEM",
        );
        check(
            r#"{"client_email": "a@b", "private_key": "-----BEGIN PRIVATE KEY-----\nMIIE!!\n-----END PRIVATE KEY-----\n"}"#,
            "not base64",
        );
        check(
            r#"{"client_email": "a@b", "private_key": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"}"#,
            "not an RSA key",
        );
    }
}
