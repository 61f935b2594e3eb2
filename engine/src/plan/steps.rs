//! Building an instance's steps: the policy and capability gate, and licence steps.

use connector_sdk::config::render_template;
use connector_sdk::{Capability, LicenseMode};

use super::model::{Action, SkipCode, Step, Target};
use crate::config::Instance;

/// Who a step is about, borrowed: turned into a [`Target`] only when a step is added.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TargetRef<'a> {
    /// The directory person's id.
    pub identity_id: Option<&'a str>,
    /// The person's login.
    pub login: Option<&'a str>,
    /// The app account's id.
    pub account_id: Option<&'a str>,
    /// The app account's sign-in name.
    pub user_name: Option<&'a str>,
}

impl TargetRef<'_> {
    /// The owned target.
    pub(super) fn to_target(self) -> Target {
        Target {
            identity_id: self.identity_id.map(str::to_owned),
            login: self.login.map(str::to_owned),
            account_id: self.account_id.map(str::to_owned),
            user_name: self.user_name.map(str::to_owned),
        }
    }
}

/// The steps of one instance, numbered as they are added.
pub(crate) struct Steps<'a> {
    /// The instance.
    pub instance: &'a Instance,
    /// The steps so far.
    pub list: Vec<Step>,
}

impl<'a> Steps<'a> {
    /// No steps yet.
    pub(super) fn new(instance: &'a Instance) -> Self {
        Self {
            instance,
            list: Vec::new(),
        }
    }

    /// Adds a step.
    pub(super) fn push(&mut self, target: &TargetRef, action: Action, reason: impl Into<String>) {
        let id = format!("{}#{}", self.instance.name, self.list.len() + 1);
        self.list.push(Step {
            id,
            target: target.to_target(),
            action,
            reason: reason.into(),
        });
    }

    /// Adds `action` when the policy switch `allowed` is on and the connector has
    /// `capability`, else a skip saying which. Returns whether the action was added.
    pub(super) fn gated(
        &mut self,
        target: &TargetRef,
        action: Action,
        allowed: bool,
        capability: Capability,
        reason: impl Into<String>,
    ) -> bool {
        let reason = reason.into();
        let skip = if !allowed {
            Some(SkipCode::PolicyOff)
        } else if !self.instance.manifest.can(capability) {
            Some(SkipCode::Unsupported)
        } else {
            None
        };
        match skip {
            None => {
                self.push(target, action, reason);
                true
            }
            Some(code) => {
                let skipped = action.name().to_owned();
                let why = match code {
                    SkipCode::PolicyOff => format!(
                        "{reason}; policy switches `{}` off",
                        policy_switch(capability)
                    ),
                    _ => format!(
                        "{reason}; {} cannot `{}`",
                        self.instance.manifest.name,
                        capability.as_str()
                    ),
                };
                self.push(target, Action::Skip { skipped, code }, why);
                false
            }
        }
    }

    /// Adds the steps that give `target` each SKU in `skus` (with the reason for each).
    pub(super) fn assign(&mut self, target: &TargetRef, skus: &[(String, String)]) {
        for (sku, reason) in skus {
            self.license(target, sku, true, reason);
        }
    }

    /// Adds the steps that take each SKU in `skus` back from `target`.
    pub(super) fn revoke<'s>(
        &mut self,
        target: &TargetRef,
        skus: impl IntoIterator<Item = &'s str>,
        reason: &str,
    ) {
        for sku in skus {
            self.license(target, sku, false, reason);
        }
    }

    /// One licence step, by the SKU's mode.
    fn license(&mut self, target: &TargetRef, sku: &str, assign: bool, reason: &str) {
        let instance = self.instance;
        let Some(definition) = instance.manifest.license(sku) else {
            return;
        };
        let monthly_price = instance.prices.get(sku).copied();
        let mode = definition.mode.as_str().to_owned();
        let action = match definition.mode {
            LicenseMode::Manual => Action::ManualTask {
                sku: sku.to_owned(),
                operation: if assign { "assign" } else { "revoke" }.to_owned(),
                instructions: definition
                    .instructions
                    .unwrap_or("use the vendor's admin console")
                    .to_owned(),
                url: definition.console_url.map(|url| {
                    render_template(url, &instance.connection.variables)
                        .unwrap_or_else(|_| url.to_owned())
                }),
                monthly_price,
            },
            LicenseMode::Automatic if !assign => Action::Skip {
                skipped: "revoke_license".to_owned(),
                code: SkipCode::AutomaticSeat,
            },
            _ if assign => Action::AssignLicense {
                sku: sku.to_owned(),
                mode,
                monthly_price,
            },
            _ => Action::RevokeLicense {
                sku: sku.to_owned(),
                mode,
                monthly_price,
            },
        };
        if let Action::Skip { .. } = action {
            self.push(target, action, format!("{reason} ({sku})"));
            return;
        }
        let gate = instance.policy.license;
        self.gated(target, action, gate, Capability::License, reason);
    }
}

/// The policy key of a capability's switch.
fn policy_switch(capability: Capability) -> &'static str {
    match capability {
        Capability::Create => "create",
        Capability::Update => "update",
        Capability::Deactivate | Capability::Reactivate | Capability::Delete => "deactivate",
        Capability::License => "license",
        other => other.as_str(),
    }
}
