//! `[audit]`: posting audit events to a collector (a SIEM) over HTTP.

use std::path::{Path, PathBuf};

use reqwest::Url;
use serde_spanned::Spanned;

use super::check::env_name;
use super::diag::Diagnostics;
use super::raw::RawAudit;

/// The spool directory when `[audit]` names none (next to the assignments file).
const DEFAULT_SPOOL: &str = "audit-spool";
/// Events per request when `batch_size` is not set.
const DEFAULT_BATCH_SIZE: usize = 500;

/// How the events are posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditFormat {
    /// A JSON array of events per request (`Authorization: Bearer <token>` when a token
    /// is configured).
    Json,
    /// Splunk's HTTP Event Collector: newline-separated
    /// `{"event":…,"time":…,"sourcetype":"ocsf"}` objects posted to
    /// `/services/collector/event` with `Authorization: Splunk <token>`.
    SplunkHec,
}

/// A checked `[audit]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditDelivery {
    /// Where events are posted (for Splunk HEC, a URL without a path gets
    /// `/services/collector/event`).
    pub url: String,
    /// The body and header format.
    pub format: AuditFormat,
    /// The environment variable holding the collector's token, if it needs one.
    pub token_env: Option<String>,
    /// The spool directory (relative paths are relative to the assignments file).
    pub spool: PathBuf,
    /// The most events per request.
    pub batch_size: usize,
}

/// Checks `[audit]`, reporting each problem at its span.
pub(super) fn check(
    section: &Spanned<RawAudit>,
    base: &Path,
    diags: &mut Diagnostics,
) -> AuditDelivery {
    let raw = section.get_ref();
    let url = raw.url.get_ref().trim().to_owned();
    match Url::parse(&url) {
        Ok(parsed) => {
            if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
                diags.error(
                    raw.url.span(),
                    "the audit `url` must be an http(s) URL such as https://siem.example.com/ingest",
                );
            } else if !parsed.username().is_empty() || parsed.password().is_some() {
                diags.error(
                    raw.url.span(),
                    "the audit `url` must not hold credentials: name the token's environment variable in `token_env`",
                );
            }
        }
        Err(error) => diags.error(
            raw.url.span(),
            format!("the audit `url` is not a URL ({error})"),
        ),
    }
    let format = match raw
        .format
        .as_ref()
        .map(|f| (f.get_ref().as_str(), f.span()))
    {
        None | Some(("json", _)) => AuditFormat::Json,
        Some(("splunk_hec", _)) => AuditFormat::SplunkHec,
        Some((other, span)) => {
            diags.error(
                span,
                format!("unknown audit `format` `{other}`: expected \"json\" or \"splunk_hec\""),
            );
            AuditFormat::Json
        }
    };
    if let Some(name) = &raw.token_env {
        env_name(name, diags);
    } else if format == AuditFormat::SplunkHec {
        diags.error(
            section.span(),
            "`format = \"splunk_hec\"` needs `token_env`: the environment variable holding the HEC token",
        );
    }
    let batch_size = raw.batch_size.as_ref().map_or(DEFAULT_BATCH_SIZE, |size| {
        if *size.get_ref() == 0 {
            diags.error(size.span(), "`batch_size` must be at least 1");
        }
        (*size.get_ref()).max(1) as usize
    });
    AuditDelivery {
        url,
        format,
        token_env: raw.token_env.as_ref().map(|n| n.get_ref().clone()),
        spool: base.join(raw.spool.as_deref().unwrap_or(DEFAULT_SPOOL)),
        batch_size,
    }
}
