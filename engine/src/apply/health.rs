//! The instance breaker: an instance whose changes fail one after the other with server
//! or transport errors is left alone for the rest of the run, so that a dead app costs
//! seconds and a few requests rather than its every planned change.
//!
//! Unlike the removal circuit breaker (`policy.max_removals`, checked on the plan before
//! any call), this one watches the calls: after `policy.unhealthy_after` failed changes
//! in a row, the instance's remaining changes are reported `skipped` with
//! [`NOT_ATTEMPTED`]. A change that succeeds, or fails with an answer the service gave
//! on purpose (a 4xx: validation, conflict, not found, refused credentials), ends the run
//! of failures.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use crate::config::Instance;

/// The detail of a change the breaker left alone.
pub(crate) const NOT_ATTEMPTED: &str = "not attempted: instance unhealthy";

/// What a finished change tells the breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Applied, or failed with an answer the service meant (a 4xx).
    Answered,
    /// Failed with a server or transport error (5xx, timeout, connection, 429).
    Unhealthy,
}

impl Verdict {
    /// The verdict on a call's error.
    pub(crate) fn of(error: &connector_sdk::Error) -> Self {
        if error.is_transient() {
            Self::Unhealthy
        } else {
            Self::Answered
        }
    }
}

/// One instance's run of failed changes.
#[derive(Debug)]
pub(crate) struct InstanceHealth {
    /// Failed changes in a row that open the breaker.
    threshold: u32,
    /// Failed changes in a row so far.
    failures: AtomicU32,
    /// Whether the breaker opened (it stays open for the run).
    open: AtomicBool,
}

impl InstanceHealth {
    /// A closed breaker opening after `threshold` failures in a row (at least one).
    pub(crate) fn new(threshold: u32) -> Self {
        Self {
            threshold: threshold.max(1),
            failures: AtomicU32::new(0),
            open: AtomicBool::new(false),
        }
    }

    /// Whether the instance's remaining changes are to be left alone.
    pub(crate) fn is_open(&self) -> bool {
        self.open.load(Ordering::Acquire)
    }

    /// Counts a finished change; returns `true` when this one opened the breaker.
    pub(crate) fn record(&self, verdict: Verdict) -> bool {
        match verdict {
            Verdict::Answered => {
                self.failures.store(0, Ordering::Release);
                false
            }
            Verdict::Unhealthy => {
                let failures = self.failures.fetch_add(1, Ordering::AcqRel) + 1;
                failures >= self.threshold && !self.open.swap(true, Ordering::AcqRel)
            }
        }
    }

    /// The detail of a change left alone.
    pub(crate) fn detail(&self) -> String {
        format!(
            "{NOT_ATTEMPTED} ({} changes in a row failed with server or transport errors)",
            self.threshold
        )
    }
}

/// The breakers of a run's instances, made on first use from each instance's policy.
#[derive(Debug, Default)]
pub(crate) struct Health {
    /// By instance name.
    instances: Mutex<HashMap<String, Arc<InstanceHealth>>>,
}

impl Health {
    /// The breaker of `instance`.
    pub(crate) fn of(&self, instance: &Instance) -> Arc<InstanceHealth> {
        let mut instances = match self.instances.lock() {
            Ok(instances) => instances,
            Err(poisoned) => poisoned.into_inner(),
        };
        instances
            .entry(instance.name.clone())
            .or_insert_with(|| Arc::new(InstanceHealth::new(instance.policy.unhealthy_after)))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_a_run_of_failures_that_answers_interrupt() {
        let health = InstanceHealth::new(3);
        assert!(!health.record(Verdict::Unhealthy));
        assert!(!health.record(Verdict::Unhealthy));
        assert!(
            !health.record(Verdict::Answered),
            "a 4xx or a success resets"
        );
        assert!(!health.record(Verdict::Unhealthy));
        assert!(!health.record(Verdict::Unhealthy));
        assert!(!health.is_open());
        assert!(
            health.record(Verdict::Unhealthy),
            "the third in a row opens it"
        );
        assert!(health.is_open());
        assert!(!health.record(Verdict::Unhealthy), "it opens once");
        assert!(health.detail().starts_with(NOT_ATTEMPTED));
    }

    #[test]
    fn verdicts_follow_the_error_kind() {
        let server = connector_sdk::Error::Server {
            status: 503,
            scim_type: None,
            detail: None,
        };
        let invalid = connector_sdk::Error::Server {
            status: 400,
            scim_type: Some("invalidValue".into()),
            detail: None,
        };
        assert_eq!(Verdict::of(&server), Verdict::Unhealthy);
        assert_eq!(Verdict::of(&invalid), Verdict::Answered);
        let gone = connector_sdk::Error::NotFound { what: "x".into() };
        assert_eq!(Verdict::of(&gone), Verdict::Answered);
    }
}
