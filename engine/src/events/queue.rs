//! The queue's policy and its one worker. The events themselves live in the state file
//! (`Store::enqueue_events`, `due_events`, …), so an accepted event survives any crash;
//! one worker per state file takes the due events, a person's events one at a time in
//! arrival order, and also runs the periodic full reconcile, so an event and a reconcile
//! never apply at once.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use super::handle::{BatchReport, process_due};
use crate::directory::DirectorySource;
use crate::{ApplyOptions, ApplyReport, AuditSink, Engine, EngineError, clock};

/// How the queue retries and batches.
#[derive(Debug, Clone)]
pub struct QueuePolicy {
    /// Attempts before an event is dead-lettered (at least 1).
    pub max_attempts: u32,
    /// The wait after the first failed attempt; doubled after each further one.
    pub backoff: Duration,
    /// The longest wait between attempts.
    pub max_backoff: Duration,
    /// People per apply (each with their oldest pending event).
    pub batch: u32,
    /// Calls in flight per apply (default: `settings.concurrency`).
    pub concurrency: Option<usize>,
    /// Where audit events go besides the state.
    pub audit_log: Option<PathBuf>,
    /// The full reconcile (plan and apply of everyone) every so often, if at all.
    pub reconcile_every: Option<Duration>,
    /// The flows that decide what each event does (`None`: the built-in leaver,
    /// joiner and mover).
    pub flows: Option<std::sync::Arc<crate::flows::Flows>>,
}

impl Default for QueuePolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(300),
            batch: 1,
            concurrency: None,
            audit_log: None,
            reconcile_every: None,
            flows: None,
        }
    }
}

impl QueuePolicy {
    /// The wait after failed attempt number `attempt` (1-based).
    pub fn backoff_after(&self, attempt: i64) -> Duration {
        let doublings = u32::try_from(attempt.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
        self.backoff
            .saturating_mul(2u32.saturating_pow(doublings))
            .min(self.max_backoff)
    }
}

/// What the worker tells its caller.
#[derive(Debug)]
pub enum WorkerNews<'a> {
    /// A batch of events was processed.
    Batch(&'a BatchReport),
    /// The periodic reconcile ran.
    Reconciled(&'a Result<ApplyReport, EngineError>),
    /// The queue could not be read or written (the worker tries again shortly).
    QueueFailed(&'a EngineError),
}

/// The longest the worker sleeps without looking at the queue (another process, such
/// as `connector events retry`, may have put an event back).
const POLL: Duration = Duration::from_secs(1);

/// The one worker of a state file's queue.
pub struct Worker {
    /// The engine.
    engine: Arc<Engine>,
    /// The directory.
    source: Arc<dyn DirectorySource>,
    /// Retries and batches.
    policy: QueuePolicy,
    /// Woken when an event is queued.
    wake: Arc<Notify>,
}

impl Worker {
    /// A worker over `engine`'s state, reading people from `source`.
    pub fn new(engine: Arc<Engine>, source: Arc<dyn DirectorySource>, policy: QueuePolicy) -> Self {
        Self {
            engine,
            source,
            policy,
            wake: Arc::new(Notify::new()),
        }
    }

    /// What to notify when an event was queued, so it is processed at once.
    pub fn waker(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// Processes events (and reconciles, when configured) until the task is dropped.
    pub async fn run(self, news: impl Fn(WorkerNews<'_>) + Send + Sync) {
        let every = self.policy.reconcile_every;
        let mut next_reconcile = every.map(|every| Instant::now() + every);
        loop {
            match process_due(&self.engine, self.source.as_ref(), &self.policy).await {
                Ok(Some(batch)) => {
                    news(WorkerNews::Batch(&batch));
                    continue;
                }
                Ok(None) => {}
                Err(error) => {
                    news(WorkerNews::QueueFailed(&error));
                    tokio::time::sleep(POLL).await;
                    continue;
                }
            }
            if let (Some(at), Some(every)) = (next_reconcile, every)
                && Instant::now() >= at
            {
                let options = ApplyOptions {
                    audit: self.audit(),
                    concurrency: self.policy.concurrency,
                    ..ApplyOptions::default()
                };
                let result = self.engine.apply(self.source.as_ref(), options).await;
                news(WorkerNews::Reconciled(&result));
                next_reconcile = Some(Instant::now() + every);
                continue;
            }
            let mut wait = POLL;
            if let Ok(Some(due)) = self.engine.store().next_event_due().await {
                let now = clock::epoch_ms(clock::now());
                wait = wait.min(Duration::from_millis(due.saturating_sub(now).max(0) as u64));
            }
            if let Some(at) = next_reconcile {
                wait = wait.min(at.saturating_duration_since(Instant::now()));
            }
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// The audit sink of a reconcile (the policy's file, else the state only).
    fn audit(&self) -> AuditSink {
        match &self.policy.audit_log {
            Some(path) => AuditSink::file(path).unwrap_or_else(|error| {
                tracing::warn!(path = %path.display(), %error, "cannot open the audit log");
                AuditSink::None
            }),
            None => AuditSink::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_up_to_its_cap() {
        let policy = QueuePolicy {
            backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(500),
            ..QueuePolicy::default()
        };
        let waits: Vec<u128> = (1..=5)
            .map(|a| policy.backoff_after(a).as_millis())
            .collect();
        assert_eq!(waits, [100, 200, 400, 500, 500]);
    }
}
