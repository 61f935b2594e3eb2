//! Okta's JSON objects as the org stores them (without `_links`, added when served):
//! a user from a person or from Okta's create-user JSON, an `OKTA_GROUP`, an app.

use connector_sdk::{CustomValue, Identity, IdentityStatus};
use serde_json::{Map, Value, json};

use crate::scim::value::now_rfc3339;

/// Okta's status for a person's directory status.
fn status(person: &Identity) -> &'static str {
    match person.status {
        IdentityStatus::Active => "ACTIVE",
        IdentityStatus::Suspended => "SUSPENDED",
        IdentityStatus::Deprovisioned => "DEPROVISIONED",
    }
}

/// An Okta user for a person: the default profile's attributes, custom ones as given.
pub(super) fn user_json(id: &str, person: &Identity) -> Map<String, Value> {
    let mut profile = Map::new();
    let mut put = |name: &str, value: Option<&String>| {
        profile.insert(name.to_owned(), value.map_or(Value::Null, |v| json!(v)));
    };
    put("login", Some(&person.login));
    put("email", Some(&person.email));
    put("firstName", person.first_name.as_ref());
    put("lastName", person.last_name.as_ref());
    put("displayName", person.display_name.as_ref());
    put("title", person.title.as_ref());
    put("department", person.department.as_ref());
    put("manager", person.manager.as_ref());
    put("employeeNumber", person.employee_number.as_ref());
    put("costCenter", person.cost_center.as_ref());
    put("organization", person.organization.as_ref());
    put("division", person.division.as_ref());
    put("locale", person.locale.as_ref());
    put("preferredLanguage", person.preferred_language.as_ref());
    put("timezone", person.timezone.as_ref());
    put("primaryPhone", person.phone.as_ref());
    put("mobilePhone", None);
    put("secondEmail", None);
    for (name, value) in &person.custom {
        let value = match value {
            CustomValue::Text(text) => json!(text),
            CustomValue::List(items) => json!(items),
        };
        profile.insert(name.clone(), value);
    }
    stamped_user(id, status(person), profile)
}

/// An Okta user with `status` and `profile`, created now.
pub(super) fn stamped_user(
    id: &str,
    status: &str,
    profile: Map<String, Value>,
) -> Map<String, Value> {
    let now = now_rfc3339();
    let activated = if matches!(status, "STAGED" | "PROVISIONED") {
        Value::Null
    } else {
        json!(now)
    };
    let user = json!({
        "id": id,
        "status": status,
        "created": now,
        "activated": activated,
        "statusChanged": now,
        "lastLogin": null,
        "lastUpdated": now,
        "passwordChanged": null,
        "type": {"id": "otysbx00000000000001"},
        "profile": profile,
        "credentials": {"provider": {"type": "OKTA", "name": "OKTA"}},
    });
    user.as_object().cloned().unwrap_or_default()
}

/// An `OKTA_GROUP`.
pub(super) fn group_json(id: &str, name: &str, description: &str) -> Map<String, Value> {
    let now = now_rfc3339();
    let group = json!({
        "id": id,
        "created": now,
        "lastUpdated": now,
        "lastMembershipUpdated": now,
        "objectClass": ["okta:user_group"],
        "type": "OKTA_GROUP",
        "profile": {"name": name, "description": description},
    });
    group.as_object().cloned().unwrap_or_default()
}

/// An active SAML app.
pub(super) fn app_json(id: &str, label: &str, name: &str) -> Map<String, Value> {
    let now = now_rfc3339();
    let app = json!({
        "id": id,
        "name": name,
        "label": label,
        "status": "ACTIVE",
        "created": now,
        "lastUpdated": now,
        "signOnMode": "SAML_2_0",
        "features": [],
        "visibility": {"autoSubmitToolbar": false, "hide": {"iOS": false, "web": false}},
    });
    app.as_object().cloned().unwrap_or_default()
}
