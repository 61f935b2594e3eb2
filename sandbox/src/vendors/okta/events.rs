//! The org's System Log: what a change through the Management API records, as Okta's
//! `LogEvent` objects
//! (<https://developer.okta.com/docs/reference/api/system-log/#logevent-object>), in the
//! order they happened. Each event has a sequence number, the position its `after`
//! cursor names; the log keeps the last [`CAPACITY`] events.

use std::collections::VecDeque;

use serde_json::{Map, Value, json};

use super::clock::{format_ms, now_ms};
use crate::runtime::auth::random_token;

/// How many events the log keeps (Okta keeps 90 days; the sandbox a bounded count).
const CAPACITY: usize = 100_000;

/// One kind of change the org records, with Okta's `eventType`, `displayMessage` and
/// `legacyEventType` (<https://developer.okta.com/docs/reference/api/event-types/>).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `user.lifecycle.activate`: a staged or provisioned user activated.
    Activate,
    /// `user.lifecycle.reactivate`: a deactivated user activated again.
    Reactivate,
    /// `user.lifecycle.deactivate`.
    Deactivate,
    /// `user.lifecycle.suspend`.
    Suspend,
    /// `user.lifecycle.unsuspend`.
    Unsuspend,
    /// `user.account.update_profile`.
    UpdateProfile,
    /// `group.user_membership.add`.
    GroupAdd,
    /// `group.user_membership.remove`.
    GroupRemove,
}

impl Kind {
    /// Okta's `eventType`.
    pub(crate) fn event_type(self) -> &'static str {
        match self {
            Self::Activate => "user.lifecycle.activate",
            Self::Reactivate => "user.lifecycle.reactivate",
            Self::Deactivate => "user.lifecycle.deactivate",
            Self::Suspend => "user.lifecycle.suspend",
            Self::Unsuspend => "user.lifecycle.unsuspend",
            Self::UpdateProfile => "user.account.update_profile",
            Self::GroupAdd => "group.user_membership.add",
            Self::GroupRemove => "group.user_membership.remove",
        }
    }

    fn display_message(self) -> &'static str {
        match self {
            Self::Activate => "Activate Okta user",
            Self::Reactivate => "Reactivate Okta user",
            Self::Deactivate => "Deactivate Okta user",
            Self::Suspend => "Suspend Okta user",
            Self::Unsuspend => "Unsuspend Okta user",
            Self::UpdateProfile => "Update user profile for Okta",
            Self::GroupAdd => "Add user to group membership",
            Self::GroupRemove => "Remove user from group membership",
        }
    }

    fn legacy_event_type(self) -> &'static str {
        match self {
            Self::Activate => "core.user.config.user_activated",
            Self::Reactivate => "core.user.config.user_reactivated",
            Self::Deactivate => "core.user.config.user_deactivated",
            Self::Suspend => "core.user.config.user_status.suspended",
            Self::Unsuspend => "core.user.config.user_status.unsuspended",
            Self::UpdateProfile => "core.user.config.profile_update_success",
            Self::GroupAdd => "core.user_group_member.user_add",
            Self::GroupRemove => "core.user_group_member.user_remove",
        }
    }
}

/// The event types an event hook may subscribe to here: those the sandbox records,
/// and the other provisioning types Okta marks "event hook eligible" (never recorded
/// by the sandbox).
pub(crate) const HOOK_ELIGIBLE: &[&str] = &[
    "user.lifecycle.create",
    "user.lifecycle.activate",
    "user.lifecycle.reactivate",
    "user.lifecycle.deactivate",
    "user.lifecycle.suspend",
    "user.lifecycle.unsuspend",
    "user.lifecycle.delete.initiated",
    "user.account.update_profile",
    "group.user_membership.add",
    "group.user_membership.remove",
    "application.user_membership.add",
    "application.user_membership.remove",
    "user.session.start",
];

/// What a change is about and who made it.
#[derive(Debug, Clone)]
pub(crate) struct Change<'a> {
    /// The kind of change.
    pub kind: Kind,
    /// The user changed (Okta's user JSON).
    pub user: &'a Map<String, Value>,
    /// The group, for membership changes: its id and name.
    pub group: Option<(&'a str, &'a str)>,
    /// The request's path below the org (`/api/v1/users/.../lifecycle/deactivate`).
    pub request_uri: String,
    /// The caller's `User-Agent`.
    pub user_agent: &'a str,
}

/// One recorded event.
#[derive(Debug, Clone)]
pub(crate) struct Logged {
    /// Its position in the log (1, 2, ...).
    pub seq: u64,
    /// When, in milliseconds since the Unix epoch.
    pub published_ms: i64,
    /// The `LogEvent`.
    pub json: Map<String, Value>,
}

impl Logged {
    /// The opaque `after` cursor of a page ending with this event.
    pub(crate) fn cursor(&self) -> String {
        cursor(self.published_ms, self.seq)
    }
}

/// The `after` cursor of position `seq` (written `{published ms}_{seq}`).
pub(crate) fn cursor(published_ms: i64, seq: u64) -> String {
    format!("{published_ms}_{seq}")
}

/// The position an `after` cursor names; the error says why it is not one.
pub(crate) fn read_cursor(text: &str) -> Result<u64, String> {
    text.split_once('_')
        .filter(|(ms, _)| ms.parse::<i64>().is_ok())
        .and_then(|(_, seq)| seq.parse().ok())
        .ok_or_else(|| format!("`{text}` is not a cursor this org issued"))
}

/// The System Log of one org.
#[derive(Debug, Clone, Default)]
pub(crate) struct SystemLog {
    events: VecDeque<Logged>,
    seq: u64,
}

impl SystemLog {
    /// Records `change` now, made by `actor` (Okta's actor object); returns the event.
    pub(crate) fn record(&mut self, change: &Change<'_>, actor: &Value) -> Logged {
        self.seq += 1;
        let published_ms = self
            .events
            .back()
            .map_or(now_ms(), |last| now_ms().max(last.published_ms));
        let json = log_event(change, actor, &format_ms(published_ms));
        let logged = Logged {
            seq: self.seq,
            published_ms,
            json,
        };
        if self.events.len() == CAPACITY {
            self.events.pop_front();
        }
        self.events.push_back(logged.clone());
        logged
    }

    /// Every event kept, oldest first.
    pub(crate) fn events(&self) -> impl DoubleEndedIterator<Item = &Logged> {
        self.events.iter()
    }

    /// The position of the last event recorded (0: none yet).
    pub(crate) fn last_seq(&self) -> u64 {
        self.seq
    }
}

/// A random UUID (version 4 layout).
pub(crate) fn uuid() -> String {
    let hex: Vec<char> = random_token("").chars().collect();
    let mut out = String::with_capacity(36);
    for (i, c) in hex.iter().take(32).enumerate() {
        if matches!(i, 8 | 12 | 16 | 20) {
            out.push('-');
        }
        out.push(match i {
            12 => '4',
            16 => ['8', '9', 'a', 'b'][c.to_digit(16).unwrap_or(0) as usize % 4],
            _ => *c,
        });
    }
    out
}

/// A user as a `target` or `actor`: id, `User`, login, display name.
pub(crate) fn user_ref(user: &Map<String, Value>) -> Value {
    let profile = &user["profile"];
    let display = match (profile["firstName"].as_str(), profile["lastName"].as_str()) {
        (Some(first), Some(last)) => format!("{first} {last}"),
        _ => profile["displayName"]
            .as_str()
            .or(profile["login"].as_str())
            .unwrap_or_default()
            .to_owned(),
    };
    json!({
        "id": user["id"],
        "type": "User",
        "alternateId": profile["login"],
        "displayName": display,
        "detailEntry": null,
    })
}

/// The `LogEvent` of `change`, published at `published`.
fn log_event(change: &Change<'_>, actor: &Value, published: &str) -> Map<String, Value> {
    let mut target = vec![user_ref(change.user)];
    if let Some((id, name)) = change.group {
        target.push(json!({
            "id": id,
            "type": "UserGroup",
            "alternateId": "unknown",
            "displayName": name,
            "detailEntry": null,
        }));
    }
    let request_id: String = random_token("").chars().take(27).collect();
    let event = json!({
        "uuid": uuid(),
        "published": published,
        "eventType": change.kind.event_type(),
        "version": "0",
        "displayMessage": change.kind.display_message(),
        "severity": "INFO",
        "legacyEventType": change.kind.legacy_event_type(),
        "actor": actor,
        "client": {
            "userAgent": {"rawUserAgent": change.user_agent, "os": "Unknown", "browser": "UNKNOWN"},
            "zone": "null",
            "device": "Unknown",
            "id": null,
            "ipAddress": "127.0.0.1",
            "geographicalContext": null,
        },
        "device": null,
        "authenticationContext": {
            "authenticationProvider": null,
            "credentialProvider": null,
            "credentialType": null,
            "issuer": null,
            "interface": null,
            "authenticationStep": 0,
            "externalSessionId": "unknown",
        },
        "outcome": {"result": "SUCCESS", "reason": null},
        "securityContext": {
            "asNumber": null, "asOrg": null, "isp": null, "domain": null, "isProxy": null,
        },
        "debugContext": {"debugData": {
            "requestId": request_id,
            "requestUri": change.request_uri,
            "url": change.request_uri,
        }},
        "transaction": {"type": "WEB", "id": request_id, "detail": {}},
        "request": {"ipChain": [{
            "ip": "127.0.0.1", "geographicalContext": null, "version": "V4", "source": null,
        }]},
        "target": target,
    });
    event.as_object().cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_carry_the_user_and_group_targets_and_cursors_read_back() {
        let user = json!({"id": "00u1", "profile": {"login": "ada@x.io", "firstName": "Ada", "lastName": "L"}});
        let user = user.as_object().unwrap();
        let mut log = SystemLog::default();
        let change = Change {
            kind: Kind::GroupAdd,
            user,
            group: Some(("00g1", "eng")),
            request_uri: "/api/v1/groups/00g1/users/00u1".into(),
            user_agent: "test",
        };
        let first = log.record(&change, &json!({"id": "admin"}));
        let second = log.record(&change, &json!({"id": "admin"}));
        assert_eq!((first.seq, second.seq, log.last_seq()), (1, 2, 2));
        assert!(second.published_ms >= first.published_ms);
        assert_ne!(first.json["uuid"], second.json["uuid"]);
        let target = &first.json["target"];
        assert_eq!(target[0]["alternateId"], "ada@x.io");
        assert_eq!(target[0]["displayName"], "Ada L");
        assert_eq!(target[1]["type"], "UserGroup");
        assert_eq!(first.json["eventType"], "group.user_membership.add");
        assert_eq!(read_cursor(&second.cursor()).unwrap(), 2);
        assert!(read_cursor("nonsense").unwrap_err().contains("nonsense"));
        let id = uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
    }
}
