//! `connector events`: the queue of `connector serve`: `list` (newest first, `--only`
//! one queue state) and `retry <id>` (a dead letter back in the queue; the running
//! `serve` picks it up).

use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use connector_engine::state::EventState;
use connector_sdk::display::Escaped;

use super::engine_setup::{EXIT_ERROR, EngineArgs, block_on, fail, open};

/// Options of `connector events`.
#[derive(Debug, Args)]
pub(crate) struct EventsArgs {
    #[command(subcommand)]
    command: EventsCommand,
}

/// What to do with the queue.
#[derive(Debug, Subcommand)]
enum EventsCommand {
    /// List events, newest first.
    List {
        #[command(flatten)]
        engine: EngineArgs,
        /// Only events in this queue state.
        #[arg(long, value_name = "STATE")]
        only: Option<StateArg>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Put a dead-lettered event back in the queue, its attempts reset.
    Retry {
        #[command(flatten)]
        engine: EngineArgs,
        /// The event's queue id (`connector events list`, `connector status`).
        id: i64,
        /// Apply it even if the removal circuit breaker trips (after looking at why it
        /// stopped: its detail in `connector events list`).
        #[arg(long)]
        allow_removals: bool,
    },
}

/// A queue state, as the flag names it.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum StateArg {
    Pending,
    Done,
    Ignored,
    Dead,
}

impl From<StateArg> for EventState {
    fn from(state: StateArg) -> Self {
        match state {
            StateArg::Pending => Self::Pending,
            StateArg::Done => Self::Done,
            StateArg::Ignored => Self::Ignored,
            StateArg::Dead => Self::Dead,
        }
    }
}

/// Runs the subcommand (exit 0, or 1 on an error or an unknown id).
pub(crate) fn run(args: &EventsArgs) -> ExitCode {
    let result = block_on(async {
        match &args.command {
            EventsCommand::List {
                engine,
                only,
                limit,
                json,
            } => list(engine, only.map(Into::into), *limit, *json).await,
            EventsCommand::Retry {
                engine,
                id,
                allow_removals,
            } => retry(engine, *id, *allow_removals).await,
        }
    });
    match result.and_then(|r| r) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(message) => fail(EXIT_ERROR, &message),
    }
}

/// The events, as a table or JSON.
async fn list(
    engine: &EngineArgs,
    state: Option<EventState>,
    limit: u32,
    json: bool,
) -> Result<String, String> {
    let engine = open(engine).await?;
    let events = engine
        .store()
        .events(state, limit)
        .await
        .map_err(|e| e.to_string())?;
    if json {
        return serde_json::to_string_pretty(&events)
            .map(|t| t + "\n")
            .map_err(|e| e.to_string());
    }
    if events.is_empty() {
        return Ok("No events.\n".to_owned());
    }
    let mut out = String::new();
    for event in &events {
        out.push_str(&format!(
            "[{}] {} {} {} {} (attempts {}): {}\n",
            event.id,
            event.state,
            Escaped(&event.uuid),
            Escaped(&event.event_type),
            Escaped(
                event
                    .login
                    .as_deref()
                    .or(event.person.as_deref())
                    .unwrap_or("?")
            ),
            event.attempts,
            Escaped(event.detail.as_deref().unwrap_or(""))
        ));
    }
    Ok(out)
}

/// Re-drives dead letter `id` (past the removal circuit breaker with `allow_removals`).
async fn retry(engine: &EngineArgs, id: i64, allow_removals: bool) -> Result<String, String> {
    let engine = open(engine).await?;
    let before = engine
        .store()
        .retry_event(id, allow_removals)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no event {id} in the queue (see `connector events list`)"))?;
    if before.state != EventState::Dead {
        return Err(format!(
            "event {id} is {}, not dead: only a dead letter is re-driven",
            before.state
        ));
    }
    Ok(format!(
        "Event {id} ({} {}) is queued again{}; a running `connector serve` processes it.\n",
        Escaped(&before.uuid),
        Escaped(&before.event_type),
        if allow_removals {
            ", past the removal circuit breaker"
        } else {
            ""
        }
    ))
}
