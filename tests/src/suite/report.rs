//! What a capability-suite run did.

use std::fmt;

/// How one step of the suite ended. (A failing step panics instead.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOutcome {
    /// The step ran and every check held.
    Passed,
    /// The step did not run (the capability is not declared, or cannot be checked here).
    Skipped,
}

/// One step of the suite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepReport {
    /// The step's name (`create`, `adopt`, `update`, ...).
    pub step: &'static str,
    /// How it ended.
    pub outcome: StepOutcome,
    /// What was checked, or why it was skipped.
    pub detail: String,
}

/// The steps a suite run went through, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuiteReport {
    /// The connector's manifest name.
    pub connector: &'static str,
    /// The steps, in the order they ran.
    pub steps: Vec<StepReport>,
}

impl SuiteReport {
    /// The report of the step named `step`, if the suite reached it.
    pub fn step(&self, step: &str) -> Option<&StepReport> {
        self.steps.iter().find(|report| report.step == step)
    }

    /// Whether the step named `step` ran and passed.
    pub fn passed(&self, step: &str) -> bool {
        self.step(step)
            .is_some_and(|report| report.outcome == StepOutcome::Passed)
    }

    /// Panics with the whole report unless every step of `passed` ran and passed and every
    /// step of `skipped` was skipped.
    #[track_caller]
    pub fn assert_outcomes(&self, passed: &[&str], skipped: &[&str]) {
        for step in passed {
            assert!(self.passed(step), "step `{step}` did not pass:\n{self}");
        }
        for step in skipped {
            assert_eq!(
                self.step(step).map(|report| report.outcome),
                Some(StepOutcome::Skipped),
                "step `{step}` was not skipped:\n{self}"
            );
        }
    }

    /// The names of the steps that passed, in order.
    pub fn passed_steps(&self) -> Vec<&'static str> {
        self.steps
            .iter()
            .filter(|report| report.outcome == StepOutcome::Passed)
            .map(|report| report.step)
            .collect()
    }

    /// Records a passed step.
    pub(crate) fn pass(&mut self, step: &'static str, detail: impl Into<String>) {
        self.push(step, StepOutcome::Passed, detail.into());
    }

    /// Records a skipped step.
    pub(crate) fn skip(&mut self, step: &'static str, why: impl Into<String>) {
        self.push(step, StepOutcome::Skipped, why.into());
    }

    fn push(&mut self, step: &'static str, outcome: StepOutcome, detail: String) {
        self.steps.push(StepReport {
            step,
            outcome,
            detail,
        });
    }
}

impl fmt::Display for SuiteReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "capability suite for `{}`:", self.connector)?;
        for report in &self.steps {
            let mark = match report.outcome {
                StepOutcome::Passed => "ok  ",
                StepOutcome::Skipped => "skip",
            };
            writeln!(f, "  {mark} {:<8} {}", report.step, report.detail)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> SuiteReport {
        let mut report = SuiteReport {
            connector: "mini",
            steps: Vec::new(),
        };
        report.pass("create", "created");
        report.skip("delete", "not declared");
        report
    }

    #[test]
    fn outcomes_that_hold_pass() {
        report().assert_outcomes(&["create"], &["delete"]);
    }

    #[test]
    #[should_panic(expected = "step `delete` did not pass")]
    fn a_skipped_step_expected_to_pass_fails() {
        report().assert_outcomes(&["create", "delete"], &[]);
    }

    #[test]
    #[should_panic(expected = "step `update` was not skipped")]
    fn a_step_that_never_ran_is_not_skipped() {
        report().assert_outcomes(&[], &["update"]);
    }
}
