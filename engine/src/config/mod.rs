//! The assignments file (TOML): instances, policies, and who gets which app and seat.
//!
//! The format is documented in `docs/assignments.md`. [`Assignments::load`] reports every
//! problem at `file:line:column`: unknown keys and connectors, SKUs the connector does not
//! have, bad dates, secrets written where an environment variable name belongs.

mod audit;
mod cards;
mod check;
mod diag;
mod exclude;
mod groups;
mod idp;
mod okta_attributes;
mod policy;
mod push_groups;
mod raw;
mod rules;
mod suggest;
mod window;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use connector_sdk::Manifest;
use serde::Serialize;

pub use audit::{AuditDelivery, AuditFormat};
pub use cards::{CardAccess, CustomApiAllow};
pub(crate) use diag::line_column;
pub use diag::{ConfigError, Diagnostic};
pub use groups::GroupReference;
pub use idp::IdpConfig;
pub use push_groups::{GROUP_PLACEHOLDER, PushGroupsRule};
pub(crate) use suggest::closest as closest_name;
pub use window::Window;

use crate::directory::ProfileColumn;
use crate::registry::Registry;

/// A checked assignments file.
#[derive(Debug, Clone)]
pub struct Assignments {
    /// The file it was read from.
    pub path: PathBuf,
    /// Engine-wide settings.
    pub settings: Settings,
    /// `[audit]`: where audit events are posted over HTTP, if anywhere.
    pub audit: Option<AuditDelivery>,
    /// Where people come from, if the file says.
    pub directory: Option<DirectoryConfig>,
    /// Connector instances by name.
    pub instances: BTreeMap<String, Instance>,
    /// Who gets an account (and which seats) in which instance.
    pub provision: Vec<ProvisionRule>,
    /// Who gets the sign-in assignment (the IdP tile) of which instance.
    pub sso: Vec<SsoRule>,
    /// Which directory groups are pushed into which instance (`[[push_groups]]`).
    pub push_groups: Vec<PushGroupsRule>,
    /// `[idp.okta]` (else an Okta `[directory.okta]`): where `connector sso apply`
    /// manages the sign-in apps.
    pub idp: Option<IdpConfig>,
    /// Every directory group the rules name, where it is named (checked against the
    /// directory by [`Assignments::check_groups`] once it is loaded).
    pub group_references: Vec<GroupReference>,
}

/// `[settings]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The SQLite state file (relative paths are relative to the assignments file).
    pub state: PathBuf,
    /// Where audit events are appended (JSON lines), if anywhere besides the state.
    pub audit_log: Option<PathBuf>,
    /// The largest share (0..1) of people that may vanish from the source between runs.
    pub max_source_shrink: f64,
    /// The most connector calls in flight across all instances.
    pub concurrency: usize,
    /// The currency of `prices` (for reports).
    pub currency: String,
}

/// `[directory]`: the source of people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectoryConfig {
    /// JSON or CSV files.
    Files {
        /// People (or a whole JSON directory document).
        people: PathBuf,
        /// Groups, when in a separate file.
        groups: Option<PathBuf>,
    },
    /// An Okta org.
    Okta {
        /// The org URL.
        url: String,
        /// The environment variable holding the API token.
        token_env: String,
        /// (Okta app id, directory group): everyone assigned to the app, directly or
        /// through a group, is a member of that group, which rules select like any other.
        apps: Vec<(String, String)>,
        /// (Okta profile attribute, profile value): `[directory.okta.attributes]`.
        attributes: Vec<(String, ProfileColumn)>,
    },
}

/// One connector instance (one Slack workspace, one Zoom account).
#[derive(Debug, Clone)]
pub struct Instance {
    /// The instance's name in the file.
    pub name: String,
    /// The connector's manifest.
    pub manifest: &'static Manifest,
    /// How to reach it.
    pub connection: Connection,
    /// What the engine may do there.
    pub policy: Policy,
    /// Monthly price of each licence SKU, for reclaim reports.
    pub prices: BTreeMap<String, f64>,
    /// The manifest attribute paths (`Attribute::path`) the connector neither sends nor
    /// compares here (`exclude_attributes`).
    pub exclude_attributes: Vec<&'static str>,
    /// What the cards over HTTP may do here (`[instances.NAME.cards]`).
    pub cards: CardAccess,
}

impl Instance {
    /// The excluded attributes as the connector writes them
    /// ([`InstanceConfig::excluded_attributes`](connector_sdk::InstanceConfig)).
    pub fn excluded_written_paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = Vec::new();
        for path in &self.exclude_attributes {
            let written = connector_sdk::attribute_key::written_path(path);
            if !paths.iter().any(|p| p == written) {
                paths.push(written.to_owned());
            }
        }
        paths
    }
}

/// How to reach an instance. Secrets are only ever environment variable names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Connection {
    /// Replaces the connector's base URL.
    pub base_url: Option<String>,
    /// Replaces the connector's OAuth token URL.
    pub token_url: Option<String>,
    /// The environment variable with the bearer token (else the connector's default); on
    /// an OAuth connector, a pre-issued access token used instead of the token endpoint.
    pub token_env: Option<String>,
    /// The environment variable with the OAuth client id (else the connector's default).
    pub client_id_env: Option<String>,
    /// The environment variable with the OAuth client secret (else the connector's default).
    pub client_secret_env: Option<String>,
    /// The environment variable with the service account key (else the connector's default).
    pub key_env: Option<String>,
    /// Tenant variables.
    pub variables: BTreeMap<String, String>,
    /// Timeout of one HTTP request.
    pub timeout: Option<Duration>,
    /// Whether the connector's documented rate limit is enforced client-side (off only
    /// for sandboxes; the server's 429 and `Retry-After` are honoured either way).
    pub client_rate_limit: bool,
}

/// What to do with an account that exists in the app but that the engine did not create.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExistingAccounts {
    /// Link it to the matching person and manage it from now on.
    Adopt,
    /// Leave it alone and report it; never create a second account for the person.
    Flag,
}

/// What to do when an app holds other values than the directory gives (a hand edit in
/// the app, or a value it did not keep).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Drift {
    /// Plan the update that brings the account back in line (the default).
    Correct,
    /// Show it in the plan, change nothing.
    Report,
}

/// What to do with an account that matches no directory person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Prune {
    /// Leave it alone and report it (the default).
    Protect,
    /// Deactivate it.
    Disable,
    /// Delete it.
    Delete,
}

/// How to remove the account of a person who lost their assignment or left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Removal {
    /// Deactivate (reversible; the default).
    Disable,
    /// Delete for good.
    Delete,
}

/// What the engine may do in one instance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Policy {
    /// Create accounts.
    pub create: bool,
    /// Update account attributes.
    pub update: bool,
    /// Deactivate (and reactivate) accounts.
    pub deactivate: bool,
    /// Assign and revoke licences.
    pub license: bool,
    /// Accounts not created by the engine.
    pub existing_accounts: ExistingAccounts,
    /// Accounts whose values in the app differ from the directory's.
    pub drift: Drift,
    /// Accounts matching no person.
    pub prune: Prune,
    /// How people who lose access are removed.
    pub removal: Removal,
    /// The most disables, deletes and revokes one run may make here before it stops.
    pub max_removals: u32,
    /// The most removals as a percentage of the instance's accounts, if set.
    pub max_removal_percent: Option<f64>,
    /// The most calls in flight to this instance.
    pub concurrency: usize,
    /// Revoke the seats of people whose account is deactivated.
    pub reclaim_disabled: bool,
    /// The instance breaker: after this many steps in a row fail with a server or
    /// transport error (5xx, timeout, connection, 429 after the retries; not a 4xx), the
    /// instance's remaining steps are not attempted.
    pub unhealthy_after: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            create: true,
            update: true,
            deactivate: true,
            license: true,
            existing_accounts: ExistingAccounts::Flag,
            drift: Drift::Correct,
            prune: Prune::Protect,
            removal: Removal::Disable,
            max_removals: 20,
            max_removal_percent: None,
            concurrency: 4,
            reclaim_disabled: true,
            unhealthy_after: 5,
        }
    }
}

/// A `[[provision]]` rule: these groups and people get an account and these seats.
#[derive(Debug, Clone)]
pub struct ProvisionRule {
    /// Where the rule is (`assignments.toml:12`), for reasons in the plan.
    pub location: String,
    /// The instance.
    pub instance: String,
    /// Directory groups whose members the rule covers.
    pub groups: Vec<String>,
    /// People (id, login or email) the rule covers.
    pub people: Vec<String>,
    /// Licence SKUs the rule grants.
    pub licenses: Vec<String>,
    /// When the rule applies.
    pub window: Window,
}

/// An `[[sso]]` rule: these groups and people get the sign-in assignment.
#[derive(Debug, Clone)]
pub struct SsoRule {
    /// Where the rule is.
    pub location: String,
    /// The instance.
    pub instance: String,
    /// Directory groups.
    pub groups: Vec<String>,
    /// People (id, login or email).
    pub people: Vec<String>,
    /// When the rule applies.
    pub window: Window,
}

/// The candidate closest to `name` when it is close enough to be a typo (the "did you
/// mean" of every name the assignments file refers to).
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    suggest::closest(name, candidates)
}

impl Assignments {
    /// Reads and checks the file at `path` against the connectors of `registry`.
    ///
    /// # Errors
    ///
    /// Every problem, each at `file:line:column`.
    pub fn load(path: &Path, registry: &Registry) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            diagnostics: vec![Diagnostic {
                file: path.to_path_buf(),
                line: 1,
                column: 1,
                message: format!("cannot read the assignments file: {e}"),
            }],
        })?;
        Self::parse(path, &text, registry)
    }

    /// Checks `text` as if read from `path` (relative paths resolve against its folder).
    ///
    /// # Errors
    ///
    /// Every problem, each at `file:line:column`.
    pub fn parse(path: &Path, text: &str, registry: &Registry) -> Result<Self, ConfigError> {
        check::check(path, text, registry)
    }

    /// The instance named `name`.
    pub fn instance(&self, name: &str) -> Option<&Instance> {
        self.instances.get(name)
    }
}
