//! From the raw file to checked [`Assignments`], collecting every problem at its span.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use connector_sdk::Manifest;
use connector_sdk::manifest::Auth;
use serde_spanned::Spanned;

use super::diag::{ConfigError, Diagnostics};
use super::groups::GroupReference;
use super::raw::{RawFile, RawInstance};
use super::{
    Assignments, Connection, DirectoryConfig, Instance, Settings, audit, exclude, policy, rules,
};
use crate::registry::Registry;

/// The default state file, next to the assignments file.
const DEFAULT_STATE: &str = "connector-state.db";

/// Parses and checks an assignments file.
pub(super) fn check(
    path: &Path,
    text: &str,
    registry: &Registry,
) -> Result<Assignments, ConfigError> {
    let mut diags = Diagnostics::new(path, text);
    let raw: RawFile = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(error) => {
            diags.error(error.span().unwrap_or(0..0), error.message().to_owned());
            return diags.finish(unreachable_value());
        }
    };
    let base = path.parent().unwrap_or(Path::new("."));
    let settings = settings(&raw, base, &mut diags);
    let directory = raw.directory.as_ref().map(|d| {
        let span = d.span();
        let d = d.get_ref();
        match (&d.people, &d.okta) {
            (Some(people), None) => DirectoryConfig::Files {
                people: base.join(people),
                groups: d.groups.as_ref().map(|g| base.join(g)),
            },
            (None, Some(okta)) => {
                env_name(&okta.token_env, &mut diags);
                for group in okta.apps.values() {
                    if group.get_ref().trim().is_empty() {
                        diags.error(
                            group.span(),
                            "an Okta app's group name is empty: name the directory group \
                             its assigned people form (rules select it in `groups`)",
                        );
                    }
                }
                DirectoryConfig::Okta {
                    url: okta.url.clone(),
                    token_env: okta.token_env.get_ref().clone(),
                    apps: okta
                        .apps
                        .iter()
                        .map(|(app, group)| (app.clone(), group.get_ref().clone()))
                        .collect(),
                    attributes: super::okta_attributes::check(&okta.attributes, &mut diags),
                }
            }
            _ => {
                diags.error(
                    span,
                    "[directory] needs exactly one of `people` (files) or `okta`",
                );
                DirectoryConfig::Files {
                    people: PathBuf::new(),
                    groups: None,
                }
            }
        }
    });
    let mut instances = BTreeMap::new();
    for (name, instance) in &raw.instances {
        if let Some(instance) = check_instance(name, instance, registry, &mut diags) {
            instances.insert(name.get_ref().clone(), instance);
        }
    }
    let provision = raw
        .provision
        .iter()
        .filter_map(|rule| rules::check_provision(path, rule, &instances, &mut diags))
        .collect();
    let sso = raw
        .sso
        .iter()
        .filter_map(|rule| rules::check_sso(path, rule, &instances, &mut diags))
        .collect();
    let push_groups = super::push_groups::check(path, &raw.push_groups, &instances, &mut diags);
    let named = raw.provision.iter().flat_map(|r| &r.get_ref().groups);
    let named = named.chain(raw.sso.iter().flat_map(|r| &r.get_ref().groups));
    let named = named.chain(
        raw.push_groups
            .iter()
            .flat_map(|r| r.get_ref().groups.get_ref()),
    );
    let group_references = named
        .map(|group| GroupReference::new(&diags, group))
        .collect();
    let audit = raw
        .audit
        .as_ref()
        .map(|section| audit::check(section, base, &mut diags));
    let idp = super::idp::check(raw.idp.as_ref(), directory.as_ref(), &mut diags);
    let assignments = Assignments {
        path: path.to_path_buf(),
        settings,
        audit,
        idp,
        directory,
        instances,
        provision,
        sso,
        push_groups,
        group_references,
    };
    diags.finish(assignments)
}

/// A value for [`Diagnostics::finish`] when a diagnostic is certain to be returned.
fn unreachable_value() -> Assignments {
    Assignments {
        path: PathBuf::new(),
        settings: Settings {
            state: PathBuf::new(),
            audit_log: None,
            max_source_shrink: 0.0,
            concurrency: 1,
            currency: String::new(),
        },
        audit: None,
        idp: None,
        directory: None,
        instances: BTreeMap::new(),
        provision: Vec::new(),
        sso: Vec::new(),
        push_groups: Vec::new(),
        group_references: Vec::new(),
    }
}

/// `[settings]`, with defaults.
fn settings(raw: &RawFile, base: &Path, diags: &mut Diagnostics) -> Settings {
    let s = &raw.settings;
    let max_source_shrink = s.max_source_shrink.as_ref().map_or(0.2, |v| {
        let share = *v.get_ref();
        if !(0.0..=1.0).contains(&share) {
            diags.error(
                v.span(),
                "`max_source_shrink` is a share between 0 and 1 (0.2 = 20%)",
            );
        }
        share
    });
    let concurrency = s.concurrency.as_ref().map_or(8, |v| positive(v, diags));
    Settings {
        state: base.join(s.state.as_deref().unwrap_or(DEFAULT_STATE)),
        audit_log: s.audit_log.as_ref().map(|p| base.join(p)),
        max_source_shrink,
        concurrency,
        currency: s.currency.clone().unwrap_or_else(|| "USD".to_owned()),
    }
}

/// A concurrency of at least 1.
pub(super) fn positive(value: &Spanned<u32>, diags: &mut Diagnostics) -> usize {
    if *value.get_ref() == 0 {
        diags.error(value.span(), "concurrency must be at least 1");
    }
    (*value.get_ref()).max(1) as usize
}

/// One `[instances.NAME]` table.
fn check_instance(
    name: &Spanned<String>,
    instance: &Spanned<RawInstance>,
    registry: &Registry,
    diags: &mut Diagnostics,
) -> Option<Instance> {
    let valid_name = name
        .get_ref()
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid_name || name.get_ref().is_empty() {
        diags.error(
            name.span(),
            "instance names use letters, digits, `-` and `_`",
        );
    }
    let raw = instance.get_ref();
    let Some(kind) = registry.get(raw.connector.get_ref()) else {
        diags.error(
            raw.connector.span(),
            format!(
                "unknown connector `{}` (known: {})",
                raw.connector.get_ref(),
                registry.names().join(", ")
            ),
        );
        return None;
    };
    let manifest = kind.manifest;
    let connection = connection(raw, manifest, diags);
    let policy = policy::policy(&raw.policy, manifest, diags);
    let mut prices = BTreeMap::new();
    for (sku, price) in &raw.prices {
        if manifest.license(sku.get_ref()).is_none() {
            diags.error(sku.span(), unknown_sku(manifest, sku.get_ref()));
        }
        if *price.get_ref() < 0.0 || !price.get_ref().is_finite() {
            diags.error(price.span(), "a price is a monthly amount of 0 or more");
        }
        prices.insert(sku.get_ref().clone(), *price.get_ref());
    }
    let exclude_attributes = exclude::resolve(&raw.exclude_attributes, manifest, diags);
    let cards = super::cards::check(&raw.cards, diags);
    Some(Instance {
        name: name.get_ref().clone(),
        manifest,
        connection,
        policy,
        prices,
        exclude_attributes,
        cards,
    })
}

/// How to reach the instance; secrets only as environment variable names.
fn connection(raw: &RawInstance, manifest: &Manifest, diags: &mut Diagnostics) -> Connection {
    let (oauth, jwt) = match manifest.auth {
        Auth::Bearer { .. } => (false, false),
        Auth::OAuth2ClientCredentials { .. } => (true, false),
        Auth::ServiceAccountJwt { .. } => (false, true),
    };
    let kind = if oauth {
        "OAuth client credentials"
    } else if jwt {
        "a service account key"
    } else {
        "a bearer token"
    };
    for (key, value, wanted) in [
        // On an OAuth or service-account connector, `token_env` names a pre-issued access
        // token (sandboxes, tests) used instead of the token endpoint.
        ("token_env", &raw.token_env, true),
        ("client_id_env", &raw.client_id_env, oauth),
        ("client_secret_env", &raw.client_secret_env, oauth),
        ("key_env", &raw.key_env, jwt),
    ] {
        if let Some(value) = value {
            env_name(value, diags);
            if !wanted {
                diags.error(
                    value.span(),
                    format!(
                        "`{key}` does not apply: {} authenticates with {kind}",
                        manifest.name
                    ),
                );
            }
        }
    }
    let mut variables = BTreeMap::new();
    for (name, value) in &raw.variables {
        if !manifest.variables.iter().any(|v| v.name == name.get_ref()) {
            let known: Vec<_> = manifest.variables.iter().map(|v| v.name).collect();
            diags.error(
                name.span(),
                format!(
                    "{} has no tenant variable `{}` (it has: {})",
                    manifest.name,
                    name.get_ref(),
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                ),
            );
        }
        variables.insert(name.get_ref().clone(), value.clone());
    }
    let value = |v: &Option<Spanned<String>>| v.as_ref().map(|v| v.get_ref().clone());
    Connection {
        base_url: raw.base_url.clone(),
        token_url: raw.token_url.clone(),
        token_env: value(&raw.token_env),
        client_id_env: value(&raw.client_id_env),
        client_secret_env: value(&raw.client_secret_env),
        key_env: value(&raw.key_env),
        variables,
        timeout: raw.timeout_secs.map(Duration::from_secs),
        client_rate_limit: raw.client_rate_limit.unwrap_or(true),
    }
}

/// An environment variable name: UPPER_SNAKE_CASE, so a pasted secret is refused.
pub(super) fn env_name(name: &Spanned<String>, diags: &mut Diagnostics) {
    let text = name.get_ref();
    let valid = !text.is_empty()
        && text.len() <= 64
        && text.starts_with(|c: char| c.is_ascii_uppercase())
        && text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        diags.error(
            name.span(),
            "expected the NAME of an environment variable (UPPER_SNAKE_CASE); \
             secrets never go in this file",
        );
    }
}

/// The message for a SKU the connector does not have.
pub(super) fn unknown_sku(manifest: &Manifest, sku: &str) -> String {
    let known: Vec<_> = manifest.licenses.iter().map(|s| s.name).collect();
    format!(
        "{} has no licence `{sku}` (it has: {})",
        manifest.name,
        if known.is_empty() {
            "none".to_owned()
        } else {
            known.join(", ")
        }
    )
}
