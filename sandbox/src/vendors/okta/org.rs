//! [`OktaOrg`] and [`OktaApp`]: what an emulated Okta org holds when the sandbox starts
//! (and again after a reset): people, groups, apps with their assignments, and faults.

use std::collections::BTreeSet;

use connector_sdk::{Identity, IdentityStatus};

use super::faults::OktaFaults;

/// The name of Okta's built-in group of every user.
pub(super) const EVERYONE: &str = "Everyone";

/// An Okta org to emulate: people (from the engine's [`Identity`] shape), their groups,
/// apps and who is assigned to them, and the faults in force at start.
///
/// A person's `groups` become `OKTA_GROUP` groups of those names (created on first
/// mention); the org also has Okta's `BUILT_IN` group `Everyone`, holding every user.
///
/// ```
/// use connector_sandbox::{OktaApp, OktaOrg};
/// use connector_sdk::Identity;
///
/// let ada = Identity {
///     id: "00uada".into(),
///     login: "ada@example.com".into(),
///     email: "ada@example.com".into(),
///     groups: vec!["engineering".into()],
///     ..Identity::default()
/// };
/// let org = OktaOrg::new()
///     .person(ada)
///     .group("engineering", "Everyone who builds")
///     .app(OktaApp::new("0oachatgpt", "ChatGPT").assign_group("engineering"));
/// # let _ = org;
/// ```
#[derive(Debug, Clone, Default)]
pub struct OktaOrg {
    /// The people, in the order given.
    pub(crate) people: Vec<Identity>,
    /// Groups declared with a description: `(name, description)`.
    pub(crate) groups: Vec<(String, String)>,
    /// The apps.
    pub(crate) apps: Vec<OktaApp>,
    /// The faults at start.
    pub(crate) faults: OktaFaults,
}

impl OktaOrg {
    /// An org with no people, no groups but `Everyone`, and no apps.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a person: an empty `id` gets an Okta-style id; the status maps to `ACTIVE`,
    /// `SUSPENDED` or `DEPROVISIONED`; each of `groups` makes the person a member.
    pub fn person(mut self, person: Identity) -> Self {
        self.people.push(person);
        self
    }

    /// Adds people, as [`person`](Self::person) does.
    pub fn people(self, people: impl IntoIterator<Item = Identity>) -> Self {
        people.into_iter().fold(self, Self::person)
    }

    /// Declares an `OKTA_GROUP` named `name` with a description (it may have no members).
    pub fn group(mut self, name: impl Into<String>, description: impl Into<String>) -> Self {
        self.groups.push((name.into(), description.into()));
        self
    }

    /// Adds an app with its assignments.
    pub fn app(mut self, app: OktaApp) -> Self {
        self.apps.push(app);
        self
    }

    /// The faults in force at start (and after a reset).
    pub fn faults(mut self, faults: OktaFaults) -> Self {
        self.faults = faults;
        self
    }

    /// A small org to try the engine on: eight people at `domain` in `engineering`,
    /// `sales` and `ai-pilot`, one of them suspended, and a `ChatGPT` app (`0oachatgpt`)
    /// assigned to `ai-pilot` and to one person directly.
    pub fn sample(domain: &str) -> Self {
        const NAMES: [(&str, &str, &str); 8] = [
            ("Ada", "Lovelace", "engineering"),
            ("Grace", "Hopper", "engineering"),
            ("Alan", "Turing", "engineering"),
            ("Katherine", "Johnson", "sales"),
            ("Edsger", "Dijkstra", "engineering"),
            ("Barbara", "Liskov", "sales"),
            ("Donald", "Knuth", "engineering"),
            ("Frances", "Allen", "sales"),
        ];
        let people = NAMES.iter().enumerate().map(|(i, (first, last, group))| {
            let login = format!("{}.{}@{domain}", first.to_lowercase(), last.to_lowercase());
            let mut groups = vec![(*group).to_owned()];
            if i < 3 {
                groups.push("ai-pilot".to_owned());
            }
            Identity {
                id: format!("00usample{i:011}"),
                login: login.clone(),
                email: login,
                first_name: Some((*first).to_owned()),
                last_name: Some((*last).to_owned()),
                display_name: Some(format!("{first} {last}")),
                department: Some((*group).to_owned()),
                title: Some("Engineer".to_owned()),
                status: if i == 7 {
                    IdentityStatus::Suspended
                } else {
                    IdentityStatus::Active
                },
                groups,
                ..Identity::default()
            }
        });
        let direct = format!("katherine.johnson@{domain}");
        Self::new()
            .people(people)
            .group("ai-pilot", "People trying AI tools")
            .app(
                OktaApp::new("0oachatgpt", "ChatGPT")
                    .assign_group("ai-pilot")
                    .assign_user(direct),
            )
    }

    /// Checks people, groups and apps; the error says what is wrong.
    pub(crate) fn validate(&self) -> Result<(), String> {
        let mut ids = BTreeSet::new();
        let mut logins = BTreeSet::new();
        for person in &self.people {
            if person.login.trim().is_empty() || person.email.trim().is_empty() {
                return Err(format!(
                    "Okta person `{}` needs a login and an email",
                    person.id
                ));
            }
            if !person.id.is_empty() {
                check_id("person", &person.id)?;
                if !ids.insert(person.id.clone()) {
                    return Err(format!("two Okta people have the id `{}`", person.id));
                }
            }
            if !logins.insert(person.login.to_lowercase()) {
                return Err(format!("two Okta people have the login `{}`", person.login));
            }
        }
        let mut groups: BTreeSet<&str> = self
            .people
            .iter()
            .flat_map(|p| p.groups.iter().map(String::as_str))
            .collect();
        for (name, _) in &self.groups {
            if name.trim().is_empty() {
                return Err("an Okta group needs a name".to_owned());
            }
            groups.insert(name);
        }
        groups.insert(EVERYONE);
        let mut app_ids = BTreeSet::new();
        for app in &self.apps {
            check_id("app", &app.id)?;
            if !app_ids.insert(app.id.as_str()) {
                return Err(format!("two Okta apps have the id `{}`", app.id));
            }
            if app.label.trim().is_empty() {
                return Err(format!("Okta app `{}` needs a label", app.id));
            }
            for who in &app.users {
                let known = self.people.iter().any(|p| {
                    p.id == *who
                        || p.login.eq_ignore_ascii_case(who)
                        || p.email.eq_ignore_ascii_case(who)
                });
                if !known {
                    return Err(format!(
                        "Okta app `{}` is assigned to `{who}`, who is not a person of the org",
                        app.id
                    ));
                }
            }
            for group in &app.groups {
                if !groups.contains(group.as_str()) {
                    return Err(format!(
                        "Okta app `{}` is assigned to group `{group}`, which the org does not have",
                        app.id
                    ));
                }
            }
        }
        self.faults.validate()
    }
}

/// An Okta app and who is assigned to it: people directly (`scope` `USER`) and groups,
/// whose members are then assigned too (`scope` `GROUP`).
#[derive(Debug, Clone)]
pub struct OktaApp {
    /// The app id (`0oa...`).
    pub(crate) id: String,
    /// What admins see (`label`).
    pub(crate) label: String,
    /// The integration's name (`name`).
    pub(crate) name: String,
    /// People assigned directly: ids, logins or emails.
    pub(crate) users: Vec<String>,
    /// Groups assigned, by name, in priority order.
    pub(crate) groups: Vec<String>,
}

impl OktaApp {
    /// An app with id `id` (letters, digits, `-` and `_`) and label `label`; its `name`
    /// is the label in lowercase with `_` for anything but letters and digits.
    pub fn new(id: impl Into<String>, label: impl Into<String>) -> Self {
        let label = label.into();
        let name = label
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        Self {
            id: id.into(),
            label,
            name,
            users: Vec::new(),
            groups: Vec::new(),
        }
    }

    /// Replaces the integration's `name`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Assigns a person directly (by id, login or email).
    pub fn assign_user(mut self, who: impl Into<String>) -> Self {
        self.users.push(who.into());
        self
    }

    /// Assigns a group (by name), after the groups already assigned.
    pub fn assign_group(mut self, name: impl Into<String>) -> Self {
        self.groups.push(name.into());
        self
    }
}

/// Checks that an id can be a path segment: 1 to 64 letters, digits, `-` or `_`.
pub(crate) fn check_id(what: &str, id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "Okta {what} id `{id}` must be 1 to 64 letters, digits, `-` or `_`"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: &str, login: &str) -> Identity {
        Identity {
            id: id.into(),
            login: login.into(),
            email: login.into(),
            ..Identity::default()
        }
    }

    #[test]
    fn validation_names_what_is_wrong() {
        assert!(OktaOrg::sample("example.com").validate().is_ok());
        let twice = OktaOrg::new()
            .person(person("00u1", "a@x.io"))
            .person(person("00u2", "A@x.io"));
        assert!(twice.validate().unwrap_err().contains("login `A@x.io`"));
        let stranger = OktaOrg::new()
            .person(person("00u1", "a@x.io"))
            .app(OktaApp::new("0oa1", "App").assign_user("b@x.io"));
        assert!(stranger.validate().unwrap_err().contains("`b@x.io`"));
        let no_group = OktaOrg::new().app(OktaApp::new("0oa1", "App").assign_group("nobody-here"));
        assert!(no_group.validate().unwrap_err().contains("nobody-here"));
        let everyone = OktaOrg::new().app(OktaApp::new("0oa1", "App").assign_group("Everyone"));
        assert!(everyone.validate().is_ok());
        let bad_id = OktaOrg::new().app(OktaApp::new("0oa/1", "App"));
        assert!(bad_id.validate().unwrap_err().contains("0oa/1"));
        assert_eq!(
            OktaApp::new("0oa1", "ChatGPT Enterprise").name,
            "chatgpt_enterprise"
        );
    }
}
