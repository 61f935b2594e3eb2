//! `connector status`: recent runs, linked accounts, open manual tasks, interrupted calls.

use std::process::ExitCode;

use clap::Args;
use connector_engine::StatusReport;
use connector_sdk::display::Escaped;

use super::engine_setup::{EXIT_ERROR, EngineArgs, block_on, fail, open};

/// Options of `connector status`.
#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    #[command(flatten)]
    engine: EngineArgs,
    /// Print the status as JSON.
    #[arg(long)]
    json: bool,
}

/// Prints the status (exit 0, or 1 when the state cannot be read).
pub(crate) fn run(args: &StatusArgs) -> ExitCode {
    let report = block_on(async {
        let engine = open(&args.engine).await?;
        engine.status().await.map_err(|e| e.to_string())
    });
    let report = match report.and_then(|r| r) {
        Ok(report) => report,
        Err(message) => return fail(EXIT_ERROR, &message),
    };
    if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => println!("{text}"),
            Err(error) => return fail(EXIT_ERROR, &error.to_string()),
        }
    } else {
        print!("{}", human(&report));
    }
    ExitCode::SUCCESS
}

/// The status for humans, every value from the state (which holds what the directory and
/// the apps said) escaped.
fn human(report: &StatusReport) -> String {
    let mut out = format!(
        "State {} (schema {}); directory size at the last run: {}\n",
        Escaped(&report.state),
        report.schema_version,
        report
            .last_source_size
            .map_or("none".to_owned(), |n| n.to_string())
    );
    out.push_str("\nLinked accounts:\n");
    if report.links.is_empty() {
        out.push_str("  none\n");
    }
    for (instance, count) in &report.links {
        out.push_str(&format!("  {}: {count}\n", Escaped(instance)));
    }
    out.push_str("\nRecent runs:\n");
    if report.runs.is_empty() {
        out.push_str("  none\n");
    }
    for run in &report.runs {
        out.push_str(&format!(
            "  {} {} {:?} ({} people)\n",
            Escaped(&run.id),
            Escaped(&run.started_at),
            run.status,
            run.source_size.unwrap_or_default()
        ));
    }
    if !report.manual_tasks.is_empty() {
        out.push_str("\nOpen manual tasks:\n");
        for task in &report.manual_tasks {
            out.push_str(&format!(
                "  [{}] {} {} {}: {}{}\n",
                task.id.unwrap_or_default(),
                Escaped(&task.instance),
                Escaped(&task.action),
                Escaped(&task.sku),
                Escaped(&task.instructions),
                task.url
                    .as_ref()
                    .map(|u| format!(" <{}>", Escaped(u)))
                    .unwrap_or_default()
            ));
        }
    }
    if !report.pending_intents.is_empty() {
        out.push_str(&format!(
            "\n{} calls of an interrupted run have no outcome; the next apply settles them first.\n",
            report.pending_intents.len()
        ));
    }
    out.push_str(&events(report));
    out
}

/// The event queue of `connector serve`: its depth and dead letters.
fn events(report: &StatusReport) -> String {
    let count = |state: &str| report.events.get(state).copied().unwrap_or_default();
    let mut out = format!(
        "\nEvents: {} pending, {} dead, {} done, {} ignored\n",
        count("pending"),
        count("dead"),
        count("done"),
        count("ignored")
    );
    for dead in &report.dead_letters {
        out.push_str(&format!(
            "  dead [{}] {} {} {}: {}\n",
            dead.id,
            Escaped(&dead.uuid),
            Escaped(&dead.event_type),
            Escaped(
                dead.login
                    .as_deref()
                    .or(dead.person.as_deref())
                    .unwrap_or("?")
            ),
            Escaped(dead.detail.as_deref().unwrap_or(""))
        ));
    }
    if !report.dead_letters.is_empty() {
        out.push_str("  re-drive one with `connector events retry <id>`\n");
    }
    for source in &report.event_sources {
        out.push_str(&format!(
            "  {}: {} events read, newest published {}, last poll {}{}\n",
            Escaped(&source.name),
            source.events_read,
            Escaped(source.last_published.as_deref().unwrap_or("none yet")),
            Escaped(source.polled_at.as_deref().unwrap_or("never")),
            source
                .last_error
                .as_deref()
                .map(|e| format!(" (failed: {})", Escaped(e)))
                .unwrap_or_default()
        ));
    }
    out
}
