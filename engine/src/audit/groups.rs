//! OCSF Group Management events (class_uid 3006) for group push: one per group created,
//! linked, renamed or deleted, and one per member added or removed.

use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::ocsf::{Api, ChangeStatus, Class, envelope, insert, status_fields};

/// One group change, as the engine knows it.
#[derive(Debug, Clone)]
pub struct GroupRecord<'a> {
    /// The run.
    pub run_id: &'a str,
    /// The journal row.
    pub request_id: Option<i64>,
    /// The instance.
    pub instance: &'a str,
    /// The connector.
    pub connector: &'a str,
    /// The engine's action (`create_group`, `add_members`, ...).
    pub action: &'a str,
    /// The directory group pushed.
    pub directory_group: &'a str,
    /// The group's name in the app.
    pub name: &'a str,
    /// The app's id of the group, when known.
    pub group_id: Option<&'a str>,
    /// The member added or removed: (person's id, login, account id).
    pub member: Option<(Option<&'a str>, &'a str, Option<&'a str>)>,
    /// How it ended.
    pub status: ChangeStatus,
    /// Why it failed, or what it did.
    pub detail: Option<&'a str>,
    /// When.
    pub time: OffsetDateTime,
}

/// The OCSF activity of a group action.
pub fn group_activity(action: &str) -> (u8, &'static str) {
    match action {
        "add_members" => (3, "Add User"),
        "remove_members" => (4, "Remove User"),
        "delete_group" => (5, "Delete"),
        "create_group" => (6, "Create"),
        "link_group" => (99, "Link"),
        "rename_group" => (99, "Rename"),
        _ => (99, "Other"),
    }
}

/// The OCSF Group Management event of `record`.
pub fn group_event(record: &GroupRecord<'_>) -> Value {
    let request_uid = record.request_id.map_or_else(
        || record.run_id.to_owned(),
        |id| format!("{}-{id}", record.run_id),
    );
    let mut event = envelope(
        Class::GroupManagement,
        group_activity(record.action),
        status_fields(record.status),
        record.time,
        Api {
            run_id: record.run_id,
            request_uid: &request_uid,
            instance: record.instance,
            connector: record.connector,
            action: record.action,
        },
    );
    let mut group = Map::new();
    group.insert("name".into(), Value::from(record.name));
    insert(&mut group, "uid", record.group_id);
    event.insert("group".into(), Value::Object(group));
    if let Some((identity_id, login, account_id)) = record.member {
        let mut user = Map::new();
        insert(&mut user, "uid", account_id);
        user.insert("name".into(), Value::from(login));
        insert(&mut user, "uid_alt", identity_id);
        event.insert("user".into(), Value::Object(user));
    }
    if let Some(detail) = record.detail {
        event.insert("status_detail".into(), Value::from(detail));
    }
    event.insert(
        "unmapped".into(),
        json!({
            "instance": record.instance,
            "action": record.action,
            "directory_group": record.directory_group,
        }),
    );
    Value::Object(event)
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn a_member_added_is_a_group_management_add_user() {
        let record = GroupRecord {
            run_id: "r1",
            request_id: Some(3),
            instance: "slack-eng",
            connector: "slack",
            action: "add_members",
            directory_group: "engineering",
            name: "Engineering",
            group_id: Some("S1"),
            member: Some((Some("00u1"), "ada@x.io", Some("U1"))),
            status: ChangeStatus::Success,
            detail: None,
            time: datetime!(2026-03-31 18:00 UTC),
        };
        let event = group_event(&record);
        assert_eq!(event["class_uid"], 3006);
        assert_eq!(event["type_uid"], 300_603);
        assert_eq!(event["activity_name"], "Add User");
        assert_eq!(event["group"]["uid"], "S1");
        assert_eq!(event["user"]["uid"], "U1");
        assert_eq!(event["user"]["name"], "ada@x.io");
        assert_eq!(event["unmapped"]["directory_group"], "engineering");
        assert_eq!(event["metadata"]["uid"], "r1-3");
    }
}
