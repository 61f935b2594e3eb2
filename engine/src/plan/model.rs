//! The plan's types. They serialize to the stable JSON of `docs/plan-json.md`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::attrs::AttributeChange;

/// The version of the plan JSON format; bumped on any incompatible change.
pub const PLAN_FORMAT_VERSION: u32 = 1;

/// What a run would change, per instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// [`PLAN_FORMAT_VERSION`].
    pub format_version: u32,
    /// When the plan was made (RFC 3339, UTC).
    pub generated_at: String,
    /// The directory the plan was made from.
    pub source: SourceSummary,
    /// What to know before applying that concerns no one instance (a rule naming a
    /// group nobody is in).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// One entry per instance, sorted by instance name.
    pub instances: Vec<InstancePlan>,
    /// Totals over every instance.
    pub summary: Summary,
}

/// The directory a plan was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceSummary {
    /// The source (`file people.csv`).
    pub description: String,
    /// People read.
    pub people: u64,
    /// Groups read.
    pub groups: u64,
    /// People at the last completed run, if any.
    pub previous_people: Option<u64>,
}

/// The plan of one instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstancePlan {
    /// The instance's name.
    pub instance: String,
    /// The connector (`slack`).
    pub connector: String,
    /// The connector's display name (`Slack`).
    pub display_name: String,
    /// Accounts imported from the app (with `looked_up`: those read by id).
    pub accounts: u64,
    /// A scoped plan that read only the linked accounts of the people in scope, each by
    /// id, instead of listing the app ([`ScopeReads`](crate::ScopeReads)).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub looked_up: bool,
    /// A scoped plan of leavers that took their accounts from their links, reading
    /// nothing ([`PlanOptions::trust_links`](crate::PlanOptions::trust_links)).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub from_links: bool,
    /// Why the instance could not be planned (nothing is then planned for it).
    pub error: Option<String>,
    /// What to know before applying: mapped attributes the app says it does not know
    /// (it will refuse or drop them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The changes, in the order they apply for each account.
    pub steps: Vec<Step>,
    /// Group push (`[[push_groups]]`): the changes to the app's groups, applied after
    /// the accounts' steps (members need their accounts), in order per group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupStep>,
    /// Accounts left alone because no directory person is assigned to them.
    pub protected: Vec<ProtectedAccount>,
    /// The sign-in assignment (the IdP side of the two-app pattern).
    pub sso: SsoPlan,
    /// The circuit breaker's count of removals.
    pub removals: RemovalCheck,
    /// Seats given back and what they cost.
    pub reclaim: Reclaim,
}

/// A change to one account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// `instance#n`, unique in the plan.
    pub id: String,
    /// The person and account.
    pub target: Target,
    /// What to do.
    #[serde(flatten)]
    pub action: Action,
    /// Why, in words.
    pub reason: String,
}

/// Who a step is about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// The directory person's id.
    pub identity_id: Option<String>,
    /// The person's login.
    pub login: Option<String>,
    /// The app account's id (unknown before a create).
    pub account_id: Option<String>,
    /// The app account's sign-in name.
    pub user_name: Option<String>,
}

impl Target {
    /// The best name for humans: the login, else the account's user name, else its id.
    pub fn label(&self) -> &str {
        self.login
            .as_deref()
            .or(self.user_name.as_deref())
            .or(self.account_id.as_deref())
            .unwrap_or("?")
    }

    /// The key that orders one account's steps: the person, else the account.
    pub fn key(&self) -> String {
        match (&self.identity_id, &self.account_id) {
            (Some(id), _) => format!("identity:{id}"),
            (None, Some(account)) => format!("account:{account}"),
            (None, None) => "unknown".to_owned(),
        }
    }
}

/// One kind of change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Create the person's account.
    Create,
    /// Link an existing account, not created by the engine, to the person (`adopt`).
    Link,
    /// Bring the account's attributes in line.
    Update {
        /// The profile fields that changed since last applied.
        changes: Vec<AttributeChange>,
    },
    /// Reactivate the account.
    Enable,
    /// Deactivate the account.
    Disable,
    /// Delete the account.
    Delete,
    /// Give a seat.
    AssignLicense {
        /// The SKU.
        sku: String,
        /// Its mode (`automatic`, `attribute`, `group`, `api`).
        mode: String,
        /// Its monthly price, if configured.
        monthly_price: Option<f64>,
    },
    /// Take a seat back.
    RevokeLicense {
        /// The SKU.
        sku: String,
        /// Its mode.
        mode: String,
        /// Its monthly price, if configured.
        monthly_price: Option<f64>,
    },
    /// A step only a person can take (a `manual` SKU).
    ManualTask {
        /// The SKU.
        sku: String,
        /// `assign` or `revoke`.
        operation: String,
        /// What to do.
        instructions: String,
        /// Where, when known.
        url: Option<String>,
        /// Its monthly price, if configured.
        monthly_price: Option<f64>,
    },
    /// Something that would change but will not; `code` says why.
    Skip {
        /// The action not taken (`create`, `disable`, ...).
        skipped: String,
        /// Why.
        code: SkipCode,
    },
}

impl Action {
    /// The action's name as in the JSON (`create`, `assign_license`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Link => "link",
            Self::Update { .. } => "update",
            Self::Enable => "enable",
            Self::Disable => "disable",
            Self::Delete => "delete",
            Self::AssignLicense { .. } => "assign_license",
            Self::RevokeLicense { .. } => "revoke_license",
            Self::ManualTask { .. } => "manual_task",
            Self::Skip { .. } => "skip",
        }
    }

    /// Whether the step counts toward the circuit breaker (it takes access away).
    pub fn is_removal(&self) -> bool {
        matches!(
            self,
            Self::Disable | Self::Delete | Self::RevokeLicense { .. }
        )
    }

    /// Whether applying the step changes anything (skips do not).
    pub fn is_change(&self) -> bool {
        !matches!(self, Self::Skip { .. })
    }
}

/// Why a change is skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipCode {
    /// The instance's policy switches this kind of change off.
    PolicyOff,
    /// The connector cannot do it.
    Unsupported,
    /// An account exists that the engine did not create; policy `existing_accounts = "flag"`.
    ExistingAccountFlagged,
    /// The seat follows the account; it goes when the account is deactivated.
    AutomaticSeat,
    /// Creating would put two people on one account: another planned person, or an
    /// existing account, has the user name the mapping gives.
    SharedAccount,
    /// The app holds other values than the directory gives; policy `drift = "report"`.
    DriftReported,
}

/// A change to one pushed group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupStep {
    /// `instance#gn`, unique in the plan.
    pub id: String,
    /// The directory group pushed.
    pub directory_group: String,
    /// The group's name in the app (what it is called after the step).
    pub name: String,
    /// The app's id of the group, when it exists before the step.
    pub app_group_id: Option<String>,
    /// What to do.
    #[serde(flatten)]
    pub action: GroupAction,
    /// Why, in words.
    pub reason: String,
}

/// A member of a pushed group: a directory person and their account in the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The person's directory id (absent for an account no person is linked to).
    pub identity_id: Option<String>,
    /// The person's login, or the account's user name.
    pub label: String,
    /// The account, when it exists at plan time (an account created by this run is
    /// found when the step is applied).
    pub account_id: Option<String>,
}

/// One kind of change to a pushed group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum GroupAction {
    /// Create the group (empty; members follow).
    CreateGroup {
        /// Whether the engine may delete it once no rule pushes it.
        deletable: bool,
    },
    /// Link an app group the engine did not create (`existing_groups = "adopt"`), or one
    /// an interrupted create made (its `externalId` is the directory group's name).
    LinkGroup {
        /// `created` (found by its `externalId`) or `adopted` (found by its name).
        origin: String,
        /// Whether the engine may delete it once no rule pushes it (only a created one).
        deletable: bool,
    },
    /// Rename the group to [`GroupStep::name`].
    RenameGroup {
        /// Its name now.
        from: String,
    },
    /// Add members.
    AddMembers {
        /// Who.
        members: Vec<Member>,
    },
    /// Remove members (their accounts stay; each counts toward the circuit breaker).
    RemoveMembers {
        /// Who.
        members: Vec<Member>,
    },
    /// Delete a group the engine created, once no rule pushes it (`delete = true`).
    DeleteGroup,
    /// Something that would change but will not; `code` says why.
    Skip {
        /// The action not taken.
        skipped: String,
        /// Why.
        code: GroupSkipCode,
    },
}

impl GroupAction {
    /// The action's name as in the JSON (`create_group`, `add_members`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Self::CreateGroup { .. } => "create_group",
            Self::LinkGroup { .. } => "link_group",
            Self::RenameGroup { .. } => "rename_group",
            Self::AddMembers { .. } => "add_members",
            Self::RemoveMembers { .. } => "remove_members",
            Self::DeleteGroup => "delete_group",
            Self::Skip { .. } => "skip",
        }
    }

    /// What the step counts toward the circuit breaker: each member removed, and a
    /// deleted group.
    pub fn removals(&self) -> u64 {
        match self {
            Self::RemoveMembers { members } => members.len() as u64,
            Self::DeleteGroup => 1,
            _ => 0,
        }
    }

    /// Whether applying the step changes anything (skips do not).
    pub fn is_change(&self) -> bool {
        !matches!(self, Self::Skip { .. })
    }
}

/// Why a group change is skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupSkipCode {
    /// An app group has the name, and the engine did not create it; policy
    /// `existing_groups = "flag"`.
    ExistingGroupFlagged,
    /// The group was renamed in the app since the engine last wrote it: flagged, not
    /// fought over (rename it back, or unlink it, to resume the push).
    RenamedInApp,
}

/// An account the engine leaves alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtectedAccount {
    /// The account id.
    pub account_id: String,
    /// Its sign-in name.
    pub user_name: String,
    /// Whether it is active.
    pub active: bool,
    /// Why it is left alone.
    pub reason: String,
}

/// Who holds the sign-in assignment of the instance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoPlan {
    /// Whether any `[[sso]]` rule names this instance.
    pub managed: bool,
    /// `app` (an IdP-initiated SAML/OIDC app) or `bookmark` (SP-initiated-only services).
    pub tile: String,
    /// Where SP-initiated sign-in starts.
    pub login_url: Option<String>,
    /// Logins holding the sign-in assignment.
    pub assigned: Vec<String>,
    /// Logins with sign-in but no provisioned account (existing accounts being migrated).
    pub sso_only: Vec<String>,
    /// Logins provisioned without sign-in assignment (they cannot sign in through the IdP).
    pub provisioned_without_sso: Vec<String>,
}

/// The circuit breaker's view of an instance.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RemovalCheck {
    /// Disables, deletes and revokes planned, and members removed from (and deletes
    /// of) pushed groups.
    pub count: u64,
    /// Account removals made earlier within the breaker's window and weighed with
    /// `count` ([`PlanOptions::removals_before`](crate::PlanOptions::removals_before)).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub earlier: u64,
    /// The most allowed without `--allow-removals`.
    pub max: u64,
    /// The most allowed as a percentage of `accounts`, if set.
    pub max_percent: Option<f64>,
    /// Whether the count is over a limit: apply stops before touching anything.
    pub tripped: bool,
}

impl RemovalCheck {
    /// The planned removals in words: `1 removal`, `3 removals`.
    pub fn counted(&self) -> String {
        let s = if self.count == 1 { "" } else { "s" };
        format!("{} removal{s}", self.count)
    }
}

/// Seats given back.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reclaim {
    /// Seats given back (revokes, and automatic seats of deactivated accounts).
    pub seats: u64,
    /// Seats per SKU.
    pub by_sku: BTreeMap<String, u64>,
    /// The monthly cost saved, for SKUs with a configured price.
    pub monthly_saving: f64,
    /// The currency of the prices.
    pub currency: String,
}

/// Totals over a plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Changes (steps that are not skips).
    pub changes: u64,
    /// Steps per action name.
    pub by_action: BTreeMap<String, u64>,
    /// Skips.
    pub skipped: u64,
    /// Protected accounts.
    pub protected: u64,
    /// Instances whose import failed.
    pub failed_instances: u64,
    /// Whether some instance's circuit breaker tripped.
    pub blocked: bool,
    /// Seats reclaimed over every instance.
    pub reclaimed_seats: u64,
    /// The monthly saving over every instance.
    pub monthly_saving: f64,
}

impl Plan {
    /// Totals over `instances`.
    pub fn summarize(instances: &[InstancePlan]) -> Summary {
        let mut summary = Summary::default();
        for plan in instances {
            let actions = plan
                .steps
                .iter()
                .map(|s| (s.action.name(), s.action.is_change()));
            let actions = actions.chain(
                plan.groups
                    .iter()
                    .map(|s| (s.action.name(), s.action.is_change())),
            );
            for (name, change) in actions {
                *summary.by_action.entry(name.to_owned()).or_default() += 1;
                if change {
                    summary.changes += 1;
                } else {
                    summary.skipped += 1;
                }
            }
            summary.protected += plan.protected.len() as u64;
            summary.failed_instances += u64::from(plan.error.is_some());
            summary.blocked |= plan.removals.tripped;
            summary.reclaimed_seats += plan.reclaim.seats;
            summary.monthly_saving += plan.reclaim.monthly_saving;
        }
        summary
    }

    /// Whether the plan has changes to apply.
    pub fn has_changes(&self) -> bool {
        self.summary.changes > 0
    }
}

/// Whether `n` is zero (a field left out of the JSON plan when it is).
fn is_zero(n: &u64) -> bool {
    *n == 0
}
