//! The directory profile: one typed person record that every connector's mapping reads.
//!
//! Modelled on an identity provider's base user profile (Okta's is the reference).
//! Codegen checks every `{field}` a spec's mapping names against the field table of
//! [`connector_model::profile`] — the same field list, read here through one exhaustive
//! match ([`Identity::get`]) and kept in step with the struct's serde names by a test.

use std::collections::BTreeMap;

use connector_model::profile::{Field, FieldValue, Profile};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A person as the directory (the identity provider) knows them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    /// The directory's stable, unique id for the person (Okta's user id, an HR number).
    pub id: String,
    /// The sign-in name in the directory, usually an email address.
    pub login: String,
    /// The primary work email address.
    pub email: String,
    /// Given (first) name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Family (last) name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Name to show, when the directory has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Job title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The manager's login or email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    /// Employee number from HR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_number: Option<String>,
    /// Cost centre.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_center: Option<String>,
    /// Organization (company or legal entity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// Division.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division: Option<String>,
    /// Locale, as a BCP 47 tag (`en-US`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Preferred language, as a BCP 47 tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_language: Option<String>,
    /// IANA time zone (`Europe/Paris`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Work phone number in E.164 form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Whether the person is active in the directory.
    #[serde(default)]
    pub status: IdentityStatus,
    /// Names of the directory groups the person belongs to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Named custom attributes (a spec declares the ones its mapping reads).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom: BTreeMap<String, CustomValue>,
}

/// A person's state in the directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IdentityStatus {
    /// Can sign in; should have accounts.
    #[default]
    Active,
    /// Temporarily blocked (leave, investigation); accounts are disabled, not removed.
    Suspended,
    /// Left the organisation; accounts are disabled and seats reclaimed.
    Deprovisioned,
}

impl IdentityStatus {
    /// The lowercase name used in mappings and output (`active`, `suspended`, `deprovisioned`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Deprovisioned => "deprovisioned",
        }
    }

    /// Whether the person should hold enabled accounts.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Active)
    }
}

/// The value of a custom directory attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum CustomValue {
    /// A single text value.
    Text(String),
    /// A list of text values.
    List(Vec<String>),
}

impl Identity {
    /// The value of a base profile field.
    pub fn get(&self, field: Field) -> FieldValue<'_> {
        match field {
            Field::Id => FieldValue::Text(Some(&self.id)),
            Field::Login => FieldValue::Text(Some(&self.login)),
            Field::Email => FieldValue::Text(Some(&self.email)),
            Field::FirstName => optional(&self.first_name),
            Field::LastName => optional(&self.last_name),
            Field::DisplayName => optional(&self.display_name),
            Field::Department => optional(&self.department),
            Field::Title => optional(&self.title),
            Field::Manager => optional(&self.manager),
            Field::EmployeeNumber => optional(&self.employee_number),
            Field::CostCenter => optional(&self.cost_center),
            Field::Organization => optional(&self.organization),
            Field::Division => optional(&self.division),
            Field::Locale => optional(&self.locale),
            Field::PreferredLanguage => optional(&self.preferred_language),
            Field::Timezone => optional(&self.timezone),
            Field::Phone => optional(&self.phone),
            Field::Status => FieldValue::Text(Some(self.status.as_str())),
            Field::Groups => FieldValue::List(&self.groups),
        }
    }

    /// Sets a text field of the base profile (a directory loader's column): `false`, and
    /// nothing set, for `status` and `groups`, which are not text.
    pub fn set_text(&mut self, field: Field, value: String) -> bool {
        let slot = match field {
            Field::Id => {
                self.id = value;
                return true;
            }
            Field::Login => {
                self.login = value;
                return true;
            }
            Field::Email => {
                self.email = value;
                return true;
            }
            Field::FirstName => &mut self.first_name,
            Field::LastName => &mut self.last_name,
            Field::DisplayName => &mut self.display_name,
            Field::Department => &mut self.department,
            Field::Title => &mut self.title,
            Field::Manager => &mut self.manager,
            Field::EmployeeNumber => &mut self.employee_number,
            Field::CostCenter => &mut self.cost_center,
            Field::Organization => &mut self.organization,
            Field::Division => &mut self.division,
            Field::Locale => &mut self.locale,
            Field::PreferredLanguage => &mut self.preferred_language,
            Field::Timezone => &mut self.timezone,
            Field::Phone => &mut self.phone,
            Field::Status | Field::Groups => return false,
        };
        *slot = Some(value);
        true
    }

    /// The value of the base profile field named `name` (`employee_number`), or `None`
    /// when the profile has no such field.
    pub fn field(&self, name: &str) -> Option<FieldValue<'_>> {
        Field::named(name).map(|field| self.get(field))
    }

    /// A custom text attribute, if the person has it.
    pub fn custom_text(&self, name: &str) -> Option<&str> {
        match self.custom.get(name) {
            Some(CustomValue::Text(text)) => Some(text),
            _ => None,
        }
    }

    /// A custom list attribute; empty when the person has none.
    pub fn custom_list(&self, name: &str) -> &[String] {
        match self.custom.get(name) {
            Some(CustomValue::List(items)) => items,
            _ => &[],
        }
    }
}

impl Profile for Identity {
    fn get(&self, field: Field) -> FieldValue<'_> {
        Identity::get(self, field)
    }

    fn custom(&self, name: &str) -> FieldValue<'_> {
        match self.custom.get(name) {
            Some(CustomValue::Text(text)) => FieldValue::Text(Some(text)),
            Some(CustomValue::List(items)) => FieldValue::List(items),
            None => FieldValue::Text(None),
        }
    }

    fn random_secret(&self) -> String {
        crate::mapping::random_secret()
    }
}

/// An optional text field's value.
fn optional(value: &Option<String>) -> FieldValue<'_> {
    FieldValue::Text(value.as_deref())
}
