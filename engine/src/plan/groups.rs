//! Group push: the steps that make an instance's pushed groups match the directory.
//!
//! For each directory group a `[[push_groups]]` rule pushes to the instance:
//! - the app group is the one linked in the state; else one whose `externalId` is the
//!   directory group's name (an interrupted create of ours: linked as created); else one
//!   of the same name (case-insensitive), linked under `existing_groups = "adopt"` and
//!   left alone under `flag`; else a create is planned;
//! - a linked group whose name in the app is no longer the one the engine last wrote was
//!   renamed by hand: flagged, never renamed back (nor its members changed);
//! - a linked group whose wanted name changed (the rule's template) is renamed;
//! - members: the people of the directory group who hold (or are getting) an active
//!   account here are added; linked accounts of anyone else are removed; accounts no
//!   person is linked to are left alone.
//!
//! A group the state links but no rule pushes any more is deleted when the rule that
//! pushed it allowed it (`delete = true`) and the engine created it; otherwise it stays
//! in the app, and the plan warns that it is no longer pushed.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use connector_sdk::AppGroup;

use super::links::Links;
use super::model::{Action, GroupAction, GroupSkipCode, GroupStep, Member, Step};
use crate::config::{ExistingAccounts, PushGroupsRule};
use crate::directory::Directory;
use crate::state::{GroupLink, Origin};

use super::desired::Desired;

/// What planning the groups of one instance reads.
pub(super) struct GroupInputs<'a> {
    /// The instance.
    pub instance: &'a str,
    /// The rules pushing groups to it.
    pub rules: Vec<&'a PushGroupsRule>,
    /// The app's groups.
    pub app_groups: &'a [AppGroup],
    /// The state's group links of the instance.
    pub group_links: &'a [GroupLink],
    /// The members the engine pushed, by directory group: what is compared with when
    /// the app never lists a group's members (`group_members_listed = false`).
    pub pushed_members: Option<&'a BTreeMap<String, Vec<String>>>,
    /// The directory.
    pub directory: &'a Directory,
    /// Who the rules give an account.
    pub desired: &'a Desired,
    /// The instance's account links.
    pub links: &'a Links,
    /// The account steps planned.
    pub steps: &'a [Step],
}

/// The planned group steps, and warnings (groups left in the app).
pub(super) struct GroupPlan {
    /// The steps, in order per group.
    pub steps: Vec<GroupStep>,
    /// What the plan shows besides.
    pub warnings: Vec<String>,
}

/// Plans the instance's group push.
pub(super) fn plan(inputs: &GroupInputs<'_>) -> GroupPlan {
    let mut out = GroupPlan {
        steps: Vec::new(),
        warnings: Vec::new(),
    };
    let accounts = AccountsOf::new(inputs);
    let linked: BTreeMap<&str, &GroupLink> = inputs
        .group_links
        .iter()
        .map(|l| (l.directory_group.as_str(), l))
        .collect();
    let mut pushed: BTreeSet<&str> = BTreeSet::new();
    for rule in &inputs.rules {
        for group in &rule.groups {
            pushed.insert(group);
            plan_group(
                inputs,
                rule,
                group,
                linked.get(group.as_str()).copied(),
                &accounts,
                &mut out,
            );
        }
    }
    for link in inputs.group_links {
        if pushed.contains(link.directory_group.as_str()) {
            continue;
        }
        let in_app = inputs.app_groups.iter().any(|g| g.id == link.app_group_id);
        if link.deletable && link.origin == Origin::Created && in_app {
            push_linked_step(
                &mut out,
                inputs.instance,
                link,
                GroupAction::DeleteGroup,
                "no rule pushes the group any more, and its rule allowed deleting it (`delete = true`)"
                    .to_owned(),
            );
        } else if in_app {
            out.warnings.push(format!(
                "group `{}` ({}) is no longer pushed; it stays in the app (only a group the \
                 engine created under `delete = true` is deleted)",
                link.name, link.directory_group
            ));
        }
    }
    out
}

/// The ids of the app groups the push may touch: each pushed group's linked one, one
/// whose `externalId` is its name, or one with its name in the app.
pub(super) fn candidates(
    rules: &[&PushGroupsRule],
    group_links: &[GroupLink],
    app_groups: &[AppGroup],
) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for rule in rules {
        for group in &rule.groups {
            let name = rule.app_name(group).to_lowercase();
            let linked = group_links
                .iter()
                .find(|l| &l.directory_group == group)
                .map(|l| l.app_group_id.as_str());
            for app in app_groups {
                if Some(app.id.as_str()) == linked
                    || app.external_id.as_deref() == Some(group.as_str())
                    || app.name.to_lowercase() == name
                {
                    ids.insert(app.id.clone());
                }
            }
        }
    }
    ids
}

/// Narrows a plan to the people in `scope` (an event's scoped plan): member changes of
/// theirs, and the create or link of a group only when one of them needs it. Renames,
/// deletes, flags and warnings are left to the full reconcile.
pub(super) fn keep_scope(plan: &mut GroupPlan, scope: &BTreeSet<String>) {
    let in_scope = |m: &Member| m.identity_id.as_ref().is_some_and(|id| scope.contains(id));
    for step in &mut plan.steps {
        if let GroupAction::AddMembers { members } | GroupAction::RemoveMembers { members } =
            &mut step.action
        {
            members.retain(in_scope);
        }
    }
    let members_of = |step: &GroupStep| match &step.action {
        GroupAction::AddMembers { members } | GroupAction::RemoveMembers { members } => {
            Some(members.len())
        }
        _ => None,
    };
    let needed: BTreeSet<String> = plan
        .steps
        .iter()
        .filter(|s| members_of(s).is_some_and(|n| n > 0))
        .map(|s| s.directory_group.clone())
        .collect();
    plan.steps.retain(|step| match &step.action {
        GroupAction::AddMembers { members } | GroupAction::RemoveMembers { members } => {
            !members.is_empty()
        }
        GroupAction::CreateGroup { .. } | GroupAction::LinkGroup { .. } => {
            needed.contains(&step.directory_group)
        }
        _ => false,
    });
    plan.warnings.clear();
}

/// Adds a step about the linked group `link`.
fn push_linked_step(
    out: &mut GroupPlan,
    instance: &str,
    link: &GroupLink,
    action: GroupAction,
    reason: String,
) {
    out.steps.push(GroupStep {
        id: format!("{instance}#g{}", out.steps.len() + 1),
        directory_group: link.directory_group.clone(),
        name: link.name.clone(),
        app_group_id: Some(link.app_group_id.clone()),
        action,
        reason,
    });
}

/// The steps of one pushed directory group.
fn plan_group(
    inputs: &GroupInputs<'_>,
    rule: &PushGroupsRule,
    group: &str,
    link: Option<&GroupLink>,
    accounts: &AccountsOf<'_>,
    out: &mut GroupPlan,
) {
    let wanted_name = rule.app_name(group);
    let step = |out: &mut GroupPlan, name: &str, id: Option<&str>, action, reason: String| {
        out.steps.push(GroupStep {
            id: format!("{}#g{}", inputs.instance, out.steps.len() + 1),
            directory_group: group.to_owned(),
            name: name.to_owned(),
            app_group_id: id.map(str::to_owned),
            action,
            reason,
        });
    };
    let linked_in_app = link.and_then(|l| {
        inputs
            .app_groups
            .iter()
            .find(|g| g.id == l.app_group_id)
            .map(|g| (l, g))
    });
    let app_group = match linked_in_app {
        Some((link, app)) => {
            if app.name != link.name {
                step(
                    out,
                    &app.name,
                    Some(&app.id),
                    GroupAction::Skip {
                        skipped: "push_group".to_owned(),
                        code: GroupSkipCode::RenamedInApp,
                    },
                    format!(
                        "renamed in the app from `{}` to `{}` since the engine wrote it: left \
                         alone (rename it back to resume the push)",
                        link.name, app.name
                    ),
                );
                return;
            }
            if link.origin == Origin::Created && link.deletable != rule.delete {
                // Recorded, no call: what the rule says now decides a later delete.
                step(
                    out,
                    &app.name,
                    Some(&app.id),
                    GroupAction::LinkGroup {
                        origin: Origin::Created.as_str().to_owned(),
                        deletable: rule.delete,
                    },
                    format!(
                        "{} now {} deleting it once no rule pushes it",
                        rule.location,
                        if rule.delete { "allows" } else { "forbids" }
                    ),
                );
            }
            if app.name != wanted_name {
                step(
                    out,
                    &wanted_name,
                    Some(&app.id),
                    GroupAction::RenameGroup {
                        from: app.name.clone(),
                    },
                    format!("{} names it `{wanted_name}`", rule.location),
                );
            }
            Some(app)
        }
        None => {
            let gone = link.map(|l| {
                format!(
                    " (the group it was pushed as, {}, is gone from the app)",
                    l.app_group_id
                )
            });
            let gone = gone.unwrap_or_default();
            let ours = inputs
                .app_groups
                .iter()
                .find(|g| g.external_id.as_deref() == Some(group));
            let same_name = || {
                let wanted = wanted_name.to_lowercase();
                inputs
                    .app_groups
                    .iter()
                    .find(|g| g.name.to_lowercase() == wanted)
            };
            if let Some(app) = ours {
                step(
                    out,
                    &app.name,
                    Some(&app.id),
                    GroupAction::LinkGroup {
                        origin: Origin::Created.as_str().to_owned(),
                        deletable: rule.delete,
                    },
                    format!(
                        "its externalId is the directory group's name: pushed by an earlier \
                         run{gone}"
                    ),
                );
                Some(app)
            } else if let Some(app) = same_name() {
                if rule.existing_groups == ExistingAccounts::Flag {
                    step(
                        out,
                        &app.name,
                        Some(&app.id),
                        GroupAction::Skip {
                            skipped: "link_group".to_owned(),
                            code: GroupSkipCode::ExistingGroupFlagged,
                        },
                        format!(
                            "the app has a group `{}` the engine did not create: left alone \
                             (`existing_groups = \"adopt\"` in {} links it){gone}",
                            app.name, rule.location
                        ),
                    );
                    return;
                }
                step(
                    out,
                    &app.name,
                    Some(&app.id),
                    GroupAction::LinkGroup {
                        origin: Origin::Adopted.as_str().to_owned(),
                        deletable: false,
                    },
                    format!("existing group adopted ({}){gone}", rule.location),
                );
                Some(app)
            } else {
                step(
                    out,
                    &wanted_name,
                    None,
                    GroupAction::CreateGroup {
                        deletable: rule.delete,
                    },
                    format!("{} pushes directory group `{group}`{gone}", rule.location),
                );
                None
            }
        }
    };
    let name = wanted_name.as_str();
    let id = app_group.map(|g| g.id.as_str());
    let held: BTreeSet<&str> = match inputs.pushed_members {
        // The app does not say: what the engine pushed into the group it knows.
        Some(pushed) if app_group.is_some() => pushed
            .get(group)
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect(),
        Some(_) => BTreeSet::new(),
        None => app_group
            .map(|g| g.members.iter().flatten().map(String::as_str).collect())
            .unwrap_or_default(),
    };
    let wanted = accounts.members_of(group);
    let add: Vec<Member> = wanted
        .iter()
        .filter(|m| m.account_id.as_deref().is_none_or(|a| !held.contains(a)))
        .cloned()
        .collect();
    let wanted_accounts: BTreeSet<&str> = wanted
        .iter()
        .filter_map(|m| m.account_id.as_deref())
        .collect();
    let remove: Vec<Member> = held
        .iter()
        .filter(|a| !wanted_accounts.contains(*a))
        .filter_map(|a| accounts.linked_member(a))
        .collect();
    if !add.is_empty() {
        step(
            out,
            name,
            id,
            GroupAction::AddMembers { members: add },
            format!("in directory group `{group}` with an account here, not in the app's group"),
        );
    }
    if !remove.is_empty() {
        step(
            out,
            name,
            id,
            GroupAction::RemoveMembers { members: remove },
            format!(
                "in the app's group, and not in directory group `{group}` (or losing the account)"
            ),
        );
    }
}

/// Who has which account, for members.
struct AccountsOf<'a> {
    /// The inputs.
    inputs: &'a GroupInputs<'a>,
    /// Person index → their linked account's id.
    account_of: HashMap<usize, &'a str>,
    /// Linked account id → its person's id and directory index, if they are in the
    /// directory (for the accounts of pushed app groups).
    person_of: HashMap<&'a str, (&'a str, Option<usize>)>,
    /// People whose account this plan creates.
    created: BTreeSet<&'a str>,
    /// People whose account this plan disables or deletes.
    leaving: BTreeSet<&'a str>,
}

impl<'a> AccountsOf<'a> {
    /// Indexes the links of the people in pushed groups and of the app groups' members.
    fn new(inputs: &'a GroupInputs<'a>) -> Self {
        let pushed: BTreeSet<&str> = inputs
            .rules
            .iter()
            .flat_map(|r| r.groups.iter().map(String::as_str))
            .collect();
        let people: Vec<usize> = inputs
            .directory
            .people
            .iter()
            .enumerate()
            .filter(|(_, p)| p.groups.iter().any(|g| pushed.contains(g.as_str())))
            .map(|(i, _)| i)
            .collect();
        let mut rows = vec![super::index::NONE; people.len()];
        inputs.links.find_many(
            |k| inputs.directory.people[people[k]].id.as_str(),
            &mut rows,
        );
        let mut account_of = HashMap::new();
        for (k, row) in rows.iter().enumerate() {
            if *row != super::index::NONE {
                account_of.insert(people[k], inputs.links.account_id(*row));
            }
        }
        let members: BTreeSet<&str> = match inputs.pushed_members {
            Some(pushed) => pushed.values().flatten().map(String::as_str).collect(),
            None => inputs
                .app_groups
                .iter()
                .flat_map(|g| g.members.iter().flatten().map(String::as_str))
                .collect(),
        };
        let mut person_of = HashMap::new();
        if !members.is_empty() {
            let by_id: HashMap<&str, usize> = inputs
                .directory
                .people
                .iter()
                .enumerate()
                .map(|(i, p)| (p.id.as_str(), i))
                .collect();
            for row in 0..inputs.links.len() as u32 {
                let link = inputs.links.get(row);
                if members.contains(link.account_id) {
                    let index = by_id.get(link.identity_id).copied();
                    person_of.insert(link.account_id, (link.identity_id, index));
                }
            }
        }
        let of = |wanted: fn(&Action) -> bool| -> BTreeSet<&'a str> {
            inputs
                .steps
                .iter()
                .filter(|s| wanted(&s.action))
                .filter_map(|s| s.target.identity_id.as_deref())
                .collect()
        };
        Self {
            inputs,
            account_of,
            person_of,
            created: of(|a| matches!(a, Action::Create)),
            leaving: of(|a| matches!(a, Action::Disable | Action::Delete)),
        }
    }

    /// Whether person `index` should be a member of pushed groups here: active, given an
    /// account by the rules, and not losing it in this plan.
    fn keeps_account(&self, index: usize) -> bool {
        let who = &self.inputs.directory.people[index];
        who.status.is_active()
            && self.inputs.desired.grant(index).is_some()
            && !self.leaving.contains(who.id.as_str())
    }

    /// The wanted members of directory group `group`: people keeping an account, with
    /// it (or without, when this plan creates it).
    fn members_of(&self, group: &str) -> Vec<Member> {
        let people = &self.inputs.directory.people;
        people
            .iter()
            .enumerate()
            .filter(|(_, p)| p.groups.iter().any(|g| g == group))
            .filter(|(i, _)| self.keeps_account(*i))
            .filter_map(|(i, p)| {
                let account = self.account_of.get(&i).copied();
                if account.is_none() && !self.created.contains(p.id.as_str()) {
                    return None;
                }
                Some(Member {
                    identity_id: Some(p.id.clone()),
                    label: p.login.clone(),
                    account_id: account.map(str::to_owned),
                })
            })
            .collect()
    }

    /// The linked account `account` as a member to remove; `None` for an account no
    /// person is linked to (left alone).
    fn linked_member(&self, account: &str) -> Option<Member> {
        let (identity_id, index) = *self.person_of.get(account)?;
        let label = index.map_or(identity_id, |i| {
            self.inputs.directory.people[i].login.as_str()
        });
        Some(Member {
            identity_id: Some(identity_id.to_owned()),
            label: label.to_owned(),
            account_id: Some(account.to_owned()),
        })
    }
}
