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

/// Declares [`Field`] and [`PROFILE_FIELDS`] from one table.
macro_rules! profile {
    ($($variant:ident $name:literal $kind:ident $okta:expr;)*) => {
        /// A field of the base directory profile.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Field {
            $(#[doc = concat!("`", $name, "`")] $variant,)*
        }

        /// Every field of the base profile, in `Identity` order (and [`Field`] order).
        pub const PROFILE_FIELDS: [ProfileField; [$($name),*].len()] = [$(ProfileField {
            field: Field::$variant, name: $name, kind: FieldKind::$kind, okta: $okta,
        },)*];
    };
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

profile! {
    Id "id" Text Some("user.getInternalProperty(\"id\")");
    Login "login" Text Some("user.login");
    Email "email" Text Some("user.email");
    FirstName "first_name" OptionalText Some("user.firstName");
    LastName "last_name" OptionalText Some("user.lastName");
    DisplayName "display_name" OptionalText Some("user.displayName");
    Department "department" OptionalText Some("user.department");
    Title "title" OptionalText Some("user.title");
    Manager "manager" OptionalText Some("user.manager");
    EmployeeNumber "employee_number" OptionalText Some("user.employeeNumber");
    CostCenter "cost_center" OptionalText Some("user.costCenter");
    Organization "organization" OptionalText Some("user.organization");
    Division "division" OptionalText Some("user.division");
    Locale "locale" OptionalText Some("user.locale");
    PreferredLanguage "preferred_language" OptionalText Some("user.preferredLanguage");
    Timezone "timezone" OptionalText Some("user.timezone");
    Phone "phone" OptionalText Some("user.primaryPhone");
    Status "status" Status Some("user.getInternalProperty(\"status\")");
    Groups "groups" List None;
}

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
