//! The directory profile's fields, once: the names mappings use (which are also the SDK
//! `Identity` field names and the CSV columns), how each value behaves, and the Okta
//! user-profile expression it corresponds to.

/// How a profile field's value behaves in a mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldKind {
    /// Always present text (`email`).
    Text,
    /// Text the directory may not have (`department`).
    OptionalText,
    /// The person's status, read as `active`, `suspended` or `deprovisioned`.
    Status,
    /// A list of text values (`groups`); usable through `join`.
    List,
}

/// A field of the base directory profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// `id`
    Id,
    /// `login`
    Login,
    /// `email`
    Email,
    /// `first_name`
    FirstName,
    /// `last_name`
    LastName,
    /// `display_name`
    DisplayName,
    /// `department`
    Department,
    /// `title`
    Title,
    /// `manager`
    Manager,
    /// `employee_number`
    EmployeeNumber,
    /// `cost_center`
    CostCenter,
    /// `organization`
    Organization,
    /// `division`
    Division,
    /// `locale`
    Locale,
    /// `preferred_language`
    PreferredLanguage,
    /// `timezone`
    Timezone,
    /// `phone`
    Phone,
    /// `status`
    Status,
    /// `groups`
    Groups,
}

/// One row of the profile table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProfileField {
    /// The field.
    pub field: Field,
    /// The name mappings use, which is also the `Identity` field name.
    pub name: &'static str,
    /// How the value behaves.
    pub kind: FieldKind,
    /// The Okta Expression Language read of the matching Okta user-profile attribute
    /// (`None` for `groups`, which Okta sends only as a group attribute statement).
    pub okta: Option<&'static str>,
}

const fn row(
    field: Field,
    name: &'static str,
    kind: FieldKind,
    okta: &'static str,
) -> ProfileField {
    let okta = if okta.is_empty() { None } else { Some(okta) };
    ProfileField {
        field,
        name,
        kind,
        okta,
    }
}

use Field as F;
use FieldKind as K;

/// Every field of the base profile, in `Identity` order (and [`Field`] order).
pub const PROFILE_FIELDS: [ProfileField; 19] = [
    row(F::Id, "id", K::Text, "user.getInternalProperty(\"id\")"),
    row(F::Login, "login", K::Text, "user.login"),
    row(F::Email, "email", K::Text, "user.email"),
    row(
        F::FirstName,
        "first_name",
        K::OptionalText,
        "user.firstName",
    ),
    row(F::LastName, "last_name", K::OptionalText, "user.lastName"),
    row(
        F::DisplayName,
        "display_name",
        K::OptionalText,
        "user.displayName",
    ),
    row(
        F::Department,
        "department",
        K::OptionalText,
        "user.department",
    ),
    row(F::Title, "title", K::OptionalText, "user.title"),
    row(F::Manager, "manager", K::OptionalText, "user.manager"),
    row(
        F::EmployeeNumber,
        "employee_number",
        K::OptionalText,
        "user.employeeNumber",
    ),
    row(
        F::CostCenter,
        "cost_center",
        K::OptionalText,
        "user.costCenter",
    ),
    row(
        F::Organization,
        "organization",
        K::OptionalText,
        "user.organization",
    ),
    row(F::Division, "division", K::OptionalText, "user.division"),
    row(F::Locale, "locale", K::OptionalText, "user.locale"),
    row(
        F::PreferredLanguage,
        "preferred_language",
        K::OptionalText,
        "user.preferredLanguage",
    ),
    row(F::Timezone, "timezone", K::OptionalText, "user.timezone"),
    row(F::Phone, "phone", K::OptionalText, "user.primaryPhone"),
    row(
        F::Status,
        "status",
        K::Status,
        "user.getInternalProperty(\"status\")",
    ),
    row(F::Groups, "groups", K::List, ""),
];

impl Field {
    /// The field's row of [`PROFILE_FIELDS`].
    pub const fn info(self) -> &'static ProfileField {
        &PROFILE_FIELDS[self as usize]
    }

    /// The name mappings use (`employee_number`).
    pub const fn name(self) -> &'static str {
        self.info().name
    }

    /// How the value behaves.
    pub const fn kind(self) -> FieldKind {
        self.info().kind
    }

    /// The field named `name`, if the base profile has one.
    pub fn named(name: &str) -> Option<Self> {
        PROFILE_FIELDS
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.field)
    }
}

/// The base profile field named `name`.
pub fn profile_field(name: &str) -> Option<&'static ProfileField> {
    Field::named(name).map(Field::info)
}

/// A profile value as mappings see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldValue<'a> {
    /// Text, or `None` when the person has none.
    Text(Option<&'a str>),
    /// A list (empty when the person has none).
    List(&'a [String]),
}

/// A person record templates can read (the SDK's `Identity`).
pub trait Profile {
    /// The value of a base profile field.
    fn get(&self, field: Field) -> FieldValue<'_>;
    /// The value of the custom attribute `name` (`Text(None)` when the person has none).
    fn custom(&self, name: &str) -> FieldValue<'_>;
    /// A fresh random credential, for `random_secret()`.
    fn random_secret(&self) -> String;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_field_order() {
        for (i, row) in PROFILE_FIELDS.iter().enumerate() {
            assert_eq!(row.field as usize, i, "{}", row.name);
            assert_eq!(Field::named(row.name), Some(row.field));
        }
        assert_eq!(Field::EmployeeNumber.name(), "employee_number");
        assert_eq!(Field::Groups.kind(), FieldKind::List);
        assert_eq!(profile_field("nope"), None);
    }
}
