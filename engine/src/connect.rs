//! Turning an instance of the assignments file into a connector: base URL and tenant
//! variables from the file, secrets from the [`Secrets`] source only.

use std::sync::Arc;

use connector_sdk::manifest::Auth;
use connector_sdk::{Connector, Credentials, InstanceConfig};

use crate::config::Instance;
use crate::registry::{Registry, Secrets};

/// The connector configuration of `instance`.
///
/// # Errors
///
/// When a secret is not set (the message names the variable, never a value).
pub fn instance_config(
    instance: &Instance,
    secrets: &dyn Secrets,
) -> Result<InstanceConfig, String> {
    let connection = &instance.connection;
    // Each secret remembers its variable, so a refused or unusable one is named.
    let secrets = &Named(secrets);
    let credentials = match &instance.manifest.auth {
        Auth::Bearer { token_env } => {
            let name = connection.token_env.as_deref().unwrap_or(token_env);
            Credentials::Bearer(secrets.get(name)?)
        }
        // A pre-issued access token replaces the client-credentials or JWT flow.
        Auth::OAuth2ClientCredentials { .. } | Auth::ServiceAccountJwt { .. }
            if connection.token_env.is_some() =>
        {
            Credentials::Bearer(secrets.get(connection.token_env.as_deref().unwrap_or_default())?)
        }
        Auth::OAuth2ClientCredentials {
            client_id_env,
            client_secret_env,
            ..
        } => Credentials::ClientCredentials {
            client_id: secrets.get(connection.client_id_env.as_deref().unwrap_or(client_id_env))?,
            client_secret: secrets.get(
                connection
                    .client_secret_env
                    .as_deref()
                    .unwrap_or(client_secret_env),
            )?,
        },
        Auth::ServiceAccountJwt { key_env, .. } => Credentials::ServiceAccountKey(
            secrets.get(connection.key_env.as_deref().unwrap_or(key_env))?,
        ),
    };
    let mut config = InstanceConfig {
        variables: connection.variables.clone(),
        base_url: connection.base_url.clone(),
        token_url: connection.token_url.clone(),
        credentials: Some(credentials),
        excluded_attributes: instance.excluded_written_paths(),
        ..InstanceConfig::default()
    };
    if let Some(timeout) = connection.timeout {
        config.timeout = timeout;
    }
    if !connection.client_rate_limit {
        config.rate_limit = connector_sdk::RateLimitSetting::Off;
    }
    Ok(config)
}

/// A [`Secrets`] source whose secrets remember the variable they were read from.
struct Named<'a>(&'a dyn Secrets);

impl Named<'_> {
    /// The secret held by `name`, with `name` as its origin.
    fn get(&self, name: &str) -> Result<connector_sdk::Secret, String> {
        self.0.get(name).map(|secret| secret.with_origin(name))
    }
}

/// Builds the connector of `instance`.
///
/// # Errors
///
/// When the connector is unknown, a secret is missing or the configuration is wrong.
pub fn connect(
    instance: &Instance,
    registry: &Registry,
    secrets: &dyn Secrets,
) -> Result<Arc<dyn Connector>, String> {
    let config =
        instance_config(instance, secrets).map_err(|e| format!("{}: {e}", instance.name))?;
    build(instance, registry, config)
}

/// Builds the connector of `instance` from its read configuration.
fn build(
    instance: &Instance,
    registry: &Registry,
    config: InstanceConfig,
) -> Result<Arc<dyn Connector>, String> {
    let kind = registry.get(instance.manifest.name).ok_or_else(|| {
        format!(
            "connector `{}` is not in this build",
            instance.manifest.name
        )
    })?;
    (kind.connect)(config).map_err(|e| format!("{}: {e}", instance.name))
}

/// A connector kept across runs, with the credentials it was built with.
pub(crate) struct Kept {
    /// The credentials read when it was built.
    credentials: Option<connector_sdk::Credentials>,
    /// The connector.
    connector: Arc<dyn Connector>,
}

/// The connector of `instance`: `kept`'s when the instance's credentials still read the
/// same (a secret rotated in its variable or `_FILE` builds a new one), else a new one,
/// which `kept` then holds.
///
/// # Errors
///
/// As [`connect`].
pub(crate) fn connect_kept(
    instance: &Instance,
    registry: &Registry,
    secrets: &dyn Secrets,
    kept: &mut Option<Kept>,
) -> Result<Arc<dyn Connector>, String> {
    let config =
        instance_config(instance, secrets).map_err(|e| format!("{}: {e}", instance.name))?;
    if let Some(kept) = kept
        .as_ref()
        .filter(|k| k.credentials == config.credentials)
    {
        return Ok(kept.connector.clone());
    }
    let credentials = config.credentials.clone();
    let connector = build(instance, registry, config)?;
    *kept = Some(Kept {
        credentials,
        connector: connector.clone(),
    });
    Ok(connector)
}
