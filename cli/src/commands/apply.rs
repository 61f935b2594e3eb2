//! `connector apply`: plan, then make the changes, journaled and resumable.
//!
//! Exit codes: 0 every change applied, 4 some changes failed (the rest applied), 3 a
//! safety check stopped the run before anything was touched, 1 error.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use connector_engine::plan::render::render;
use connector_engine::{
    ApplyOptions, ApplyReport, AuditSink, EngineError, PlanOptions, StepStatus,
};
use connector_sdk::display::{Escaped, escape_lines};

use crate::progress::{ProgressMode, reporter};

use super::engine_setup::{
    EXIT_ERROR, EXIT_OK, EXIT_PARTIAL, EXIT_STOPPED, EngineArgs, SourceArgs, block_on, fail,
    open_with_source,
};

/// Options of `connector apply`.
#[derive(Debug, Args)]
pub(crate) struct ApplyArgs {
    #[command(flatten)]
    engine: EngineArgs,
    #[command(flatten)]
    source: SourceArgs,
    /// Proceed although the removal circuit breaker tripped.
    #[arg(long)]
    allow_removals: bool,
    /// Calls in flight across all instances (default: `settings.concurrency`).
    #[arg(long)]
    concurrency: Option<usize>,
    /// Append audit events to this file, or `-` for standard output (default:
    /// `settings.audit_log`); with `-` the report moves to standard error, so standard
    /// output carries the audit events only.
    #[arg(long)]
    audit_log: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// No progress bars (on a terminal) or progress lines (otherwise) on standard error.
    #[arg(long)]
    no_progress: bool,
}

/// Applies and prints the report.
pub(crate) fn run(args: &ApplyArgs) -> ExitCode {
    match block_on(apply(args)) {
        Ok(code) => code,
        Err(message) => fail(EXIT_ERROR, &message),
    }
}

/// The async body of [`run`].
async fn apply(args: &ApplyArgs) -> ExitCode {
    let (engine, source) = match open_with_source(&args.engine, &args.source).await {
        Ok(opened) => opened,
        Err(message) => return fail(EXIT_ERROR, &message),
    };
    let audit_path = args
        .audit_log
        .clone()
        .or_else(|| engine.assignments().settings.audit_log.clone());
    let audit_on_stdout = audit_path.as_ref().is_some_and(|p| p.as_os_str() == "-");
    let audit = match audit_path {
        Some(path) if path.as_os_str() == "-" => AuditSink::Stdout,
        Some(path) => match AuditSink::file(&path) {
            Ok(sink) => sink,
            Err(error) => {
                return fail(
                    EXIT_ERROR,
                    &format!("audit log {}: {error}", path.display()),
                );
            }
        },
        None => AuditSink::None,
    };
    let options = ApplyOptions {
        plan: PlanOptions {
            allow_removals: args.allow_removals,
            accept_source_shrink: args.source.accept_source_shrink,
            instances: args.source.instances.clone(),
            ..PlanOptions::default()
        },
        audit,
        concurrency: args.concurrency,
        max_attempts: None,
        progress: reporter(if args.no_progress {
            ProgressMode::Off
        } else {
            ProgressMode::Auto
        }),
        run_id: None,
    };
    let report = match engine.apply(source.as_ref(), options).await {
        Ok(report) => report,
        Err(error @ EngineError::SourceStop(_)) => return fail(EXIT_STOPPED, &error.to_string()),
        Err(error) => return fail(EXIT_ERROR, &error.to_string()),
    };
    let text = if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => text + "\n",
            Err(error) => return fail(EXIT_ERROR, &error.to_string()),
        }
    } else {
        human(&report)
    };
    // The report is the command's output; only the audit events may claim stdout first.
    if audit_on_stdout {
        eprint!("{text}");
    } else {
        print!("{text}");
    }
    let code = if report.stopped.is_some() {
        EXIT_STOPPED
    } else if report.succeeded() {
        EXIT_OK
    } else {
        EXIT_PARTIAL
    };
    ExitCode::from(code)
}

/// The report for humans, every value from the directory or an app escaped.
fn human(report: &ApplyReport) -> String {
    let mut out = String::new();
    for resumed in &report.resumed {
        out.push_str(&format!(
            "resumed: {} {} (run {}): {} — {}\n",
            Escaped(&resumed.instance),
            Escaped(&resumed.action),
            Escaped(&resumed.run_id),
            Escaped(&resumed.outcome),
            Escaped(&resumed.detail)
        ));
    }
    out.push_str(&render(&report.plan));
    if let Some(stopped) = &report.stopped {
        out.push_str(&format!("\nSTOPPED: {}\n", escape_lines(stopped)));
        return out;
    }
    out.push('\n');
    for result in &report.results {
        if result.status != StepStatus::Applied {
            out.push_str(&format!(
                "{:<8} {} {} {}: {}\n",
                result.status,
                Escaped(&result.instance),
                Escaped(&result.action),
                Escaped(&result.target),
                Escaped(result.detail.as_deref().unwrap_or(""))
            ));
        }
    }
    let c = &report.counts;
    out.push_str(&format!(
        "Run {}: {} applied, {} manual tasks, {} failed, {} not attempted, {} instances not reached.\n",
        Escaped(&report.run_id), c.applied, c.manual, c.failed, c.skipped, c.failed_instances
    ));
    out
}
