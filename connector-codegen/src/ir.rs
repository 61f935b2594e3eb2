//! The checked connector model that generation reads: every name resolved, every
//! template parsed and typed, every default filled in.

use std::collections::BTreeMap;

use crate::catalog::Target;
use crate::spec::model::{
    AuthKind, Capability, CustomKind, DeactivateMethod, LicenseMode, NameIdFormat, PatchStyle,
    Protocol, ScimType, SsoProtocol, UpdateMethod,
};
use crate::template::Template;

/// A connector, checked.
#[derive(Debug, Clone)]
pub struct Model {
    /// Machine name.
    pub name: String,
    /// Human name.
    pub display_name: String,
    /// Stem of generated type names (`Zoom`, `ChatGPT`).
    pub type_stem: String,
    /// Vendor.
    pub vendor: String,
    /// Product.
    pub product: String,
    /// Provisioning docs.
    pub docs_url: String,
    /// Plan unlocking SSO.
    pub plan_sso: String,
    /// Plan unlocking provisioning.
    pub plan_provisioning: String,
    /// Tenant variables: (name, description, example, default).
    pub variables: Vec<(String, String, String, Option<String>)>,
    /// Authentication.
    pub auth: AuthModel,
    /// Protocol.
    pub protocol: Protocol,
    /// Base URL template.
    pub base_url: String,
    /// Capabilities, sorted, without duplicates.
    pub capabilities: Vec<Capability>,
    /// Dialect with defaults filled in.
    pub dialect: DialectModel,
    /// Rate limit.
    pub rate_limit: Option<RateLimitModel>,
    /// (status, body text) pairs that mean "slow down".
    pub throttle: Vec<(u16, String)>,
    /// Declared REST operations and account pointers.
    pub rest: Option<RestModel>,
    /// Vendor extensions.
    pub extensions: Vec<ExtensionModel>,
    /// Custom directory attributes.
    pub custom: BTreeMap<String, CustomKind>,
    /// Mapped attributes in spec key order.
    pub attributes: Vec<AttributeModel>,
    /// Attributes that carry a seat but are not mapped (present in the typed User).
    pub license_only_targets: Vec<Target>,
    /// Licence SKUs.
    pub licenses: Vec<SkuModel>,
    /// Sign-in.
    pub sso: SsoModel,
    /// (spec key, URL) of every fact's source.
    pub sources: Vec<(String, String)>,
}

/// Authentication.
#[derive(Debug, Clone)]
pub struct AuthModel {
    /// Kind.
    pub kind: AuthKind,
    /// bearer: token env var.
    pub token_env: String,
    /// oauth2: token URL template.
    pub token_url: String,
    /// oauth2: grant type.
    pub grant_type: String,
    /// oauth2: client id env var.
    pub client_id_env: String,
    /// oauth2: client secret env var.
    pub client_secret_env: String,
    /// oauth2: scopes.
    pub scopes: Vec<String>,
    /// oauth2: extra parameters.
    pub params: Vec<(String, String)>,
    /// service_account_jwt: key env var.
    pub key_env: String,
    /// service_account_jwt: subject template.
    pub subject: Option<String>,
}

/// Dialect switches.
#[derive(Debug, Clone)]
pub struct DialectModel {
    /// Update method.
    pub update: UpdateMethod,
    /// Deactivate method.
    pub deactivate: DeactivateMethod,
    /// PATCH style.
    pub patch_style: PatchStyle,
    /// Filter attribute, or `None`.
    pub filter: Option<String>,
    /// Page size.
    pub page_size: u32,
    /// Required User-Agent.
    pub user_agent: Option<String>,
    /// The most members per `/Groups` PATCH request.
    pub group_members_per_request: u32,
    /// Whether reading a group lists its members.
    pub group_members_listed: bool,
}

/// A rate limit.
#[derive(Debug, Clone, Copy)]
pub struct RateLimitModel {
    /// Requests per period.
    pub requests: u32,
    /// Period in ms.
    pub period_ms: u64,
    /// Burst.
    pub burst: u32,
}

/// A vendor extension.
#[derive(Debug, Clone)]
pub struct ExtensionModel {
    /// Alias (`zoom`).
    pub alias: String,
    /// URN.
    pub urn: String,
    /// Schema name.
    pub name: String,
    /// Description.
    pub description: String,
    /// (SCIM name, type, description).
    pub attributes: Vec<(String, ScimType, String)>,
}

/// A mapped attribute.
#[derive(Debug, Clone)]
pub struct AttributeModel {
    /// The key as written (`name.givenName`).
    pub key: String,
    /// What it addresses.
    pub target: Target,
    /// The mapping as written in the spec.
    pub source_text: String,
    /// Sent on create only.
    pub create_only: bool,
    /// Never logged or returned.
    pub sensitive: bool,
    /// The checked value.
    pub value: ValueModel,
}

/// A mapping's value.
#[derive(Debug, Clone)]
pub enum ValueModel {
    /// A text template.
    Template(Template),
    /// A boolean constant.
    Boolean(bool),
    /// An integer constant.
    Integer(i64),
}

/// A licence SKU.
#[derive(Debug, Clone)]
pub struct SkuModel {
    /// Name.
    pub name: String,
    /// Human name.
    pub display_name: String,
    /// Mode.
    pub mode: LicenseMode,
    /// attribute mode: target, assign JSON, revoke JSON.
    pub attribute: Option<(Target, String, String)>,
    /// group mode: the group.
    pub group: Option<String>,
    /// manual: instructions.
    pub instructions: Option<String>,
    /// Console URL template.
    pub console_url: Option<String>,
    /// api mode: `{sku.<name>}` values.
    pub params: Vec<(String, String)>,
}

/// Sign-in.
#[derive(Debug, Clone)]
pub struct SsoModel {
    /// Protocols.
    pub protocols: Vec<SsoProtocol>,
    /// SP-initiated only.
    pub sp_initiated_only: bool,
    /// Login URL template.
    pub login_url: Option<String>,
    /// ACS URL template.
    pub acs_url: Option<String>,
    /// Entity ID template.
    pub entity_id: Option<String>,
    /// NameID format.
    pub name_id_format: NameIdFormat,
    /// (attribute name, checked template).
    pub attributes: Vec<(String, Template)>,
    /// Federation through another directory.
    pub federation: Option<FederationModel>,
}

/// Sign-in through another directory's federation.
#[derive(Debug, Clone)]
pub struct FederationModel {
    /// The directory.
    pub via: crate::spec::model::FederationVia,
    /// Which plan enables what.
    pub plan: String,
    /// (field, what to enter), in order.
    pub settings: Vec<(String, String)>,
}

/// Declared REST operations.
#[derive(Debug, Clone)]
pub struct RestModel {
    /// Account pointers (protocol `rest`).
    pub account: Option<AccountModel>,
    /// Group pointers (capability `groups`).
    pub group: Option<GroupModel>,
    /// Operations in spec order.
    pub operations: Vec<OperationModel>,
}

/// Where an account's fields are in its JSON.
#[derive(Debug, Clone)]
pub struct AccountModel {
    /// Id pointer.
    pub id: String,
    /// Sign-in name pointer.
    pub user_name: String,
    /// Email pointer.
    pub email: Option<String>,
    /// Display name pointer.
    pub display_name: Option<String>,
    /// Active pointer.
    pub active: String,
    /// JSON of the value meaning active.
    pub active_equals: String,
}

/// Where a group's fields are in its JSON, and a member's account id.
#[derive(Debug, Clone)]
pub struct GroupModel {
    /// Id pointer.
    pub id: String,
    /// Name pointer.
    pub name: String,
    /// External id pointer.
    pub external_id: Option<String>,
    /// Member account id pointer (in a `list_members` item).
    pub member_id: String,
}

/// One declared operation.
#[derive(Debug, Clone)]
pub struct OperationModel {
    /// The connector operation's spec name (`find`, `assign_license`).
    pub name: String,
    /// Method (upper case).
    pub method: String,
    /// Path template.
    pub path: String,
    /// Query templates.
    pub query: Vec<(String, String)>,
    /// `None`, `Some(None)` for the account, `Some(Some(json))` for a template.
    pub body: Option<Option<String>>,
    /// Success statuses.
    pub success: Vec<u16>,
    /// Not-found statuses.
    pub not_found: Vec<u16>,
    /// Conflict statuses.
    pub conflict: Vec<u16>,
    /// Already-done statuses.
    pub already_done: Vec<u16>,
    /// (status, body text) answers that are already done.
    pub already_done_when: Vec<(u16, String)>,
    /// Items pointer.
    pub items: Option<String>,
    /// Next cursor pointer.
    pub next_cursor: Option<String>,
    /// Next URL pointer.
    pub next_url: Option<String>,
    /// Total pointer.
    pub total: Option<String>,
    /// Lookup.
    pub lookup: Option<LookupModel>,
    /// `whoami`: pointer to the identity the token acts as.
    pub identity: Option<String>,
}

/// A lookup GET.
#[derive(Debug, Clone)]
pub struct LookupModel {
    /// Path template.
    pub path: String,
    /// Query templates.
    pub query: Vec<(String, String)>,
    /// Items pointer.
    pub items: String,
    /// (pointer, template) pairs.
    pub select: Vec<(String, String)>,
    /// Extract pointer.
    pub extract: String,
}
