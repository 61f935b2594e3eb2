//! The SCIM User attributes a mapping key may name (RFC 7643 §4.1 and §4.3), and how
//! vendor extension attributes are addressed (`<alias>.<attribute>`).

use std::collections::BTreeMap;

use crate::spec::model::ScimType;

/// SCIM core `name` sub-attributes: (SCIM name, Rust field of `connector_sdk::scim::Name`).
pub const NAME_PARTS: &[(&str, &str)] = &[
    ("formatted", "formatted"),
    ("familyName", "family_name"),
    ("givenName", "given_name"),
    ("middleName", "middle_name"),
    ("honorificPrefix", "honorific_prefix"),
    ("honorificSuffix", "honorific_suffix"),
];

/// SCIM core single-valued string attributes: (SCIM name, Rust field).
pub const CORE_SIMPLE: &[(&str, &str)] = &[
    ("userName", "user_name"),
    ("externalId", "external_id"),
    ("displayName", "display_name"),
    ("nickName", "nick_name"),
    ("profileUrl", "profile_url"),
    ("title", "title"),
    ("userType", "user_type"),
    ("preferredLanguage", "preferred_language"),
    ("locale", "locale"),
    ("timezone", "timezone"),
];

/// Multi-valued attributes and the `type` values a key may name.
pub const MULTI_VALUED: &[(&str, &str, &[&str])] = &[
    ("emails", "emails", &["work", "home", "other"]),
    (
        "phoneNumbers",
        "phone_numbers",
        &["work", "mobile", "home", "other"],
    ),
];

/// Enterprise extension attributes: (SCIM name, Rust field of `EnterpriseUser`).
pub const ENTERPRISE: &[(&str, &str)] = &[
    ("employeeNumber", "employee_number"),
    ("costCenter", "cost_center"),
    ("organization", "organization"),
    ("division", "division"),
    ("department", "department"),
    ("manager", "manager"),
];

/// The enterprise extension's URN.
pub const ENTERPRISE_URN: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// What a mapping key addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A core single-valued string attribute.
    Simple {
        /// SCIM name.
        scim: &'static str,
        /// Rust field.
        field: &'static str,
    },
    /// A `name` sub-attribute.
    Name {
        /// SCIM sub-attribute name.
        scim: &'static str,
        /// Rust field of `Name`.
        field: &'static str,
    },
    /// One typed value of a multi-valued attribute (`emails.work`).
    Multi {
        /// SCIM attribute (`emails`).
        scim: &'static str,
        /// Rust field (`emails`).
        field: &'static str,
        /// The `type` value (`work`).
        kind: String,
    },
    /// An enterprise extension attribute.
    Enterprise {
        /// SCIM name.
        scim: &'static str,
        /// Rust field of `EnterpriseUser`.
        field: &'static str,
    },
    /// An attribute of a REST account, by dotted path (`name.givenName`).
    Rest {
        /// The dotted path.
        path: String,
        /// Its type.
        kind: ScimType,
    },
    /// A vendor extension attribute.
    Extension {
        /// The extension's alias.
        alias: String,
        /// The extension's URN.
        urn: String,
        /// SCIM attribute name.
        scim: String,
        /// Its type.
        kind: ScimType,
    },
}

impl Target {
    /// The attribute's SCIM type.
    pub fn kind(&self) -> ScimType {
        match self {
            Self::Extension { kind, .. } | Self::Rest { kind, .. } => *kind,
            _ => ScimType::String,
        }
    }

    /// The path in PATCH form (`name.givenName`, `emails`, `urn:...:User:department`).
    pub fn patch_path(&self) -> String {
        match self {
            Self::Simple { scim, .. } => (*scim).to_owned(),
            Self::Name { scim, .. } => format!("name.{scim}"),
            Self::Multi { scim, .. } => (*scim).to_owned(),
            Self::Enterprise { scim, .. } => format!("{ENTERPRISE_URN}:{scim}"),
            Self::Extension { urn, scim, .. } => format!("{urn}:{scim}"),
            Self::Rest { path, .. } => path.clone(),
        }
    }

    /// The path as SCIM filters and documentation write it
    /// (`emails[type eq "work"].value`).
    pub fn display_path(&self) -> String {
        match self {
            Self::Multi { scim, kind, .. } => format!("{scim}[type eq \"{kind}\"].value"),
            Self::Enterprise {
                scim: "manager", ..
            } => format!("{ENTERPRISE_URN}:manager.value"),
            other => other.patch_path(),
        }
    }
}

/// A vendor extension as the resolver sees it: URN and attribute types.
pub struct ExtensionInfo {
    /// The URN.
    pub urn: String,
    /// Attribute types by SCIM name.
    pub attributes: BTreeMap<String, ScimType>,
}

/// Why a key could not be resolved, and the keys it might have meant.
pub struct Unresolved {
    /// The message.
    pub message: String,
    /// Close keys for `did you mean`.
    pub candidates: Vec<String>,
}

/// Resolves a mapping key such as `name.givenName`, `emails.work`,
/// `enterprise.department` or `zoom.userType`.
pub fn resolve_key(
    key: &str,
    extensions: &BTreeMap<String, ExtensionInfo>,
) -> Result<Target, Unresolved> {
    if key == "active" {
        return Err(Unresolved {
            message: "`active` is managed by the connector (disable/enable), not mapped".to_owned(),
            candidates: Vec::new(),
        });
    }
    if let Some((scim, field)) = CORE_SIMPLE.iter().find(|(s, _)| *s == key) {
        return Ok(Target::Simple { scim, field });
    }
    if let Some((head, rest)) = key.split_once('.') {
        if head == "name" {
            if let Some((scim, field)) = NAME_PARTS.iter().find(|(s, _)| *s == rest) {
                return Ok(Target::Name { scim, field });
            }
        } else if head == "enterprise" {
            if let Some((scim, field)) = ENTERPRISE.iter().find(|(s, _)| *s == rest) {
                return Ok(Target::Enterprise { scim, field });
            }
        } else if let Some((scim, field, kinds)) = MULTI_VALUED.iter().find(|(s, _, _)| *s == head)
        {
            if kinds.contains(&rest) {
                return Ok(Target::Multi {
                    scim,
                    field,
                    kind: rest.to_owned(),
                });
            }
        } else if let Some(ext) = extensions.get(head) {
            if let Some(kind) = ext.attributes.get(rest) {
                return Ok(Target::Extension {
                    alias: head.to_owned(),
                    urn: ext.urn.clone(),
                    scim: rest.to_owned(),
                    kind: *kind,
                });
            }
            return Err(Unresolved {
                message: format!("extension `{head}` declares no attribute `{rest}`"),
                candidates: ext
                    .attributes
                    .keys()
                    .map(|a| format!("{head}.{a}"))
                    .collect(),
            });
        }
    }
    Err(Unresolved {
        message: format!("mapping key `{key}` is not a SCIM User attribute this spec knows"),
        candidates: all_keys(extensions),
    })
}

/// Every key a mapping may use.
pub fn all_keys(extensions: &BTreeMap<String, ExtensionInfo>) -> Vec<String> {
    let mut keys: Vec<String> = CORE_SIMPLE.iter().map(|(s, _)| (*s).to_owned()).collect();
    keys.extend(NAME_PARTS.iter().map(|(s, _)| format!("name.{s}")));
    for (scim, _, kinds) in MULTI_VALUED {
        keys.extend(kinds.iter().map(|k| format!("{scim}.{k}")));
    }
    keys.extend(ENTERPRISE.iter().map(|(s, _)| format!("enterprise.{s}")));
    for (alias, ext) in extensions {
        keys.extend(ext.attributes.keys().map(|a| format!("{alias}.{a}")));
    }
    keys
}
