//! [`RetryBudget`]: one budget of retries shared by every request a task makes, so that a
//! caller (the engine, for one change) bounds the requests of a whole operation — lookups
//! included — rather than each request on its own.
//!
//! Outside a budget's [`run`](RetryBudget::run) scope each request is retried per its
//! [`RetryPolicy`](crate::RetryPolicy) alone.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

tokio::task_local! {
    /// The budget of the running task, if it set one.
    static BUDGET: Arc<RetryBudget>;
}

/// Retries that the requests made inside [`run`](Self::run) share: every re-send after
/// a transient failure (connection, timeout, 429, 5xx, a throttle rule) takes one, and
/// once none is left a failing request fails at once. First attempts are not counted
/// against it, so a healthy multi-request operation (paging a lookup) is never cut
/// short; [`requests`](Self::requests) counts them all.
///
/// ```
/// # async fn demo(client: connector_sdk::http::HttpClient) {
/// use connector_sdk::http::{Method, Request, RetryBudget};
///
/// let budget = RetryBudget::new(4);
/// let answer = budget
///     .run(client.send(&Request::new(Method::Get, ["Users"])))
///     .await;
/// assert!(budget.requests() >= 1);
/// # let _ = answer;
/// # }
/// ```
#[derive(Debug)]
pub struct RetryBudget {
    /// Retries left.
    left: AtomicU32,
    /// Requests sent under the budget, first attempts included.
    requests: AtomicU32,
}

impl RetryBudget {
    /// A budget of `retries` re-sends.
    pub fn new(retries: u32) -> Arc<Self> {
        Arc::new(Self {
            left: AtomicU32::new(retries),
            requests: AtomicU32::new(0),
        })
    }

    /// Runs `future` with this budget applying to every request it makes (on the
    /// current task; a task it spawns is not covered).
    pub async fn run<F: Future>(self: &Arc<Self>, future: F) -> F::Output {
        BUDGET.scope(self.clone(), future).await
    }

    /// Takes one retry; `false` when none is left.
    pub fn take(&self) -> bool {
        self.left
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| {
                left.checked_sub(1)
            })
            .is_ok()
    }

    /// Retries left.
    pub fn left(&self) -> u32 {
        self.left.load(Ordering::Acquire)
    }

    /// Requests sent under the budget so far, first attempts and retries.
    pub fn requests(&self) -> u32 {
        self.requests.load(Ordering::Acquire)
    }
}

/// Takes one retry from the task's budget; `true` when the task has none (the retry
/// policy alone decides) or one was left.
pub(crate) fn take_retry() -> bool {
    BUDGET.try_with(|budget| budget.take()).unwrap_or(true)
}

/// Counts one request sent under the task's budget, if it has one.
pub(crate) fn count_request() {
    let _ = BUDGET.try_with(|budget| budget.requests.fetch_add(1, Ordering::AcqRel));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn retries_are_taken_only_inside_the_scope_and_only_while_left() {
        assert!(take_retry(), "no budget: the policy alone decides");
        let budget = RetryBudget::new(2);
        let taken = budget
            .run(async {
                count_request();
                [take_retry(), take_retry(), take_retry()]
            })
            .await;
        assert_eq!(taken, [true, true, false]);
        assert_eq!((budget.left(), budget.requests()), (0, 1));
        assert!(take_retry(), "outside the scope again");
    }
}
