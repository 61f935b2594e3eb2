//! Okta System Log polling: the second way events reach the queue, for orgs without an
//! Event Hook and to catch up after `connector serve` was down.
//!
//! Each poll reads `GET /api/v1/logs` of the `[directory.okta]` org through the Okta
//! directory source's HTTP client (`SSWS` token, `X-Rate-Limit-*` waits, retries, `next`
//! links kept on the org), filtered on the event types the queue handles, in ascending
//! order, following `Link: rel="next"` while pages come back full. Every event goes into
//! the queue as a hook's would, de-duplicated by its `uuid`, so an event delivered by the
//! hook and read from the log runs once. After each page the `next` link is stored in the
//! state's `event_sources` table (after the page's events, so a crash re-reads rather
//! than skips): a restart continues there. The first poll, with no cursor, starts at
//! "now minus the look-back".

use std::sync::Arc;
use std::time::Duration;

use connector_sdk::Secret;
use reqwest::Url;
use serde_json::Value;
use tokio::sync::Notify;

use super::okta_hook::log_event;
use crate::clock;
use crate::directory::{DirectoryError, OktaClient};
use crate::state::{SourceCursor, StateError, Store};

/// The queue's name for events read from the System Log.
pub const SOURCE: &str = "okta-log";

/// The event types asked for: those the queue acts on (`EventKind` other than `Other`).
pub const EVENT_TYPES: [&str; 7] = [
    "user.lifecycle.deactivate",
    "user.lifecycle.suspend",
    "user.lifecycle.unsuspend",
    "user.lifecycle.reactivate",
    "user.lifecycle.activate",
    "group.user_membership.add",
    "group.user_membership.remove",
];

/// The System Log's path below the org.
const LOGS: &str = "/api/v1/logs";

/// The most events Okta serves on one System Log page.
const MAX_PAGE_SIZE: u32 = 1000;

/// Why a poll failed (the cursor stays where it was; the next poll tries again).
#[derive(Debug, thiserror::Error)]
pub enum PollError {
    /// Okta could not be read (unreachable, refused, rate-limited past the wait).
    #[error("{0}")]
    Okta(#[from] DirectoryError),
    /// The state could not be read or written.
    #[error("{0}")]
    State(#[from] StateError),
}

/// What one poll did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PollReport {
    /// Pages read.
    pub pages: u32,
    /// Events read from the log.
    pub read: usize,
    /// Events new to the queue (the others were already queued, by the hook or an
    /// earlier poll).
    pub queued: usize,
    /// Events that could not be read (no `uuid`, no `eventType`): why, per event.
    pub malformed: Vec<String>,
    /// Whether the poll stopped at its page budget with more to read.
    pub more: bool,
    /// The `published` time of the newest event read, if any.
    pub newest: Option<String>,
}

/// A reader of one org's System Log into the queue.
#[derive(Debug, Clone)]
pub struct OktaLogPoller {
    /// The org's client (the directory source's HTTP stack).
    client: OktaClient,
    /// The cursor's name in the state: `okta-log <org URL>`.
    name: String,
    /// How far back the first poll (no cursor yet) starts.
    look_back: Duration,
    /// The `limit` of every page.
    page_size: u32,
    /// The most pages one poll reads (the next poll continues).
    max_pages: u32,
}

impl OktaLogPoller {
    /// A poller of the org at `base_url` (`https://acme.okta.com`) with an API token
    /// (sent as `Authorization: SSWS <token>`, to that org only, never printed). By
    /// default: a one-hour look-back, pages of 100, at most 50 pages per poll.
    ///
    /// # Errors
    ///
    /// When `base_url` is not an http(s) URL or the token cannot be sent in a header.
    pub fn new(base_url: &str, token: Secret) -> Result<Self, DirectoryError> {
        let client = OktaClient::new(base_url, token)?;
        Ok(Self {
            name: format!("{SOURCE} {}", client.base()),
            client,
            look_back: Duration::from_secs(3600),
            page_size: 100,
            max_pages: 50,
        })
    }

    /// How far back the first poll starts when the state has no cursor for this org.
    pub fn look_back(mut self, look_back: Duration) -> Self {
        self.look_back = look_back;
        self
    }

    /// The `limit` of every page, 1 to 1000 (Okta's most).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// The most pages one poll reads (at least 1); the next poll continues.
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = pages.max(1);
        self
    }

    /// The cursor's name in the state (`okta-log https://acme.okta.com`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Reads the log from the stored cursor (or the look-back) into the queue of
    /// `store`, page after page while pages come back full, storing the cursor after
    /// each page.
    ///
    /// # Errors
    ///
    /// When Okta cannot be read or the state cannot be read or written; the pages read
    /// before stay queued and the cursor stays after them.
    pub async fn poll(&self, store: &Store) -> Result<PollReport, PollError> {
        let saved = store.source_cursor(&self.name).await?;
        let mut url = self.start(saved.as_ref())?;
        let mut report = PollReport::default();
        loop {
            let (items, next) = self.client.page(&url).await?;
            report.pages += 1;
            let mut events = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let path = format!("the System Log page {}: [{i}]", report.pages);
                match log_event(item, &path, SOURCE) {
                    Ok(event) => events.push(event),
                    Err(error) => report.malformed.push(error.0),
                }
            }
            let fresh = store.enqueue_events(&events).await?;
            report.read += items.len();
            report.queued += fresh.iter().filter(|new| **new).count();
            let newest = items.iter().rev().find_map(published);
            if newest.is_some() {
                report.newest.clone_from(&newest);
            }
            let full = items.len() >= self.page_size as usize;
            // Okta always links a polling request's next page; without one, the next
            // poll starts at the newest event seen (re-reading it is harmless).
            let (next, last) = match next {
                Some(next) => (next, !full),
                None => match newest.as_deref().or(saved_published(saved.as_ref())) {
                    Some(since) => (self.since(since)?, true),
                    None => (url.clone(), true),
                },
            };
            let read = i64::try_from(items.len()).unwrap_or(i64::MAX);
            store
                .advance_source_cursor(&self.name, next.as_str(), newest.as_deref(), read)
                .await?;
            if last {
                return Ok(report);
            }
            if report.pages >= self.max_pages {
                report.more = true;
                return Ok(report);
            }
            url = next;
        }
    }

    /// Polls now and then every `every` until the task is dropped: new events wake the
    /// queue's worker through `wake`; a failure is recorded in the state (the cursor
    /// stays) and the next tick tries again. A poll that stopped at its page budget is
    /// followed by the next at once.
    pub async fn run(
        self,
        store: Store,
        every: Duration,
        wake: Arc<Notify>,
        news: impl Fn(&Result<PollReport, PollError>) + Send + Sync,
    ) {
        loop {
            let result = self.poll(&store).await;
            match &result {
                Ok(report) if report.queued > 0 => wake.notify_one(),
                Ok(_) => {}
                Err(error) => {
                    if let Err(also) = store.source_failed(&self.name, &error.to_string()).await {
                        tracing::warn!(%also, "cannot record the System Log poll's failure");
                    }
                }
            }
            news(&result);
            if !matches!(&result, Ok(report) if report.more) {
                tokio::time::sleep(every).await;
            }
        }
    }

    /// Where a poll starts: the stored `next` link when it is this org's System Log
    /// (with this poller's page size), else after the newest event read, else the
    /// look-back.
    fn start(&self, saved: Option<&SourceCursor>) -> Result<Url, PollError> {
        let stored = saved
            .and_then(|c| c.next_url.as_deref())
            .and_then(|text| Url::parse(text).ok())
            .filter(|url| {
                self.client.is_on_org(url)
                    && url
                        .as_str()
                        .starts_with(&format!("{}{LOGS}?", self.client.base()))
            });
        if let Some(url) = stored {
            return Ok(self.with_page_size(&url));
        }
        if let Some(since) = saved_published(saved) {
            return self.since(since);
        }
        let start = clock::now() - self.look_back;
        self.since(&clock::stamp(start))
    }

    /// The first page of events published at or after `since`.
    fn since(&self, since: &str) -> Result<Url, PollError> {
        let filter = EVENT_TYPES
            .iter()
            .map(|kind| format!("eventType eq \"{kind}\""))
            .collect::<Vec<_>>()
            .join(" or ");
        let limit = self.page_size.to_string();
        let params = [
            ("since", since),
            ("sortOrder", "ASCENDING"),
            ("filter", filter.as_str()),
            ("limit", limit.as_str()),
        ];
        Ok(self.client.url(LOGS, &params)?)
    }

    /// `url` with its `limit` set to this poller's page size.
    fn with_page_size(&self, url: &Url) -> Url {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(key, _)| key != "limit")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let mut out = url.clone();
        out.query_pairs_mut()
            .clear()
            .extend_pairs(pairs)
            .append_pair("limit", &self.page_size.to_string());
        out
    }
}

/// The `published` time of a `LogEvent`.
fn published(item: &Value) -> Option<String> {
    item.get("published")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The newest `published` time a stored cursor saw.
fn saved_published(saved: Option<&SourceCursor>) -> Option<&str> {
    saved.and_then(|c| c.last_published.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poller() -> OktaLogPoller {
        OktaLogPoller::new("https://acme.okta.com/", Secret::new("t"))
            .unwrap()
            .page_size(5)
    }

    #[test]
    fn the_first_poll_asks_for_the_handled_types_since_the_look_back() {
        let poller = poller().look_back(Duration::from_secs(600));
        let url = poller.start(None).unwrap();
        let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(url.path(), "/api/v1/logs");
        assert_eq!(query[0].0, "since");
        let since = time::OffsetDateTime::parse(
            &query[0].1,
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        let ago = clock::now() - since;
        assert!(ago >= time::Duration::seconds(600) && ago < time::Duration::seconds(660));
        assert_eq!(query[1], ("sortOrder".into(), "ASCENDING".into()));
        assert!(
            query[2]
                .1
                .starts_with("eventType eq \"user.lifecycle.deactivate\" or ")
        );
        assert_eq!(query[2].1.matches(" or ").count(), EVENT_TYPES.len() - 1);
        assert_eq!(query[3], ("limit".into(), "5".into()));
    }

    #[test]
    fn a_stored_cursor_is_used_only_on_this_org() {
        let poller = poller();
        let mut saved = SourceCursor {
            next_url: Some("https://acme.okta.com/api/v1/logs?after=abc&limit=100".into()),
            last_published: Some("2026-03-01T12:00:00.000Z".into()),
            ..SourceCursor::default()
        };
        assert_eq!(
            poller.start(Some(&saved)).unwrap().as_str(),
            "https://acme.okta.com/api/v1/logs?after=abc&limit=5"
        );
        saved.next_url = Some("https://evil.example/api/v1/logs?after=abc".into());
        let url = poller.start(Some(&saved)).unwrap();
        assert!(
            url.as_str().starts_with(
                "https://acme.okta.com/api/v1/logs?since=2026-03-01T12%3A00%3A00.000Z&"
            )
        );
    }
}
