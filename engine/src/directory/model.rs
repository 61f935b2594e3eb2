//! The directory as the engine reads it: people and groups, checked and joined.

use std::collections::{BTreeMap, BTreeSet};

use connector_sdk::Identity;
use serde::{Deserialize, Serialize};

/// A directory group. Membership is the union of each person's `groups` and the
/// group's `members`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// The group's unique name, as rules in the assignments file name it.
    pub name: String,
    /// What the group is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Members, each a person's `id`, `login` or `email` (the last two case-insensitive).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
}

/// Everyone the directory knows, with group membership resolved onto each person.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Directory {
    /// People, in the source's order; each person's `groups` holds every group they are in.
    pub people: Vec<Identity>,
    /// Groups, in the source's order.
    pub groups: Vec<Group>,
}

/// Which record a problem is about, for the loader to turn into a file line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Item {
    /// The person at this index.
    Person(usize),
    /// The group at this index.
    Group(usize),
}

/// A problem found while joining people and groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    /// The record.
    pub item: Item,
    /// What is wrong.
    pub message: String,
}

impl Directory {
    /// Checks people and groups and resolves membership: every person needs a non-empty
    /// `id`, `login` and `email`; ids, logins and group names are unique; a group's
    /// members must be people of the directory. Every problem is returned.
    pub(crate) fn assemble(
        mut people: Vec<Identity>,
        groups: Vec<Group>,
    ) -> Result<Self, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut by_key: BTreeMap<String, usize> = BTreeMap::new();
        let mut ids = BTreeSet::new();
        let mut logins = BTreeSet::new();
        for (index, person) in people.iter().enumerate() {
            let item = Item::Person(index);
            for (field, value) in [
                ("id", &person.id),
                ("login", &person.login),
                ("email", &person.email),
            ] {
                if value.trim().is_empty() {
                    problems.push(Problem {
                        item,
                        message: format!("person has no `{field}`"),
                    });
                }
            }
            if !person.id.is_empty() && !ids.insert(person.id.clone()) {
                problems.push(Problem {
                    item,
                    message: format!("duplicate person id `{}`", person.id),
                });
            }
            let login = person.login.to_lowercase();
            if !login.is_empty() && !logins.insert(login.clone()) {
                problems.push(Problem {
                    item,
                    message: format!("duplicate login `{}`", person.login),
                });
            }
            by_key.entry(person.id.clone()).or_insert(index);
            by_key.entry(login).or_insert(index);
            by_key.entry(person.email.to_lowercase()).or_insert(index);
        }
        let mut names = BTreeSet::new();
        for (index, group) in groups.iter().enumerate() {
            let item = Item::Group(index);
            if group.name.trim().is_empty() {
                problems.push(Problem {
                    item,
                    message: "group has no `name`".to_owned(),
                });
            } else if !names.insert(group.name.clone()) {
                problems.push(Problem {
                    item,
                    message: format!("duplicate group `{}`", group.name),
                });
            }
            for member in &group.members {
                let found = by_key
                    .get(member)
                    .or_else(|| by_key.get(&member.to_lowercase()));
                match found {
                    Some(&person) => {
                        if !people[person].groups.contains(&group.name) {
                            people[person].groups.push(group.name.clone());
                        }
                    }
                    None => problems.push(Problem {
                        item,
                        message: format!(
                            "group `{}` lists member `{member}`, who is not in the directory",
                            group.name
                        ),
                    }),
                }
            }
        }
        if problems.is_empty() {
            Ok(Self { people, groups })
        } else {
            Err(problems)
        }
    }

    /// The person with directory id `id`.
    pub fn person(&self, id: &str) -> Option<&Identity> {
        self.people.iter().find(|p| p.id == id)
    }

    /// The people indexed by directory id.
    pub fn by_id(&self) -> BTreeMap<&str, &Identity> {
        self.people.iter().map(|p| (p.id.as_str(), p)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: &str, login: &str) -> Identity {
        Identity {
            id: id.to_owned(),
            login: login.to_owned(),
            email: login.to_owned(),
            ..Identity::default()
        }
    }

    #[test]
    fn members_join_people_by_id_login_or_email() {
        let people = vec![person("1", "ada@x.io"), person("2", "Grace@x.io")];
        let groups = vec![Group {
            name: "eng".into(),
            description: None,
            members: vec!["1".into(), "grace@X.io".into()],
        }];
        let directory = Directory::assemble(people, groups).unwrap();
        assert_eq!(directory.people[0].groups, ["eng"]);
        assert_eq!(directory.people[1].groups, ["eng"]);
    }

    #[test]
    fn every_problem_is_reported() {
        let people = vec![person("1", "a@x.io"), person("1", "A@x.io"), person("", "")];
        let groups = vec![Group {
            name: "eng".into(),
            description: None,
            members: vec!["nobody".into()],
        }];
        let problems = Directory::assemble(people, groups).unwrap_err();
        let messages: Vec<_> = problems.iter().map(|p| p.message.as_str()).collect();
        assert!(
            messages.contains(&"duplicate person id `1`"),
            "{messages:?}"
        );
        assert!(
            messages.contains(&"duplicate login `A@x.io`"),
            "{messages:?}"
        );
        assert!(messages.contains(&"person has no `login`"), "{messages:?}");
        assert!(
            messages.iter().any(|m| m.contains("`nobody`")),
            "{messages:?}"
        );
    }
}
