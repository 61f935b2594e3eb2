//! The directory as the engine reads it: people and groups, checked and joined.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

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
    /// The record as a source without lines names it (`person `00u9``, `group `eng``).
    pub who: String,
    /// What is wrong.
    pub message: String,
    /// The earlier record this one clashes with, for the loader to locate too.
    pub earlier: Option<Item>,
}

/// Which address of a person a folded key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Address {
    Login,
    Email,
}

impl Address {
    /// The field's name.
    fn name(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::Email => "email",
        }
    }

    /// The field's value on `person`.
    fn of(self, person: &Identity) -> &str {
        match self {
            Self::Login => &person.login,
            Self::Email => &person.email,
        }
    }
}

/// `text` lower-cased (Unicode), borrowed when it has nothing to lower.
fn fold(text: &str) -> Cow<'_, str> {
    if text
        .bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
    {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.to_lowercase())
    }
}

impl Directory {
    /// Checks people and groups and resolves membership: every person needs a non-empty
    /// `id`, `login` and `email`; ids (exactly) and group names are unique; a login or
    /// email names one person only, ignoring case (Unicode lower-casing: `Ada@x.io` and
    /// `ada@x.io` are the same address, and one person's login may not be another's
    /// email); a group's members must be people of the directory. Every problem is
    /// returned. Linear in people and members (hash lookups).
    pub(crate) fn assemble(
        mut people: Vec<Identity>,
        groups: Vec<Group>,
    ) -> Result<Self, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut ids: HashMap<&str, usize> = HashMap::with_capacity(people.len());
        let mut addresses: HashMap<Cow<str>, (usize, Address)> =
            HashMap::with_capacity(people.len() * 2);
        for (index, person) in people.iter().enumerate() {
            let item = Item::Person(index);
            let who = || format!("person `{}`", person.id);
            for (field, value) in [
                ("id", &person.id),
                ("login", &person.login),
                ("email", &person.email),
            ] {
                if value.trim().is_empty() {
                    problems.push(Problem {
                        item,
                        who: who(),
                        message: format!("person has no `{field}`"),
                        earlier: None,
                    });
                }
            }
            // One hash per key: the entry is either the first holder or the clash.
            match ids.entry(&person.id) {
                Entry::Occupied(first) if !person.id.is_empty() => problems.push(Problem {
                    item,
                    who: who(),
                    message: format!("duplicate person id `{}`", person.id),
                    earlier: Some(Item::Person(*first.get())),
                }),
                Entry::Occupied(_) => {}
                Entry::Vacant(slot) => {
                    slot.insert(index);
                }
            }
            for address in [Address::Login, Address::Email] {
                let value = address.of(person);
                if value.is_empty() {
                    continue;
                }
                match addresses.entry(fold(value)) {
                    Entry::Vacant(slot) => {
                        slot.insert((index, address));
                    }
                    Entry::Occupied(held) => {
                        let (first, earlier) = *held.get();
                        if first == index {
                            continue;
                        }
                        // The same field when the earlier person's matches too.
                        let theirs = &people[first];
                        let earlier = if fold(address.of(theirs)) == *held.key() {
                            address
                        } else {
                            earlier
                        };
                        problems.push(Problem {
                            item,
                            who: who(),
                            message: clash(address, value, theirs, earlier),
                            earlier: Some(Item::Person(first)),
                        });
                    }
                }
            }
        }
        let mut names: HashMap<&str, usize> = HashMap::with_capacity(groups.len());
        let mut joins = Vec::new();
        for (index, group) in groups.iter().enumerate() {
            let item = Item::Group(index);
            let who = || format!("group `{}`", group.name);
            if group.name.trim().is_empty() {
                problems.push(Problem {
                    item,
                    who: who(),
                    message: "group has no `name`".to_owned(),
                    earlier: None,
                });
            } else if let Some(&first) = names.get(group.name.as_str()) {
                problems.push(Problem {
                    item,
                    who: who(),
                    message: format!("duplicate group `{}`", group.name),
                    earlier: Some(Item::Group(first)),
                });
            } else {
                names.insert(&group.name, index);
            }
            for member in &group.members {
                let found = ids
                    .get(member.as_str())
                    .copied()
                    .or_else(|| addresses.get(&fold(member)).map(|(person, _)| *person));
                match found {
                    Some(person) => joins.push((person, index)),
                    None => problems.push(Problem {
                        item,
                        who: who(),
                        message: format!(
                            "group `{}` lists member `{member}`, who is not in the directory",
                            group.name
                        ),
                        earlier: None,
                    }),
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        for (person, group) in joins {
            let name = &groups[group].name;
            if !people[person].groups.contains(name) {
                people[person].groups.push(name.clone());
            }
        }
        Ok(Self { people, groups })
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

/// The message for `value` (this person's `address`) naming the same address as
/// `earlier` of the person `first`, ignoring case.
fn clash(address: Address, value: &str, first: &Identity, earlier: Address) -> String {
    let (field, id, theirs) = (address.name(), &first.id, earlier.of(first));
    match (address == earlier, theirs == value) {
        (true, true) => format!("duplicate {field} `{value}`: person `{id}` has the same {field}"),
        (true, false) => format!(
            "duplicate {field} `{value}`: person `{id}` has `{theirs}`, the same address in a \
             different case"
        ),
        (false, _) => format!(
            "{field} `{value}` is also the {other} of person `{id}` (`{theirs}`); a login or \
             email must name one person",
            other = earlier.name()
        ),
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
            messages.contains(
                &"duplicate login `A@x.io`: person `1` has `a@x.io`, the same address in a \
                  different case"
            ),
            "{messages:?}"
        );
        assert!(messages.contains(&"person has no `login`"), "{messages:?}");
        assert_eq!(problems[1].earlier, Some(Item::Person(0)), "{problems:?}");
        assert!(
            messages.iter().any(|m| m.contains("`nobody`")),
            "{messages:?}"
        );
    }

    /// Someone with `login` and a different `email`.
    fn addressed(id: &str, login: &str, email: &str) -> Identity {
        Identity {
            email: email.to_owned(),
            ..person(id, login)
        }
    }

    #[test]
    fn emails_differing_only_in_case_are_one_address() {
        let people = vec![
            addressed("1", "ada", "ada@example.com"),
            addressed("2", "grace", "grace@example.com"),
            addressed("3", "ada2", "ADA@example.com"),
        ];
        let problems = Directory::assemble(people, vec![]).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].item, Item::Person(2));
        assert_eq!(problems[0].earlier, Some(Item::Person(0)));
        assert_eq!(
            problems[0].message,
            "duplicate email `ADA@example.com`: person `1` has `ada@example.com`, the same \
             address in a different case"
        );
    }

    #[test]
    fn case_is_folded_beyond_ascii_and_across_login_and_email() {
        let people = vec![
            addressed("1", "élodie", "elodie@example.com"),
            addressed("2", "ÉLODIE", "e2@example.com"),
        ];
        let problems = Directory::assemble(people, vec![]).unwrap_err();
        assert!(
            problems[0].message.starts_with("duplicate login `ÉLODIE`"),
            "{problems:?}"
        );

        let people = vec![
            addressed("1", "ada", "ada@example.com"),
            addressed("2", "Ada@Example.com", "a2@example.com"),
        ];
        let problems = Directory::assemble(people, vec![]).unwrap_err();
        assert_eq!(
            problems[0].message,
            "login `Ada@Example.com` is also the email of person `1` (`ada@example.com`); a \
             login or email must name one person"
        );

        // One person's own login and email may be the same address.
        let people = vec![addressed("1", "Ada@example.com", "ada@example.com")];
        assert!(Directory::assemble(people, vec![]).is_ok());
    }
}
