//! Reading a REST account's JSON as an [`Account`], by the manifest's pointers, and
//! keeping its sensitive attributes out of sight.

use serde_json::Value;

use super::json;
use crate::connector::Account;
use crate::manifest::{AccountPointers, Manifest};
use crate::secret::Secret;

/// The [`Account`] a REST account's JSON describes, by the manifest's
/// [`AccountPointers`].
///
/// `id` is required (a string, or a number); `user_name` is empty when absent; `active`
/// is whether the value at the `active` pointer equals `active_equals` (strings compare
/// ignoring case), and true when the service left the value out. The manifest's
/// `sensitive` attributes are removed from `attributes`. The error says what is wrong.
pub fn account_from_json(manifest: &Manifest, mut json: Value) -> Result<Account, String> {
    let pointers = pointers(manifest)?;
    if !json.is_object() {
        return Err("an account must be a JSON object".to_owned());
    }
    let id = json::text_at(&json, pointers.id)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| format!("the account has no id at `{}`", pointers.id))?;
    let optional = |pointer: Option<&str>| pointer.and_then(|p| json::text_at(&json, p));
    let active = match json::at(&json, pointers.active) {
        None => true,
        Some(value) => is_active(value, pointers.active_equals),
    };
    let account = Account {
        id,
        user_name: json::text_at(&json, pointers.user_name).unwrap_or_default(),
        external_id: None,
        email: optional(pointers.email),
        display_name: optional(pointers.display_name),
        active,
        licenses: Vec::new(),
        not_stored: Vec::new(),
        attributes: Value::Null,
        refused: Vec::new(),
    };
    for attribute in manifest.attributes.iter().filter(|a| a.sensitive) {
        json::remove_dotted(&mut json, attribute.path);
    }
    Ok(Account {
        attributes: json,
        ..account
    })
}

/// The manifest's account pointers; the error says the manifest has none.
pub(crate) fn pointers(manifest: &Manifest) -> Result<&AccountPointers, String> {
    manifest
        .provisioning
        .rest
        .as_ref()
        .and_then(|rest| rest.account.as_ref())
        .ok_or_else(|| format!("the {} manifest declares no `rest.account`", manifest.name))
}

/// Whether `value` is the JSON `active_equals` stands for.
fn is_active(value: &Value, active_equals: &str) -> bool {
    match serde_json::from_str::<Value>(active_equals) {
        Ok(Value::String(wanted)) => value
            .as_str()
            .is_some_and(|have| have.eq_ignore_ascii_case(&wanted)),
        Ok(wanted) => *value == wanted,
        // Not JSON: the text itself.
        Err(_) => json::text(value).is_some_and(|have| have.eq_ignore_ascii_case(active_equals)),
    }
}

/// The values of `json`'s sensitive attributes, to keep out of errors and logs.
pub(crate) fn sensitive_values(manifest: &Manifest, json: &Value) -> Vec<Secret> {
    manifest
        .attributes
        .iter()
        .filter(|a| a.sensitive)
        .filter_map(|a| json::dotted(json, a.path).and_then(json::text))
        .filter(|text| !text.is_empty())
        .map(Secret::new)
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn active_values() {
        assert!(is_active(&json!(false), "false"));
        assert!(!is_active(&json!(true), "false"));
        assert!(is_active(&json!("Active"), "\"active\""));
        assert!(!is_active(&json!("inactive"), "\"active\""));
        assert!(is_active(&json!(1), "1"));
        assert!(is_active(&json!("enabled"), "enabled"));
    }
}
