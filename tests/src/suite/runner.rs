//! The state of one suite run and the checks the steps share.

use connector_sdk::{AccountRef, Capability, Connector, Identity, Manifest};
use serde_json::{Value, json};

use super::json;
use super::{CapabilitySuite, SuiteReport};
use crate::StateChecker;

/// The person the suite follows through the steps.
pub(super) struct Subject {
    /// The person.
    pub(super) who: Identity,
    /// The `userName` the mapping should give them.
    pub(super) user_name: String,
    /// Their account.
    pub(super) account: AccountRef,
}

/// The state of one run.
pub(super) struct Runner<'r, 'a> {
    /// The suite's settings.
    pub(super) suite: &'r CapabilitySuite<'a>,
    /// The independent view of the server.
    pub(super) state: StateChecker,
    /// The connector's manifest.
    pub(super) manifest: &'static Manifest,
    /// The steps so far.
    pub(super) report: SuiteReport,
    /// Accounts made for the `list` step (reused by `delete`).
    pub(super) extra_accounts: Vec<(Identity, AccountRef)>,
}

/// The index of a person who is never created (to check that `find` returns nothing).
pub(super) const ABSENT: usize = 1_000_000;

impl<'r, 'a> Runner<'r, 'a> {
    /// A run of `suite`, with an empty report.
    pub(super) fn new(suite: &'r CapabilitySuite<'a>) -> Self {
        let manifest = suite.connector.manifest();
        Self {
            state: suite.server.state(),
            manifest,
            report: SuiteReport {
                connector: manifest.name,
                steps: Vec::new(),
            },
            extra_accounts: Vec::new(),
            suite,
        }
    }

    pub(super) fn connector(&self) -> &dyn Connector {
        self.suite.connector
    }

    pub(super) fn can(&self, capability: Capability) -> bool {
        self.manifest.can(capability)
    }

    /// Panics with the suite's message format.
    pub(super) fn fail(&self, step: &str, message: impl std::fmt::Display) -> ! {
        panic!(
            "capability suite [{}] step `{step}`: {message}",
            self.manifest.name
        )
    }

    pub(super) fn expected_user_name(&self, who: &Identity) -> String {
        (self.suite.user_name_of)(who)
    }

    /// The server's record for `id`, failing the step when it has none.
    pub(super) async fn record(&self, step: &str, id: &str) -> Value {
        match self.state.get_user(id).await {
            Some(record) => record,
            None => self.fail(step, format_args!("the server has no user with id {id}")),
        }
    }

    /// Creates the person's account through the connector when it can, else seeds it directly.
    pub(super) async fn make_account(&self, step: &str, who: &Identity) -> AccountRef {
        if self.can(Capability::Create) {
            let account = self.connector().create(who).await.unwrap_or_else(|e| {
                self.fail(step, format_args!("create({}) failed: {e}", who.id))
            });
            account.reference()
        } else {
            let user_name = self.expected_user_name(who);
            let id = self
                .state
                .seed_user(json!({ "userName": user_name, "active": true }))
                .await;
            AccountRef { id, user_name }
        }
    }

    /// Fails unless the record's `userName` equals `expected` (ignoring case, as SCIM does).
    pub(super) fn expect_user_name(&self, step: &str, record: &Value, expected: &str) {
        match json::user_name(record) {
            Some(name) if name.eq_ignore_ascii_case(expected) => {}
            other => self.fail(
                step,
                format_args!("the server's userName is {other:?}, expected {expected:?}: {record}"),
            ),
        }
    }

    /// Fails when anything but `meta` and `active` changed between two records.
    pub(super) fn expect_unchanged(&self, step: &str, before: &Value, after: &Value) {
        let ignore = ["meta", "active"];
        if json::without(before, &ignore) != json::without(after, &ignore) {
            self.fail(
                step,
                format_args!(
                    "attributes other than `active` changed:\nbefore: {before}\nafter:  {after}"
                ),
            );
        }
    }
}
