//! The event cards: what a flow can start from (Okta's `user.lifecycle.*`,
//! `group.user_membership.*` and `user.account.update_profile` events, as a directory
//! source reports them), each with a typed output.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Card, CardKind, schema_of};

/// The person an event is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EventPerson {
    /// The directory's id for the person (Okta's user id).
    pub id: String,
    /// The person's sign-in name (Okta's `alternateId`).
    pub login: String,
    /// The display name, when the event carries one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

/// The group of a membership event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EventGroup {
    /// The directory's id for the group.
    pub id: String,
    /// The group's name.
    pub name: String,
}

/// The output of the lifecycle event cards (deactivated, suspended, reactivated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PersonEvent {
    /// The event's unique id (Okta's `uuid`), for de-duplication and audit.
    pub event_id: String,
    /// When the directory published it (RFC 3339).
    pub published: String,
    /// The person.
    pub person: EventPerson,
}

/// The output of the group membership event cards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GroupMembershipEvent {
    /// The event's unique id.
    pub event_id: String,
    /// When the directory published it (RFC 3339).
    pub published: String,
    /// The person.
    pub person: EventPerson,
    /// The group.
    pub group: EventGroup,
}

/// The output of the profile-changed event card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ProfileChangedEvent {
    /// The event's unique id.
    pub event_id: String,
    /// When the directory published it (RFC 3339).
    pub published: String,
    /// The person.
    pub person: EventPerson,
    /// The profile fields that changed, when the event says.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<String>,
}

/// An event card takes no input: a flow's trigger filters on its output.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoInput {}

/// An event card with output type `O`.
const fn event<O: JsonSchema>(name: &'static str, summary: &'static str) -> Card {
    Card {
        name,
        kind: CardKind::Event,
        capability: None,
        summary,
        input_schema: schema_of::<NoInput>,
        output_schema: schema_of::<O>,
        parse: None,
    }
}

/// Every event card, with the directory event type it stands for in its summary.
pub static EVENT_CARDS: &[Card] = &[
    event::<PersonEvent>(
        "person_deactivated",
        "The person was deactivated in the directory (Okta `user.lifecycle.deactivate`).",
    ),
    event::<PersonEvent>(
        "person_suspended",
        "The person was suspended in the directory (Okta `user.lifecycle.suspend`).",
    ),
    event::<PersonEvent>(
        "person_reactivated",
        "The person was reactivated or unsuspended (Okta `user.lifecycle.reactivate`, `user.lifecycle.unsuspend`).",
    ),
    event::<GroupMembershipEvent>(
        "person_added_to_group",
        "The person was added to a group (Okta `group.user_membership.add`).",
    ),
    event::<GroupMembershipEvent>(
        "person_removed_from_group",
        "The person was removed from a group (Okta `group.user_membership.remove`).",
    ),
    event::<ProfileChangedEvent>(
        "person_profile_changed",
        "The person's profile changed (Okta `user.account.update_profile`).",
    ),
];
