//! The tenant's token bucket: `requests` per period, at most `burst` at once.

use std::time::{Duration, Instant};

use crate::config::Limits;

/// A token bucket; `None` limits let everything through.
#[derive(Debug)]
pub(crate) struct Bucket {
    /// The budget, when limited.
    limits: Option<Limits>,
    /// Tokens available now.
    tokens: f64,
    /// When `tokens` was last brought up to date.
    updated: Instant,
}

impl Bucket {
    /// A full bucket for `limits`.
    pub(crate) fn new(limits: Option<Limits>) -> Self {
        Self {
            limits,
            tokens: limits.map_or(0.0, |l| f64::from(l.burst)),
            updated: Instant::now(),
        }
    }

    /// The budget.
    pub(crate) fn limits(&self) -> Option<Limits> {
        self.limits
    }

    /// Takes a token at `now`, or says how long until one is available.
    pub(crate) fn take(&mut self, now: Instant) -> Result<(), Duration> {
        let Some(limits) = self.limits else {
            return Ok(());
        };
        let per_ms = f64::from(limits.requests) / limits.period_ms as f64;
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64() * 1000.0;
        self.tokens = (self.tokens + elapsed * per_ms).min(f64::from(limits.burst));
        self.updated = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Ok(());
        }
        let missing_ms = (1.0 - self.tokens) / per_ms;
        Err(Duration::from_secs_f64(missing_ms / 1000.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_the_burst_then_refills_at_the_rate() {
        let limits = Limits {
            requests: 2,
            period_ms: 1000,
            burst: 3,
        };
        let mut bucket = Bucket::new(Some(limits));
        let start = Instant::now();
        for _ in 0..3 {
            assert!(bucket.take(start).is_ok());
        }
        let wait = bucket.take(start).unwrap_err();
        assert!(
            wait > Duration::from_millis(400) && wait <= Duration::from_millis(500),
            "{wait:?}"
        );
        assert!(bucket.take(start + Duration::from_millis(500)).is_ok());
        assert!(bucket.take(start + Duration::from_millis(500)).is_err());
        let mut open = Bucket::new(None);
        assert!((0..1000).all(|_| open.take(start).is_ok()));
    }
}
