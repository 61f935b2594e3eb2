//! Apply progress for people: one bar per instance on a terminal (indicatif), plain
//! lines otherwise (logs and CI keep a readable record, without control characters).

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use connector_engine::{ApplyProgress, ProgressHandle, StepResult, StepStatus};
use connector_sdk::display::escape;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProgressMode {
    /// Bars on a terminal, lines otherwise.
    Auto,
    /// Bars on a terminal, nothing otherwise (the demo keeps its output clean).
    #[cfg_attr(not(feature = "sandbox"), allow(dead_code))]
    BarsOnly,
    /// Nothing.
    Off,
}

/// The progress receiver for `mode` on this process's standard error, if any.
pub(crate) fn reporter(mode: ProgressMode) -> Option<ProgressHandle> {
    let terminal = std::io::stderr().is_terminal();
    match (mode, terminal) {
        (ProgressMode::Off, _) => None,
        (_, true) => Some(ProgressHandle::new(Bars::default())),
        (ProgressMode::Auto, false) => Some(ProgressHandle::new(Lines::default())),
        (ProgressMode::BarsOnly, false) => None,
    }
}

/// One indicatif bar per instance.
#[derive(Default)]
struct Bars {
    /// The bars, drawn together.
    multi: MultiProgress,
    /// Each instance's bar.
    bars: Mutex<BTreeMap<String, ProgressBar>>,
}

impl ApplyProgress for Bars {
    fn started(&self, totals: &[(String, u64)]) {
        self.multi.set_draw_target(ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{prefix:>16} [{bar:30}] {pos:>5}/{len:<5} {msg} {elapsed_precise}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        let width = totals.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
        let mut bars = self.bars.lock().unwrap_or_else(|e| e.into_inner());
        for (instance, total) in totals.iter().filter(|(_, total)| *total > 0) {
            let bar = self.multi.add(ProgressBar::new(*total));
            bar.set_style(style.clone());
            bar.set_prefix(format!("{:>width$}", escape(instance)));
            bar.enable_steady_tick(Duration::from_millis(200));
            bars.insert(instance.clone(), bar);
        }
    }

    fn step_finished(&self, result: &StepResult) {
        let bars = self.bars.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bar) = bars.get(&result.instance) {
            bar.inc(1);
            if result.status == StepStatus::Failed {
                bar.set_message("(some failed)");
            }
        }
    }

    fn finished(&self) {
        let bars = self.bars.lock().unwrap_or_else(|e| e.into_inner());
        for bar in bars.values() {
            bar.finish();
        }
    }
}

/// A line per instance at every quarter of its changes, and when it is done.
#[derive(Default)]
struct Lines {
    /// Per instance: (changes ended, changes planned, failed).
    counts: Mutex<BTreeMap<String, (u64, u64, u64)>>,
}

impl ApplyProgress for Lines {
    fn started(&self, totals: &[(String, u64)]) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let changes: u64 = totals.iter().map(|(_, total)| total).sum();
        eprintln!(
            "apply: {changes} changes across {} instances",
            totals.iter().filter(|(_, total)| *total > 0).count()
        );
        for (instance, total) in totals {
            counts.insert(instance.clone(), (0, *total, 0));
        }
    }

    fn step_finished(&self, result: &StepResult) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let Some((done, total, failed)) = counts.get_mut(&result.instance) else {
            return;
        };
        *done += 1;
        if result.status == StepStatus::Failed {
            *failed += 1;
        }
        if let Some(line) = progress_line(&result.instance, *done, *total, *failed) {
            eprintln!("{line}");
        }
    }

    fn finished(&self) {}
}

/// The line to print when `done` of `total` changes of `instance` have ended: at each
/// quarter, and at the end.
fn progress_line(instance: &str, done: u64, total: u64, failed: u64) -> Option<String> {
    let quarter = |n: u64| n * 4 / total.max(1);
    let crossed = done == total || (done > 0 && quarter(done) != quarter(done - 1));
    crossed.then(|| {
        let failed = if failed > 0 {
            format!(", {failed} failed")
        } else {
            String::new()
        };
        format!(
            "apply: {}: {done}/{total} changes ({}%{failed})",
            escape(instance),
            done * 100 / total.max(1)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::progress_line;

    #[test]
    fn lines_come_at_each_quarter_and_at_the_end() {
        let printed: Vec<u64> = (1..=10)
            .filter(|done| progress_line("slack", *done, 10, 0).is_some())
            .collect();
        assert_eq!(printed, [3, 5, 8, 10]);
        assert_eq!(
            progress_line("zoom", 2, 2, 1).as_deref(),
            Some("apply: zoom: 2/2 changes (100%, 1 failed)")
        );
        assert_eq!(
            progress_line("box", 1, 1, 0).as_deref(),
            Some("apply: box: 1/1 changes (100%)")
        );
    }
}
