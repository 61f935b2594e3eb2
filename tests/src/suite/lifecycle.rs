//! The `disable`, `enable`, `delete` and `groups` steps.

use connector_sdk::manifest::DeactivateMethod;
use connector_sdk::{Capability, Error};

use super::json;
use super::runner::{Runner, Subject};

impl Runner<'_, '_> {
    /// Returns whether the server no longer has the account (deactivate = delete on a
    /// backend that does not follow the dialect).
    pub(super) async fn disable(&mut self, subject: &Subject) -> bool {
        const STEP: &str = "disable";
        if !self.can(Capability::Deactivate) {
            self.report.skip(STEP, "`deactivate` not declared");
            return false;
        }
        let before = self.record(STEP, &subject.account.id).await;
        self.connector()
            .disable(&subject.account)
            .await
            .unwrap_or_else(|e| self.fail(STEP, format_args!("disable failed: {e}")));
        let method = self.manifest.provisioning.dialect.deactivate;
        if method == DeactivateMethod::Delete && !self.suite.server.follows_dialect() {
            if let Some(record) = self.state.get_user(&subject.account.id).await {
                self.fail(
                    STEP,
                    format_args!(
                        "deactivate is `delete`, but the server still has the user: {record}"
                    ),
                );
            }
            self.report.pass(
                STEP,
                "deactivate = delete: the server no longer has the user",
            );
            return true;
        }
        let after = self.record(STEP, &subject.account.id).await;
        if json::active(&after) != Some(false) {
            self.fail(
                STEP,
                format_args!("the server's user is still active: {after}"),
            );
        }
        self.expect_unchanged(STEP, &before, &after);
        if let Ok(account) = self.connector().get(&subject.account).await
            && account.active
        {
            self.fail(STEP, "get still reports the account active");
        }
        let how = if method == DeactivateMethod::Delete {
            " (DELETE deactivates; the account is kept)"
        } else {
            ""
        };
        self.report.pass(
            STEP,
            format!("{method:?}{how}: the server shows active=false, other attributes kept"),
        );
        false
    }

    pub(super) async fn enable(&mut self, subject: &Subject, deleted_on_disable: bool) {
        const STEP: &str = "enable";
        if !self.can(Capability::Reactivate) {
            return self.report.skip(STEP, "`reactivate` not declared");
        }
        if deleted_on_disable {
            return self
                .report
                .skip(STEP, "deactivate = delete: the server deleted the account");
        }
        if !self.can(Capability::Deactivate) {
            self.state.set_active(&subject.account.id, false).await;
        }
        let before = self.record(STEP, &subject.account.id).await;
        self.connector()
            .enable(&subject.account)
            .await
            .unwrap_or_else(|e| self.fail(STEP, format_args!("enable failed: {e}")));
        let after = self.record(STEP, &subject.account.id).await;
        if json::active(&after) != Some(true) {
            self.fail(
                STEP,
                format_args!("the server's user is not active again: {after}"),
            );
        }
        self.expect_unchanged(STEP, &before, &after);
        self.report
            .pass(STEP, "the server shows active=true, other attributes kept");
    }

    pub(super) async fn delete(&mut self) {
        const STEP: &str = "delete";
        if !self.can(Capability::Delete) {
            return self.report.skip(STEP, "`delete` not declared");
        }
        let (who, account) = match self.extra_accounts.first() {
            Some(pair) => pair.clone(),
            None => {
                let who = (self.suite.make_identity)(1);
                let account = self.make_account(STEP, &who).await;
                (who, account)
            }
        };
        self.record(STEP, &account.id).await;
        let before = self.state.count_users().await;
        self.connector()
            .delete(&account)
            .await
            .unwrap_or_else(|e| self.fail(STEP, format_args!("delete failed: {e}")));
        if let Some(record) = self.state.get_user(&account.id).await {
            self.fail(
                STEP,
                format_args!("the server still has the user: {record}"),
            );
        }
        let after = self.state.count_users().await;
        if after + 1 != before {
            self.fail(
                STEP,
                format_args!("the server went from {before} to {after} users"),
            );
        }
        match self.connector().get(&account).await {
            Err(Error::NotFound { .. } | Error::Unsupported { .. }) => {}
            Err(e) => self.fail(
                STEP,
                format_args!("get of a deleted account: expected NotFound, got {e}"),
            ),
            Ok(found) => self.fail(
                STEP,
                format_args!("get of a deleted account returned {found:?}"),
            ),
        }
        match self.connector().find(&who).await {
            Ok(None) | Err(Error::Unsupported { .. }) => {}
            Ok(Some(found)) => self.fail(
                STEP,
                format_args!("find of a deleted person returned {}", found.id),
            ),
            Err(e) => self.fail(STEP, format_args!("find of a deleted person failed: {e}")),
        }
        self.report.pass(
            STEP,
            "the server answers 404 for the account; get gives NotFound",
        );
    }

    pub(super) fn groups(&mut self) {
        if self.can(Capability::Groups) {
            self.report.skip(
                "groups",
                "the Connector trait has no group operations to drive",
            );
        }
    }
}
