//! The names of the directory profile's values, as a people file's CSV headers and
//! `[directory.okta.attributes]` write them: a base profile field (`department`),
//! `status`, `groups`, `custom.NAME` (a text custom attribute) or `custom.NAME[]` (a
//! list custom attribute).

use connector_sdk::profile::{Field, FieldKind, PROFILE_FIELDS};

/// Where a value goes in the profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileColumn {
    /// A text field of the base profile.
    Text(Field),
    /// `status`.
    Status,
    /// The `groups` list.
    Groups,
    /// `custom.NAME`: a text custom attribute.
    CustomText(String),
    /// `custom.NAME[]`: a list custom attribute.
    CustomList(String),
}

impl ProfileColumn {
    /// The column named `name`, if it is one.
    pub fn parse(name: &str) -> Option<Self> {
        if let Some(field) = PROFILE_FIELDS.iter().find(|f| f.name == name) {
            return Some(match field.kind {
                FieldKind::Text | FieldKind::OptionalText => Self::Text(field.field),
                FieldKind::Status => Self::Status,
                FieldKind::List => Self::Groups,
            });
        }
        let custom = name.strip_prefix("custom.")?;
        let valid = |name: &str| {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        };
        match custom.strip_suffix("[]") {
            Some(name) if valid(name) => Some(Self::CustomList(name.to_owned())),
            None if valid(custom) => Some(Self::CustomText(custom.to_owned())),
            _ => None,
        }
    }

    /// The name it is written as (`department`, `custom.tags[]`).
    pub fn name(&self) -> String {
        match self {
            Self::Text(field) => field.name().to_owned(),
            Self::Status => "status".to_owned(),
            Self::Groups => "groups".to_owned(),
            Self::CustomText(name) => format!("custom.{name}"),
            Self::CustomList(name) => format!("custom.{name}[]"),
        }
    }

    /// Whether it holds a list (`groups`, `custom.NAME[]`) rather than text.
    pub fn is_list(&self) -> bool {
        matches!(self, Self::Groups | Self::CustomList(_))
    }
}

/// The text columns (every base profile field but the `groups` list), named as the
/// `Identity` fields.
pub(crate) fn text_columns() -> impl Iterator<Item = &'static str> {
    PROFILE_FIELDS
        .iter()
        .filter(|f| f.kind != FieldKind::List)
        .map(|f| f.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_print_back() {
        for name in [
            "department",
            "status",
            "groups",
            "custom.start_date",
            "custom.tags[]",
        ] {
            let column = ProfileColumn::parse(name).unwrap();
            assert_eq!(column.name(), name);
        }
        assert!(ProfileColumn::parse("custom.tags[]").unwrap().is_list());
        assert!(!ProfileColumn::parse("custom.start_date").unwrap().is_list());
        for bad in [
            "",
            "departmnt",
            "custom.",
            "custom.a-b",
            "custom.[]",
            "custom.x[][]",
        ] {
            assert_eq!(ProfileColumn::parse(bad), None, "{bad}");
        }
    }
}
