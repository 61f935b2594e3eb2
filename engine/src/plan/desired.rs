//! Who should have an account and which seats in an instance, from the rules and dates.

use std::collections::{BTreeMap, BTreeSet};

use connector_sdk::Identity;
use time::OffsetDateTime;

use crate::config::{Assignments, ProvisionRule, SsoRule, Window};
use crate::directory::Directory;

/// What the active rules give one person in one instance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Grant {
    /// The rules (`file:line`) that give the account.
    pub rules: Vec<String>,
    /// SKU → the rule that gives it.
    pub licenses: BTreeMap<String, String>,
}

/// A rule covering the person that has ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ended {
    /// The rule's location.
    pub rule: String,
    /// The end as written.
    pub until: String,
    /// The SKUs it gave.
    pub licenses: Vec<String>,
}

/// The provisioning picture of one instance.
#[derive(Debug, Clone, Default)]
pub(crate) struct Desired {
    /// Person id → what active rules give them (whatever their directory status).
    pub grants: BTreeMap<String, Grant>,
    /// Person id → rules that covered them and have ended.
    pub ended: BTreeMap<String, Vec<Ended>>,
    /// Person ids holding the sign-in assignment.
    pub sso: BTreeSet<String>,
    /// Whether any SSO rule names the instance.
    pub sso_managed: bool,
}

/// Whether a rule naming `groups` and `people` covers `who`.
fn covers(groups: &[String], people: &[String], who: &Identity) -> bool {
    groups.iter().any(|g| who.groups.contains(g))
        || people.iter().any(|p| {
            p == &who.id || p.eq_ignore_ascii_case(&who.login) || p.eq_ignore_ascii_case(&who.email)
        })
}

/// The picture of `instance` at `now`.
pub(crate) fn desired(
    assignments: &Assignments,
    instance: &str,
    directory: &Directory,
    now: OffsetDateTime,
) -> Desired {
    let mut picture = Desired::default();
    let rules: Vec<&ProvisionRule> = assignments
        .provision
        .iter()
        .filter(|r| r.instance == instance)
        .collect();
    let sso_rules: Vec<&SsoRule> = assignments
        .sso
        .iter()
        .filter(|r| r.instance == instance)
        .collect();
    picture.sso_managed = !sso_rules.is_empty();
    for who in &directory.people {
        for rule in &rules {
            if !covers(&rule.groups, &rule.people, who) {
                continue;
            }
            if rule.window.is_active(now) {
                let grant = picture.grants.entry(who.id.clone()).or_default();
                grant.rules.push(rule.location.clone());
                for sku in &rule.licenses {
                    grant
                        .licenses
                        .entry(sku.clone())
                        .or_insert_with(|| rule.location.clone());
                }
            } else if rule.window.has_ended(now) {
                picture
                    .ended
                    .entry(who.id.clone())
                    .or_default()
                    .push(Ended {
                        rule: rule.location.clone(),
                        until: until_label(&rule.window),
                        licenses: rule.licenses.clone(),
                    });
            }
        }
        let signs_in = sso_rules
            .iter()
            .any(|r| r.window.is_active(now) && covers(&r.groups, &r.people, who));
        if signs_in && who.status.is_active() {
            picture.sso.insert(who.id.clone());
        }
    }
    picture
}

/// The end of a window as written, else as a timestamp.
fn until_label(window: &Window) -> String {
    window
        .until
        .clone()
        .or_else(|| window.ends.map(|e| e.to_string()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use time::macros::datetime;

    use super::*;

    #[test]
    fn active_rules_grant_and_ended_rules_are_remembered() {
        let registry = crate::testing::registry();
        let text = r#"
[instances.z]
connector = "zoom"

[[provision]]
instance = "z"
groups = ["eng"]

[[provision]]
instance = "z"
people = ["ada@x.io"]
licenses = ["whiteboard"]
until = 2026-01-31
"#;
        let assignments = Assignments::parse(Path::new("a.toml"), text, &registry).unwrap();
        let directory = Directory {
            people: vec![Identity {
                id: "1".into(),
                login: "ada@x.io".into(),
                email: "ada@x.io".into(),
                groups: vec!["eng".into()],
                ..Identity::default()
            }],
            groups: vec![],
        };
        let before = desired(
            &assignments,
            "z",
            &directory,
            datetime!(2026-01-31 12:00 UTC),
        );
        assert_eq!(
            before.grants["1"].licenses.keys().collect::<Vec<_>>(),
            ["whiteboard"]
        );
        let after = desired(
            &assignments,
            "z",
            &directory,
            datetime!(2026-02-01 00:00 UTC),
        );
        assert!(after.grants["1"].licenses.is_empty());
        assert_eq!(after.ended["1"][0].until, "2026-01-31");
        assert_eq!(after.ended["1"][0].rule, "a.toml:9");
    }
}
