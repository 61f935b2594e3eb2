//! The directory profile fields mappings may read.
//!
//! Mirrors `connector_sdk::Identity`; a test in connector-sdk keeps the two in step, and
//! generated code reads the struct's fields by these names, so a drift fails the build.

/// How a profile field's value behaves in a mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// One field of the directory profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProfileField {
    /// The name mappings use, which is also the `Identity` field name.
    pub name: &'static str,
    /// How the value behaves.
    pub kind: FieldKind,
}

const fn field(name: &'static str, kind: FieldKind) -> ProfileField {
    ProfileField { name, kind }
}

/// Every field of the base profile, in `Identity` order.
pub const PROFILE_FIELDS: &[ProfileField] = &[
    field("id", FieldKind::Text),
    field("login", FieldKind::Text),
    field("email", FieldKind::Text),
    field("first_name", FieldKind::OptionalText),
    field("last_name", FieldKind::OptionalText),
    field("display_name", FieldKind::OptionalText),
    field("department", FieldKind::OptionalText),
    field("title", FieldKind::OptionalText),
    field("manager", FieldKind::OptionalText),
    field("employee_number", FieldKind::OptionalText),
    field("cost_center", FieldKind::OptionalText),
    field("organization", FieldKind::OptionalText),
    field("division", FieldKind::OptionalText),
    field("locale", FieldKind::OptionalText),
    field("preferred_language", FieldKind::OptionalText),
    field("timezone", FieldKind::OptionalText),
    field("phone", FieldKind::OptionalText),
    field("status", FieldKind::Status),
    field("groups", FieldKind::List),
];

/// The base profile field named `name`.
pub fn profile_field(name: &str) -> Option<&'static ProfileField> {
    PROFILE_FIELDS.iter().find(|f| f.name == name)
}
