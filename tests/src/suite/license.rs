//! The `license` step: assign and revoke every SKU, checked per licence mode.

use connector_sdk::manifest::LicenseMode;
use connector_sdk::{AccountRef, Capability, LicenseOutcome, LicenseSku};
use serde_json::Value;

use super::json;
use super::runner::{Runner, Subject};

impl Runner<'_, '_> {
    pub(super) async fn license(&mut self, subject: &Subject) {
        const STEP: &str = "license";
        if !self.can(Capability::License) {
            return self.report.skip(STEP, "`license` not declared");
        }
        if self.manifest.licenses.is_empty() {
            return self.report.skip(STEP, "`license` declared but no SKU is");
        }
        let mut done = Vec::new();
        for sku in self.manifest.licenses {
            if sku.mode == LicenseMode::Api {
                done.push(format!(
                    "{} (api: not checkable over SCIM, skipped)",
                    sku.name
                ));
                continue;
            }
            if sku.mode == LicenseMode::Group {
                let group = self.sku_group(sku);
                if self.state.find_group(group).await.is_none() {
                    self.state.seed_group(group).await;
                }
            }
            let assigned = self
                .connector()
                .assign_license(&subject.account, sku)
                .await
                .unwrap_or_else(|e| {
                    self.fail(
                        STEP,
                        format_args!("assign_license({}) failed: {e}", sku.name),
                    )
                });
            self.check_license(sku, &subject.account, &assigned, true)
                .await;
            let revoked = self
                .connector()
                .revoke_license(&subject.account, sku)
                .await
                .unwrap_or_else(|e| {
                    self.fail(
                        STEP,
                        format_args!("revoke_license({}) failed: {e}", sku.name),
                    )
                });
            self.check_license(sku, &subject.account, &revoked, false)
                .await;
            done.push(format!("{} ({})", sku.name, sku.mode.as_str()));
        }
        self.report
            .pass(STEP, format!("assigned and revoked {}", done.join(", ")));
    }

    pub(super) fn sku_group(&self, sku: &LicenseSku) -> &'static str {
        sku.group.unwrap_or_else(|| {
            self.fail(
                "license",
                format_args!("group-mode SKU {} names no group", sku.name),
            )
        })
    }

    /// Checks an assign (`assigned`) or revoke outcome against the server.
    pub(super) async fn check_license(
        &self,
        sku: &LicenseSku,
        account: &AccountRef,
        outcome: &LicenseOutcome,
        assigned: bool,
    ) {
        const STEP: &str = "license";
        let action = if assigned { "assign" } else { "revoke" };
        let expect_outcome = |ok: bool| {
            if !ok {
                self.fail(
                    STEP,
                    format_args!(
                        "{action} {} ({} mode) returned {outcome:?}",
                        sku.name,
                        sku.mode.as_str()
                    ),
                );
            }
        };
        match sku.mode {
            LicenseMode::Automatic => expect_outcome(*outcome == LicenseOutcome::Automatic),
            LicenseMode::Manual => {
                expect_outcome(matches!(outcome, LicenseOutcome::ManualActionRequired(_)));
            }
            LicenseMode::Api => {}
            LicenseMode::Attribute => {
                expect_outcome(*outcome == LicenseOutcome::Applied);
                let attribute = sku.attribute.as_ref().unwrap_or_else(|| {
                    self.fail(
                        STEP,
                        format_args!("attribute-mode SKU {} has no attribute", sku.name),
                    )
                });
                let text = if assigned {
                    attribute.assign
                } else {
                    attribute.revoke
                };
                let wanted: Value =
                    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()));
                let record = self.record(STEP, &account.id).await;
                let actual = json::value_at(&record, attribute.path)
                    .cloned()
                    .unwrap_or(Value::Null);
                if actual != wanted {
                    self.fail(
                        STEP,
                        format_args!(
                            "after {action} {}, the server's {} is {actual}, expected {wanted}",
                            sku.name, attribute.path
                        ),
                    );
                }
            }
            LicenseMode::Group => {
                expect_outcome(*outcome == LicenseOutcome::Applied);
                let name = self.sku_group(sku);
                let group =
                    self.state.find_group(name).await.unwrap_or_else(|| {
                        self.fail(STEP, format_args!("group {name:?} disappeared"))
                    });
                let member =
                    group
                        .get("members")
                        .and_then(Value::as_array)
                        .is_some_and(|members| {
                            members.iter().any(|m| {
                                m.get("value").and_then(Value::as_str) == Some(&account.id)
                            })
                        });
                if member != assigned {
                    self.fail(
                        STEP,
                        format_args!(
                            "after {action} {}, membership of group {name:?} is {member}: {group}",
                            sku.name
                        ),
                    );
                }
            }
        }
    }
}
