//! `GET /api/v1/logs`, the System Log API
//! (<https://developer.okta.com/docs/api/openapi/okta-management/management/tag/SystemLog/>):
//!
//! - `since` (inclusive; default 7 days before `until`, or before now) and `until`
//!   (exclusive), ISO 8601 timestamps on `published`;
//! - `after`: the opaque cursor of a `Link: <...>; rel="next"`;
//! - `filter`: `eq` on `eventType`, `uuid`, `severity`, `legacyEventType`, `actor.id`,
//!   `actor.alternateId`, `actor.type`, `outcome.result`, `target.id`,
//!   `target.alternateId`, `target.type`, `transaction.id` (any target matches), joined
//!   with `and` / `or`;
//! - `q`: keywords, each of which must appear (ignoring case) in the event;
//! - `limit` (default 100, at most 1000) and `sortOrder` (`ASCENDING`, the default, or
//!   `DESCENDING`).
//!
//! A bounded request (with `until`, or descending) has a `next` link while events
//! remain; a polling request (ascending, no `until`) always has one, whose cursor
//! follows the newest event of the log, so following it returns only later events.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::Value;

use super::clock::{now_ms, parse_ms};
use super::error::OktaError;
use super::events::{cursor, read_cursor};
use super::filter::Expr;
use super::paging::{self, PageSize};
use super::serve::Request;
use super::store::State;
use crate::vendors::json_response;

/// The System Log's page size.
const LOGS: PageSize = PageSize {
    default: 100,
    max: 1000,
};
/// What `filter` may name.
const LOG_FILTER: &[&str] = &[
    "eventType",
    "uuid",
    "severity",
    "legacyEventType",
    "actor.id",
    "actor.alternateId",
    "actor.type",
    "outcome.result",
    "target.id",
    "target.alternateId",
    "target.type",
    "transaction.id",
];
/// How far back `since` goes by default.
const DEFAULT_WINDOW_MS: i64 = 7 * 24 * 3600 * 1000;

/// `GET logs`.
pub(super) fn logs(state: &State, request: &Request<'_>) -> Result<Response, OktaError> {
    let limit = LOGS.read(request.param("limit"))?;
    let ascending = match request.param("sortOrder") {
        None | Some("ASCENDING") => true,
        Some("DESCENDING") => false,
        Some(other) => {
            return Err(OktaError::invalid(
                "sortOrder",
                format!("sortOrder: `{other}` is not ASCENDING or DESCENDING"),
            ));
        }
    };
    let time = |name: &str| {
        request
            .param(name)
            .map(|text| {
                parse_ms(text).map_err(|cause| OktaError::invalid(name, format!("{name}: {cause}")))
            })
            .transpose()
    };
    let until = time("until")?;
    let since = time("since")?.unwrap_or(until.unwrap_or_else(now_ms) - DEFAULT_WINDOW_MS);
    let after = request
        .param("after")
        .map(|text| read_cursor(text).map_err(|cause| OktaError::invalid("after", cause)))
        .transpose()?;
    let filter = request
        .param("filter")
        .map(|text| {
            Expr::parse(text)
                .and_then(|e| e.check_filter(LOG_FILTER).map(|()| e))
                .map_err(|cause| OktaError::invalid("filter", cause))
        })
        .transpose()?;
    let keywords: Vec<String> = request
        .param("q")
        .map(|q| q.split_whitespace().map(str::to_lowercase).collect())
        .unwrap_or_default();

    let selected = |seq: u64, published: i64, json: &serde_json::Map<String, Value>| {
        let past_cursor = after.is_none_or(|a| if ascending { seq > a } else { seq < a });
        let text = if keywords.is_empty() {
            String::new()
        } else {
            Value::Object(json.clone()).to_string().to_lowercase()
        };
        past_cursor
            && published >= since
            && until.is_none_or(|u| published < u)
            && filter.as_ref().is_none_or(|f| f.matches(json))
            && keywords.iter().all(|k| text.contains(k.as_str()))
    };
    let ordered: Box<dyn Iterator<Item = _>> = if ascending {
        Box::new(state.log.events())
    } else {
        Box::new(state.log.events().rev())
    };
    let mut matching = ordered.filter(|e| selected(e.seq, e.published_ms, &e.json));
    let page: Vec<_> = matching.by_ref().take(limit).collect();
    let more = matching.next().is_some();
    let next = if more {
        page.last().map(|e| e.cursor())
    } else if ascending && until.is_none() {
        let last = state.log.last_seq().max(after.unwrap_or(0));
        let published = page.last().map_or_else(now_ms, |e| e.published_ms);
        Some(cursor(published, last))
    } else {
        None
    };
    let items: Vec<Value> = page.iter().map(|e| Value::Object(e.json.clone())).collect();
    let links = paging::links(&request.url("logs"), &request.query, limit, next.as_deref());
    let mut response = json_response(StatusCode::OK, &Value::Array(items));
    for link in links {
        if let Ok(value) = HeaderValue::from_str(&link) {
            response.headers_mut().append(header::LINK, value);
        }
    }
    Ok(response)
}
