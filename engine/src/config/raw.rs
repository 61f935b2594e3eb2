//! The assignments file as written, with spans for error messages.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_spanned::Spanned;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    #[serde(default)]
    pub settings: RawSettings,
    pub directory: Option<Spanned<RawDirectory>>,
    #[serde(default)]
    pub instances: BTreeMap<Spanned<String>, Spanned<RawInstance>>,
    #[serde(default)]
    pub provision: Vec<Spanned<RawProvision>>,
    #[serde(default)]
    pub sso: Vec<Spanned<RawSso>>,
    #[serde(default)]
    pub push_groups: Vec<Spanned<super::push_groups::RawPushGroups>>,
    pub audit: Option<Spanned<RawAudit>>,
    pub idp: Option<Spanned<super::idp::RawIdp>>,
}

/// `[audit]`: delivery of audit events to a collector over HTTP.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAudit {
    pub url: Spanned<String>,
    pub format: Option<Spanned<String>>,
    pub token_env: Option<Spanned<String>>,
    pub spool: Option<String>,
    pub batch_size: Option<Spanned<u32>>,
}

/// `[settings]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSettings {
    pub state: Option<String>,
    pub audit_log: Option<String>,
    pub max_source_shrink: Option<Spanned<f64>>,
    pub concurrency: Option<Spanned<u32>>,
    pub currency: Option<String>,
}

/// `[directory]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDirectory {
    pub people: Option<String>,
    pub groups: Option<String>,
    pub okta: Option<RawOkta>,
}

/// `[directory.okta]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOkta {
    pub url: String,
    pub token_env: Spanned<String>,
    /// Okta app id → the directory group its assigned people form.
    #[serde(default)]
    pub apps: BTreeMap<String, Spanned<String>>,
    /// Okta profile attribute → the profile value it fills.
    #[serde(default)]
    pub attributes: BTreeMap<Spanned<String>, Spanned<String>>,
}

/// `[instances.NAME]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInstance {
    pub connector: Spanned<String>,
    pub base_url: Option<String>,
    pub token_url: Option<String>,
    pub token_env: Option<Spanned<String>>,
    pub client_id_env: Option<Spanned<String>>,
    pub client_secret_env: Option<Spanned<String>>,
    pub key_env: Option<Spanned<String>>,
    #[serde(default)]
    pub variables: BTreeMap<Spanned<String>, String>,
    pub timeout_secs: Option<u64>,
    /// `false` turns the client-side rate limit off (a sandbox); default `true`.
    pub client_rate_limit: Option<bool>,
    #[serde(default)]
    pub policy: RawPolicy,
    #[serde(default)]
    pub prices: BTreeMap<Spanned<String>, Spanned<f64>>,
    /// Mapping keys the connector neither sends nor compares for this instance.
    #[serde(default)]
    pub exclude_attributes: Vec<Spanned<String>>,
    /// What the cards over HTTP may do here.
    #[serde(default)]
    pub cards: super::cards::RawCards,
}

/// `[instances.NAME.policy]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPolicy {
    pub create: Option<bool>,
    pub update: Option<bool>,
    pub deactivate: Option<Spanned<bool>>,
    pub license: Option<bool>,
    pub existing_accounts: Option<Spanned<String>>,
    pub drift: Option<Spanned<String>>,
    pub prune: Option<Spanned<String>>,
    pub removal: Option<Spanned<String>>,
    pub max_removals: Option<u32>,
    pub max_removal_percent: Option<Spanned<f64>>,
    pub concurrency: Option<Spanned<u32>>,
    pub reclaim_disabled: Option<bool>,
    pub unhealthy_after: Option<Spanned<u32>>,
}

/// One `[[provision]]` rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProvision {
    pub instance: Spanned<String>,
    #[serde(default)]
    pub groups: Vec<Spanned<String>>,
    #[serde(default)]
    pub people: Vec<Spanned<String>>,
    #[serde(default)]
    pub licenses: Vec<Spanned<String>>,
    pub from: Option<Spanned<toml::Value>>,
    pub until: Option<Spanned<toml::Value>>,
}

/// One `[[sso]]` rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSso {
    pub instance: Spanned<String>,
    #[serde(default)]
    pub groups: Vec<Spanned<String>>,
    #[serde(default)]
    pub people: Vec<Spanned<String>>,
    pub until: Option<Spanned<toml::Value>>,
}
