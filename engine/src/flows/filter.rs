//! Which plan steps a flow lets an event's apply take: per person, the instances and
//! kinds of change the flow's steps name. The plan is still the engine's own (the
//! person's accounts, links, policies); the filter only drops what no flow asked for.

use std::collections::BTreeMap;

use crate::plan::{Action, Step};

/// The changes flows allow, per person (directory id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepFilter {
    /// Each person's rules.
    pub rules: BTreeMap<String, Vec<StepRule>>,
}

/// One kind of change a flow step allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRule {
    /// The instance; `None`: every instance the person is planned on.
    pub instance: Option<String>,
    /// The plan actions (`disable`, `assign_license`, ...).
    pub actions: &'static [&'static str],
    /// Only this SKU (licence steps), when the step names one.
    pub sku: Option<String>,
}

impl StepFilter {
    /// Whether `step` of `instance` is allowed. A step skipped by a policy is kept when
    /// the change it stands for is, so the skip is reported and audited as in `apply`.
    pub fn keeps(&self, instance: &str, step: &Step) -> bool {
        let Some(rules) = step
            .target
            .identity_id
            .as_ref()
            .and_then(|id| self.rules.get(id))
        else {
            return false;
        };
        let (action, sku) = match &step.action {
            Action::Skip { skipped, .. } => (skipped.as_str(), None),
            Action::ManualTask { operation, sku, .. } => (
                if operation == "assign" {
                    "assign_license"
                } else {
                    "revoke_license"
                },
                Some(sku.as_str()),
            ),
            Action::AssignLicense { sku, .. } | Action::RevokeLicense { sku, .. } => {
                (step.action.name(), Some(sku.as_str()))
            }
            other => (other.name(), None),
        };
        rules.iter().any(|rule| {
            rule.instance.as_deref().is_none_or(|i| i == instance)
                && rule.actions.contains(&action)
                && match (&rule.sku, sku) {
                    (Some(wanted), Some(sku)) => wanted == sku,
                    _ => true,
                }
        })
    }
}

/// The plan actions an action card stands for, when it runs through apply.
pub(crate) fn plan_actions(card: &str) -> Option<&'static [&'static str]> {
    Some(match card {
        "create_account" => &["create", "link"],
        "update_account" => &["update"],
        "disable_account" => &["disable"],
        "enable_account" => &["enable"],
        "delete_account" => &["delete"],
        "assign_license" => &["assign_license"],
        "revoke_license" => &["revoke_license"],
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{SkipCode, Target};

    fn step(action: Action) -> Step {
        Step {
            id: "zoom#1".into(),
            target: Target {
                identity_id: Some("p1".into()),
                ..Target::default()
            },
            action,
            reason: String::new(),
        }
    }

    fn license(sku: &str) -> Action {
        Action::RevokeLicense {
            sku: sku.into(),
            mode: "api".into(),
            monthly_price: None,
        }
    }

    #[test]
    fn only_the_named_changes_of_the_named_person_instance_and_sku_are_kept() {
        let mut filter = StepFilter::default();
        filter.rules.insert(
            "p1".into(),
            vec![
                StepRule {
                    instance: None,
                    actions: plan_actions("disable_account").unwrap(),
                    sku: None,
                },
                StepRule {
                    instance: Some("zoom".into()),
                    actions: plan_actions("revoke_license").unwrap(),
                    sku: Some("whiteboard".into()),
                },
            ],
        );
        assert!(filter.keeps("chatgpt", &step(Action::Disable)));
        assert!(!filter.keeps("chatgpt", &step(Action::Delete)));
        assert!(filter.keeps("zoom", &step(license("whiteboard"))));
        assert!(!filter.keeps("zoom", &step(license("translated_captions"))));
        assert!(!filter.keeps("chatgpt", &step(license("whiteboard"))));
        // A skip of a kept change is kept (reported and audited as in apply).
        let skip = Action::Skip {
            skipped: "disable".into(),
            code: SkipCode::PolicyOff,
        };
        assert!(filter.keeps("zoom", &step(skip)));
        // Someone else's step.
        let mut other = step(Action::Disable);
        other.target.identity_id = Some("p2".into());
        assert!(!filter.keeps("zoom", &other));
    }
}
