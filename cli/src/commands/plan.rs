//! `connector plan`: what apply would change, per app. Writes nothing to any app.
//!
//! Exit codes: 0 no changes, 2 changes pending, 3 a safety check would stop apply
//! (empty or shrinking directory, removal circuit breaker), 1 error.

use std::process::ExitCode;

use clap::Args;
use connector_engine::plan::render::render;
use connector_engine::{EngineError, PlanOptions};

use super::engine_setup::{
    EXIT_CHANGES, EXIT_ERROR, EXIT_OK, EXIT_STOPPED, EngineArgs, SourceArgs, block_on, fail,
    open_with_source,
};

/// Options of `connector plan`.
#[derive(Debug, Args)]
pub(crate) struct PlanArgs {
    #[command(flatten)]
    engine: EngineArgs,
    #[command(flatten)]
    source: SourceArgs,
    /// Print the plan as JSON (format: docs/plan-json.md).
    #[arg(long)]
    json: bool,
    /// Plan as if the circuit breaker were lifted (shows what --allow-removals would do).
    #[arg(long)]
    allow_removals: bool,
}

/// Plans and prints; the exit code says whether changes are pending.
pub(crate) fn run(args: &PlanArgs) -> ExitCode {
    match block_on(plan(args)) {
        Ok(code) => code,
        Err(message) => fail(EXIT_ERROR, &message),
    }
}

/// The async body of [`run`].
async fn plan(args: &PlanArgs) -> ExitCode {
    let (engine, source) = match open_with_source(&args.engine, &args.source).await {
        Ok(opened) => opened,
        Err(message) => return fail(EXIT_ERROR, &message),
    };
    let options = PlanOptions {
        allow_removals: args.allow_removals,
        accept_source_shrink: args.source.accept_source_shrink,
        instances: args.source.instances.clone(),
        ..PlanOptions::default()
    };
    let plan = match engine.plan(source.as_ref(), &options).await {
        Ok(plan) => plan,
        Err(error @ EngineError::SourceStop(_)) => return fail(EXIT_STOPPED, &error.to_string()),
        Err(error) => return fail(EXIT_ERROR, &error.to_string()),
    };
    if let Ok(pending) = engine.store().pending_intents().await
        && !pending.is_empty()
    {
        eprintln!(
            "warning: an earlier apply was interrupted with {} calls in flight; the next apply settles them first",
            pending.len()
        );
    }
    if args.json {
        match serde_json::to_string_pretty(&plan) {
            Ok(text) => println!("{text}"),
            Err(error) => return fail(EXIT_ERROR, &error.to_string()),
        }
    } else {
        print!("{}", render(&plan));
    }
    let code = if plan.summary.failed_instances > 0 {
        EXIT_ERROR
    } else if plan.summary.blocked {
        EXIT_STOPPED
    } else if plan.has_changes() {
        EXIT_CHANGES
    } else {
        EXIT_OK
    };
    ExitCode::from(code)
}
