//! The `update` step: a changed profile must change the server's record.

use std::collections::BTreeSet;

use connector_sdk::Capability;

use super::json;
use super::runner::{Runner, Subject};

impl Runner<'_, '_> {
    pub(super) async fn update(&mut self, subject: &mut Subject) {
        const STEP: &str = "update";
        if !self.can(Capability::Update) {
            return self.report.skip(STEP, "`update` not declared");
        }
        let before = self.record(STEP, &subject.account.id).await;
        let mut who = subject.who.clone();
        let changes = [
            ("last_name", "Suiteupdatedlast"),
            ("display_name", "Suiteupdated Display"),
            ("title", "Suiteupdated Title"),
            ("department", "Suiteupdated Department"),
        ]
        .map(|(field, value)| (field, value.to_owned()));
        for (field, value) in &changes {
            if json::contains_text(&before, value) {
                self.fail(
                    STEP,
                    format_args!("test value {value:?} is already on the record"),
                );
            }
            let slot = match *field {
                "last_name" => &mut who.last_name,
                "display_name" => &mut who.display_name,
                "title" => &mut who.title,
                _ => &mut who.department,
            };
            *slot = Some(value.clone());
        }
        let account = self
            .connector()
            .update(&subject.account, &who)
            .await
            .unwrap_or_else(|e| self.fail(STEP, format_args!("update failed: {e}")));
        if account.id != subject.account.id {
            self.fail(
                STEP,
                format_args!(
                    "update returned id {}, expected {}",
                    account.id, subject.account.id
                ),
            );
        }
        let after = self.record(STEP, &subject.account.id).await;
        self.expect_user_name(STEP, &after, &subject.user_name);
        if json::active(&after) != Some(true) {
            self.fail(
                STEP,
                format_args!("the user is no longer active after update: {after}"),
            );
        }
        if json::without(&after, &["meta"]) == json::without(&before, &["meta"]) {
            self.fail(
                STEP,
                format_args!("the server's record did not change: {after}"),
            );
        }
        let mapped: BTreeSet<&str> = self
            .manifest
            .attributes
            .iter()
            .flat_map(|attribute| attribute.reads.iter().copied())
            .collect();
        let expected: Vec<&(&str, String)> = changes
            .iter()
            .filter(|(field, _)| mapped.contains(field))
            .collect();
        let seen: Vec<&str> = changes
            .iter()
            .filter(|(_, value)| json::contains_text(&after, value))
            .map(|(field, _)| *field)
            .collect();
        if expected.is_empty() {
            if seen.is_empty() {
                self.fail(
                    STEP,
                    format_args!(
                        "none of the changed fields ({changes:?}) reached the server: {after}"
                    ),
                );
            }
        } else if let Some((field, value)) =
            expected.iter().find(|(field, _)| !seen.contains(field))
        {
            self.fail(
                STEP,
                format_args!("the manifest maps `{field}` but its new value {value:?} is not on the server: {after}"),
            );
        }
        subject.who = who;
        self.report.pass(
            STEP,
            format!("the server's record now shows {}", seen.join(", ")),
        );
    }
}
