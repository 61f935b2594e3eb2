//! `[rest]`: declarative HTTP operations for services that do not provision over SCIM, or
//! that assign the paid seat outside SCIM (in the spirit of Okta's Connector Builder cards
//! and Airbyte's declarative manifests).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use super::model::{MappingValue, ScimType};
pub use connector_model::vocab::HttpMethod;

use super::spanned::Sp;

/// `[rest]`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RestSection {
    /// protocol `rest`: the account's attributes in the service's JSON, by dotted path
    /// (`primaryEmail`, `name.givenName`), with their types. Mapping keys name these.
    #[serde(default)]
    pub attributes: BTreeMap<Sp<String>, RestAttribute>,
    /// protocol `rest`: where an account's id, sign-in name and state are in its JSON.
    pub account: Option<AccountPointers>,
    /// protocol `rest` with capability `groups`: where a group's id, name and external
    /// id are in its JSON, and a member's account id in a `list_members` item.
    pub group: Option<GroupPointers>,
    /// The operations, by name: `find`, `list`, `get`, `create`, `update`, `disable`,
    /// `enable`, `delete`, `assign_license`, `revoke_license`, and for capability
    /// `groups`: `list_groups`, `create_group`, `rename_group`, `delete_group`,
    /// `list_members`, `add_members`, `remove_members`; and `whoami`, a GET of who the
    /// token acts as, which `ping` uses.
    pub operations: BTreeMap<Sp<String>, OperationSection>,
    /// Responses other than 429 that mean "slow down" (Google's 403 `userRateLimitExceeded`).
    #[serde(default)]
    pub throttle: Vec<ThrottleSection>,
    /// Where the API facts come from.
    pub source: Sp<String>,
}

/// One attribute of a REST account.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RestAttribute {
    /// `string`, `boolean`, `integer` or `dateTime`.
    #[serde(rename = "type")]
    pub kind: Sp<ScimType>,
    /// What it means.
    pub description: Option<Sp<String>>,
    /// Sent on create only, never compared or updated (an initial password).
    #[serde(default)]
    pub create_only: bool,
    /// Never logged, audited or returned in `Account::attributes` (a password).
    #[serde(default)]
    pub sensitive: bool,
}

/// `[rest.account]`: JSON pointers (RFC 6901) into an account's JSON.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountPointers {
    /// The service's id (`/id`).
    pub id: Sp<String>,
    /// The unique sign-in name (`/primaryEmail`, `/userPrincipalName`, `/login`).
    pub user_name: Sp<String>,
    /// The email address, when separate.
    pub email: Option<Sp<String>>,
    /// The display name.
    pub display_name: Option<Sp<String>>,
    /// The active flag: the pointer, and the value that means active.
    pub active: ActiveRule,
}

/// `[rest.group]`: JSON pointers (RFC 6901) into a group's JSON and a member's.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupPointers {
    /// The service's id of the group (`/id`).
    pub id: Sp<String>,
    /// The group's name (`/name`, `/displayName`).
    pub name: Sp<String>,
    /// The id the provisioning client gave the group, when the service keeps one
    /// (Box's `/external_sync_identifier`).
    pub external_id: Option<Sp<String>>,
    /// In an item of `list_members`: the member's account id (`/user/id`, `/id`).
    pub member_id: Sp<String>,
    /// Where the vendor documents its group API.
    pub source: Sp<String>,
}

/// How to tell an active account: `{ pointer = "/suspended", equals = false }`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActiveRule {
    /// Pointer to the state value.
    pub pointer: Sp<String>,
    /// The value that means the account is active.
    pub equals: Sp<MappingValue>,
}

/// `[rest.operations.<name>]`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OperationSection {
    /// HTTP method.
    pub method: Sp<HttpMethod>,
    /// Path template below `base_url` (`/users/{account.id}`), or an absolute https URL
    /// template for an API on another host.
    pub path: Sp<String>,
    /// Query parameters (values are templates).
    #[serde(default)]
    pub query: BTreeMap<Sp<String>, Sp<String>>,
    /// The body: `"account"` for the mapped account, or a table whose string values are
    /// templates (`{ suspended = true }`, `{ addLicenses = [{ skuId = "{sku.sku_id}" }] }`).
    pub body: Option<Sp<BodyValue>>,
    /// Statuses that mean success (default: any 2xx).
    #[serde(default)]
    pub success: Vec<Sp<u16>>,
    /// Statuses that mean the target does not exist (default: 404).
    #[serde(default)]
    pub not_found: Vec<Sp<u16>>,
    /// Statuses that mean the target already exists (default: 409).
    #[serde(default)]
    pub conflict: Vec<Sp<u16>>,
    /// Statuses that mean the desired state already holds (a seat already assigned, a
    /// membership already gone): treated as success.
    #[serde(default)]
    pub already_done: Vec<Sp<u16>>,
    /// Answers that mean the desired state already holds only when their body says so:
    /// `{ status, body_contains }` (Graph's 400 "One or more added object references
    /// already exist" on a duplicate member). Another answer of that status stays an
    /// error, with the service's message.
    #[serde(default)]
    pub already_done_when: Vec<BodyRule>,
    /// find/list: pointer to the array of accounts in the response (absent: the response
    /// is one account).
    pub items: Option<Sp<String>>,
    /// list: pointer to the next page's token (sent back as `{page.cursor}`).
    pub next_cursor: Option<Sp<String>>,
    /// list: pointer to the next page's full URL (Graph's `@odata.nextLink`).
    pub next_url: Option<Sp<String>>,
    /// list: pointer to the total count (offset paging, with `{page.offset}`).
    pub total: Option<Sp<String>>,
    /// A GET whose result feeds `{lookup}`: for calls that need an id the service only
    /// gives through another listing.
    pub lookup: Option<LookupSection>,
    /// whoami (required there, refused elsewhere): pointer to the identity the token
    /// acts as in the answer, a login or name (`/login`), which `ping` reports.
    pub identity: Option<Sp<String>>,
}

/// `[rest.operations.<name>.lookup]`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LookupSection {
    /// Path template of the GET.
    pub path: Sp<String>,
    /// Query parameters (templates).
    #[serde(default)]
    pub query: BTreeMap<Sp<String>, Sp<String>>,
    /// Pointer to the array to search, or to one object (`""`: the whole answer).
    pub items: Sp<String>,
    /// The item to pick: pointer = template; every pair must match.
    pub select: BTreeMap<Sp<String>, Sp<String>>,
    /// Pointer, in the picked item, to the value `{lookup}` stands for.
    pub extract: Sp<String>,
}

/// An answer recognized by its status and a text its body contains.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BodyRule {
    /// The status (`400`).
    pub status: Sp<u16>,
    /// Text the body contains (`already exist`).
    pub body_contains: Sp<String>,
}

/// `[[rest.throttle]]`: a response that means "slow down".
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThrottleSection {
    /// The status (`403`).
    pub status: Sp<u16>,
    /// Text the body contains (`userRateLimitExceeded`).
    pub body_contains: Sp<String>,
}

/// A request body as written in the spec: `"account"` or a table of templates.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct BodyValue(pub toml::Value);

impl JsonSchema for BodyValue {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RestBody".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "\"account\" for the mapped account, or a table whose string values are templates",
            "anyOf": [{ "const": "account" }, { "type": "object" }]
        })
    }
}
