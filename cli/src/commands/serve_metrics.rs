//! `GET /metrics` of `connector serve`: the Prometheus text exposition (version 0.0.4)
//! of the events accepted, processed, failed and dead-lettered, the queue's depth, the
//! latency from an event's acceptance to its handling, and the card calls by instance,
//! card and status. Hand-written: a few counters, two gauges and one histogram.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

use connector_engine::events::WorkerNews;
use connector_engine::state::EventState;

/// The latency histogram's upper bounds, in seconds.
const BUCKETS: [f64; 11] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0];
/// The most accepted events whose acceptance time is remembered (a bound on memory when
/// the worker falls far behind; older ones are then left out of the histogram).
const MAX_WAITING: usize = 100_000;

/// The counters of one `serve` process (they start at zero with it).
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    inner: Mutex<Counters>,
}

/// What [`Metrics`] guards.
#[derive(Debug, Default)]
struct Counters {
    accepted: u64,
    processed: u64,
    failed: u64,
    dead_lettered: u64,
    /// When each accepted, not yet handled event was accepted (by uuid).
    waiting: HashMap<String, Instant>,
    /// Observations per bucket (not cumulative), then the overflow.
    latency_buckets: [u64; BUCKETS.len() + 1],
    latency_sum: f64,
    latency_count: u64,
    /// Card calls by (instance, card, HTTP status).
    cards: BTreeMap<(String, String, u16), u64>,
}

/// The queue's state at scrape time.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct QueueDepth {
    /// Events waiting to be processed.
    pub pending: i64,
    /// Dead letters.
    pub dead: i64,
}

impl Metrics {
    /// Locks the counters (a panic elsewhere never blocks the metrics).
    fn lock(&self) -> std::sync::MutexGuard<'_, Counters> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Counts events newly queued by a hook delivery, remembering when.
    pub(crate) fn accepted<'a>(&self, uuids: impl IntoIterator<Item = &'a str>) {
        let now = Instant::now();
        let mut counters = self.lock();
        for uuid in uuids {
            counters.accepted += 1;
            if counters.waiting.len() < MAX_WAITING {
                counters.waiting.insert(uuid.to_owned(), now);
            }
        }
    }

    /// Counts what the worker did with a batch of events.
    pub(crate) fn observe(&self, news: &WorkerNews<'_>) {
        let WorkerNews::Batch(batch) = news else {
            return;
        };
        let mut counters = self.lock();
        for outcome in &batch.outcomes {
            match outcome.state {
                EventState::Done => counters.processed += 1,
                EventState::Pending => {
                    counters.failed += 1;
                    continue;
                }
                EventState::Dead => {
                    counters.failed += 1;
                    counters.dead_lettered += 1;
                }
                EventState::Ignored => {}
            }
            if let Some(accepted) = counters.waiting.remove(&outcome.uuid) {
                counters.latency(accepted.elapsed().as_secs_f64());
            }
        }
    }

    /// Counts one card call over HTTP.
    pub(crate) fn card_call(&self, instance: &str, card: &str, status: u16) {
        *self
            .lock()
            .cards
            .entry((instance.to_owned(), card.to_owned(), status))
            .or_default() += 1;
    }

    /// The exposition, with the queue's depth read at scrape time.
    pub(crate) fn render(&self, queue: QueueDepth) -> String {
        let counters = self.lock();
        let mut out = String::new();
        let counter = |out: &mut String, name: &str, help: &str, value: u64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
            );
        };
        counter(
            &mut out,
            "connector_events_accepted_total",
            "Events newly queued from hook deliveries (duplicates not counted).",
            counters.accepted,
        );
        counter(
            &mut out,
            "connector_events_processed_total",
            "Events handled to the end (done).",
            counters.processed,
        );
        counter(
            &mut out,
            "connector_events_failed_total",
            "Event attempts that failed (retried later or dead-lettered).",
            counters.failed,
        );
        counter(
            &mut out,
            "connector_events_dead_lettered_total",
            "Events dead-lettered after their last attempt or a safety stop.",
            counters.dead_lettered,
        );
        let _ = writeln!(
            out,
            "# HELP connector_event_queue_depth Events waiting in the queue.\n\
             # TYPE connector_event_queue_depth gauge\nconnector_event_queue_depth {}",
            queue.pending
        );
        let _ = writeln!(
            out,
            "# HELP connector_event_dead_letters Dead letters in the queue.\n\
             # TYPE connector_event_dead_letters gauge\nconnector_event_dead_letters {}",
            queue.dead
        );
        let name = "connector_event_latency_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} From an event's acceptance to its handling (done or dead).\n\
             # TYPE {name} histogram"
        );
        let mut cumulative = 0;
        for (bound, count) in BUCKETS.iter().zip(counters.latency_buckets) {
            cumulative += count;
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{le=\"+Inf\"}} {}\n{name}_sum {}\n{name}_count {}",
            counters.latency_count, counters.latency_sum, counters.latency_count
        );
        let name = "connector_card_calls_total";
        let _ = writeln!(
            out,
            "# HELP {name} Card calls over HTTP by instance, card and HTTP status.\n\
             # TYPE {name} counter"
        );
        for ((instance, card, status), count) in &counters.cards {
            let _ = writeln!(
                out,
                "{name}{{instance=\"{}\",card=\"{}\",status=\"{status}\"}} {count}",
                label(instance),
                label(card)
            );
        }
        out
    }
}

impl Counters {
    /// Adds one latency observation.
    fn latency(&mut self, seconds: f64) {
        let bucket = BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(BUCKETS.len());
        self.latency_buckets[bucket] += 1;
        self.latency_sum += seconds;
        self.latency_count += 1;
    }
}

/// A label value escaped as the text format wants (`\\`, `\"`, `\n`).
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use connector_engine::events::{BatchReport, EventOutcome};

    use super::*;

    /// Each sample line of `text` as (name, labels, value); panics on a line that is
    /// neither a sample nor a `# HELP` / `# TYPE` comment.
    fn samples(text: &str) -> Vec<(String, String, f64)> {
        let mut out = Vec::new();
        for line in text.lines() {
            if line.starts_with("# HELP ") || line.starts_with("# TYPE ") {
                let parts: Vec<&str> = line.splitn(4, ' ').collect();
                assert!(parts.len() >= 4, "comment without text: {line}");
                if parts[1] == "TYPE" {
                    assert!(
                        ["counter", "gauge", "histogram"].contains(&parts[3]),
                        "{line}"
                    );
                }
                continue;
            }
            let (series, value) = line.rsplit_once(' ').expect("a sample has a value");
            let (name, labels) = match series.split_once('{') {
                Some((name, rest)) => (name, rest.strip_suffix('}').expect("closed labels")),
                None => (series, ""),
            };
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
                "{line}"
            );
            for pair in labels.split(",").filter(|p| !p.is_empty()) {
                let (key, quoted) = pair.split_once('=').expect("label=value");
                assert!(
                    key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                    "{line}"
                );
                assert!(quoted.starts_with('"') && quoted.ends_with('"'), "{line}");
            }
            let value: f64 = value.parse().expect("a number");
            out.push((name.to_owned(), labels.to_owned(), value));
        }
        out
    }

    fn value(samples: &[(String, String, f64)], name: &str, labels: &str) -> f64 {
        samples
            .iter()
            .find(|(n, l, _)| n == name && l == labels)
            .unwrap_or_else(|| panic!("no {name}{{{labels}}}"))
            .2
    }

    fn outcome(uuid: &str, state: EventState) -> EventOutcome {
        EventOutcome {
            id: 1,
            uuid: uuid.to_owned(),
            event_type: "user.lifecycle.deactivate".to_owned(),
            state,
            detail: String::new(),
            attempt: 1,
        }
    }

    #[test]
    fn the_exposition_parses_and_counts_what_happened() {
        let metrics = Metrics::default();
        metrics.accepted(["a", "b", "c"]);
        let batch = BatchReport {
            run_id: "r".to_owned(),
            outcomes: vec![
                outcome("a", EventState::Done),
                outcome("b", EventState::Pending),
                outcome("c", EventState::Dead),
            ],
        };
        metrics.observe(&WorkerNews::Batch(&batch));
        metrics.card_call("zoom", "get_account", 200);
        metrics.card_call("zoom", "get_account", 200);
        metrics.card_call("odd\"name", "ping", 502);
        let text = metrics.render(QueueDepth {
            pending: 1,
            dead: 1,
        });
        let samples = samples(&text);
        assert_eq!(value(&samples, "connector_events_accepted_total", ""), 3.0);
        assert_eq!(value(&samples, "connector_events_processed_total", ""), 1.0);
        assert_eq!(value(&samples, "connector_events_failed_total", ""), 2.0);
        assert_eq!(
            value(&samples, "connector_events_dead_lettered_total", ""),
            1.0
        );
        assert_eq!(value(&samples, "connector_event_queue_depth", ""), 1.0);
        // `a` (done) and `c` (dead) were handled; `b` waits for its retry.
        assert_eq!(
            value(&samples, "connector_event_latency_seconds_count", ""),
            2.0
        );
        assert_eq!(
            value(
                &samples,
                "connector_event_latency_seconds_bucket",
                "le=\"+Inf\""
            ),
            2.0
        );
        assert_eq!(
            value(
                &samples,
                "connector_event_latency_seconds_bucket",
                "le=\"0.05\""
            ),
            2.0
        );
        assert_eq!(
            value(
                &samples,
                "connector_card_calls_total",
                "instance=\"zoom\",card=\"get_account\",status=\"200\""
            ),
            2.0
        );
        assert!(text.contains("instance=\"odd\\\"name\""), "{text}");
    }
}
