//! The capability suite: drives a [`Connector`] through everything its manifest declares
//! against a [`ScimBackend`] (the [`Scim2Server`](crate::Scim2Server) peer or a sandbox
//! tenant), and after every step checks the server's state with the independent
//! [`StateChecker`](crate::StateChecker) rather than trusting what the connector returned.
//!
//! Steps, in order (each runs only when its capability is declared; `get` and `find` are
//! skipped when the connector answers [`Error::Unsupported`](connector_sdk::Error)):
//! - `create`: the server holds one user with the expected `userName`, active;
//! - `get`, `find`: same id and `userName` as the server; `find` of an absent person is `None`;
//! - `adopt`: a second create of the same person returns the same id, no duplicate;
//! - `update`: changes `last_name`, `display_name`, `title`, `department`; the record must
//!   change, and each changed field that a manifest mapping reads must appear on it;
//! - `license`: assign then revoke every SKU, checked per mode (attribute value, group
//!   membership, `Automatic`/`ManualActionRequired` outcomes; `api` is not checkable);
//! - `list`: pages of 3 over 8 users, following `next`; every server id exactly once;
//! - `disable`: `active=false` with other attributes kept; when the dialect's deactivate
//!   is `delete`, the account is gone on a plain RFC server, and kept with `active=false`
//!   on a backend that [follows the dialect](ScimBackend::follows_dialect); `enable`:
//!   `active=true` again; `delete`: the server answers 404
//!   and `get` gives `NotFound`; `groups` is reported skipped (no trait operation).
//!
//! A failed check panics with ``capability suite [<connector>] step `<step>`: ...``.
//! The expected `userName` defaults to the identity's `login`; for a spec that maps it from
//! `{email}`, use [`CapabilitySuite::user_name`] (or make `login` equal `email`).

mod json;
mod license;
mod lifecycle;
mod list;
mod profile;
mod report;
mod runner;
mod update;

use connector_sdk::{Connector, Identity};

pub use report::{StepOutcome, StepReport, SuiteReport};

use crate::ScimBackend;
use runner::Runner;

/// Runs the suite with the defaults of [`CapabilitySuite::new`]: the expected `userName` is
/// the identity's `login`, pages of 3, and 8 users for the listing (more than 2.5 pages).
///
/// `make_identity(i)` must return a distinct person, unknown to the server, for each `i`.
pub async fn run_capability_suite(
    connector: &dyn Connector,
    server: &dyn ScimBackend,
    make_identity: impl Fn(usize) -> Identity,
) -> SuiteReport {
    CapabilitySuite::new(connector, server, make_identity)
        .run()
        .await
}

/// A configurable run of the capability suite (see the module docs).
pub struct CapabilitySuite<'a> {
    connector: &'a dyn Connector,
    server: &'a dyn ScimBackend,
    make_identity: Box<dyn Fn(usize) -> Identity + 'a>,
    user_name_of: Box<dyn Fn(&Identity) -> String + 'a>,
    page_size: u32,
    listed_users: usize,
}

impl<'a> CapabilitySuite<'a> {
    /// A suite for `connector` against `server`, with people from `make_identity`.
    pub fn new(
        connector: &'a dyn Connector,
        server: &'a dyn ScimBackend,
        make_identity: impl Fn(usize) -> Identity + 'a,
    ) -> Self {
        Self {
            connector,
            server,
            make_identity: Box::new(make_identity),
            user_name_of: Box::new(|who: &Identity| who.login.clone()),
            page_size: 3,
            listed_users: 8,
        }
    }

    /// How to compute the `userName` the connector's mapping should produce for a person
    /// (default: `login`).
    pub fn user_name(mut self, user_name_of: impl Fn(&Identity) -> String + 'a) -> Self {
        self.user_name_of = Box::new(user_name_of);
        self
    }

    /// The `count` of the `list` step's page requests (default 3).
    pub fn page_size(mut self, count: u32) -> Self {
        self.page_size = count.max(1);
        self
    }

    /// How many users the suite makes sure exist for the `list` step (default 8).
    pub fn listed_users(mut self, users: usize) -> Self {
        self.listed_users = users.max(2);
        self
    }

    /// Runs every step; panics at the first failed check.
    pub async fn run(self) -> SuiteReport {
        let mut runner = Runner::new(&self);
        let mut subject = runner.create().await;
        runner.get(&subject).await;
        runner.find(&subject).await;
        runner.adopt(&subject).await;
        runner.update(&mut subject).await;
        runner.license(&subject).await;
        runner.list().await;
        let deleted_on_disable = runner.disable(&subject).await;
        runner.enable(&subject, deleted_on_disable).await;
        runner.delete().await;
        runner.groups();
        runner.report
    }
}
