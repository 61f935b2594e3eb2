//! Listing with a declared listing operation (`list`, and the groups' `list_groups` and
//! `list_members`) and its paging style: a cursor sent back as `{page.cursor}`
//! (`next_cursor`), a full next-page link (`next_url`), or offsets up to a total
//! (`total` with `{page.offset}` / `{page.start_index}`).

use serde_json::Value;

use super::RestApp;
use super::connector::RestConnector;
use super::exec::Outcome;
use super::json;
use super::template::Vars;
use crate::connector::PageRequest;
use crate::error::{Error, Operation, Result};
use crate::manifest::RestOperation;

/// One page of accounts, as JSON.
#[derive(Debug)]
pub(super) struct JsonPage {
    /// The accounts.
    pub items: Vec<Value>,
    /// The total the service reported (offset paging), if it did.
    pub total: Option<u64>,
    /// The next page's request; `None` on the last page.
    pub next: Option<PageRequest>,
}

impl<A: RestApp> RestConnector<A> {
    /// One page of the `list` operation. The count is capped at the dialect's page size;
    /// `page.cursor` is the token (cursor paging) or the link (link paging) from the
    /// previous page's `next`.
    pub(super) async fn list_page(&self, page: PageRequest) -> Result<JsonPage> {
        let op = self.operation(Operation::List, Operation::List)?;
        self.page_of(op, &self.exec().vars(), page).await
    }

    /// One page of the listing operation `op`, with `base` (tenant variables and the
    /// operation's own values, such as `{group.id}`) and the page's values.
    pub(super) async fn page_of(
        &self,
        op: &RestOperation,
        base: &Vars,
        page: PageRequest,
    ) -> Result<JsonPage> {
        let max = A::manifest().provisioning.dialect.page_size;
        let count = match (page.count, max) {
            (0, 0) => 100,
            (0, max) => max,
            (count, 0) => count,
            (count, max) => count.min(max),
        };
        let start_index = page.start_index.max(1);
        let cursor = page.cursor.clone().unwrap_or_default();
        let vars = base
            .clone()
            .with("page.count", count.to_string())
            .with("page.start_index", start_index.to_string())
            .with("page.offset", (start_index - 1).to_string())
            .with("page.cursor", cursor.as_str());
        let outcome = match (&page.cursor, op.next_url) {
            (Some(link), Some(_)) => {
                let request = self.exec().next_link(op, &vars, link)?;
                self.exec().exchange(op, request).await?
            }
            _ => self.exec().run(op, &vars, None, &[]).await?,
        };
        let body = match outcome {
            Outcome::Done(Some(body)) => body,
            Outcome::Done(None) | Outcome::AlreadyDone => Value::Null,
            Outcome::NotFound(error) => return Err(error),
            Outcome::NoMatch(what) => return Err(Error::NotFound { what }),
        };
        let total = op.total.and_then(|pointer| number(&body, pointer));
        let token = |pointer: Option<&str>| {
            pointer
                .and_then(|p| json::text_at(&body, p))
                .filter(|token| !token.is_empty())
        };
        let (next_cursor, next_link) = (token(op.next_cursor), token(op.next_url));
        let items = if body.is_null() {
            Vec::new()
        } else {
            json::items(body, op.items).map_err(|detail| self.invalid(detail))?
        };
        let returned = u64::try_from(items.len()).unwrap_or(u64::MAX);
        let following = |cursor: Option<String>| PageRequest {
            start_index: start_index.saturating_add(returned),
            count,
            cursor,
        };
        let next = if op.next_cursor.is_some() {
            next_cursor
                .filter(|next| *next != cursor)
                .map(|next| following(Some(next)))
        } else if op.next_url.is_some() {
            next_link
                .filter(|next| Some(next) != page.cursor.as_ref())
                .map(|next| following(Some(next)))
        } else if op.total.is_some() {
            let seen = start_index - 1 + returned;
            (returned > 0 && total.is_some_and(|total| seen < total)).then(|| following(None))
        } else {
            None
        };
        Ok(JsonPage { items, total, next })
    }

    /// The account whose user name is `wanted` (ignoring case), by paging through
    /// `list`; [`Error::Unsupported`] for `find` when there is no `list` either.
    pub(super) async fn find_by_listing(&self, wanted: &str) -> Result<Option<Value>> {
        self.operation(Operation::List, Operation::Find)?;
        let page_size = A::manifest().provisioning.dialect.page_size;
        let mut request = Some(PageRequest::first(page_size));
        while let Some(page) = request {
            let page = self.list_page(page).await?;
            if let Some(found) = page.items.into_iter().find(|a| self.named(a, wanted)) {
                return Ok(Some(found));
            }
            request = page.next;
        }
        Ok(None)
    }
}

/// A count at `pointer`: a number, or a number sent as a string.
fn number(body: &Value, pointer: &str) -> Option<u64> {
    match json::at(body, pointer)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}
