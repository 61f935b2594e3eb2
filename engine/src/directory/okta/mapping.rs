//! Okta's JSON to the engine's shapes: a user to an [`Identity`], a group to a [`Group`].

use connector_sdk::{Identity, IdentityStatus};
use serde_json::Value;

use super::super::model::Group;

/// The profile of an Okta user as an [`Identity`]; `None` without `id`, `login` or `email`.
///
/// `SUSPENDED` and `DEPROVISIONED` keep their meaning; every other status (`ACTIVE`,
/// `STAGED`, `PROVISIONED`, `RECOVERY`, `LOCKED_OUT`, `PASSWORD_EXPIRED`) is an active
/// person, who may sign in once set up.
pub(super) fn identity(user: &Value) -> Option<Identity> {
    let profile = user.get("profile")?;
    let text = |name: &str| {
        profile
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_owned)
    };
    let status = match user.get("status").and_then(Value::as_str) {
        Some("SUSPENDED") => IdentityStatus::Suspended,
        Some("DEPROVISIONED") => IdentityStatus::Deprovisioned,
        _ => IdentityStatus::Active,
    };
    Some(Identity {
        id: user.get("id")?.as_str()?.to_owned(),
        login: text("login")?,
        email: text("email")?,
        first_name: text("firstName"),
        last_name: text("lastName"),
        display_name: text("displayName"),
        department: text("department"),
        title: text("title"),
        manager: text("manager"),
        employee_number: text("employeeNumber"),
        cost_center: text("costCenter"),
        organization: text("organization"),
        division: text("division"),
        locale: text("locale"),
        preferred_language: text("preferredLanguage"),
        timezone: text("timezone"),
        phone: text("primaryPhone").or_else(|| text("mobilePhone")),
        status,
        ..Identity::default()
    })
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
        let person = identity(&user).unwrap();
        assert_eq!(person.status, IdentityStatus::Suspended);
        assert_eq!(person.first_name.as_deref(), Some("Ada"));
        assert_eq!(person.last_name, None);
        assert_eq!(person.title, None);
        assert_eq!(person.phone.as_deref(), Some("+1555"));
        let staged =
            json!({"id": "00u2", "status": "STAGED", "profile": {"login": "b", "email": "b"}});
        assert_eq!(identity(&staged).unwrap().status, IdentityStatus::Active);
        assert!(identity(&json!({"id": "00u3", "profile": {"login": "c"}})).is_none());
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
}
