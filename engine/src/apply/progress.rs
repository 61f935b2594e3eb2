//! [`ApplyProgress`]: how an apply reports its progress while it runs, so a front end
//! can draw progress bars (the CLI on a terminal) or print plain lines (logs, CI).

use std::fmt;

use super::StepResult;

/// Receives an apply's progress. Called from many tasks at once, so implementations
/// synchronise themselves; a slow implementation slows the apply down.
pub trait ApplyProgress: Send + Sync {
    /// The apply starts: each instance's name with the number of changes it will make.
    fn started(&self, totals: &[(String, u64)]);
    /// One change ended (its `status` is `applied`, `manual`, `failed` or `skipped`).
    fn step_finished(&self, result: &StepResult);
    /// Every change ended.
    fn finished(&self);
}

/// A shared progress receiver, as [`crate::ApplyOptions`] holds it.
#[derive(Clone)]
pub struct ProgressHandle(pub std::sync::Arc<dyn ApplyProgress>);

impl fmt::Debug for ProgressHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProgressHandle(..)")
    }
}

impl ProgressHandle {
    /// Wraps `progress`.
    pub fn new(progress: impl ApplyProgress + 'static) -> Self {
        Self(std::sync::Arc::new(progress))
    }
}
