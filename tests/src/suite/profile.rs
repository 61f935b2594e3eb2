//! Steps on the followed person's account: `create`, `get`, `find`, `adopt`.

use connector_sdk::{Capability, Error};

use super::json;
use super::runner::{ABSENT, Runner, Subject};

impl Runner<'_, '_> {
    pub(super) async fn create(&mut self) -> Subject {
        const STEP: &str = "create";
        let who = (self.suite.make_identity)(0);
        let user_name = self.expected_user_name(&who);
        if !self.state.find_by_user_name(&user_name).await.is_empty() {
            self.fail(
                STEP,
                format_args!("the server already has userName {user_name:?}; make_identity must give new people"),
            );
        }
        if !self.can(Capability::Create) {
            let account = self.make_account(STEP, &who).await;
            self.report
                .skip(STEP, "`create` not declared; seeded the user directly");
            return Subject {
                who,
                user_name,
                account,
            };
        }
        let before = self.state.count_users().await;
        let account = self
            .connector()
            .create(&who)
            .await
            .unwrap_or_else(|e| self.fail(STEP, format_args!("create failed: {e}")));
        let record = self.record(STEP, &account.id).await;
        self.expect_user_name(STEP, &record, &user_name);
        if json::active(&record) != Some(true) {
            self.fail(
                STEP,
                format_args!("the server's user is not active: {record}"),
            );
        }
        let same_name = self.state.find_by_user_name(&user_name).await;
        if same_name.len() != 1 {
            self.fail(
                STEP,
                format_args!(
                    "the server has {} users named {user_name:?}",
                    same_name.len()
                ),
            );
        }
        let after = self.state.count_users().await;
        if after != before + 1 {
            self.fail(
                STEP,
                format_args!("the server went from {before} to {after} users"),
            );
        }
        if !account.user_name.eq_ignore_ascii_case(&user_name) {
            self.fail(
                STEP,
                format_args!(
                    "create returned userName {:?}, the server holds {user_name:?}",
                    account.user_name
                ),
            );
        }
        self.report.pass(
            STEP,
            format!("server holds {user_name} (id {}), active", account.id),
        );
        Subject {
            who,
            user_name,
            account: account.reference(),
        }
    }

    pub(super) async fn get(&mut self, subject: &Subject) {
        const STEP: &str = "get";
        let account = match self.connector().get(&subject.account).await {
            Ok(account) => account,
            Err(Error::Unsupported { .. }) => {
                return self
                    .report
                    .skip(STEP, "the connector does not support `get`");
            }
            Err(e) => self.fail(STEP, format_args!("get failed: {e}")),
        };
        let record = self.record(STEP, &subject.account.id).await;
        if account.id != subject.account.id {
            self.fail(
                STEP,
                format_args!(
                    "get returned id {}, expected {}",
                    account.id, subject.account.id
                ),
            );
        }
        self.expect_user_name(STEP, &record, &account.user_name);
        if Some(account.active) != json::active(&record) {
            self.fail(
                STEP,
                format_args!(
                    "get says active={}, the server holds {record}",
                    account.active
                ),
            );
        }
        self.report
            .pass(STEP, "id, userName and active match the server");
    }

    pub(super) async fn find(&mut self, subject: &Subject) {
        const STEP: &str = "find";
        let found = match self.connector().find(&subject.who).await {
            Ok(found) => found,
            Err(Error::Unsupported { .. }) => {
                return self
                    .report
                    .skip(STEP, "the connector does not support `find`");
            }
            Err(e) => self.fail(STEP, format_args!("find failed: {e}")),
        };
        match found {
            Some(account) if account.id == subject.account.id => {}
            Some(account) => self.fail(
                STEP,
                format_args!(
                    "find returned id {}, expected {}",
                    account.id, subject.account.id
                ),
            ),
            None => self.fail(
                STEP,
                format_args!("find returned nothing for {}", subject.user_name),
            ),
        }
        let absent = (self.suite.make_identity)(ABSENT);
        let absent_name = self.expected_user_name(&absent);
        if !self.state.find_by_user_name(&absent_name).await.is_empty() {
            self.fail(
                STEP,
                format_args!("the server unexpectedly holds {absent_name:?}"),
            );
        }
        match self.connector().find(&absent).await {
            Ok(None) => {}
            Ok(Some(account)) => self.fail(
                STEP,
                format_args!(
                    "find({absent_name:?}) returned {} although the server has no such user",
                    account.id
                ),
            ),
            Err(e) => self.fail(STEP, format_args!("find of an absent person failed: {e}")),
        }
        self.report.pass(
            STEP,
            "finds the user by its id; nothing for an absent person",
        );
    }

    pub(super) async fn adopt(&mut self, subject: &Subject) {
        const STEP: &str = "existing";
        if !self.can(Capability::Create) {
            return self.report.skip(STEP, "`create` not declared");
        }
        let before = self.state.count_users().await;
        let account = match self.connector().create(&subject.who).await {
            Err(connector_sdk::Error::AlreadyExists { existing, .. }) => *existing,
            Ok(account) => self.fail(
                STEP,
                format_args!(
                    "a second create of the same person succeeded (id {}) instead of \
                     reporting the existing account",
                    account.id
                ),
            ),
            Err(e) => self.fail(
                STEP,
                format_args!(
                    "a second create of the same person failed without reporting the \
                     existing account: {e}"
                ),
            ),
        };
        if account.id != subject.account.id {
            self.fail(
                STEP,
                format_args!(
                    "the second create reported id {}, expected the existing {}",
                    account.id, subject.account.id
                ),
            );
        }
        let same_name = self.state.find_by_user_name(&subject.user_name).await;
        let after = self.state.count_users().await;
        if same_name.len() != 1 || after != before {
            self.fail(
                STEP,
                format_args!(
                    "after a second create the server has {} users named {:?} and {after} users (was {before})",
                    same_name.len(),
                    subject.user_name
                ),
            );
        }
        self.report.pass(
            STEP,
            "a second create reported the existing account (not adopted); no duplicate",
        );
    }
}
