//! Retry with exponential backoff and full jitter, honouring `Retry-After`.
//!
//! [backon] drives the loop: its exponential backoff gives the ceiling of each wait,
//! [`full_jitter`] draws the actual wait below it, and a `Retry-After` from the server
//! replaces the draw (or ends the retries when it is longer than the policy allows).
//! Each retry also takes one from the task's [`RetryBudget`](super::RetryBudget), when it
//! has one: none left ends the retries.

use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use backon::{ExponentialBuilder, Retryable};

use crate::config::RetryPolicy;
use crate::error::{Error, Result};

/// A failed attempt, and whether another attempt may succeed.
#[derive(Debug)]
pub(crate) struct Failure {
    /// The error the call fails with if it is not retried.
    pub error: Error,
    /// Whether the failure is transient (connection, timeout, 429, 500/502/503/504).
    pub retryable: bool,
    /// The server's `Retry-After`, when it sent one.
    pub retry_after: Option<Duration>,
}

impl Failure {
    /// A failure that retrying will not fix.
    pub(crate) fn fatal(error: Error) -> Self {
        Self {
            error,
            retryable: false,
            retry_after: None,
        }
    }

    /// A failure that a later attempt may not see.
    pub(crate) fn transient(error: Error, retry_after: Option<Duration>) -> Self {
        Self {
            error,
            retryable: true,
            retry_after,
        }
    }

    /// The error the call returns: [`Error::RateLimited`] when the server asked for a
    /// longer wait than `max_retry_after`, the attempt's error otherwise.
    fn into_error(self, max_retry_after: Duration) -> Error {
        match self.retry_after {
            Some(wait) if wait > max_retry_after => Error::RateLimited {
                retry_after: Some(wait),
            },
            _ => self.error,
        }
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Self::fatal(error)
    }
}

/// Whether a response status is worth retrying.
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// Parses a `Retry-After` value: delta-seconds or an HTTP-date (a date in the past is a
/// zero wait). `None` when the value is neither.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A wait drawn uniformly from `[0, ceiling]` ("full jitter").
pub(crate) fn full_jitter(ceiling: Duration) -> Duration {
    ceiling.mul_f64(random_fraction())
}

/// A number in `[0, 1)`, random enough for jitter. `RandomState` is seeded per process
/// and thread; the counter makes successive draws differ.
fn random_fraction() -> f64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    // The top 53 bits make an exactly representable f64 in [0, 1).
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Runs `attempt` until it succeeds, fails for good, or `policy` is spent.
///
/// `what` names the call in logs (`GET https://host/Users`).
pub(crate) async fn with_retry<T, F, Fut>(policy: &RetryPolicy, what: &str, attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Failure>>,
{
    let retries = usize::try_from(policy.max_attempts.saturating_sub(1)).unwrap_or(usize::MAX);
    let backoff = ExponentialBuilder::new()
        .with_factor(2.0)
        .with_min_delay(policy.initial_backoff)
        .with_max_delay(policy.max_backoff.max(policy.initial_backoff))
        .with_max_times(retries);
    let max_retry_after = policy.max_retry_after;
    attempt
        .retry(backoff)
        .when(|failure: &Failure| failure.retryable)
        .adjust(move |failure: &Failure, ceiling: Option<Duration>| {
            // `None` from the backoff means the attempts are spent.
            let ceiling = ceiling?;
            let wait = match failure.retry_after {
                Some(wait) if wait > max_retry_after => return None,
                Some(wait) => wait,
                None => full_jitter(ceiling),
            };
            // The caller's budget of retries for the whole operation, last.
            super::budget::take_retry().then_some(wait)
        })
        .notify(|failure: &Failure, wait: Duration| {
            tracing::warn!(
                call = what,
                wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                error = %failure.error,
                "retrying"
            );
        })
        .await
        .map_err(|failure| failure.into_error(max_retry_after))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicU32;

    use super::*;

    fn policy(max_attempts: u32) -> RetryPolicy {
        RetryPolicy {
            max_attempts,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(4),
            max_retry_after: Duration::from_secs(2),
        }
    }

    fn server_error() -> Error {
        Error::Server {
            status: 503,
            scim_type: None,
            detail: None,
        }
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(30))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn jitter_stays_under_the_ceiling_and_varies() {
        let ceiling = Duration::from_millis(100);
        let draws: Vec<Duration> = (0..50).map(|_| full_jitter(ceiling)).collect();
        assert!(draws.iter().all(|d| *d <= ceiling));
        assert!(draws.iter().any(|d| *d != draws[0]));
    }

    #[tokio::test]
    async fn retries_transient_failures_up_to_the_budget() {
        let calls = AtomicU32::new(0);
        let result: Result<()> = with_retry(&policy(3), "test", || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(Failure::transient(server_error(), None))
        })
        .await;
        assert!(matches!(result, Err(Error::Server { status: 503, .. })));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_shared_budget_ends_the_retries_of_every_request() {
        let calls = AtomicU32::new(0);
        let budget = super::super::RetryBudget::new(3);
        let failing = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err::<(), _>(Failure::transient(server_error(), None))
        };
        let (first, second) = budget
            .run(async {
                let first = with_retry(&policy(5), "first", failing).await;
                let second = with_retry(&policy(5), "second", failing).await;
                (first, second)
            })
            .await;
        assert!(first.is_err() && second.is_err());
        assert_eq!(
            calls.load(Ordering::SeqCst),
            5,
            "two first attempts and the three retries the budget holds"
        );
        assert_eq!(budget.left(), 0);
    }

    #[tokio::test]
    async fn fatal_failures_and_long_retry_after_stop_at_once() {
        let calls = AtomicU32::new(0);
        let result: Result<()> = with_retry(&policy(5), "test", || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(Failure::fatal(Error::Config("x".into())))
        })
        .await;
        assert!(matches!(result, Err(Error::Config(_))));
        assert_eq!(calls.swap(0, Ordering::SeqCst), 1);

        let result: Result<()> = with_retry(&policy(5), "test", || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(Failure::transient(
                server_error(),
                Some(Duration::from_secs(60)),
            ))
        })
        .await;
        assert!(matches!(
            result,
            Err(Error::RateLimited { retry_after: Some(d) }) if d == Duration::from_secs(60)
        ));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
