//! An instance of a connector: tenant variables, credentials and transport settings.

use std::collections::BTreeMap;
use std::time::Duration;

use connector_model::placeholder::{Piece, pieces};

use crate::error::Error;
use crate::manifest::{Manifest, RateLimit};
use crate::secret::Secret;

/// The settings of one connector instance (one Slack workspace, one Zoom account).
#[derive(Debug, Clone)]
pub struct InstanceConfig {
    /// Values of the spec's tenant variables (`vanity`, `scim_url`).
    pub variables: BTreeMap<String, String>,
    /// Replaces the spec's base URL (a sandbox or a test server).
    pub base_url: Option<String>,
    /// Replaces the spec's OAuth token URL (a sandbox or a test server).
    pub token_url: Option<String>,
    /// Credentials; when `None` they are read from the environment variables the spec names.
    pub credentials: Option<Credentials>,
    /// Timeout of one HTTP request.
    pub timeout: Duration,
    /// How failed calls are retried.
    pub retry: RetryPolicy,
    /// The client-side rate limit: `Spec` uses the spec's, `Custom` replaces it, `Off` disables it.
    pub rate_limit: RateLimitSetting,
    /// Mapped attributes this instance neither sends nor compares, as SCIM paths in the
    /// form the connector writes them ([`attribute_key::written_path`]: `title`,
    /// `emails`, `urn:…:enterprise:2.0:User:department`).
    ///
    /// [`attribute_key::written_path`]: crate::attribute_key::written_path
    pub excluded_attributes: Vec<String>,
}

impl Default for InstanceConfig {
    fn default() -> Self {
        Self {
            variables: BTreeMap::new(),
            base_url: None,
            token_url: None,
            credentials: None,
            timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            rate_limit: RateLimitSetting::Spec,
            excluded_attributes: Vec::new(),
        }
    }
}

impl InstanceConfig {
    /// A configuration that talks to `base_url` with a bearer token (sandbox and tests).
    pub fn for_base_url(base_url: impl Into<String>, token: Secret) -> Self {
        Self {
            base_url: Some(base_url.into()),
            credentials: Some(Credentials::Bearer(token)),
            ..Self::default()
        }
    }

    /// The tenant variables, with the manifest's defaults for those the instance leaves
    /// unset (an API host such as `{licensing_api}`).
    pub fn variables_for(&self, manifest: &Manifest) -> BTreeMap<String, String> {
        let mut variables = self.variables.clone();
        for variable in manifest.variables {
            if let Some(default) = variable.default {
                variables
                    .entry(variable.name.to_owned())
                    .or_insert_with(|| default.to_owned());
            }
        }
        variables
    }

    /// Sets a tenant variable.
    pub fn with_variable(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.variables.insert(name.into(), value.into());
        self
    }
}

/// Credentials for a connector instance (equal when their secrets' values are).
#[derive(Debug, Clone, PartialEq)]
pub enum Credentials {
    /// A static bearer token.
    Bearer(Secret),
    /// OAuth 2.0 client id and secret.
    ClientCredentials {
        /// Client id.
        client_id: Secret,
        /// Client secret.
        client_secret: Secret,
    },
    /// A service account's JSON key (for [`Auth::ServiceAccountJwt`](crate::manifest::Auth::ServiceAccountJwt)).
    ServiceAccountKey(Secret),
}

/// Retry with exponential backoff and full jitter.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// Backoff before the first retry.
    pub initial_backoff: Duration,
    /// The longest backoff.
    pub max_backoff: Duration,
    /// The longest `Retry-After` the client waits for; a longer one fails the call with
    /// [`Error::RateLimited`] so the caller can reschedule.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
        }
    }
}

/// Which client-side rate limit applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimitSetting {
    /// The spec's documented limit.
    Spec,
    /// A different limit.
    Custom(RateLimit),
    /// No client-side limit (the server's 429s are still honoured).
    Off,
}

/// Fills `{name}` placeholders of a URL template from tenant variables.
pub fn render_template(
    template: &str,
    variables: &BTreeMap<String, String>,
) -> Result<String, Error> {
    let mut out = String::with_capacity(template.len());
    for piece in pieces(template) {
        match piece {
            Piece::Text { text, .. } => out.push_str(text),
            Piece::Var { name, .. } => out.push_str(variables.get(name).ok_or_else(|| {
                Error::Config(format!(
                    "tenant variable `{name}` is not set (template `{template}`)"
                ))
            })?),
            Piece::Unclosed { .. } => {
                return Err(Error::Config(format!(
                    "unclosed `{{` in template `{template}`"
                )));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_variables_and_names_missing_ones() {
        let mut vars = BTreeMap::new();
        vars.insert("vanity".to_owned(), "acme".to_owned());
        assert_eq!(
            render_template("https://{vanity}.zoom.us/saml/SSO", &vars).unwrap(),
            "https://acme.zoom.us/saml/SSO"
        );
        let err = render_template("{scim_url}", &vars)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`scim_url` is not set"), "{err}");
    }
}
