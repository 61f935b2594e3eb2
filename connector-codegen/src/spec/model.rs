//! The spec format, v1: what `connectors/<app>/connector.toml` may say, key by key.
//!
//! Every value keeps its byte span so that checks can point at the spec line. The same
//! types generate `schemas/connector.schema.json` for editors. `docs/spec.md` explains
//! each key.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

pub use connector_model::vocab::{
    AuthKind, Capability, CustomKind, DeactivateMethod, FederationVia, LicenseMode, NameIdFormat,
    PatchStyle, Protocol, ScimType, SsoProtocol, UpdateMethod,
};

use super::spanned::Sp;

/// A connector spec.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "connector.toml",
    description = "A connector spec for the AI SaaS connector toolkit (format v1)."
)]
pub struct SpecFile {
    /// The spec format version; `1`.
    pub spec_version: Sp<u32>,
    /// Who the connector is for.
    pub connector: ConnectorSection,
    /// The plans that unlock sign-in and provisioning.
    pub plan: PlanSection,
    /// Tenant variables an instance must set, by name (used as `{name}` in templates).
    #[serde(default)]
    pub variables: BTreeMap<Sp<String>, VariableSection>,
    /// How the connector authenticates. Names environment variables; never holds a secret.
    pub auth: AuthSection,
    /// How accounts are provisioned.
    pub provisioning: ProvisioningSection,
    /// Vendor SCIM schema extensions, by alias (the alias prefixes mapping keys: `zoom.userType`).
    #[serde(default)]
    pub extensions: BTreeMap<Sp<String>, ExtensionSection>,
    /// Directory attributes beyond the base profile that mappings read.
    #[serde(default)]
    pub directory: DirectorySection,
    /// The account attributes and how each is computed from the directory profile.
    pub mapping: BTreeMap<Sp<String>, Sp<MappingValue>>,
    /// Declarative HTTP operations: the whole API for protocol `rest`, or only the
    /// licence calls for a SCIM service whose seats are assigned elsewhere.
    #[serde(default)]
    pub rest: Option<super::rest_model::RestSection>,
    /// The paid seats the connector knows.
    #[serde(default)]
    pub license: Option<LicenseSection>,
    /// How people sign in.
    pub sso: SsoSection,
}

/// `[connector]`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectorSection {
    /// Machine name: lowercase letters, digits and `_` (`zoom`, `github_copilot`).
    pub name: Sp<String>,
    /// Human name (`Zoom`); also the stem of generated Rust type names.
    pub display_name: Sp<String>,
    /// The company behind the service.
    pub vendor: Sp<String>,
    /// The product and AI feature governed (`Zoom Workplace with AI Companion`).
    pub product: Sp<String>,
    /// The vendor's provisioning documentation.
    pub docs_url: Sp<String>,
}

/// `[plan]`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanSection {
    /// The plan that unlocks SAML/OIDC sign-in.
    pub sso: Sp<String>,
    /// The plan that unlocks provisioning.
    pub provisioning: Sp<String>,
    /// Where the plan facts come from.
    pub source: Sp<String>,
}

/// `[variables.<name>]`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VariableSection {
    /// What the admin should enter.
    pub description: Sp<String>,
    /// An example value.
    pub example: Sp<String>,
    /// The value when an instance sets none (an API host such as
    /// `https://licensing.googleapis.com/apps/licensing/v1`).
    pub default: Option<Sp<String>>,
}

/// `[auth]`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthSection {
    /// `bearer` or `oauth2_client_credentials`.
    pub kind: Sp<AuthKind>,
    /// bearer: the environment variable that holds the token.
    pub token_env: Option<Sp<String>>,
    /// oauth2: the token endpoint (template over tenant variables).
    pub token_url: Option<Sp<String>>,
    /// oauth2: the `grant_type` to send; `client_credentials` by default.
    pub grant_type: Option<Sp<String>>,
    /// oauth2: the environment variable that holds the client id.
    pub client_id_env: Option<Sp<String>>,
    /// oauth2: the environment variable that holds the client secret.
    pub client_secret_env: Option<Sp<String>>,
    /// oauth2: scopes to request.
    #[serde(default)]
    pub scopes: Vec<Sp<String>>,
    /// oauth2: extra form parameters (values are templates over tenant variables).
    #[serde(default)]
    pub params: BTreeMap<Sp<String>, Sp<String>>,
    /// service_account_jwt: the environment variable holding the service account's JSON
    /// key (or its PEM private key).
    pub key_env: Option<Sp<String>>,
    /// service_account_jwt: the admin to impersonate (template over tenant variables).
    pub subject: Option<Sp<String>>,
    /// Where the auth facts come from.
    pub source: Sp<String>,
}

/// `[provisioning]`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvisioningSection {
    /// `scim2`, or `none` for a service with sign-in only.
    pub protocol: Sp<Protocol>,
    /// Base URL template: `https://api.zoom.us/scim2`, or `{scim_url}` when the whole URL
    /// is issued per connection. Required for `scim2`, absent for `none`.
    pub base_url: Option<Sp<String>>,
    /// What the connector can do.
    pub capabilities: Sp<Vec<Sp<Capability>>>,
    /// The dialect switches the service's SCIM server needs.
    #[serde(default)]
    pub dialect: DialectSection,
    /// The documented rate limit; omit only when the vendor publishes none.
    pub rate_limit: Option<RateLimitSection>,
    /// Where the provisioning facts come from.
    pub source: Sp<String>,
}

/// `[provisioning.dialect]`
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DialectSection {
    /// `patch` (default) or `put`.
    pub update: Option<Sp<UpdateMethod>>,
    /// `patch_active` (default), `put_active`, or `delete` when DELETE deactivates.
    pub deactivate: Option<Sp<DeactivateMethod>>,
    /// `path` (default) or `pathless` PATCH operations.
    pub patch_style: Option<Sp<PatchStyle>>,
    /// The attribute `find` filters on: `userName` (default), `emails`, or `none`.
    pub filter: Option<Sp<String>>,
    /// The largest page the server returns (default 100).
    pub page_size: Option<Sp<u32>>,
    /// A `User-Agent` the server requires.
    pub user_agent: Option<Sp<String>>,
    /// The most members one `/Groups` PATCH may add or remove (the vendor's documented
    /// cap; default 1000).
    pub group_members_per_request: Option<Sp<u32>>,
    /// Whether reading a group lists its members (default true; Canva never does).
    pub group_members_listed: Option<Sp<bool>>,
    /// Where the dialect facts come from.
    pub source: Option<Sp<String>>,
}

/// `[provisioning.rate_limit]`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimitSection {
    /// Requests allowed per period.
    pub requests: Sp<u32>,
    /// The period: a number and a unit (`ms`, `s`, `m`, `h`): `1s`, `30s`, `1m`, `1h`.
    pub per: Sp<String>,
    /// Requests allowed at once (default 1).
    pub burst: Option<Sp<u32>>,
    /// Where the limit comes from.
    pub source: Sp<String>,
}

/// `[extensions.<alias>]`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionSection {
    /// The schema URN (`urn:ietf:params:scim:schemas:extension:zoom:1.0:User`).
    pub urn: Sp<String>,
    /// The schema's name.
    pub name: Sp<String>,
    /// What the extension holds.
    pub description: Sp<String>,
    /// Its attributes, by SCIM name.
    pub attributes: BTreeMap<Sp<String>, ExtensionAttribute>,
    /// Where the extension facts come from.
    pub source: Sp<String>,
}

/// One attribute of a vendor extension.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionAttribute {
    /// SCIM type: `string`, `boolean`, `integer` or `dateTime`.
    #[serde(rename = "type")]
    pub kind: Sp<ScimType>,
    /// What it means.
    pub description: Sp<String>,
}

/// `[directory]`
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectorySection {
    /// Custom profile attributes mappings may read, by name, with their type (`text` or `list`).
    #[serde(default)]
    pub custom: BTreeMap<Sp<String>, Sp<CustomKind>>,
}

/// A mapping: a template string over profile fields (`"{first_name} {last_name}"`,
/// `"{lower(email)}"`), or a constant boolean or integer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum MappingValue {
    /// A template.
    Template(String),
    /// A constant boolean.
    Boolean(bool),
    /// A constant integer.
    Integer(i64),
}

/// `[license]`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LicenseSection {
    /// The seats, by SKU name.
    pub skus: BTreeMap<Sp<String>, SkuSection>,
    /// True when `attribute` SKUs that write the same attribute are alternatives (one
    /// value of an enumerated attribute each, such as a seat type Full / Dev / View): a
    /// person holds one at a time, assigning one replaces the other. Without it, two
    /// SKUs writing one attribute are an error.
    #[serde(default)]
    pub exclusive: Option<Sp<bool>>,
    /// Where the licence facts come from.
    pub source: Sp<String>,
}

/// `[license.skus.<name>]`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SkuSection {
    /// Human name.
    pub display_name: Sp<String>,
    /// `automatic`, `attribute`, `group`, `api` or `manual`.
    pub mode: Sp<LicenseMode>,
    /// attribute: the mapping key of the attribute that carries the seat (`userType`, `zoom.plan`).
    pub attribute: Option<Sp<String>>,
    /// attribute: the value that assigns the seat.
    pub assign: Option<Sp<MappingValue>>,
    /// attribute: the value that revokes it.
    pub revoke: Option<Sp<MappingValue>>,
    /// group: the SCIM group whose membership carries the seat.
    pub group: Option<Sp<String>>,
    /// manual: what a person must do.
    pub instructions: Option<Sp<String>>,
    /// Where the admin does it (template over tenant variables).
    pub console_url: Option<Sp<String>>,
    /// api: values the licence operations use as `{sku.<name>}` (product and SKU ids).
    #[serde(default)]
    pub params: BTreeMap<Sp<String>, Sp<String>>,
}

/// `[sso]`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SsoSection {
    /// `saml2`, `oidc`.
    pub protocols: Vec<Sp<SsoProtocol>>,
    /// True when only SP-initiated sign-in works (the IdP tile must be a bookmark).
    #[serde(default)]
    pub sp_initiated_only: Option<Sp<bool>>,
    /// Where SP-initiated sign-in starts (template).
    pub login_url: Option<Sp<String>>,
    /// The ACS URL (template), when the service fixes it.
    pub acs_url: Option<Sp<String>>,
    /// The SP entity ID (template), when the service fixes it.
    pub entity_id: Option<Sp<String>>,
    /// NameID format: `emailAddress`, `persistent`, `transient` or `unspecified`.
    pub name_id_format: Sp<NameIdFormat>,
    /// Attribute statements: name = template over the profile.
    #[serde(default)]
    pub attributes: BTreeMap<Sp<String>, Sp<String>>,
    /// For a service reached through another directory's federation (Gemini through
    /// Google Workspace, Microsoft 365 Copilot through Entra ID): what to set up there.
    pub federation: Option<FederationSection>,
    /// Where the sign-in facts come from.
    pub source: Sp<String>,
}

/// `[sso.federation]`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FederationSection {
    /// The directory that federates to the company IdP: `google_workspace` or `entra_id`.
    pub via: Sp<FederationVia>,
    /// Which plan enables what, on that side.
    pub plan: Sp<String>,
    /// The settings to enter there, in order.
    pub settings: Vec<FederationSetting>,
    /// Where the federation facts come from.
    pub source: Sp<String>,
}

/// One setting of the federation, as that directory's console names it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FederationSetting {
    /// The field's name.
    pub name: Sp<String>,
    /// What to enter.
    pub value: Sp<String>,
}
