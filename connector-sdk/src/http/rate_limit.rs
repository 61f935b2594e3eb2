//! The client-side rate limit: a [governor] token bucket every request waits on.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota};

use crate::config::RateLimitSetting;
use crate::error::{Error, Result};
use crate::manifest::RateLimit;

/// Spaces requests to a [`RateLimit`]; a no-op when the limit is off or unknown.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    /// The token bucket; `None` when there is no limit.
    limiter: Option<DefaultDirectRateLimiter>,
}

impl RateLimiter {
    /// The limiter for `setting`, where [`RateLimitSetting::Spec`] uses `spec` (no limit
    /// when the spec documents none).
    pub(super) fn new(setting: RateLimitSetting, spec: Option<RateLimit>) -> Result<Self> {
        let limit = match setting {
            RateLimitSetting::Spec => spec,
            RateLimitSetting::Custom(limit) => Some(limit),
            RateLimitSetting::Off => None,
        };
        let limiter = limit
            .map(|limit| quota(limit).map(DefaultDirectRateLimiter::direct))
            .transpose()?;
        Ok(Self { limiter })
    }

    /// Waits until one more request is allowed.
    pub(super) async fn until_ready(&self) {
        if let Some(limiter) = &self.limiter {
            limiter.until_ready().await;
        }
    }
}

/// `requests` per `period_ms`: one request every `period_ms / requests`, with `burst`
/// requests (at least one) allowed at once.
fn quota(limit: RateLimit) -> Result<Quota> {
    let invalid = || {
        Error::Config(format!(
            "invalid rate limit: {} requests per {} ms (burst {})",
            limit.requests, limit.period_ms, limit.burst
        ))
    };
    if limit.requests == 0 {
        return Err(invalid());
    }
    let interval = Duration::from_millis(limit.period_ms) / limit.requests;
    let burst = NonZeroU32::new(limit.burst.max(1)).ok_or_else(invalid)?;
    Quota::with_period(interval)
        .map(|quota| quota.allow_burst(burst))
        .ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    fn limit(requests: u32, period_ms: u64, burst: u32) -> RateLimit {
        RateLimit {
            requests,
            period_ms,
            burst,
        }
    }

    #[test]
    fn rejects_nonsense_limits() {
        assert!(RateLimiter::new(RateLimitSetting::Custom(limit(0, 1000, 1)), None).is_err());
        assert!(RateLimiter::new(RateLimitSetting::Custom(limit(10, 0, 1)), None).is_err());
        let off = RateLimiter::new(RateLimitSetting::Off, Some(limit(1, 1000, 1))).unwrap();
        assert!(off.limiter.is_none());
        let unknown = RateLimiter::new(RateLimitSetting::Spec, None).unwrap();
        assert!(unknown.limiter.is_none());
    }

    #[tokio::test]
    async fn spaces_requests_after_the_burst() {
        // 20 per second = one every 50 ms, burst 2: requests 3 to 6 wait 4 × 50 ms.
        let limiter = RateLimiter::new(RateLimitSetting::Spec, Some(limit(20, 1000, 2))).unwrap();
        let started = Instant::now();
        for _ in 0..6 {
            limiter.until_ready().await;
        }
        assert!(
            started.elapsed() >= Duration::from_millis(190),
            "{:?}",
            started.elapsed()
        );
    }
}
