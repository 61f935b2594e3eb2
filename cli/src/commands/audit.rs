//! `connector audit`: the stored OCSF Account Change events, filtered.

use std::process::ExitCode;

use clap::Args;
use connector_engine::state::AuditFilter;
use connector_sdk::display::{Escaped, escape};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::engine_setup::{EXIT_ERROR, EngineArgs, block_on, fail, open};

/// Options of `connector audit`.
#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    #[command(flatten)]
    engine: EngineArgs,
    /// Events of this run.
    #[arg(long)]
    run: Option<String>,
    /// Events of this instance.
    #[arg(long)]
    instance: Option<String>,
    /// Events about this directory person (id).
    #[arg(long)]
    identity: Option<String>,
    /// Events of this activity (Create, Enable, Disable, Delete, Attach Policy, ...).
    #[arg(long)]
    activity: Option<String>,
    /// Events with this status (success, failure, other).
    #[arg(long)]
    status: Option<String>,
    /// Events at or after this time (2026-03-31 or 2026-03-31T18:00:00Z).
    #[arg(long)]
    since: Option<String>,
    /// At most this many (the newest).
    #[arg(long)]
    limit: Option<u32>,
    /// Print the events as JSON lines (OCSF), ready for a SIEM.
    #[arg(long)]
    json: bool,
}

/// Prints the matching events.
pub(crate) fn run(args: &AuditArgs) -> ExitCode {
    let since_ms = match args.since.as_deref().map(parse_since).transpose() {
        Ok(since) => since,
        Err(message) => return fail(EXIT_ERROR, &message),
    };
    let filter = AuditFilter {
        run_id: args.run.clone(),
        instance: args.instance.clone(),
        identity_id: args.identity.clone(),
        activity: args.activity.clone(),
        status: args.status.clone(),
        since_ms,
        limit: args.limit,
    };
    let events = block_on(async {
        let engine = open(&args.engine).await?;
        engine
            .store()
            .audit_events(&filter)
            .await
            .map_err(|e| e.to_string())
    });
    let events = match events.and_then(|e| e) {
        Ok(events) => events,
        Err(message) => return fail(EXIT_ERROR, &message),
    };
    for line in &events {
        if args.json {
            println!("{line}");
        } else {
            println!("{}", human(line));
        }
    }
    ExitCode::SUCCESS
}

/// `2026-03-31` or an RFC 3339 time, as epoch milliseconds.
fn parse_since(text: &str) -> Result<i64, String> {
    let instant = OffsetDateTime::parse(text, &Rfc3339)
        .or_else(|_| OffsetDateTime::parse(&format!("{text}T00:00:00Z"), &Rfc3339));
    instant
        .map(connector_engine::clock::epoch_ms)
        .map_err(|_| format!("--since `{text}` is not a date (2026-03-31) or an RFC 3339 time"))
}

/// One event as a line for humans, every value escaped for the terminal.
fn human(line: &str) -> String {
    let Ok(event) = serde_json::from_str::<Value>(line) else {
        return escape(line).into_owned();
    };
    let text = |v: &Value| escape(v.as_str().unwrap_or("-")).into_owned();
    let time = event["time"]
        .as_i64()
        .and_then(|ms| OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok())
        .map_or_else(|| "-".to_owned(), connector_engine::clock::stamp);
    format!(
        "{time} {} {:<14} {:<8} {} {}{}{}",
        text(&event["api"]["service"]["uid"]),
        text(&event["activity_name"]),
        text(&event["status"]),
        text(&event["unmapped"]["identity"]["login"]),
        text(&event["user"]["name"]),
        event["policy"]["name"]
            .as_str()
            .map(|s| format!(" [{}]", Escaped(s)))
            .unwrap_or_default(),
        event["status_detail"]
            .as_str()
            .map(|s| format!(": {}", Escaped(s)))
            .unwrap_or_default(),
    )
}
