//! `[[push_groups]]` rules: which directory groups are pushed into which instance, under
//! which name, and what the engine may do with a group it did not create.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use connector_sdk::Capability;
use serde::Deserialize;
use serde_spanned::Spanned;

use super::diag::Diagnostics;
use super::{ExistingAccounts, Instance};

/// The placeholder a rule's `name` template reads: the directory group's name.
pub const GROUP_PLACEHOLDER: &str = "{group}";

/// One `[[push_groups]]` rule as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPushGroups {
    pub instance: Spanned<String>,
    pub groups: Spanned<Vec<Spanned<String>>>,
    pub name: Option<Spanned<String>>,
    pub delete: Option<bool>,
    pub existing_groups: Option<Spanned<String>>,
}

/// A `[[push_groups]]` rule: these directory groups become groups of the instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushGroupsRule {
    /// Where the rule is (`assignments.toml:40`).
    pub location: String,
    /// The instance.
    pub instance: String,
    /// The directory groups pushed.
    pub groups: Vec<String>,
    /// The group's name in the app: a template where `{group}` is the directory group's
    /// name (default `{group}`).
    pub name: String,
    /// Whether the engine may delete a group it created once no rule pushes it
    /// (default: no; a group it adopted is never deleted).
    pub delete: bool,
    /// An app group of the same name that the engine did not create: linked and managed
    /// (`adopt`), or left alone and reported (`flag`, the default).
    pub existing_groups: ExistingAccounts,
}

impl PushGroupsRule {
    /// The name `group` gets in the app.
    pub fn app_name(&self, group: &str) -> String {
        self.name.replace(GROUP_PLACEHOLDER, group)
    }
}

/// Checks every rule: the instance exists and its connector pushes groups, the name
/// template reads only `{group}`, no directory group is pushed twice to one instance and
/// no two get one name there.
pub(super) fn check(
    path: &Path,
    rules: &[Spanned<RawPushGroups>],
    instances: &BTreeMap<String, Instance>,
    diags: &mut Diagnostics,
) -> Vec<PushGroupsRule> {
    let mut pushed: BTreeSet<(String, String)> = BTreeSet::new();
    let mut names: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut checked = Vec::new();
    for rule in rules {
        let raw = rule.get_ref();
        if raw.groups.get_ref().is_empty() {
            diags.error(
                raw.groups.span(),
                "the rule pushes no group: list directory groups in `groups`",
            );
        }
        let name = raw
            .name
            .as_ref()
            .map_or_else(|| GROUP_PLACEHOLDER.to_owned(), |n| n.get_ref().clone());
        let name_ok = raw
            .name
            .as_ref()
            .is_none_or(|template| check_template(template, diags));
        let existing_groups = match raw
            .existing_groups
            .as_ref()
            .map(|e| (e, e.get_ref().as_str()))
        {
            None | Some((_, "flag")) => ExistingAccounts::Flag,
            Some((_, "adopt")) => ExistingAccounts::Adopt,
            Some((value, other)) => {
                diags.error(
                    value.span(),
                    format!("`existing_groups` is `adopt` or `flag`, not `{other}`"),
                );
                ExistingAccounts::Flag
            }
        };
        let Some(instance) = instances.get(raw.instance.get_ref()) else {
            diags.error(
                raw.instance.span(),
                format!(
                    "unknown instance `{}` (declared: {})",
                    raw.instance.get_ref(),
                    instances.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            );
            continue;
        };
        if !instance.manifest.can(Capability::Groups) {
            diags.error(
                raw.instance.span(),
                format!(
                    "instance `{}` cannot take pushed groups: {} declares no `groups` capability",
                    instance.name, instance.manifest.display_name
                ),
            );
        }
        let rule = PushGroupsRule {
            location: format!("{}:{}", file_name(path), diags.line_of(rule.span().start)),
            instance: instance.name.clone(),
            groups: raw
                .groups
                .get_ref()
                .iter()
                .map(|g| g.get_ref().clone())
                .collect(),
            name,
            delete: raw.delete.unwrap_or(false),
            existing_groups,
        };
        for group in raw.groups.get_ref() {
            let key = (instance.name.clone(), group.get_ref().clone());
            if !pushed.insert(key) {
                diags.error(
                    group.span(),
                    format!(
                        "group `{}` is pushed to instance `{}` by an earlier rule too",
                        group.get_ref(),
                        instance.name
                    ),
                );
                continue;
            }
            if !name_ok {
                continue;
            }
            let app_name = rule.app_name(group.get_ref());
            let name_key = (instance.name.clone(), app_name.to_lowercase());
            if let Some(other) = names.insert(name_key, group.get_ref().clone()) {
                diags.error(
                    group.span(),
                    format!(
                        "groups `{other}` and `{}` would both be `{app_name}` in instance `{}`",
                        group.get_ref(),
                        instance.name
                    ),
                );
            }
        }
        checked.push(rule);
    }
    checked
}

/// A name template: not empty, and `{group}` its only placeholder. Whether it is good.
fn check_template(template: &Spanned<String>, diags: &mut Diagnostics) -> bool {
    let text = template.get_ref();
    let rest = text.replace(GROUP_PLACEHOLDER, "");
    if text.trim().is_empty() {
        diags.error(template.span(), "the group name template is empty");
        false
    } else if rest.contains('{') || rest.contains('}') {
        diags.error(
            template.span(),
            format!("the group name `{text}` may only read `{GROUP_PLACEHOLDER}` (the directory group's name)"),
        );
        false
    } else {
        true
    }
}

/// The file's name, for rule locations.
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}
