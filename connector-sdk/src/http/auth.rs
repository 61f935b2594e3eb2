//! Credentials: a static bearer token, or an access token from a token endpoint (OAuth
//! 2.0 client credentials, or a service account's JWT) that is cached until it nears its
//! expiry. Errors name the environment variables, never their values.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::Mutex;
use url::Url;

use super::errors::{ErrorBody, transport_error};
use super::jwt::{JWT_BEARER_GRANT, ServiceAccount};
use super::request::display_url;
use super::retry::{Failure, is_retryable_status, parse_retry_after};
use crate::config::{Credentials, InstanceConfig, render_template};
use crate::error::{Error, Result};
use crate::manifest::Auth;
use crate::secret::Secret;

/// The longest a token is refreshed ahead of its expiry.
const MAX_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// Produces the bearer token of each request.
#[derive(Debug)]
pub(crate) enum Authenticator {
    /// A static token.
    Bearer {
        /// The token.
        token: Secret,
        /// Where it came from, for error messages.
        source: String,
    },
    /// An access token from a token endpoint.
    OAuth2(Box<OAuth2>),
}

/// A token endpoint, the grant sent to it, and the cached access token.
#[derive(Debug)]
pub(crate) struct OAuth2 {
    /// The token endpoint.
    token_url: Url,
    /// What is sent to it.
    grant: Grant,
    /// Where the credentials came from, for error messages.
    source: String,
    /// The current access token.
    cache: Mutex<Option<CachedToken>>,
}

/// The grant an [`OAuth2`] endpoint receives.
#[derive(Debug)]
enum Grant {
    /// Client credentials (or a vendor grant of the same shape), sent with HTTP Basic.
    Client {
        /// The form sent: `grant_type`, `scope` and the spec's extra parameters.
        form: Vec<(String, String)>,
        /// Client id.
        client_id: Secret,
        /// Client secret.
        client_secret: Secret,
    },
    /// A service account's signed JWT (RFC 7523), made fresh for every fetch.
    Jwt(Box<ServiceAccount>),
}

/// An access token and when to fetch the next one.
#[derive(Debug)]
struct CachedToken {
    /// The access token.
    token: Secret,
    /// When to fetch a new one; `None` when the endpoint gave no lifetime.
    refresh_at: Option<Instant>,
}

impl Authenticator {
    /// Resolves the credentials: a bearer token of the instance overrides everything;
    /// else the instance's credentials of the manifest's kind; else the environment
    /// variables the manifest names.
    /// `variables` are the tenant variables with the manifest's defaults.
    pub(crate) fn new(
        auth: &Auth,
        config: &InstanceConfig,
        variables: &BTreeMap<String, String>,
    ) -> Result<Self> {
        let credentials = &config.credentials;
        if let Some(Credentials::Bearer(token)) = credentials {
            let source = described("the bearer token", &[token]);
            sendable(&source, token)?;
            return Ok(Self::Bearer {
                token: token.clone(),
                source,
            });
        }
        let mismatch = |kind: &str| {
            Err(Error::Config(format!(
                "this connector authenticates with {kind}; the instance configuration gives other credentials"
            )))
        };
        match auth {
            Auth::Bearer { token_env } => match credentials {
                Some(_) => mismatch("a bearer token"),
                None => {
                    let token = from_env(token_env)?;
                    let source = described("the bearer token", &[&token]);
                    sendable(&source, &token)?;
                    Ok(Self::Bearer { token, source })
                }
            },
            Auth::OAuth2ClientCredentials {
                token_url,
                grant_type,
                client_id_env,
                client_secret_env,
                scopes,
                params,
            } => {
                let (client_id, client_secret) = match credentials {
                    Some(Credentials::ClientCredentials {
                        client_id,
                        client_secret,
                    }) => (client_id.clone(), client_secret.clone()),
                    Some(_) => return mismatch("OAuth client credentials"),
                    None => (from_env(client_id_env)?, from_env(client_secret_env)?),
                };
                let source = described("the client credentials", &[&client_id, &client_secret]);
                // Both travel in the token request's Basic `Authorization` header.
                sendable(&described("the client id", &[&client_id]), &client_id)?;
                sendable(
                    &described("the client secret", &[&client_secret]),
                    &client_secret,
                )?;
                let mut form = vec![("grant_type".to_owned(), (*grant_type).to_owned())];
                if !scopes.is_empty() {
                    form.push(("scope".to_owned(), scopes.join(" ")));
                }
                for (name, template) in *params {
                    form.push(((*name).to_owned(), render_template(template, variables)?));
                }
                let grant = Grant::Client {
                    form,
                    client_id,
                    client_secret,
                };
                OAuth2::authenticator(token_url, config, variables, grant, source)
            }
            Auth::ServiceAccountJwt {
                token_url,
                key_env,
                subject,
                scopes,
            } => {
                let key = match credentials {
                    Some(Credentials::ServiceAccountKey(key)) => key.clone(),
                    Some(_) => return mismatch("a service account key"),
                    None => from_env(key_env)?,
                };
                // The key signs an assertion (base64url); only the access token the
                // endpoint returns is sent in a header, and it is checked on arrival.
                let source = described("the service account key", &[&key]);
                let audience = resolve_token_url(token_url, config, variables)?;
                let subject = subject
                    .map(|template| render_template(template, variables))
                    .transpose()?;
                let account =
                    ServiceAccount::from_json_key(&key, &source, subject, scopes, &audience)?;
                OAuth2::authenticator(
                    token_url,
                    config,
                    variables,
                    Grant::Jwt(Box::new(account)),
                    source,
                )
            }
        }
    }

    /// Where the credentials come from (`the bearer token in SLACK_TOKEN`).
    pub(crate) fn source(&self) -> &str {
        match self {
            Self::Bearer { source, .. } => source,
            Self::OAuth2(oauth) => &oauth.source,
        }
    }

    /// Whether a rejected token can be replaced by a fresh one.
    pub(crate) fn can_refresh(&self) -> bool {
        matches!(self, Self::OAuth2(_))
    }

    /// The token for the next request.
    pub(crate) async fn token(&self, http: &reqwest::Client) -> Result<Secret, Failure> {
        match self {
            Self::Bearer { token, .. } => Ok(token.clone()),
            Self::OAuth2(oauth) => oauth.token(http).await,
        }
    }

    /// Forgets `rejected` so the next [`token`](Self::token) fetches a new one (unless
    /// another request already did).
    pub(crate) async fn invalidate(&self, rejected: &Secret) {
        if let Self::OAuth2(oauth) = self {
            let mut cache = oauth.cache.lock().await;
            if cache
                .as_ref()
                .is_some_and(|cached| cached.token == *rejected)
            {
                *cache = None;
            }
        }
    }
}

/// The instance's token URL, else the manifest's template rendered over the tenant
/// variables.
fn resolve_token_url(
    template: &str,
    config: &InstanceConfig,
    variables: &BTreeMap<String, String>,
) -> Result<String> {
    match &config.token_url {
        Some(url) => Ok(url.clone()),
        None => render_template(template, variables),
    }
}

impl OAuth2 {
    /// The authenticator of the endpoint at `token_url` (a template, or the
    /// instance's override) for `grant`.
    fn authenticator(
        token_url: &str,
        config: &InstanceConfig,
        variables: &BTreeMap<String, String>,
        grant: Grant,
        source: String,
    ) -> Result<Authenticator> {
        let token_url = resolve_token_url(token_url, config, variables)?;
        Ok(Authenticator::OAuth2(Box::new(Self {
            token_url: super::client::parse_url("token URL", &token_url)?,
            grant,
            source,
            cache: Mutex::new(None),
        })))
    }

    /// The cached token while it is fresh, else a new one from the token endpoint.
    /// Concurrent callers wait for one fetch.
    async fn token(&self, http: &reqwest::Client) -> Result<Secret, Failure> {
        let mut cache = self.cache.lock().await;
        if let Some(cached) = cache.as_ref()
            && cached.refresh_at.is_none_or(|at| Instant::now() < at)
        {
            return Ok(cached.token.clone());
        }
        let fetched = self.fetch(http).await?;
        let token = fetched.token.clone();
        *cache = Some(fetched);
        Ok(token)
    }

    /// Asks the token endpoint for an access token.
    async fn fetch(&self, http: &reqwest::Client) -> Result<CachedToken, Failure> {
        let shown = display_url(&self.token_url);
        tracing::debug!(token_url = %shown, "fetching an OAuth access token");
        let request = http
            .post(self.token_url.clone())
            .header(reqwest::header::ACCEPT, "application/json");
        // What the endpoint could echo and an error must not show.
        let (request, sent) = match &self.grant {
            Grant::Client {
                form,
                client_id,
                client_secret,
            } => (
                request
                    .basic_auth(client_id.expose(), Some(client_secret.expose()))
                    .form(form),
                [client_secret.clone(), client_id.clone()],
            ),
            Grant::Jwt(account) => {
                let assertion = account.assertion()?;
                let form = [
                    ("grant_type", JWT_BEARER_GRANT),
                    ("assertion", assertion.expose()),
                ];
                (request.form(&form), [assertion.clone(), assertion])
            }
        };
        let response = request
            .send()
            .await
            .map_err(|e| Failure::transient(transport_error(shown.clone(), &e), None))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, std::time::SystemTime::now()));
        let bytes = response
            .bytes()
            .await
            .map_err(|e| Failure::transient(transport_error(shown.clone(), &e), None))?;
        if !(200..300).contains(&status) {
            let body = ErrorBody::parse_redacted(&bytes, &[&sent[0], &sent[1]]);
            let error = Error::Auth {
                status: Some(status),
                detail: format!(
                    "token endpoint {shown} answered HTTP {status} for {}{}",
                    self.source,
                    body.detail.map(|d| format!(": {d}")).unwrap_or_default()
                ),
            };
            return Err(if is_retryable_status(status) {
                Failure::transient(error, retry_after)
            } else {
                Failure::fatal(error)
            });
        }
        let invalid = |detail: &str| {
            Failure::fatal(Error::Auth {
                status: Some(status),
                detail: format!("token endpoint {shown} answered without a usable token: {detail}"),
            })
        };
        let json: Value =
            serde_json::from_slice(&bytes).map_err(|_| invalid("the body is not JSON"))?;
        let token = json
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| invalid("no `access_token`"))?;
        if let Some(problem) = Secret::new(token).header_problem() {
            return Err(invalid(&format!(
                "the access token for {} cannot be sent in an HTTP header: it {problem}",
                self.source
            )));
        }
        let expires_in = json.get("expires_in").and_then(|v| match v {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        });
        // A lifetime too long to represent is treated as no expiry.
        let refresh_at = expires_in.and_then(|seconds| {
            let lifetime = Duration::from_secs(seconds);
            Instant::now().checked_add(lifetime - (lifetime / 10).min(MAX_REFRESH_MARGIN))
        });
        Ok(CachedToken {
            token: Secret::new(token),
            refresh_at,
        })
    }
}

/// `what` (`the bearer token`) followed by where the secrets came from: `in SLACK_TOKEN`,
/// `in ID_VAR and SECRET_VAR`, else `of the instance configuration`. Never a value.
fn described(what: &str, secrets: &[&Secret]) -> String {
    let origins: Option<Vec<&str>> = secrets.iter().map(|s| s.origin()).collect();
    match origins {
        Some(names) if !names.is_empty() => format!("{what} in {}", names.join(" and ")),
        _ => format!("{what} of the instance configuration"),
    }
}

/// An [`Error::Config`] when `secret` cannot be sent in an HTTP header (a non-ASCII
/// character, which would be refused or mangled): `source` names its variable, the
/// error says why and where, never the value.
fn sendable(source: &str, secret: &Secret) -> Result<()> {
    match secret.header_problem() {
        Some(problem) => Err(Error::Config(format!(
            "{source} cannot be sent in an HTTP header: it {problem}"
        ))),
        None => Ok(()),
    }
}

/// A secret from the environment, as an [`Error::Auth`] naming the variable when unset.
fn from_env(name: &str) -> Result<Secret> {
    Secret::from_env(name).map_err(|detail| Error::Auth {
        status: None,
        detail,
    })
}
