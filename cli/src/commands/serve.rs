//! `connector serve`: the long-running service. Takes Okta Event Hook deliveries on
//! `/hooks/okta` (stored in the state's queue before they are answered), handles the due
//! events in batches (`--batch` people, one event each), each an apply scoped to its
//! people, optionally polls the Okta System Log into the same queue (`--poll-okta-logs`)
//! and runs the full reconcile on an interval, so it is the one process an admin runs.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderName;
use clap::Args;
use connector_engine::config::DirectoryConfig;
use connector_engine::events::{
    OktaLogPoller, PollError, PollReport, QueuePolicy, Worker, WorkerNews,
};
use connector_engine::state::EventState;
use connector_engine::{Engine, EnvSecrets, Secrets};
use connector_sdk::display::{Escaped, escape_lines};

use super::engine_setup::{EngineArgs, SourceArgs, block_on, open, source};
use super::serve_cards::{CardsApi, CardsArgs};
use super::serve_http::{Hooks, router};
use super::serve_metrics::Metrics;

/// Options of `connector serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    engine: EngineArgs,
    #[command(flatten)]
    source: SourceArgs,
    #[command(flatten)]
    cards: CardsArgs,
    /// Where to listen (`127.0.0.1:8787`; port 0 picks a free one, printed on start).
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: String,
    /// The header Okta sends the shared secret in (the hook's `authScheme.key`).
    #[arg(long, default_value = "Authorization")]
    hook_header: String,
    /// The environment variable holding the shared secret (the hook's
    /// `authScheme.value`). Required: `serve` refuses unauthenticated deliveries.
    #[arg(long, default_value = "OKTA_HOOK_SECRET")]
    hook_secret_env: String,
    /// The largest hook body accepted, in bytes (larger: 400, nothing queued).
    #[arg(long, default_value_t = 1 << 20)]
    max_body: usize,
    /// Attempts before an event is dead-lettered.
    #[arg(long, default_value_t = 5)]
    max_attempts: u32,
    /// The wait after a failed attempt, doubled after each further one (`500ms`, `2s`).
    #[arg(long, default_value = "2s", value_parser = duration)]
    retry_backoff: Duration,
    /// People per apply: the due events (each the oldest pending event of its person,
    /// one per person) handled together by one scoped apply. A batch whose removals
    /// trip an instance's circuit breaker is retried one event at a time.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    batch: u32,
    /// Also run the full reconcile (plan and apply of everyone) this often (`15m`, `1h`).
    #[arg(long, value_parser = duration)]
    reconcile_every: Option<Duration>,
    /// Append audit events to this file (default: `settings.audit_log`).
    #[arg(long)]
    audit_log: Option<std::path::PathBuf>,
    /// Also read the Okta System Log of `[directory.okta]` this often (`30s`), into the
    /// same queue (an event the hook delivered too runs once). With it, the hook secret
    /// is optional: without one, every hook delivery is refused.
    #[arg(long, value_parser = duration)]
    poll_okta_logs: Option<Duration>,
    /// How far back the first System Log poll reads, when the state has no cursor yet.
    #[arg(long, default_value = "1h", value_parser = duration, requires = "poll_okta_logs")]
    okta_log_look_back: Duration,
    /// The flows that decide what each event does (`flows.toml`), checked before
    /// `serve` starts; without it, the built-in leaver, joiner and mover.
    #[arg(long)]
    flows: Option<std::path::PathBuf>,
}

/// `500ms`, `30s`, `15m`, `1h` (a bare number is seconds).
fn duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (like 500ms, 30s, 15m, 1h)"))?;
    let unit = match unit {
        "ms" => Duration::from_millis(1),
        "" | "s" => Duration::from_secs(1),
        "m" => Duration::from_secs(60),
        "h" => Duration::from_secs(3600),
        other => return Err(format!("unknown unit `{other}` in `{text}` (ms, s, m, h)")),
    };
    Ok(unit.saturating_mul(u32::try_from(number).unwrap_or(u32::MAX)))
}

/// Serves until interrupted (Ctrl-C or SIGTERM).
pub(crate) fn run(args: &ServeArgs) -> Result<(), String> {
    block_on(serve(args))?
}

/// The async body of [`run`].
async fn serve(args: &ServeArgs) -> Result<(), String> {
    let header = HeaderName::try_from(args.hook_header.as_str())
        .map_err(|_| format!("--hook-header `{}` is not a header name", args.hook_header))?;
    let secret = match std::env::var(&args.hook_secret_env) {
        Ok(secret) if !secret.is_empty() => secret.into_bytes(),
        // Polling only: no secret matches an empty one, so every delivery is refused.
        _ if args.poll_okta_logs.is_some() => Vec::new(),
        _ => {
            return Err(format!(
                "the environment variable {} is not set: it holds the secret Okta sends in \
                 the {} header of each delivery (--hook-secret-env names another variable; \
                 with --poll-okta-logs it may be left unset to take no hooks)",
                args.hook_secret_env, args.hook_header
            ));
        }
    };
    let engine = open(&args.engine).await?;
    // A flows file with a mistake stops `serve` here, every mistake at its line.
    let flows = match &args.flows {
        Some(file) => Some(Arc::new(super::flows::load(file, engine.assignments())?)),
        None => None,
    };
    let poller = match args.poll_okta_logs {
        Some(every) => Some((log_poller(&engine, args.okta_log_look_back)?, every)),
        None => None,
    };
    let source: Arc<dyn connector_engine::DirectorySource> =
        Arc::from(source(&engine, &args.source)?);
    let audit_log = args
        .audit_log
        .clone()
        .or_else(|| engine.assignments().settings.audit_log.clone());
    let policy = QueuePolicy {
        max_attempts: args.max_attempts.max(1),
        backoff: args.retry_backoff,
        batch: args.batch,
        reconcile_every: args.reconcile_every,
        audit_log,
        flows,
        ..QueuePolicy::default()
    };
    let store = engine.store().clone();
    let metrics = Arc::new(Metrics::default());
    let cards = Arc::new(CardsApi::new(
        &args.cards,
        &engine,
        policy.audit_log.as_deref(),
        metrics.clone(),
        args.max_body,
    )?);
    let worker = Worker::new(Arc::new(engine), source, policy);
    let hooks_on = !secret.is_empty();
    if let Some((poller, every)) = poller {
        tokio::spawn(poller.run(store.clone(), every, worker.waker(), told_poll));
    }
    let hooks = Arc::new(Hooks {
        store,
        header,
        secret,
        max_body: args.max_body,
        wake: worker.waker(),
        metrics: metrics.clone(),
    });
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let address = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    let hooks_say = if hooks_on {
        "hooks: POST /hooks/okta".to_owned()
    } else {
        format!("hooks refused: {} is not set", args.hook_secret_env)
    };
    let cards_on = if cards.enabled() {
        ", cards: POST /cards/{instance}/{card}"
    } else {
        ""
    };
    let polling = args
        .poll_okta_logs
        .map(|every| format!("; System Log polled every {every:?}"))
        .unwrap_or_default();
    let flows_say = args
        .flows
        .as_ref()
        .map(|file| format!("; flows from {}", file.display()))
        .unwrap_or_default();
    println!(
        "connector serve: listening on http://{address} ({hooks_say}{cards_on}{polling}{flows_say})"
    );
    let _ = std::io::stdout().flush();
    tokio::spawn(worker.run(move |news| {
        metrics.observe(&news);
        tell(news);
    }));
    axum::serve(
        listener,
        router(hooks, cards).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(stopped())
    .await
    .map_err(|e| format!("serving failed: {e}"))
}

/// The System Log poller of the `[directory.okta]` org, its token from the variable
/// `token_env` names.
fn log_poller(engine: &Engine, look_back: Duration) -> Result<OktaLogPoller, String> {
    let Some(DirectoryConfig::Okta { url, token_env, .. }) = &engine.assignments().directory else {
        return Err(format!(
            "--poll-okta-logs reads the System Log of the Okta org in [directory.okta], \
             and {} has none",
            engine.assignments().path.display()
        ));
    };
    let token = EnvSecrets.get(token_env)?;
    OktaLogPoller::new(url, token)
        .map(|poller| poller.look_back(look_back))
        .map_err(|e| format!("--poll-okta-logs: {e}"))
}

/// Says what a System Log poll did when it read or failed something, on standard error.
fn told_poll(result: &Result<PollReport, PollError>) {
    match result {
        Ok(report) => {
            if report.read > 0 {
                eprintln!(
                    "okta system log: {} events read, {} new to the queue ({} pages)",
                    report.read, report.queued, report.pages
                );
            }
            for why in &report.malformed {
                eprintln!("okta system log: event skipped: {}", escape_lines(why));
            }
        }
        Err(error) => eprintln!(
            "okta system log: poll failed (retried at the next tick): {}",
            escape_lines(&error.to_string())
        ),
    }
}

/// Says what the worker did, one line per event, on standard error.
fn tell(news: WorkerNews<'_>) {
    match news {
        WorkerNews::Batch(batch) => {
            for outcome in &batch.outcomes {
                let state = match outcome.state {
                    EventState::Pending => "retry later",
                    other => other.as_str(),
                };
                eprintln!(
                    "event {} {} (attempt {}, run {}): {state}: {}",
                    Escaped(&outcome.uuid),
                    Escaped(&outcome.event_type),
                    outcome.attempt,
                    Escaped(&batch.run_id),
                    Escaped(&outcome.detail)
                );
            }
        }
        WorkerNews::Reconciled(Ok(report)) => {
            let c = &report.counts;
            eprintln!(
                "reconcile {}: {} applied, {} manual, {} failed, {} not attempted{}",
                Escaped(&report.run_id),
                c.applied,
                c.manual,
                c.failed,
                c.skipped,
                report
                    .stopped
                    .as_ref()
                    .map(|s| format!("; stopped: {}", escape_lines(s)))
                    .unwrap_or_default()
            );
        }
        WorkerNews::Reconciled(Err(error)) => {
            eprintln!("reconcile failed: {}", escape_lines(&error.to_string()));
        }
        WorkerNews::QueueFailed(error) => {
            eprintln!("event queue: {}", escape_lines(&error.to_string()));
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn stopped() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_written() {
        assert_eq!(duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(duration("1h"), Ok(Duration::from_secs(3600)));
        assert!(duration("5d").unwrap_err().contains("unknown unit `d`"));
        assert!(duration("soon").unwrap_err().contains("not a duration"));
    }
}
