//! Who should have an account and which seats in an instance, from the rules and dates.

use std::collections::{BTreeMap, HashMap, HashSet};

use connector_sdk::Identity;
use time::OffsetDateTime;

use crate::config::{Assignments, ProvisionRule, Window};
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

/// What the rules covering a person give: shared by everyone covered by the same rules.
#[derive(Debug, Clone, Default)]
struct Coverage {
    /// What the active rules give (`None` when no active rule covers).
    grant: Option<Grant>,
    /// The rules that covered and have ended.
    ended: Vec<Ended>,
}

/// The provisioning picture of one instance, by index of the directory's people.
#[derive(Debug, Clone, Default)]
pub(crate) struct Desired {
    /// The distinct coverages; the first covers nobody.
    coverage: Vec<Coverage>,
    /// Person index → coverage index.
    by_person: Vec<u32>,
    /// Person index → whether they hold the sign-in assignment (empty without SSO rules).
    sso: Vec<bool>,
    /// Whether any SSO rule names the instance.
    pub sso_managed: bool,
}

impl Desired {
    /// What active rules give person `person` (whatever their directory status).
    pub(crate) fn grant(&self, person: usize) -> Option<&Grant> {
        self.coverage_of(person).and_then(|c| c.grant.as_ref())
    }

    /// The rules that covered person `person` and have ended.
    pub(crate) fn ended(&self, person: usize) -> &[Ended] {
        self.coverage_of(person).map_or(&[], |c| c.ended.as_slice())
    }

    /// Whether person `person` holds the sign-in assignment.
    pub(crate) fn signs_in(&self, person: usize) -> bool {
        self.sso.get(person).copied().unwrap_or(false)
    }

    /// The coverage of person `person`.
    fn coverage_of(&self, person: usize) -> Option<&Coverage> {
        let index = *self.by_person.get(person)?;
        self.coverage.get(index as usize)
    }
}

/// The people a rule names: compared one by one when few, looked up when many.
enum Named<'a> {
    /// Few names.
    Few(&'a [String]),
    /// Many: the names as written (ids) and ASCII-lowercased (logins and emails).
    Many {
        /// As written.
        exact: HashSet<&'a str>,
        /// ASCII-lowercased.
        folded: HashSet<String>,
    },
}

impl<'a> Named<'a> {
    /// The matcher of `people`.
    fn new(people: &'a [String]) -> Self {
        if people.len() <= 8 {
            return Self::Few(people);
        }
        Self::Many {
            exact: people.iter().map(String::as_str).collect(),
            folded: people.iter().map(|p| p.to_ascii_lowercase()).collect(),
        }
    }

    /// Whether `who` is named: by id, or by login or email ignoring ASCII case.
    fn names(&self, who: &Identity) -> bool {
        match self {
            Self::Few(people) => people.iter().any(|p| {
                p == &who.id
                    || p.eq_ignore_ascii_case(&who.login)
                    || p.eq_ignore_ascii_case(&who.email)
            }),
            Self::Many { exact, folded } => {
                exact.contains(who.id.as_str())
                    || folded.contains(&who.login.to_ascii_lowercase())
                    || folded.contains(&who.email.to_ascii_lowercase())
            }
        }
    }
}

/// Whom a rule covers: members of its groups and the people it names.
struct Audience<'a> {
    /// The groups.
    groups: &'a [String],
    /// The people.
    people: Named<'a>,
}

impl<'a> Audience<'a> {
    /// The audience of a rule naming `groups` and `people`.
    fn new(groups: &'a [String], people: &'a [String]) -> Self {
        Self {
            groups,
            people: Named::new(people),
        }
    }

    /// Whether the rule covers `who`.
    fn covers(&self, who: &Identity) -> bool {
        self.groups.iter().any(|g| who.groups.contains(g)) || self.people.names(who)
    }
}

/// The picture of `instance` at `now`.
pub(crate) fn desired(
    assignments: &Assignments,
    instance: &str,
    directory: &Directory,
    now: OffsetDateTime,
) -> Desired {
    // Rules not started yet give nothing.
    let rules: Vec<(&ProvisionRule, Audience)> = assignments
        .provision
        .iter()
        .filter(|r| r.instance == instance)
        .filter(|r| r.window.is_active(now) || r.window.has_ended(now))
        .map(|r| (r, Audience::new(&r.groups, &r.people)))
        .collect();
    let sso_rules: Vec<Audience> = assignments
        .sso
        .iter()
        .filter(|r| r.instance == instance && r.window.is_active(now))
        .map(|r| Audience::new(&r.groups, &r.people))
        .collect();
    let mut picture = Desired {
        coverage: vec![Coverage::default()],
        by_person: Vec::with_capacity(directory.people.len()),
        sso: Vec::new(),
        sso_managed: assignments.sso.iter().any(|r| r.instance == instance),
    };
    // Coverage index by the set of covering rules (indexes into `rules`).
    let mut known: HashMap<Vec<u32>, u32> = HashMap::from([(Vec::new(), 0)]);
    let mut covering: Vec<u32> = Vec::new();
    for who in &directory.people {
        covering.clear();
        covering.extend(
            rules
                .iter()
                .enumerate()
                .filter(|(_, (_, audience))| audience.covers(who))
                .map(|(i, _)| i as u32),
        );
        let index = match known.get(covering.as_slice()) {
            Some(index) => *index,
            None => {
                let index = picture.coverage.len() as u32;
                let chosen = covering.iter().map(|i| rules[*i as usize].0);
                picture.coverage.push(coverage(chosen, now));
                known.insert(covering.clone(), index);
                index
            }
        };
        picture.by_person.push(index);
    }
    if !sso_rules.is_empty() {
        picture.sso = directory
            .people
            .iter()
            .map(|who| who.status.is_active() && sso_rules.iter().any(|r| r.covers(who)))
            .collect();
    }
    picture
}

/// What `rules` (all covering one person, in file order) give at `now`.
fn coverage<'a>(rules: impl Iterator<Item = &'a ProvisionRule>, now: OffsetDateTime) -> Coverage {
    let mut coverage = Coverage::default();
    for rule in rules {
        if rule.window.is_active(now) {
            let grant = coverage.grant.get_or_insert_with(Grant::default);
            grant.rules.push(rule.location.clone());
            for sku in &rule.licenses {
                grant
                    .licenses
                    .entry(sku.clone())
                    .or_insert_with(|| rule.location.clone());
            }
        } else if rule.window.has_ended(now) {
            coverage.ended.push(Ended {
                rule: rule.location.clone(),
                until: until_label(&rule.window),
                licenses: rule.licenses.clone(),
            });
        }
    }
    coverage
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
            before.grant(0).unwrap().licenses.keys().collect::<Vec<_>>(),
            ["whiteboard"]
        );
        let after = desired(
            &assignments,
            "z",
            &directory,
            datetime!(2026-02-01 00:00 UTC),
        );
        assert!(after.grant(0).unwrap().licenses.is_empty());
        assert_eq!(after.ended(0)[0].until, "2026-01-31");
        assert_eq!(after.ended(0)[0].rule, "a.toml:9");
    }
}
