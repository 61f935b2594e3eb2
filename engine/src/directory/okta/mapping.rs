//! Okta's JSON to the engine's shapes: a user to an [`Identity`], a group to a [`Group`].

use connector_sdk::profile::Field;
use connector_sdk::{CustomValue, Identity, IdentityStatus};
use serde_json::Value;

use super::super::model::Group;
use super::super::profile_column::ProfileColumn;

/// The profile of an Okta user as an [`Identity`]; `Ok(None)` without `id`, `login` or
/// `email`.
///
/// `SUSPENDED` and `DEPROVISIONED` keep their meaning; every other status (`ACTIVE`,
/// `STAGED`, `PROVISIONED`, `RECOVERY`, `LOCKED_OUT`, `PASSWORD_EXPIRED`) is an active
/// person, who may sign in once set up.
///
/// `attributes` (`[directory.okta.attributes]`) fill profile values from other profile
/// attributes: a base field from the attribute named instead of its default one, a custom
/// attribute from the attribute named. A mapped attribute holding the wrong kind of value
/// (a list for text, text for a list, an object) is an error naming the user and both
/// ends; text may be a string, a number or a boolean (written as JSON writes them).
pub(super) fn identity(
    user: &Value,
    attributes: &[(String, ProfileColumn)],
) -> Result<Option<Identity>, String> {
    let Some(profile) = user.get("profile") else {
        return Ok(None);
    };
    let mapped_to = |field: Field| {
        attributes
            .iter()
            .find(|(_, column)| *column == ProfileColumn::Text(field))
            .map(|(okta, _)| okta.as_str())
    };
    let text = |field: Field, default: &str| -> Result<Option<String>, String> {
        match mapped_to(field) {
            Some(okta) => mapped_text(user, profile, okta, &ProfileColumn::Text(field)),
            None => Ok(plain_text(profile, default)),
        }
    };
    let status = match user.get("status").and_then(Value::as_str) {
        Some("SUSPENDED") => IdentityStatus::Suspended,
        Some("DEPROVISIONED") => IdentityStatus::Deprovisioned,
        _ => IdentityStatus::Active,
    };
    let Some(id) = user.get("id").and_then(Value::as_str) else {
        return Ok(None);
    };
    let (Some(login), Some(email)) = (text(Field::Login, "login")?, text(Field::Email, "email")?)
    else {
        return Ok(None);
    };
    let phone = match text(Field::Phone, "primaryPhone")? {
        Some(phone) => Some(phone),
        None if mapped_to(Field::Phone).is_none() => plain_text(profile, "mobilePhone"),
        None => None,
    };
    let mut person = Identity {
        id: id.to_owned(),
        login,
        email,
        first_name: text(Field::FirstName, "firstName")?,
        last_name: text(Field::LastName, "lastName")?,
        display_name: text(Field::DisplayName, "displayName")?,
        department: text(Field::Department, "department")?,
        title: text(Field::Title, "title")?,
        manager: text(Field::Manager, "manager")?,
        employee_number: text(Field::EmployeeNumber, "employeeNumber")?,
        cost_center: text(Field::CostCenter, "costCenter")?,
        organization: text(Field::Organization, "organization")?,
        division: text(Field::Division, "division")?,
        locale: text(Field::Locale, "locale")?,
        preferred_language: text(Field::PreferredLanguage, "preferredLanguage")?,
        timezone: text(Field::Timezone, "timezone")?,
        phone,
        status,
        ..Identity::default()
    };
    for (okta, column) in attributes {
        match column {
            ProfileColumn::CustomText(name) => {
                if let Some(value) = mapped_text(user, profile, okta, column)? {
                    person.custom.insert(name.clone(), CustomValue::Text(value));
                }
            }
            ProfileColumn::CustomList(name) => {
                if let Some(items) = mapped_list(user, profile, okta, column)? {
                    person.custom.insert(name.clone(), CustomValue::List(items));
                }
            }
            // Base fields were read above; `status` and `groups` are refused at load.
            ProfileColumn::Text(_) | ProfileColumn::Status | ProfileColumn::Groups => {}
        }
    }
    Ok(Some(person))
}

/// The non-blank string at `profile[name]`, if any (the default attributes).
fn plain_text(profile: &Value, name: &str) -> Option<String> {
    profile
        .get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_owned)
}

/// The text of the mapped attribute `okta` (absent when missing, null or blank).
fn mapped_text(
    user: &Value,
    profile: &Value,
    okta: &str,
    column: &ProfileColumn,
) -> Result<Option<String>, String> {
    match profile.get(okta) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone()).filter(|t| !t.trim().is_empty())),
        Some(value @ (Value::Number(_) | Value::Bool(_))) => Ok(Some(value.to_string())),
        Some(other) => Err(wrong_kind(user, okta, other, column)),
    }
}

/// The items of the mapped list attribute `okta` (absent when missing or null).
fn mapped_list(
    user: &Value,
    profile: &Value,
    okta: &str,
    column: &ProfileColumn,
) -> Result<Option<Vec<String>>, String> {
    match profile.get(okta) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(text) => Ok(text.clone()),
                Value::Number(_) | Value::Bool(_) => Ok(item.to_string()),
                other => Err(wrong_kind(user, okta, other, column)),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|items| Some(items.into_iter().filter(|t| !t.trim().is_empty()).collect())),
        Some(other) => Err(wrong_kind(user, okta, other, column)),
    }
}

/// The error of a mapped attribute holding the wrong kind of value.
fn wrong_kind(user: &Value, okta: &str, value: &Value, column: &ProfileColumn) -> String {
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    };
    let login = user
        .pointer("/profile/login")
        .and_then(Value::as_str)
        .unwrap_or("(no login)");
    format!(
        "Okta user `{}` ({login}): profile attribute `{okta}` holds {kind}, but \
         [directory.okta.attributes] reads it into `{}`, which is {}",
        id(user).unwrap_or("(no id)"),
        column.name(),
        if column.is_list() { "a list" } else { "text" },
    )
}

/// The id of an Okta object (user, group, app, assignment).
pub(super) fn id(object: &Value) -> Option<&str> {
    object.get("id").and_then(Value::as_str)
}

/// An Okta group (its `profile.name`, else its id) with `members`.
pub(super) fn group(group: &Value, members: Vec<String>) -> Group {
    let profile = group.get("profile");
    let text = |name: &str| {
        profile
            .and_then(|p| p.get(name))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    Group {
        name: text("name")
            .or_else(|| id(group))
            .unwrap_or_default()
            .to_owned(),
        description: text("description").map(str::to_owned),
        members,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn okta_users_map_to_identities() {
        let user = json!({
            "id": "00u1", "status": "SUSPENDED",
            "profile": {"login": "ada@x.io", "email": "ada@x.io", "firstName": "Ada",
                        "lastName": null, "mobilePhone": "+1555", "title": ""}
        });
        let person = identity(&user, &[]).unwrap().unwrap();
        assert_eq!(person.status, IdentityStatus::Suspended);
        assert_eq!(person.first_name.as_deref(), Some("Ada"));
        assert_eq!(person.last_name, None);
        assert_eq!(person.title, None);
        assert_eq!(person.phone.as_deref(), Some("+1555"));
        let staged =
            json!({"id": "00u2", "status": "STAGED", "profile": {"login": "b", "email": "b"}});
        assert_eq!(
            identity(&staged, &[]).unwrap().unwrap().status,
            IdentityStatus::Active
        );
        assert!(
            identity(&json!({"id": "00u3", "profile": {"login": "c"}}), &[])
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn groups_are_named_by_profile() {
        let named = group(
            &json!({"id": "00g1", "profile": {"name": "eng", "description": ""}}),
            vec!["00u1".into()],
        );
        assert_eq!((named.name.as_str(), named.description), ("eng", None));
        assert_eq!(group(&json!({"id": "00g2"}), Vec::new()).name, "00g2");
    }

    fn attributes(rows: &[(&str, &str)]) -> Vec<(String, ProfileColumn)> {
        rows.iter()
            .map(|(okta, to)| ((*okta).to_owned(), ProfileColumn::parse(to).unwrap()))
            .collect()
    }

    #[test]
    fn mapped_attributes_fill_custom_and_base_values() {
        let user = json!({"id": "00u1", "profile": {
            "login": "ada@x.io", "email": "ada@x.io", "employeeNumber": "E1",
            "employeeId": "W-7", "startDate": "2026-01-05", "countryCode": "FR",
            "seniority": 3, "skills": ["rust", "", 2], "empty": null}});
        let table = attributes(&[
            ("countryCode", "custom.usage_location"),
            ("startDate", "custom.start_date"),
            ("seniority", "custom.seniority"),
            ("skills", "custom.skills[]"),
            ("empty", "custom.nothing"),
            ("employeeId", "employee_number"),
            ("missing", "department"),
        ]);
        let person = identity(&user, &table).unwrap().unwrap();
        let custom = |name: &str| person.custom.get(name).cloned();
        assert_eq!(
            custom("usage_location"),
            Some(CustomValue::Text("FR".into()))
        );
        assert_eq!(
            custom("start_date"),
            Some(CustomValue::Text("2026-01-05".into()))
        );
        assert_eq!(custom("seniority"), Some(CustomValue::Text("3".into())));
        assert_eq!(
            custom("skills"),
            Some(CustomValue::List(vec!["rust".into(), "2".into()]))
        );
        assert_eq!(custom("nothing"), None);
        // A base field read from another attribute takes only that attribute's value.
        assert_eq!(person.employee_number.as_deref(), Some("W-7"));
        assert_eq!(person.department, None);
    }

    #[test]
    fn a_mapped_attribute_of_the_wrong_kind_is_an_error_naming_both_ends() {
        let user = json!({"id": "00u9", "profile": {
            "login": "bo@x.io", "email": "bo@x.io", "startDate": ["2026"], "tags": "a",
            "extra": {"nested": true}}});
        for (okta, to, kind, expected) in [
            ("startDate", "custom.start_date", "a list", "text"),
            ("tags", "custom.tags[]", "text", "a list"),
            ("extra", "title", "an object", "text"),
        ] {
            let error = identity(&user, &attributes(&[(okta, to)])).unwrap_err();
            assert_eq!(
                error,
                format!(
                    "Okta user `00u9` (bo@x.io): profile attribute `{okta}` holds {kind}, but \
                     [directory.okta.attributes] reads it into `{to}`, which is {expected}"
                )
            );
        }
    }
}
