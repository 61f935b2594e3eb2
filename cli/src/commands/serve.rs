//! `connector serve`: the long-running service. Takes Okta Event Hook deliveries on
//! `/hooks/okta` (stored in the state's queue before they are answered), handles each
//! event as an apply scoped to its person, and optionally runs the full reconcile on an
//! interval, so it is the one process an admin runs.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderName;
use clap::Args;
use connector_engine::events::{QueuePolicy, Worker, WorkerNews};
use connector_engine::state::EventState;
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
    /// Also run the full reconcile (plan and apply of everyone) this often (`15m`, `1h`).
    #[arg(long, value_parser = duration)]
    reconcile_every: Option<Duration>,
    /// Append audit events to this file (default: `settings.audit_log`).
    #[arg(long)]
    audit_log: Option<std::path::PathBuf>,
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
        _ => {
            return Err(format!(
                "the environment variable {} is not set: it holds the secret Okta sends in \
                 the {} header of each delivery (--hook-secret-env names another variable)",
                args.hook_secret_env, args.hook_header
            ));
        }
    };
    let engine = open(&args.engine).await?;
    let source: Arc<dyn connector_engine::DirectorySource> =
        Arc::from(source(&engine, &args.source)?);
    let audit_log = args
        .audit_log
        .clone()
        .or_else(|| engine.assignments().settings.audit_log.clone());
    let policy = QueuePolicy {
        max_attempts: args.max_attempts.max(1),
        backoff: args.retry_backoff,
        reconcile_every: args.reconcile_every,
        audit_log,
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
    let cards_on = if cards.enabled() {
        ", cards: POST /cards/{instance}/{card}"
    } else {
        ""
    };
    println!("connector serve: listening on http://{address} (hooks: POST /hooks/okta{cards_on})");
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
