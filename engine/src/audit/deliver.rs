//! [`HttpDelivery`]: audit events posted in batches to a collector (a generic JSON
//! endpoint or Splunk's HTTP Event Collector), through an on-disk [`Spool`] so an
//! outage of the collector loses nothing.
//!
//! The SDK's `HttpClient` sends JSON values only, and Splunk HEC takes concatenated
//! objects rather than one JSON value, so this module posts with `reqwest` (already the
//! SDK's transport) and retries 5xx, 408, 429 and dropped connections itself.

use std::path::Path;
use std::time::Duration;

use connector_sdk::Secret;
use reqwest::Url;
use serde_json::Value;

use super::spool::Spool;
use crate::config::{AuditDelivery, AuditFormat};
use crate::registry::Secrets;

/// Tries per request, the first included.
const ATTEMPTS: u32 = 4;
/// The wait before the first retry (doubled for each next one).
const RETRY_DELAY: Duration = Duration::from_millis(250);
/// The timeout of one request.
const TIMEOUT: Duration = Duration::from_secs(30);
/// The path Splunk HEC takes events on.
const HEC_PATH: &str = "/services/collector/event";

/// What one flush did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flushed {
    /// Events the collector accepted.
    pub delivered: usize,
    /// Events spooled meanwhile, left for the next flush.
    pub waiting: usize,
}

/// Posts audit events to a collector through a spool.
#[derive(Debug)]
pub struct HttpDelivery {
    /// Where events are posted.
    url: Url,
    /// The body and header format.
    format: AuditFormat,
    /// The token, if the collector needs one.
    token: Option<Secret>,
    /// Where events wait.
    spool: Spool,
    /// The most events per request.
    batch_size: usize,
    /// The wait before the first retry.
    retry_delay: Duration,
    /// The HTTP client.
    client: reqwest::Client,
}

impl HttpDelivery {
    /// The delivery `config` describes, its token read through `secrets`.
    ///
    /// # Errors
    ///
    /// When the token is not set or cannot be sent in a header, the spool directory
    /// cannot be created, or the URL is not usable. Messages name the variable, never
    /// its value.
    pub fn open(config: &AuditDelivery, secrets: &dyn Secrets) -> Result<Self, String> {
        let token = match &config.token_env {
            Some(name) => {
                let token = secrets
                    .get(name)
                    .map_err(|e| format!("audit delivery: {e}"))?;
                if let Some(problem) = token.header_problem() {
                    return Err(format!(
                        "audit delivery: the token in {name} cannot be sent in an HTTP header: it {problem}"
                    ));
                }
                Some(token)
            }
            None => None,
        };
        let mut url = Url::parse(&config.url)
            .map_err(|e| format!("audit delivery: `{}` is not a URL: {e}", config.url))?;
        if config.format == AuditFormat::SplunkHec && matches!(url.path(), "" | "/") {
            url.set_path(HEC_PATH);
        }
        let spool = Spool::open(&config.spool).map_err(|e| {
            format!(
                "audit delivery: cannot create the spool {}: {e}",
                config.spool.display()
            )
        })?;
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .user_agent(concat!("connector-engine/", env!("CARGO_PKG_VERSION")))
            // A redirect could carry the token elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("audit delivery: cannot build the HTTP client: {e}"))?;
        Ok(Self {
            url,
            format: config.format,
            token,
            spool,
            batch_size: config.batch_size.max(1),
            retry_delay: RETRY_DELAY,
            client,
        })
    }

    /// Sets the wait before the first retry (tests shorten it).
    pub fn set_retry_delay(&mut self, delay: Duration) {
        self.retry_delay = delay;
    }

    /// The spool directory.
    pub fn spool_dir(&self) -> &Path {
        self.spool.dir()
    }

    /// Spools one event line (sent at the next [`flush`](Self::flush)). Errors are
    /// logged, never fatal: the state keeps the event.
    pub fn write(&self, line: &str) {
        if let Err(error) = self.spool.append(line) {
            tracing::warn!(spool = %self.spool.dir().display(), %error, "cannot spool an audit event");
        }
    }

    /// Seals what was spooled and posts every waiting batch, oldest first, at most
    /// `batch_size` events per request; stops at the first request the collector does
    /// not take (after retries), leaving it and everything after it for the next flush.
    ///
    /// # Errors
    ///
    /// The failure that stopped the flush (the spool keeps the events).
    pub async fn flush(&self) -> Result<Flushed, String> {
        let spool_error =
            |e: std::io::Error| format!("audit spool {}: {e}", self.spool.dir().display());
        self.spool.seal().map_err(spool_error)?;
        let mut flushed = Flushed::default();
        for (_, path) in self.spool.batches().map_err(spool_error)? {
            let mut lines = Spool::lines(&path).map_err(spool_error)?;
            while !lines.is_empty() {
                let take = lines.len().min(self.batch_size);
                self.post(&lines[..take]).await?;
                lines.drain(..take);
                Spool::keep_only(&path, &lines).map_err(spool_error)?;
                flushed.delivered += take;
            }
        }
        flushed.waiting = self.spool.waiting().map_err(spool_error)?;
        Ok(flushed)
    }

    /// Posts one batch, retrying transient failures.
    async fn post(&self, lines: &[String]) -> Result<(), String> {
        let (body, content_type, scheme) = match self.format {
            AuditFormat::Json => (
                format!("[{}]", lines.join(",")),
                "application/json",
                "Bearer",
            ),
            AuditFormat::SplunkHec => (hec_body(lines), "application/json", "Splunk"),
        };
        let mut delay = self.retry_delay;
        let mut attempt = 1;
        loop {
            let mut request = self
                .client
                .post(self.url.clone())
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(body.clone());
            if let Some(token) = &self.token {
                request = request.header(
                    reqwest::header::AUTHORIZATION,
                    format!("{scheme} {}", token.expose()),
                );
            }
            let (retry, problem) = match request.send().await {
                Ok(answer) if answer.status().is_success() => return Ok(()),
                Ok(answer) => {
                    let status = answer.status().as_u16();
                    let retry = status >= 500 || status == 408 || status == 429;
                    let text = answer.text().await.unwrap_or_default();
                    (retry, format!("HTTP {status}{}", self.excerpt(&text)))
                }
                Err(error) => (true, format!("no answer ({})", error.without_url())),
            };
            if !retry || attempt >= ATTEMPTS {
                return Err(format!(
                    "audit delivery: POST {} failed after {attempt} attempt(s): {problem}; {} event(s) stay in the spool {}",
                    self.url,
                    lines.len(),
                    self.spool.dir().display()
                ));
            }
            tracing::debug!(url = %self.url, attempt, %problem, "audit delivery retried");
            tokio::time::sleep(delay).await;
            delay = delay.saturating_mul(2);
            attempt += 1;
        }
    }

    /// A short excerpt of an error body, the token masked.
    fn excerpt(&self, text: &str) -> String {
        let mut text: String = text.trim().chars().take(200).collect();
        if let Some(token) = &self.token
            && !token.expose().is_empty()
        {
            text = text.replace(token.expose(), "***");
        }
        if text.is_empty() {
            String::new()
        } else {
            format!(": {text}")
        }
    }
}

/// Splunk HEC's body: one `{"event":…,"time":…,"sourcetype":"ocsf"}` object per line,
/// `time` in epoch seconds (with milliseconds) from the event's OCSF `time`.
fn hec_body(lines: &[String]) -> String {
    let mut body = String::new();
    for line in lines {
        let millis = serde_json::from_str::<Value>(line)
            .ok()
            .and_then(|event| event["time"].as_i64())
            .unwrap_or_default();
        let time = format!("{}.{:03}", millis.div_euclid(1000), millis.rem_euclid(1000));
        body.push_str(&format!(
            "{{\"event\":{line},\"time\":{time},\"sourcetype\":\"ocsf\"}}\n"
        ));
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hec_objects_carry_the_event_time_in_seconds() {
        let body = hec_body(&["{\"time\":1774980000123,\"a\":1}".to_owned()]);
        let object: Value = serde_json::from_str(body.trim_end()).unwrap();
        assert_eq!(object["time"].as_f64(), Some(1_774_980_000.123));
        assert_eq!(object["event"]["a"], 1);
        assert_eq!(object["sourcetype"], "ocsf");
    }
}
