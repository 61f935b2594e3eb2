//! Okta Event Hook deliveries: the shared-secret check and the body, read into the
//! events the queue stores. A delivery is a CloudEvents-like envelope whose
//! `data.events[]` are System Log `LogEvent`s (`uuid`, `eventType`, `published`,
//! `target[]`).

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::EventKind;
use crate::state::NewEvent;

/// The queue's name for events that came by Okta Event Hook.
pub const SOURCE: &str = "okta-hook";

/// The most events one delivery may carry.
pub const MAX_EVENTS: usize = 1000;

/// The longest uuid accepted (Okta's are 36 characters).
const MAX_UUID: usize = 128;

/// Why a delivery's body was refused (nothing of it is stored).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("hook body: {0}")]
pub struct HookError(pub String);

/// Whether `given` (the value of the configured header) is `expected`, compared in
/// constant time: both are hashed first, so neither their length nor the position of the
/// first difference shows in the time taken. A missing header is not authorized.
pub fn authorized(expected: &[u8], given: Option<&[u8]>) -> bool {
    let Some(given) = given else {
        return false;
    };
    let (a, b) = (Sha256::digest(expected), Sha256::digest(given));
    let difference = a
        .iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(difference) == 0 && !expected.is_empty()
}

/// Reads a delivery's body into the events to store, in delivery order. Every event
/// needs a `uuid` and an `eventType`; an event type no flow handles is kept as ignored.
///
/// # Errors
///
/// When the body is not JSON or lacks `data.events[]`, or an event lacks its `uuid` or
/// `eventType`: the error names the JSON path.
pub fn parse_delivery(body: &[u8]) -> Result<Vec<NewEvent>, HookError> {
    let root: Value =
        serde_json::from_slice(body).map_err(|e| HookError(format!("not JSON ({e})")))?;
    let events = root
        .get("data")
        .and_then(|d| d.get("events"))
        .ok_or_else(|| HookError("`data.events` is missing".to_owned()))?
        .as_array()
        .ok_or_else(|| HookError("`data.events` is not an array".to_owned()))?;
    if events.len() > MAX_EVENTS {
        return Err(HookError(format!(
            "`data.events` has {} events; at most {MAX_EVENTS} are accepted",
            events.len()
        )));
    }
    events
        .iter()
        .enumerate()
        .map(|(i, event)| log_event(event, &format!("data.events[{i}]"), SOURCE))
        .collect()
}

/// One System Log `LogEvent` (found at JSON path `path`, named in errors), as the
/// queue stores it under `source`; the hook and the System Log poller share it.
pub(crate) fn log_event(event: &Value, path: &str, source: &str) -> Result<NewEvent, HookError> {
    let at = |field: &str| format!("`{path}.{field}`");
    if !event.is_object() {
        return Err(HookError(format!("`{path}` is not an object")));
    }
    let text = |field: &str| -> Result<String, HookError> {
        match event.get(field) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
            Some(Value::String(_)) => Err(HookError(format!("{} is empty", at(field)))),
            Some(_) => Err(HookError(format!("{} is not a string", at(field)))),
            None => Err(HookError(format!("{} is missing", at(field)))),
        }
    };
    let uuid = text("uuid")?;
    if uuid.len() > MAX_UUID || uuid.chars().any(char::is_control) {
        return Err(HookError(format!(
            "{} is not an event id (control characters or over {MAX_UUID} bytes)",
            at("uuid")
        )));
    }
    let event_type = text("eventType")?;
    let published = event
        .get("published")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let targets = match event.get("target") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(targets)) => targets.as_slice(),
        Some(_) => return Err(HookError(format!("{} is not an array", at("target")))),
    };
    let of_type = |kind: &str| {
        targets
            .iter()
            .find(|t| t.get("type").and_then(Value::as_str) == Some(kind))
    };
    let field = |target: Option<&Value>, name: &str| {
        target
            .and_then(|t| t.get(name))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let user = of_type("User");
    let group = of_type("UserGroup");
    let (person, login) = (field(user, "id"), field(user, "alternateId"));
    let group_name = field(group, "displayName").or_else(|| field(group, "alternateId"));
    let group_id = field(group, "id");
    let kind = EventKind::of(&event_type);
    let ignored = if kind == EventKind::Other {
        Some("no flow handles this event type: recorded, ignored".to_owned())
    } else if person.is_none() && login.is_none() {
        Some("the event names no User target: recorded, ignored".to_owned())
    } else if kind.is_membership() && group_name.is_none() {
        Some("the membership event names no UserGroup target: recorded, ignored".to_owned())
    } else {
        None
    };
    Ok(NewEvent {
        uuid,
        source: source.to_owned(),
        event_type,
        published,
        person,
        login,
        group_name,
        group_id,
        payload: event.to_string(),
        ignored,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_secret_is_authorized() {
        assert!(authorized(b"s3cret-value", Some(b"s3cret-value")));
        assert!(!authorized(b"s3cret-value", Some(b"s3cret-valuf")));
        assert!(!authorized(b"s3cret-value", Some(b"s3cret")));
        assert!(!authorized(b"s3cret-value", None));
        assert!(!authorized(b"", Some(b"")));
    }

    #[test]
    fn a_delivery_gives_its_events_in_order() {
        let body = serde_json::json!({
            "eventType": "com.okta.event_hook",
            "data": { "events": [
                { "uuid": "u1", "eventType": "user.lifecycle.deactivate",
                  "published": "2026-03-01T12:00:00.000Z",
                  "target": [{ "id": "00u1", "type": "User", "alternateId": "ann@example.com" }] },
                { "uuid": "u2", "eventType": "group.user_membership.add",
                  "target": [{ "id": "00u2", "type": "User", "alternateId": "bo@example.com" },
                             { "id": "00g1", "type": "UserGroup", "displayName": "ai" }] },
                { "uuid": "u3", "eventType": "user.session.start",
                  "target": [{ "id": "00u2", "type": "User" }] }
            ]}
        });
        let events = parse_delivery(body.to_string().as_bytes()).unwrap();
        assert_eq!(events.len(), 3);
        assert_eq!(events[0].person.as_deref(), Some("00u1"));
        assert_eq!(events[0].login.as_deref(), Some("ann@example.com"));
        assert_eq!(events[0].ignored, None);
        assert_eq!(events[1].group_name.as_deref(), Some("ai"));
        assert_eq!(events[1].group_id.as_deref(), Some("00g1"));
        assert_eq!(events[0].group_id, None);
        assert!(events[2].ignored.as_deref().unwrap().contains("no flow"));
    }

    #[test]
    fn a_malformed_body_names_where() {
        let error = |body: &str| parse_delivery(body.as_bytes()).unwrap_err().to_string();
        assert!(error("{").contains("not JSON"));
        assert!(error("{\"data\":{}}").contains("`data.events` is missing"));
        assert!(error("{\"data\":{\"events\":{}}}").contains("not an array"));
        let no_uuid = r#"{"data":{"events":[{"eventType":"user.lifecycle.deactivate"}]}}"#;
        assert!(error(no_uuid).contains("`data.events[0].uuid` is missing"));
        let bad_type = r#"{"data":{"events":[{"uuid":"a","eventType":7}]}}"#;
        assert!(error(bad_type).contains("`data.events[0].eventType` is not a string"));
    }
}
