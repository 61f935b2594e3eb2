//! The `list` step: paging over more users than a page, each listed exactly once.

use std::collections::BTreeMap;

use connector_sdk::{Capability, PageRequest};
use serde_json::Value;

use super::json;
use super::runner::Runner;

impl Runner<'_, '_> {
    pub(super) async fn list(&mut self) {
        const STEP: &str = "list";
        if !self.can(Capability::Import) {
            return self.report.skip(STEP, "`import` not declared");
        }
        for index in 1..self.suite.listed_users {
            let who = (self.suite.make_identity)(index);
            let account = self.make_account(STEP, &who).await;
            self.extra_accounts.push((who, account));
        }
        let server: BTreeMap<String, String> = self
            .state
            .list_users()
            .await
            .iter()
            .map(|record| {
                let id = record.get("id").and_then(Value::as_str).unwrap_or_default();
                (
                    id.to_owned(),
                    json::user_name(record).unwrap_or_default().to_owned(),
                )
            })
            .collect();
        let page_size = self.suite.page_size;
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut pages = 0usize;
        let mut request = Some(PageRequest::first(page_size));
        while let Some(page_request) = request {
            pages += 1;
            if pages > server.len() + 2 {
                self.fail(
                    STEP,
                    format_args!(
                        "listing did not end after {pages} pages for {} users",
                        server.len()
                    ),
                );
            }
            let page = self
                .connector()
                .list(page_request.clone())
                .await
                .unwrap_or_else(|e| {
                    self.fail(STEP, format_args!("list({page_request:?}) failed: {e}"))
                });
            if page.items.len() > page_request.count as usize {
                self.fail(
                    STEP,
                    format_args!("list({page_request:?}) returned {} items", page.items.len()),
                );
            }
            if page.items.is_empty() && page.next.is_some() {
                self.fail(
                    STEP,
                    format_args!("list({page_request:?}) returned no items but a next page"),
                );
            }
            if let Some(total) = page.total_results
                && total != server.len() as u64
            {
                self.fail(
                    STEP,
                    format_args!(
                        "list reports {total} results, the server holds {}",
                        server.len()
                    ),
                );
            }
            for account in &page.items {
                *seen.entry(account.id.clone()).or_default() += 1;
                match server.get(&account.id) {
                    Some(name) if name.eq_ignore_ascii_case(&account.user_name) => {}
                    Some(name) => self.fail(
                        STEP,
                        format_args!(
                            "list gave {} userName {:?}, the server holds {name:?}",
                            account.id, account.user_name
                        ),
                    ),
                    None => self.fail(
                        STEP,
                        format_args!("list gave id {}, unknown to the server", account.id),
                    ),
                }
            }
            request = page.next;
        }
        let repeated: Vec<&String> = seen
            .iter()
            .filter(|(_, n)| **n > 1)
            .map(|(id, _)| id)
            .collect();
        let missing: Vec<&String> = server.keys().filter(|id| !seen.contains_key(*id)).collect();
        if !repeated.is_empty() || !missing.is_empty() {
            self.fail(
                STEP,
                format_args!(
                    "listing with pages of {page_size}: repeated {repeated:?}, missing {missing:?}"
                ),
            );
        }
        if pages < 2 {
            self.fail(
                STEP,
                format_args!(
                    "{} users came in one page of {page_size}: paging was not exercised",
                    server.len()
                ),
            );
        }
        self.report.pass(
            STEP,
            format!(
                "{} users listed exactly once over {pages} pages of {page_size}",
                server.len()
            ),
        );
    }
}
