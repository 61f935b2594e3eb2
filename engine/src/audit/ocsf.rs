//! Building OCSF Account Change events (class_uid 3001, OCSF 1.3).

use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::attrs::AttributeChange;
use crate::clock;

/// The OCSF schema version the events follow.
const OCSF_VERSION: &str = "1.3.0";

/// How a change ended, for `status_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeStatus {
    /// Done.
    Success,
    /// Failed; `status_detail` says why.
    Failure,
    /// Neither: a manual task was raised.
    Other,
}

impl ChangeStatus {
    /// The lowercase name stored and filtered on.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Other => "other",
        }
    }
}

/// What one change did, as the engine knows it.
#[derive(Debug, Clone)]
pub struct ChangeRecord<'a> {
    /// The run (OCSF `metadata.correlation_uid`).
    pub run_id: &'a str,
    /// The journal row (OCSF `api.request.uid`).
    pub request_id: Option<i64>,
    /// The instance (OCSF `api.service.uid`).
    pub instance: &'a str,
    /// The connector (OCSF `api.service.name`).
    pub connector: &'a str,
    /// The engine's action name (`create`, `assign_license`, ...).
    pub action: &'a str,
    /// The directory person's id.
    pub identity_id: Option<&'a str>,
    /// The directory person's login.
    pub login: Option<&'a str>,
    /// The app account id.
    pub account_id: Option<&'a str>,
    /// The app account's sign-in name.
    pub user_name: Option<&'a str>,
    /// The licence SKU, for licence changes.
    pub sku: Option<&'a str>,
    /// Attribute changes, for updates.
    pub changes: &'a [AttributeChange],
    /// How it ended.
    pub status: ChangeStatus,
    /// Why it failed, or the manual task.
    pub detail: Option<&'a str>,
    /// When.
    pub time: OffsetDateTime,
}

/// The OCSF activity (`activity_id`, `activity_name`) of an engine action.
pub fn activity(action: &str) -> (u8, &'static str) {
    match action {
        "create" => (1, "Create"),
        "enable" => (2, "Enable"),
        "disable" => (5, "Disable"),
        "delete" => (6, "Delete"),
        "assign_license" => (7, "Attach Policy"),
        "revoke_license" => (8, "Detach Policy"),
        "link" => (99, "Link"),
        "update" => (99, "Update"),
        "manual_task" => (99, "Manual Task"),
        "skip" => (99, "Skip"),
        "protect" => (99, "Protect"),
        "not_reached" => (99, "Not Reached"),
        "not_attempted" => (99, "Not Attempted"),
        "stop" => (99, "Stop"),
        _ => (99, "Other"),
    }
}

/// The OCSF Account Change event of `record`.
pub fn event(record: &ChangeRecord) -> Value {
    let (activity_id, activity_name) = activity(record.action);
    let (status_id, status, severity_id, severity) = status_fields(record.status);
    let mut user = Map::new();
    insert(&mut user, "uid", record.account_id);
    insert(&mut user, "name", record.user_name);
    insert(&mut user, "uid_alt", record.identity_id);
    if !user.contains_key("uid") && !user.contains_key("name") {
        // OCSF needs the account's uid or name: before a create, the person's login
        // names it; a decision about every account of an instance (or run) says `*`.
        user.insert("name".into(), Value::from(record.login.unwrap_or("*")));
    }
    let request_uid = record.request_id.map_or_else(
        || record.run_id.to_owned(),
        |id| format!("{}-{id}", record.run_id),
    );
    let mut event = envelope(
        Class::AccountChange,
        (activity_id, activity_name),
        (status_id, status, severity_id, severity),
        record.time,
        Api {
            run_id: record.run_id,
            request_uid: &request_uid,
            instance: record.instance,
            connector: record.connector,
            action: record.action,
        },
    );
    event.insert("user".into(), Value::Object(user));
    let mut event = Value::Object(event);
    let object = event.as_object_mut().expect("an object");
    if let Some(detail) = record.detail {
        object.insert("status_detail".into(), Value::from(detail));
    }
    if let Some(sku) = record.sku {
        object.insert("policy".into(), json!({ "name": sku, "uid": sku }));
    }
    let mut unmapped = Map::new();
    unmapped.insert("instance".into(), Value::from(record.instance));
    unmapped.insert("action".into(), Value::from(record.action));
    let mut identity = Map::new();
    insert(&mut identity, "id", record.identity_id);
    insert(&mut identity, "login", record.login);
    if !identity.is_empty() {
        unmapped.insert("identity".into(), Value::Object(identity));
    }
    if !record.changes.is_empty() {
        let before: Map<String, Value> = record
            .changes
            .iter()
            .map(|c| (c.field.clone(), c.before.clone()))
            .collect();
        let after: Map<String, Value> = record
            .changes
            .iter()
            .map(|c| (c.field.clone(), c.after.clone()))
            .collect();
        unmapped.insert("before".into(), Value::Object(before));
        unmapped.insert("after".into(), Value::Object(after.clone()));
        let mut result = object["user"].as_object().cloned().unwrap_or_default();
        result.insert("attributes".into(), Value::Object(after));
        object.insert("user_result".into(), Value::Object(result));
    }
    object.insert("unmapped".into(), Value::Object(unmapped));
    event
}

/// The OCSF classes the engine writes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Class {
    /// Account Change (3001): accounts and seats.
    AccountChange,
    /// Group Management (3006): pushed groups and their members.
    GroupManagement,
}

impl Class {
    /// `class_uid` and `class_name`.
    fn id_and_name(self) -> (u32, &'static str) {
        match self {
            Self::AccountChange => (3001, "Account Change"),
            Self::GroupManagement => (3006, "Group Management"),
        }
    }
}

/// Where a change was made: the run, the journal row, the instance and the action.
pub(crate) struct Api<'a> {
    /// The run.
    pub run_id: &'a str,
    /// `run-row`, or the run alone.
    pub request_uid: &'a str,
    /// The instance.
    pub instance: &'a str,
    /// The connector.
    pub connector: &'a str,
    /// The engine's action name.
    pub action: &'a str,
}

/// The fields every event of the engine has: class, activity, status, time, metadata,
/// cloud, actor and api.
pub(crate) fn envelope(
    class: Class,
    (activity_id, activity_name): (u8, &str),
    (status_id, status, severity_id, severity): (u8, &str, u8, &str),
    time: OffsetDateTime,
    api: Api<'_>,
) -> Map<String, Value> {
    let (class_uid, class_name) = class.id_and_name();
    let event = json!({
        "class_uid": class_uid,
        "class_name": class_name,
        "category_uid": 3,
        "category_name": "Identity & Access Management",
        "activity_id": activity_id,
        "activity_name": activity_name,
        "type_uid": class_uid * 100 + u32::from(activity_id),
        "type_name": format!("{class_name}: {activity_name}"),
        "time": clock::epoch_ms(time),
        "severity_id": severity_id,
        "severity": severity,
        "status_id": status_id,
        "status": status,
        "metadata": {
            "version": OCSF_VERSION,
            // The cloud profile brings `api` and `cloud`: the app is the cloud service.
            "profiles": ["cloud"],
            "uid": api.request_uid,
            "correlation_uid": api.run_id,
            "log_name": "connector-engine",
            "product": {
                "name": "connector-engine",
                "vendor_name": "AI SaaS connector toolkit",
                "version": env!("CARGO_PKG_VERSION"),
            },
        },
        "cloud": { "provider": if api.connector.is_empty() { "*" } else { api.connector } },
        "actor": { "app_name": "connector-engine", "app_uid": api.run_id },
        "api": {
            "operation": api.action,
            "service": { "name": api.connector, "uid": api.instance },
            "request": { "uid": api.request_uid },
        },
    });
    match event {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// `status_id`, `status`, `severity_id` and `severity` of a change that ended `status`.
pub(crate) fn status_fields(status: ChangeStatus) -> (u8, &'static str, u8, &'static str) {
    match status {
        ChangeStatus::Success => (1, "Success", 1, "Informational"),
        ChangeStatus::Failure => (2, "Failure", 3, "Medium"),
        ChangeStatus::Other => (99, "Other", 1, "Informational"),
    }
}

/// Inserts `value` under `key` when present.
pub(crate) fn insert(map: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(value) = value {
        map.insert(key.to_owned(), Value::from(value));
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn an_update_carries_before_and_after() {
        let changes = [AttributeChange {
            field: "title".into(),
            before: Value::from("Engineer"),
            after: Value::from("Manager"),
        }];
        let record = ChangeRecord {
            run_id: "r1",
            request_id: Some(7),
            instance: "slack-eng",
            connector: "slack",
            action: "update",
            identity_id: Some("00u1"),
            login: Some("ada@x.io"),
            account_id: Some("U1"),
            user_name: Some("ada"),
            sku: None,
            changes: &changes,
            status: ChangeStatus::Success,
            detail: None,
            time: datetime!(2026-03-31 18:00 UTC),
        };
        let event = event(&record);
        assert_eq!(event["class_uid"], 3001);
        assert_eq!(event["type_uid"], 300_199);
        assert_eq!(event["time"], 1_774_980_000_000_i64);
        assert_eq!(event["metadata"]["uid"], "r1-7");
        assert_eq!(event["unmapped"]["before"]["title"], "Engineer");
        assert_eq!(event["user_result"]["attributes"]["title"], "Manager");
        assert_eq!(event["api"]["service"]["uid"], "slack-eng");
    }
}
