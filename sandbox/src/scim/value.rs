//! Helpers over JSON resources: case-insensitive attribute names (RFC 7643 §2.1), the
//! multi-valued attributes of the core schemas, clean-up after writes, and timestamps.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

/// The multi-valued attributes of the core User and Group schemas.
const MULTI_VALUED: &[&str] = &[
    "emails",
    "phoneNumbers",
    "ims",
    "photos",
    "addresses",
    "groups",
    "entitlements",
    "roles",
    "x509Certificates",
    "members",
];

/// Whether `name` is a multi-valued core attribute.
pub(crate) fn is_multi_valued(name: &str) -> bool {
    MULTI_VALUED.iter().any(|m| m.eq_ignore_ascii_case(name))
}

/// The key of `object` that spells `name`, matched exactly, else ignoring ASCII case.
pub(crate) fn find_key(object: &Map<String, Value>, name: &str) -> Option<String> {
    if object.contains_key(name) {
        return Some(name.to_owned());
    }
    object
        .keys()
        .find(|k| k.eq_ignore_ascii_case(name))
        .cloned()
}

/// The value of `name` in `object`, ignoring case.
pub(crate) fn get_ci<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object.get(name).or_else(|| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// The mutable value of `name` in `object`, ignoring case.
pub(crate) fn get_ci_mut<'a>(
    object: &'a mut Map<String, Value>,
    name: &str,
) -> Option<&'a mut Value> {
    let key = find_key(object, name)?;
    object.get_mut(&key)
}

/// Removes `name` from `object`, ignoring case; returns the value it had.
pub(crate) fn remove_ci(object: &mut Map<String, Value>, name: &str) -> Option<Value> {
    let key = find_key(object, name)?;
    object.remove(&key)
}

/// Sets `name` in `object`, keeping the spelling already used.
pub(crate) fn set_ci(object: &mut Map<String, Value>, name: &str, value: Value) {
    let key = find_key(object, name).unwrap_or_else(|| name.to_owned());
    object.insert(key, value);
}

/// Removes `null`s, empty arrays and empty objects, recursively: RFC 7643 §2.5 treats
/// them all as unassigned.
pub(crate) fn prune(value: &mut Value) {
    match value {
        Value::Object(object) => {
            for item in object.values_mut() {
                prune(item);
            }
            object.retain(|_, v| !is_unassigned(v));
        }
        Value::Array(items) => {
            for item in items.iter_mut() {
                prune(item);
            }
            items.retain(|v| !is_unassigned(v));
        }
        _ => {}
    }
}

/// Whether `value` counts as unassigned (`null`, `[]` or `{}`).
pub(crate) fn is_unassigned(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(object) => object.is_empty(),
        _ => false,
    }
}

/// The current time as an RFC 3339 UTC timestamp with milliseconds.
pub(crate) fn now_rfc3339() -> String {
    let elapsed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    rfc3339(elapsed.as_secs(), elapsed.subsec_millis())
}

/// `seconds` since the Unix epoch (plus `millis`) as `YYYY-MM-DDThh:mm:ss.sssZ`.
pub(crate) fn rfc3339(seconds: u64, millis: u32) -> String {
    let days = seconds / 86_400;
    let rest = seconds % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn formats_timestamps() {
        assert_eq!(rfc3339(0, 0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(951_782_400, 5), "2000-02-29T00:00:00.005Z");
        assert_eq!(rfc3339(1_767_225_599, 999), "2025-12-31T23:59:59.999Z");
    }

    #[test]
    fn prunes_unassigned_values() {
        let mut value =
            json!({"a": null, "b": [], "c": {"d": null}, "e": [{"f": null}, 1], "g": "x"});
        prune(&mut value);
        assert_eq!(value, json!({"e": [1], "g": "x"}));
    }

    #[test]
    fn keys_ignore_case() {
        let object = json!({"userName": "ada"});
        let object = object.as_object().unwrap();
        assert_eq!(get_ci(object, "USERNAME"), Some(&json!("ada")));
        assert_eq!(find_key(object, "username").as_deref(), Some("userName"));
        assert!(is_multi_valued("Emails"));
    }
}
