//! Okta's rate limit: a budget of requests per fixed window, reported on every answer
//! as `X-Rate-Limit-Limit`, `X-Rate-Limit-Remaining` and `X-Rate-Limit-Reset` (the end
//! of the window in Unix seconds, rounded up). The tenant's rate limit setting gives the
//! budget: `custom` is `requests` per `period_ms` (`burst` is not used), `manifest` is
//! [`DEFAULT_BUDGET`], and `off` sends no headers and never throttles.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderValue};

use crate::config::{RateLimitConfig, RateLimitMode};

/// Okta's budget when the tenant's rate limit is `manifest`: 600 requests a minute,
/// the documented limit of `/api/v1/users` for most orgs.
pub(crate) const DEFAULT_BUDGET: Budget = Budget {
    requests: 600,
    period: Duration::from_secs(60),
};

/// Requests allowed per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Budget {
    /// Requests per window.
    pub requests: u32,
    /// The window's length.
    pub period: Duration,
}

impl Budget {
    /// The budget a tenant rate limit setting gives (`None`: unlimited).
    pub(crate) fn of(config: &RateLimitConfig) -> Option<Self> {
        match config.mode {
            RateLimitMode::Manifest => Some(DEFAULT_BUDGET),
            RateLimitMode::Custom => config.limits.map(|l| Self {
                requests: l.requests,
                period: Duration::from_millis(l.period_ms),
            }),
            RateLimitMode::Off => None,
        }
    }
}

/// What one request was told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// Whether it is within the budget.
    pub allowed: bool,
    /// `X-Rate-Limit-Limit`.
    pub limit: u32,
    /// `X-Rate-Limit-Remaining`.
    pub remaining: u32,
    /// `X-Rate-Limit-Reset`, Unix seconds.
    pub reset: u64,
}

impl Verdict {
    /// Adds the three headers.
    pub(crate) fn write(&self, headers: &mut HeaderMap) {
        headers.insert("x-rate-limit-limit", HeaderValue::from(self.limit));
        headers.insert("x-rate-limit-remaining", HeaderValue::from(self.remaining));
        headers.insert("x-rate-limit-reset", HeaderValue::from(self.reset));
    }
}

/// The current window.
#[derive(Debug, Clone, Default)]
pub(crate) struct Window {
    /// The budget it counts against; another budget starts a new window.
    budget: Option<Budget>,
    /// When it started.
    started: Option<SystemTime>,
    /// Requests allowed in it so far.
    used: u32,
}

impl Window {
    /// Counts a request at `now` against `budget`; `None` when unlimited.
    pub(crate) fn take(&mut self, now: SystemTime, budget: Option<Budget>) -> Option<Verdict> {
        let budget = budget?;
        let expired = self
            .started
            .is_none_or(|started| now >= started + budget.period);
        if self.budget != Some(budget) || expired {
            self.budget = Some(budget);
            self.started = Some(now);
            self.used = 0;
        }
        let end = self.started.unwrap_or(now) + budget.period;
        let allowed = self.used < budget.requests;
        if allowed {
            self.used += 1;
        }
        Some(Verdict {
            allowed,
            limit: budget.requests,
            remaining: budget.requests - self.used,
            reset: unix_seconds_up(end),
        })
    }
}

/// `time` in Unix seconds, rounded up.
fn unix_seconds_up(time: SystemTime) -> u64 {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    since.as_secs() + u64::from(since.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_a_fixed_window_and_reports_its_end() {
        let budget = Budget {
            requests: 2,
            period: Duration::from_millis(1500),
        };
        let start = UNIX_EPOCH + Duration::from_millis(1_000_200);
        let mut window = Window::default();
        let first = window.take(start, Some(budget)).unwrap();
        assert_eq!(
            (first.allowed, first.remaining, first.reset),
            (true, 1, 1002)
        );
        let second = window.take(start, Some(budget)).unwrap();
        assert_eq!((second.allowed, second.remaining), (true, 0));
        let third = window.take(start + Duration::from_millis(1000), Some(budget));
        assert_eq!(third.map(|v| v.allowed), Some(false));
        let next = window
            .take(start + Duration::from_millis(1500), Some(budget))
            .unwrap();
        assert_eq!((next.allowed, next.remaining, next.reset), (true, 1, 1004));
        assert_eq!(window.take(start, None), None);
        assert_eq!(
            Budget::of(&RateLimitConfig::custom(5, 2000, 1)),
            Some(Budget {
                requests: 5,
                period: Duration::from_secs(2)
            })
        );
        assert_eq!(
            Budget::of(&RateLimitConfig::manifest()),
            Some(DEFAULT_BUDGET)
        );
        assert_eq!(Budget::of(&RateLimitConfig::off()), None);
    }
}
