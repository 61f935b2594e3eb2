//! What generated code implements for a SCIM service, and the shared SCIM value types.

use std::fmt::Debug;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::identity::Identity;
use crate::manifest::Manifest;
use crate::mapping::MappingError;

/// URN of the SCIM core User schema.
pub const CORE_USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// URN of the SCIM enterprise User extension.
pub const ENTERPRISE_USER_SCHEMA: &str =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// A SCIM service described by a spec. Codegen implements it on the connector's marker
/// type; [`ScimConnector`](super::ScimConnector) turns it into a [`Connector`](crate::Connector).
pub trait ScimApp: Send + Sync + 'static {
    /// The service's typed User resource.
    type User: Serialize + DeserializeOwned + JsonSchema + Clone + Debug + Send + Sync + 'static;

    /// The `schemas` a User of this service carries (core first, then extensions).
    const USER_SCHEMAS: &'static [&'static str];

    /// SCIM paths of the attributes the mapping manages, in PATCH form: `userName`,
    /// `name.givenName`, `emails`, or `urn:...:User:department` for extension attributes.
    const MANAGED_ATTRIBUTES: &'static [&'static str];

    /// The card catalogue generated from the spec (`ping` and `custom_api_call` when
    /// none is given).
    const CARDS: &'static [crate::cards::Card] = crate::cards::UNIVERSAL;

    /// The connector's manifest.
    fn manifest() -> &'static Manifest;

    /// Maps a directory profile to the User this service should hold for that person.
    fn map_identity(who: &Identity) -> Result<Self::User, MappingError>;
}

/// The SCIM `name` complex attribute.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Name {
    /// Full name, formatted for display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Middle name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// Honorific prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honorific_prefix: Option<String>,
    /// Honorific suffix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honorific_suffix: Option<String>,
}

impl Name {
    /// True when no sub-attribute is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// One value of a multi-valued attribute (`emails`, `phoneNumbers`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MultiValue {
    /// The value.
    pub value: String,
    /// The kind (`work`, `home`, `mobile`).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Whether this is the primary value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
}

/// A reference to a manager (enterprise extension).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Manager {
    /// The manager's id in the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The manager's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

/// The SCIM enterprise User extension (RFC 7643 §4.3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnterpriseUser {
    /// Employee number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_number: Option<String>,
    /// Cost centre.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_center: Option<String>,
    /// Organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// Division.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division: Option<String>,
    /// Department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<Manager>,
}

impl EnterpriseUser {
    /// True when no attribute is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Resource metadata the server maintains.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    /// `User` or `Group`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Last modification time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// The resource's URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The resource's version (ETag).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}
