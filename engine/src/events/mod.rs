//! Events in: what `connector serve` receives (Okta Event Hooks), stored in a durable
//! queue in the state file before the hook is answered, then handled through the same
//! plan and apply as a reconcile, scoped to the people an event names.
//!
//! - [`okta_hook`]: the shared-secret check and the delivery body;
//! - [`okta_log`]: System Log polling, the other way Okta's events come in (same
//!   queue, same uuid de-duplication), with its cursor in the state;
//! - [`queue`]: the retry policy and the worker loop (one event per person at a time,
//!   in arrival order; a backoff after a transient failure; a dead letter after the
//!   last attempt);
//! - [`handle`]: one batch of due events, as one scoped apply.
//!
//! The table itself is the state's (`Store::enqueue_events` and friends).

pub mod handle;
pub mod okta_hook;
pub mod okta_log;
pub mod queue;

pub use handle::{BatchReport, EventOutcome, process_due};
pub use okta_log::{OktaLogPoller, PollError, PollReport};
pub use queue::{QueuePolicy, Worker, WorkerNews};

/// What an event type asks of the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// `user.lifecycle.deactivate`: the leaver; every account disabled, seats revoked.
    Deactivated,
    /// `user.lifecycle.suspend`: accounts disabled (never deleted), seats revoked.
    Suspended,
    /// `user.lifecycle.unsuspend`, `.reactivate`, `.activate`: planned from the
    /// directory as it is now (accounts enabled again where the person is assigned).
    Reactivated,
    /// `group.user_membership.add`: the joiner; provisioned now from the directory.
    GroupAdded,
    /// `group.user_membership.remove`: the mover; what the group granted is revoked.
    GroupRemoved,
    /// Anything else: recorded, ignored.
    Other,
}

impl EventKind {
    /// The kind of Okta event type `event_type`.
    pub fn of(event_type: &str) -> Self {
        match event_type {
            "user.lifecycle.deactivate" => Self::Deactivated,
            "user.lifecycle.suspend" => Self::Suspended,
            "user.lifecycle.unsuspend"
            | "user.lifecycle.reactivate"
            | "user.lifecycle.activate" => Self::Reactivated,
            "group.user_membership.add" => Self::GroupAdded,
            "group.user_membership.remove" => Self::GroupRemoved,
            _ => Self::Other,
        }
    }

    /// Whether the event is about a group membership.
    pub fn is_membership(self) -> bool {
        matches!(self, Self::GroupAdded | Self::GroupRemoved)
    }
}
