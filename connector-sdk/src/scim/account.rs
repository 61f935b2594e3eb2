//! Reading any service's SCIM User as an [`Account`].

use serde_json::Value;

use super::path::value_at;
use crate::connector::Account;
use crate::manifest::{LicenseMode, LicenseSku, Manifest};

/// The [`Account`] a SCIM User describes, whatever the service's User type.
///
/// `id` is required (a string, or a number servers sometimes send); `userName` is empty
/// when absent; `active` is true when absent; `email` is the primary `emails` value, else
/// the first; `licenses` names the SKUs the User visibly holds: attribute-mode SKUs whose
/// attribute equals their `assign` value, and group-mode SKUs whose group is listed in
/// the User's `groups`. The error says what is wrong.
pub fn account_from_json(manifest: &Manifest, json: Value) -> Result<Account, String> {
    if !json.is_object() {
        return Err("a User must be a JSON object".to_owned());
    }
    let id = match json.get("id") {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        Some(Value::Number(id)) => id.to_string(),
        _ => return Err("the User has no `id`".to_owned()),
    };
    let text = |name: &str| {
        value_at(&json, name)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let active = match value_at(&json, "active") {
        Some(Value::Bool(active)) => *active,
        Some(Value::String(active)) => !active.eq_ignore_ascii_case("false"),
        _ => true,
    };
    let licenses = manifest
        .licenses
        .iter()
        .filter(|sku| holds(&json, sku))
        .map(|sku| sku.name.to_owned())
        .collect();
    Ok(Account {
        id,
        user_name: text("userName").unwrap_or_default(),
        external_id: text("externalId"),
        email: primary_email(&json),
        display_name: text("displayName"),
        active,
        licenses,
        not_stored: Vec::new(),
        attributes: json,
        refused: Vec::new(),
    })
}

/// The primary `emails` value, else the first.
fn primary_email(json: &Value) -> Option<String> {
    let emails = value_at(json, "emails")?.as_array()?;
    let is_primary = |email: &&Value| {
        matches!(email.get("primary"), Some(Value::Bool(true)))
            || email
                .get("primary")
                .and_then(Value::as_str)
                .is_some_and(|p| p.eq_ignore_ascii_case("true"))
    };
    emails
        .iter()
        .find(is_primary)
        .or_else(|| emails.first())
        .and_then(|email| email.get("value"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// Whether the User visibly holds `sku`.
fn holds(json: &Value, sku: &LicenseSku) -> bool {
    match sku.mode {
        LicenseMode::Attribute => sku.attribute.as_ref().is_some_and(|attribute| {
            let assigned = serde_json::from_str::<Value>(attribute.assign).ok();
            assigned.is_some() && value_at(json, attribute.path) == assigned.as_ref()
        }),
        LicenseMode::Group => sku.group.is_some_and(|group| {
            value_at(json, "groups")
                .and_then(Value::as_array)
                .is_some_and(|groups| {
                    groups.iter().any(|g| {
                        g.get("display")
                            .and_then(Value::as_str)
                            .is_some_and(|name| name.to_lowercase() == group.to_lowercase())
                    })
                })
        }),
        LicenseMode::Automatic | LicenseMode::Api | LicenseMode::Manual => false,
    }
}
