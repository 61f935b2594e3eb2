//! Credentials: a static bearer token, or OAuth 2.0 client credentials with a cached
//! access token. Errors name the environment variables, never their values.

use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::Mutex;
use url::Url;

use super::errors::{ErrorBody, transport_error};
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
    /// OAuth 2.0 client credentials.
    OAuth2(Box<OAuth2>),
}

/// An OAuth 2.0 client-credentials grant and its cached access token.
#[derive(Debug)]
pub(crate) struct OAuth2 {
    /// The token endpoint.
    token_url: Url,
    /// The form sent: `grant_type`, `scope` and the spec's extra parameters.
    form: Vec<(String, String)>,
    /// Client id, sent with HTTP Basic.
    client_id: Secret,
    /// Client secret, sent with HTTP Basic.
    client_secret: Secret,
    /// Where the credentials came from, for error messages.
    source: String,
    /// The current access token.
    cache: Mutex<Option<CachedToken>>,
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
    /// Resolves the credentials: the instance's own, else the environment variables the
    /// manifest names.
    pub fn new(auth: &Auth, config: &InstanceConfig) -> Result<Self> {
        match (auth, &config.credentials) {
            (_, Some(Credentials::Bearer(token))) => Ok(Self::Bearer {
                token: token.clone(),
                source: "the bearer token of the instance configuration".to_owned(),
            }),
            (Auth::Bearer { token_env }, None) => Ok(Self::Bearer {
                token: from_env(token_env)?,
                source: format!("the bearer token in {token_env}"),
            }),
            (Auth::Bearer { .. }, Some(Credentials::ClientCredentials { .. })) => {
                Err(Error::Config(
                    "this connector authenticates with a bearer token, not client credentials"
                        .to_owned(),
                ))
            }
            (
                Auth::OAuth2ClientCredentials {
                    token_url,
                    grant_type,
                    client_id_env,
                    client_secret_env,
                    scopes,
                    params,
                },
                credentials,
            ) => {
                let (client_id, client_secret, source) = match credentials {
                    Some(Credentials::ClientCredentials {
                        client_id,
                        client_secret,
                    }) => (
                        client_id.clone(),
                        client_secret.clone(),
                        "the client credentials of the instance configuration".to_owned(),
                    ),
                    _ => (
                        from_env(client_id_env)?,
                        from_env(client_secret_env)?,
                        format!(
                            "the client credentials in {client_id_env} and {client_secret_env}"
                        ),
                    ),
                };
                let token_url = match &config.token_url {
                    Some(url) => url.clone(),
                    None => render_template(token_url, &config.variables)?,
                };
                let mut form = vec![("grant_type".to_owned(), (*grant_type).to_owned())];
                if !scopes.is_empty() {
                    form.push(("scope".to_owned(), scopes.join(" ")));
                }
                for (name, template) in *params {
                    form.push((
                        (*name).to_owned(),
                        render_template(template, &config.variables)?,
                    ));
                }
                Ok(Self::OAuth2(Box::new(OAuth2 {
                    token_url: super::client::parse_url("token URL", &token_url)?,
                    form,
                    client_id,
                    client_secret,
                    source,
                    cache: Mutex::new(None),
                })))
            }
        }
    }

    /// Where the credentials come from (`the bearer token in SLACK_TOKEN`).
    pub fn source(&self) -> &str {
        match self {
            Self::Bearer { source, .. } => source,
            Self::OAuth2(oauth) => &oauth.source,
        }
    }

    /// Whether a rejected token can be replaced by a fresh one.
    pub fn can_refresh(&self) -> bool {
        matches!(self, Self::OAuth2(_))
    }

    /// The token for the next request.
    pub async fn token(&self, http: &reqwest::Client) -> Result<Secret, Failure> {
        match self {
            Self::Bearer { token, .. } => Ok(token.clone()),
            Self::OAuth2(oauth) => oauth.token(http).await,
        }
    }

    /// Forgets `rejected` so the next [`token`](Self::token) fetches a new one (unless
    /// another request already did).
    pub async fn invalidate(&self, rejected: &Secret) {
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

impl OAuth2 {
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
        let response = http
            .post(self.token_url.clone())
            .basic_auth(self.client_id.expose(), Some(self.client_secret.expose()))
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&self.form)
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
            let body = ErrorBody::parse(&bytes)
                .scrub(Some(self.client_secret.expose()))
                .scrub(Some(self.client_id.expose()));
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

/// A secret from the environment, as an [`Error::Auth`] naming the variable when unset.
fn from_env(name: &str) -> Result<Secret> {
    Secret::from_env(name).map_err(|detail| Error::Auth {
        status: None,
        detail,
    })
}
