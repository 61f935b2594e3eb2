//! The data of an emulated Okta org: users, groups (with `Everyone`), apps and their
//! user and group assignments, stored as Okta's JSON and ordered by id (the paging
//! cursor), plus the org's faults and rate-limit window.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::app_key::AppKey;
use super::error::OktaError;
use super::events::SystemLog;
use super::faults::{FaultBook, OktaFaults};
use super::hooks::{Dispatch, EventHooks};
use super::org::{EVERYONE, OktaOrg, check_id};
use super::shapes::{app_json, group_json, stamped_user, user_json};
use super::window::Window;
use crate::scim::value::now_rfc3339;

/// The user statuses Okta has.
const STATUSES: &[&str] = &[
    "STAGED",
    "PROVISIONED",
    "ACTIVE",
    "RECOVERY",
    "PASSWORD_EXPIRED",
    "LOCKED_OUT",
    "SUSPENDED",
    "DEPROVISIONED",
];

/// A failed admin change: status and reason.
pub(crate) type Failure = (StatusCode, String);

/// A group and its members.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    /// Okta's group JSON (no `_links`).
    pub json: Map<String, Value>,
    /// Member user ids (unused for `Everyone`, whose members are every user).
    members: BTreeSet<String>,
    /// Whether this is `Everyone`.
    built_in: bool,
}

/// An app and who is assigned to it.
#[derive(Debug, Clone)]
pub(crate) struct App {
    /// Okta's app JSON (no `_links`).
    pub json: Map<String, Value>,
    /// User ids assigned directly, with when.
    users: BTreeMap<String, String>,
    /// Group ids assigned, with their priority.
    groups: BTreeMap<String, u32>,
    /// The signing key of a SAML app created through the API.
    key: Option<AppKey>,
}

/// How a user is assigned to an app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Assignment {
    /// The group that assigns them (`scope` `GROUP`), or `None` when assigned directly
    /// (`scope` `USER`).
    pub group: Option<String>,
    /// Since when.
    pub since: String,
}

impl Assignment {
    /// Okta's `scope`: `USER` or `GROUP`.
    pub(crate) fn scope(&self) -> &'static str {
        if self.group.is_some() {
            "GROUP"
        } else {
            "USER"
        }
    }
}

/// One emulated Okta org.
#[derive(Debug, Clone)]
pub(crate) struct State {
    /// Users by id.
    users: BTreeMap<String, Map<String, Value>>,
    /// Groups by id.
    groups: BTreeMap<String, Group>,
    /// Apps by id.
    apps: BTreeMap<String, App>,
    /// The faults in force.
    pub faults: FaultBook,
    /// The rate-limit window.
    pub window: Window,
    /// The System Log.
    pub log: SystemLog,
    /// The event hooks and their deliveries.
    pub hooks: EventHooks,
    /// Deliveries decided but not started (the HTTP layer takes and starts them).
    pub outbox: Vec<Dispatch>,
    /// The last generated id number.
    seq: u64,
}

impl State {
    /// The org `org` describes (already validated; anything it cannot resolve is left
    /// out rather than failing).
    pub(crate) fn new(org: &OktaOrg) -> Self {
        let mut state = Self {
            users: BTreeMap::new(),
            groups: BTreeMap::new(),
            apps: BTreeMap::new(),
            faults: FaultBook::new(org.faults.clone()),
            window: Window::default(),
            log: SystemLog::default(),
            hooks: EventHooks::default(),
            outbox: Vec::new(),
            seq: 0,
        };
        let everyone = state.next_id("00g");
        let mut group = group_json(&everyone, EVERYONE, "All users in your organization");
        group.insert("type".into(), json!("BUILT_IN"));
        group.insert("objectClass".into(), json!(["okta:user_group"]));
        state.groups.insert(
            everyone,
            Group {
                json: group,
                members: BTreeSet::new(),
                built_in: true,
            },
        );
        for person in &org.people {
            let id = if person.id.is_empty() {
                state.next_id("00u")
            } else {
                person.id.clone()
            };
            state.users.insert(id.clone(), user_json(&id, person));
            for name in &person.groups {
                let group = state.ensure_group(name);
                if let Some(group) = state.groups.get_mut(&group) {
                    group.members.insert(id.clone());
                }
            }
        }
        for (name, description) in &org.groups {
            let group = state.ensure_group(name);
            if let Some(group) = state.groups.get_mut(&group) {
                group.json.insert(
                    "profile".into(),
                    json!({"name": name, "description": description}),
                );
            }
        }
        for app in &org.apps {
            let users = app
                .users
                .iter()
                .filter_map(|who| state.find_user(who))
                .map(|id| (id, now_rfc3339()))
                .collect();
            let groups = app
                .groups
                .iter()
                .filter_map(|name| state.group_by_name(name))
                .zip(0..)
                .collect();
            state.apps.insert(
                app.id.clone(),
                App {
                    json: app_json(&app.id, &app.label, &app.name),
                    users,
                    groups,
                    key: None,
                },
            );
        }
        state
    }

    /// A fresh Okta-style id with `prefix` (`00u`, `00g`, `0oa`): 20 characters.
    fn next_id(&mut self, prefix: &str) -> String {
        self.seq += 1;
        format!("{prefix}sbx{:014}", self.seq)
    }

    /// The id of the group named `name`, created as an `OKTA_GROUP` when missing.
    fn ensure_group(&mut self, name: &str) -> String {
        if let Some(id) = self.group_by_name(name) {
            return id;
        }
        let id = self.next_id("00g");
        self.groups.insert(
            id.clone(),
            Group {
                json: group_json(&id, name, ""),
                members: BTreeSet::new(),
                built_in: false,
            },
        );
        id
    }

    /// The id of the group named `name`.
    fn group_by_name(&self, name: &str) -> Option<String> {
        self.groups
            .iter()
            .find(|(_, g)| g.json["profile"]["name"] == json!(name))
            .map(|(id, _)| id.clone())
    }

    /// The id of the user whose id, login or email is `who` (the last two ignoring case).
    pub(crate) fn find_user(&self, who: &str) -> Option<String> {
        if self.users.contains_key(who) {
            return Some(who.to_owned());
        }
        let lower = who.to_lowercase();
        self.users
            .iter()
            .find(|(_, user)| {
                ["login", "email"].iter().any(|field| {
                    user["profile"][field]
                        .as_str()
                        .is_some_and(|v| v.to_lowercase() == lower)
                })
            })
            .map(|(id, _)| id.clone())
    }

    /// The user `id`, to change.
    pub(crate) fn user_mut(&mut self, id: &str) -> Option<&mut Map<String, Value>> {
        self.users.get_mut(id)
    }

    /// Makes user `user` a member of group `group` or not; answers whether that changed
    /// anything. `Everyone`'s members are every user: it cannot be changed.
    pub(crate) fn set_member(
        &mut self,
        group: &str,
        user: &str,
        member: bool,
    ) -> Result<bool, OktaError> {
        if !self.users.contains_key(user) {
            return Err(OktaError::not_found(user, "User"));
        }
        let found = self
            .groups
            .get_mut(group)
            .ok_or_else(|| OktaError::not_found(group, "UserGroup"))?;
        if found.built_in {
            return Err(OktaError::invalid(
                "groupId",
                "the members of a BUILT_IN group (Everyone) are managed by Okta",
            ));
        }
        let changed = if member {
            found.members.insert(user.to_owned())
        } else {
            found.members.remove(user)
        };
        if changed {
            found
                .json
                .insert("lastMembershipUpdated".into(), json!(now_rfc3339()));
        }
        Ok(changed)
    }

    /// How many users there are.
    pub(crate) fn user_count(&self) -> usize {
        self.users.len()
    }

    /// Every user, by id.
    pub(crate) fn users(&self) -> &BTreeMap<String, Map<String, Value>> {
        &self.users
    }

    /// Every group, by id.
    pub(crate) fn groups(&self) -> &BTreeMap<String, Group> {
        &self.groups
    }

    /// Every app, by id.
    pub(crate) fn apps(&self) -> &BTreeMap<String, App> {
        &self.apps
    }

    /// The member ids of group `id` (`None`: no such group).
    pub(crate) fn members(&self, id: &str) -> Option<Vec<String>> {
        let group = self.groups.get(id)?;
        Some(if group.built_in {
            self.users.keys().cloned().collect()
        } else {
            group.members.iter().cloned().collect()
        })
    }

    /// The assignments of app `id` by user id: direct ones win over group ones (the
    /// group of highest priority, 0 first, wins among groups), and deprovisioned users
    /// have none, as Okta unassigns them (`None`: no such app).
    pub(crate) fn app_users(&self, id: &str) -> Option<BTreeMap<String, Assignment>> {
        let app = self.apps.get(id)?;
        let mut out = BTreeMap::new();
        let mut groups: Vec<(&String, &u32)> = app.groups.iter().collect();
        groups.sort_by_key(|(_, priority)| **priority);
        let since = app_since(&app.json);
        for (group, _) in groups.into_iter().rev() {
            for member in self.members(group).unwrap_or_default() {
                let assignment = Assignment {
                    group: Some(group.clone()),
                    since: since.clone(),
                };
                out.insert(member, assignment);
            }
        }
        for (user, since) in &app.users {
            let assignment = Assignment {
                group: None,
                since: since.clone(),
            };
            out.insert(user.clone(), assignment);
        }
        out.retain(|user, _| {
            self.users
                .get(user)
                .is_some_and(|u| u["status"] != json!("DEPROVISIONED"))
        });
        Some(out)
    }

    /// Stores a new app (`json` without `id`, which is given here) with its signing key;
    /// returns the stored JSON.
    pub(crate) fn add_app(
        &mut self,
        mut json: Map<String, Value>,
        key: Option<AppKey>,
    ) -> Map<String, Value> {
        let id = self.next_id("0oa");
        json.insert("id".into(), json!(id));
        self.apps.insert(
            id,
            App {
                json: json.clone(),
                users: BTreeMap::new(),
                groups: BTreeMap::new(),
                key,
            },
        );
        json
    }

    /// The JSON of app `id`, to change.
    pub(crate) fn app_json_mut(&mut self, id: &str) -> Option<&mut Map<String, Value>> {
        self.apps.get_mut(id).map(|app| &mut app.json)
    }

    /// The signing key of app `id`, if it has one.
    pub(crate) fn app_key(&self, id: &str) -> Option<&AppKey> {
        self.apps.get(id).and_then(|app| app.key.as_ref())
    }

    /// Assigns group `group` to app `app` (after the groups already assigned) or removes
    /// the assignment; answers whether that changed anything.
    pub(crate) fn set_app_group(
        &mut self,
        app: &str,
        group: &str,
        assigned: bool,
    ) -> Result<bool, OktaError> {
        if !self.groups.contains_key(group) {
            return Err(OktaError::not_found(group, "UserGroup"));
        }
        let found = self
            .apps
            .get_mut(app)
            .ok_or_else(|| OktaError::not_found(app, "AppInstance"))?;
        if !assigned {
            return Ok(found.groups.remove(group).is_some());
        }
        if found.groups.contains_key(group) {
            return Ok(false);
        }
        let priority = found.groups.values().max().map_or(0, |p| p + 1);
        found.groups.insert(group.to_owned(), priority);
        Ok(true)
    }

    /// Assigns user `user` to app `app` directly (`scope` `USER`) or removes that direct
    /// assignment; answers whether that changed anything.
    pub(crate) fn set_app_user(
        &mut self,
        app: &str,
        user: &str,
        assigned: bool,
    ) -> Result<bool, OktaError> {
        if !self.users.contains_key(user) {
            return Err(OktaError::not_found(user, "User"));
        }
        let found = self
            .apps
            .get_mut(app)
            .ok_or_else(|| OktaError::not_found(app, "AppInstance"))?;
        Ok(if assigned {
            if found.users.contains_key(user) {
                false
            } else {
                found.users.insert(user.to_owned(), now_rfc3339());
                true
            }
        } else {
            found.users.remove(user).is_some()
        })
    }

    /// The group assignments of app `id`: group id and priority (`None`: no such app).
    pub(crate) fn app_groups(&self, id: &str) -> Option<Vec<(String, u32)>> {
        let app = self.apps.get(id)?;
        Some(app.groups.iter().map(|(g, p)| (g.clone(), *p)).collect())
    }

    /// Everything, for the admin API.
    pub(crate) fn admin(&self) -> Value {
        let groups: Vec<Value> = self
            .groups
            .iter()
            .map(|(id, group)| {
                let mut json = group.json.clone();
                json.insert(
                    "members".into(),
                    json!(self.members(id).unwrap_or_default()),
                );
                Value::Object(json)
            })
            .collect();
        let apps: Vec<Value> = self
            .apps
            .values()
            .map(|app| {
                let mut json = app.json.clone();
                json.insert("users".into(), json!(app.users.keys().collect::<Vec<_>>()));
                json.insert(
                    "groups".into(),
                    json!(app.groups.keys().collect::<Vec<_>>()),
                );
                Value::Object(json)
            })
            .collect();
        json!({
            "users": self.users.values().collect::<Vec<_>>(),
            "groups": groups,
            "apps": apps,
            "faults": self.faults.faults(),
        })
    }

    /// Replaces the faults (and forgets which page faults fired).
    pub(crate) fn set_faults(&mut self, faults: OktaFaults) {
        self.faults = FaultBook::new(faults);
    }

    /// Stores a user from Okta's create-user JSON: `profile` with `login` and `email`,
    /// optional `id`, `status` (default `ACTIVE`) and `groupIds`. Returns it.
    pub(crate) fn seed_user(&mut self, body: Map<String, Value>) -> Result<Value, Failure> {
        let bad = |message: String| (StatusCode::BAD_REQUEST, message);
        let profile = match body.get("profile") {
            Some(Value::Object(profile)) => profile.clone(),
            _ => return Err(bad("an Okta user needs a `profile` object".to_owned())),
        };
        let text = |name: &str| profile.get(name).and_then(Value::as_str).unwrap_or("");
        let (login, email) = (text("login"), text("email"));
        if login.trim().is_empty() || email.trim().is_empty() {
            return Err(bad(
                "`profile.login` and `profile.email` are required".to_owned()
            ));
        }
        if self.find_user(login).is_some() {
            return Err((
                StatusCode::CONFLICT,
                format!(
                    "login: An object with this field already exists in the current organization ({login})"
                ),
            ));
        }
        let status = body
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("ACTIVE");
        if !STATUSES.contains(&status) {
            return Err(bad(format!(
                "`status` is one of {}, not `{status}`",
                STATUSES.join(", ")
            )));
        }
        let id = match body.get("id").and_then(Value::as_str) {
            Some(id) => {
                check_id("user", id).map_err(bad)?;
                if self.users.contains_key(id) {
                    return Err((StatusCode::CONFLICT, format!("user id `{id}` is taken")));
                }
                id.to_owned()
            }
            None => self.next_id("00u"),
        };
        let group_ids: Vec<String> = match body.get("groupIds") {
            None => Vec::new(),
            Some(Value::Array(ids)) => ids
                .iter()
                .map(|g| g.as_str().map(str::to_owned))
                .collect::<Option<_>>()
                .ok_or_else(|| bad("`groupIds` must be strings".to_owned()))?,
            Some(_) => return Err(bad("`groupIds` must be an array".to_owned())),
        };
        if let Some(missing) = group_ids.iter().find(|g| !self.groups.contains_key(*g)) {
            return Err(bad(format!("no group `{missing}`")));
        }
        let user = stamped_user(&id, status, profile);
        self.users.insert(id.clone(), user.clone());
        for group in group_ids {
            if let Some(group) = self.groups.get_mut(&group) {
                group.members.insert(id.clone());
            }
        }
        Ok(Value::Object(user))
    }

    /// Removes the user whose id, login or email is `who`, with their memberships and
    /// assignments (a person deleted from the org between runs). Returns the user.
    pub(crate) fn remove_user(&mut self, who: &str) -> Result<Value, Failure> {
        let id = self
            .find_user(who)
            .ok_or_else(|| (StatusCode::NOT_FOUND, format!("no Okta user `{who}`")))?;
        let user = self.users.remove(&id).unwrap_or_default();
        for group in self.groups.values_mut() {
            group.members.remove(&id);
        }
        for app in self.apps.values_mut() {
            app.users.remove(&id);
        }
        Ok(Value::Object(user))
    }

    /// Stores an `OKTA_GROUP` from `{"id"?, "profile": {"name", "description"?},
    /// "members"?: [id, login or email]}`. Returns it.
    pub(crate) fn seed_group(&mut self, body: Map<String, Value>) -> Result<Value, Failure> {
        let bad = |message: String| (StatusCode::BAD_REQUEST, message);
        let name = body["profile"]["name"]
            .as_str()
            .unwrap_or("")
            .trim()
            .to_owned();
        if name.is_empty() {
            return Err(bad("a group needs `profile.name`".to_owned()));
        }
        if self.group_by_name(&name).is_some() {
            return Err((StatusCode::CONFLICT, format!("group `{name}` exists")));
        }
        let members = self.resolve_users(body.get("members"))?;
        let id = match body.get("id").and_then(Value::as_str) {
            Some(id) => {
                check_id("group", id).map_err(bad)?;
                if self.groups.contains_key(id) {
                    return Err((StatusCode::CONFLICT, format!("group id `{id}` is taken")));
                }
                id.to_owned()
            }
            None => self.next_id("00g"),
        };
        let description = body["profile"]["description"].as_str().unwrap_or("");
        let json = group_json(&id, &name, description);
        self.groups.insert(
            id,
            Group {
                json: json.clone(),
                members,
                built_in: false,
            },
        );
        Ok(Value::Object(json))
    }

    /// Stores an app from `{"id"?, "label", "name"?, "users"?: [id, login or email],
    /// "groups"?: [group names]}`. Returns it.
    pub(crate) fn seed_app(&mut self, body: Map<String, Value>) -> Result<Value, Failure> {
        let bad = |message: String| (StatusCode::BAD_REQUEST, message);
        let label = body
            .get("label")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim();
        if label.is_empty() {
            return Err(bad("an app needs a `label`".to_owned()));
        }
        let users = self.resolve_users(body.get("users"))?;
        let mut groups = BTreeMap::new();
        for (name, priority) in strings(body.get("groups"), "groups")?.iter().zip(0..) {
            let id = self
                .group_by_name(name)
                .ok_or_else(|| bad(format!("no group `{name}`")))?;
            groups.insert(id, priority);
        }
        let id = match body.get("id").and_then(Value::as_str) {
            Some(id) => {
                check_id("app", id).map_err(bad)?;
                if self.apps.contains_key(id) {
                    return Err((StatusCode::CONFLICT, format!("app id `{id}` is taken")));
                }
                id.to_owned()
            }
            None => self.next_id("0oa"),
        };
        let app = super::org::OktaApp::new(&id, label);
        let name = body
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(&app.name);
        let json = app_json(&id, label, name);
        let now = now_rfc3339();
        self.apps.insert(
            id,
            App {
                json: json.clone(),
                users: users.into_iter().map(|u| (u, now.clone())).collect(),
                groups,
                key: None,
            },
        );
        Ok(Value::Object(json))
    }

    /// The user ids named by a JSON array of ids, logins or emails.
    fn resolve_users(&self, list: Option<&Value>) -> Result<BTreeSet<String>, Failure> {
        strings(list, "users")?
            .iter()
            .map(|who| {
                self.find_user(who)
                    .ok_or_else(|| (StatusCode::BAD_REQUEST, format!("no Okta user `{who}`")))
            })
            .collect()
    }
}

/// The strings of an optional JSON array.
fn strings(list: Option<&Value>, field: &str) -> Result<Vec<String>, Failure> {
    let bad = || {
        (
            StatusCode::BAD_REQUEST,
            format!("`{field}` must be an array of strings"),
        )
    };
    match list {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned).ok_or_else(bad))
            .collect(),
        Some(_) => Err(bad()),
    }
}

/// When an app's group assignments date from (its creation).
fn app_since(app: &Map<String, Value>) -> String {
    app.get("created")
        .and_then(Value::as_str)
        .map_or_else(now_rfc3339, str::to_owned)
}

#[cfg(test)]
mod tests {
    use connector_sdk::{Identity, IdentityStatus};

    use super::super::org::OktaApp;
    use super::*;

    fn person(id: &str, login: &str, groups: &[&str], status: IdentityStatus) -> Identity {
        Identity {
            id: id.into(),
            login: login.into(),
            email: login.into(),
            first_name: Some("F".into()),
            status,
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
            ..Identity::default()
        }
    }

    fn org() -> State {
        State::new(
            &OktaOrg::new()
                .person(person("00u1", "a@x.io", &["eng"], IdentityStatus::Active))
                .person(person(
                    "00u2",
                    "b@x.io",
                    &["eng", "ops"],
                    IdentityStatus::Active,
                ))
                .person(person(
                    "00u3",
                    "c@x.io",
                    &["eng"],
                    IdentityStatus::Deprovisioned,
                ))
                .person(person("", "d@x.io", &[], IdentityStatus::Suspended))
                .app(
                    OktaApp::new("0oa1", "App")
                        .assign_group("eng")
                        .assign_user("B@x.io"),
                ),
        )
    }

    #[test]
    fn seeds_users_groups_and_assignments() {
        let state = org();
        assert_eq!(state.user_count(), 4);
        let generated = state.find_user("d@x.io").unwrap();
        assert!(
            generated.starts_with("00u") && generated.len() == 20,
            "{generated}"
        );
        assert_eq!(state.users()[&generated]["status"], "SUSPENDED");
        assert_eq!(state.users()["00u1"]["profile"]["firstName"], "F");
        let eng = state.group_by_name("eng").unwrap();
        assert_eq!(state.members(&eng).unwrap(), ["00u1", "00u2", "00u3"]);
        let everyone = state.group_by_name(EVERYONE).unwrap();
        assert_eq!(state.members(&everyone).unwrap().len(), 4);
        let assigned = state.app_users("0oa1").unwrap();
        assert_eq!(assigned.keys().collect::<Vec<_>>(), ["00u1", "00u2"]);
        assert_eq!(assigned["00u1"].scope(), "GROUP");
        assert_eq!(assigned["00u2"].scope(), "USER", "a direct assignment wins");
        assert!(state.app_users("0oa9").is_none());
    }

    #[test]
    fn admin_changes_are_checked() {
        let mut state = org();
        let body = |v: Value| v.as_object().cloned().unwrap();
        let eng = state.group_by_name("eng").unwrap();
        let seeded = state
            .seed_user(body(
                json!({"profile": {"login": "e@x.io", "email": "e@x.io"}, "groupIds": [eng]}),
            ))
            .unwrap();
        let id = seeded["id"].as_str().unwrap().to_owned();
        assert!(state.members(&eng).unwrap().contains(&id));
        let taken = state.seed_user(body(
            json!({"profile": {"login": "E@x.io", "email": "e@x.io"}}),
        ));
        assert_eq!(taken.unwrap_err().0, StatusCode::CONFLICT);
        let bad = state.seed_user(body(
            json!({"status": "GONE", "profile": {"login": "f@x.io", "email": "f@x.io"}}),
        ));
        assert!(bad.unwrap_err().1.contains("GONE"));
        state.remove_user("b@x.io").unwrap();
        assert!(!state.members(&eng).unwrap().contains(&"00u2".to_owned()));
        assert!(!state.app_users("0oa1").unwrap().contains_key("00u2"));
        assert_eq!(
            state.remove_user("b@x.io").unwrap_err().0,
            StatusCode::NOT_FOUND
        );
        state
            .seed_group(body(
                json!({"profile": {"name": "ai"}, "members": ["a@x.io"]}),
            ))
            .unwrap();
        state
            .seed_app(body(
                json!({"id": "0oa2", "label": "Two", "groups": ["ai"]}),
            ))
            .unwrap();
        assert_eq!(state.app_users("0oa2").unwrap().len(), 1);
        assert!(
            state
                .seed_app(body(json!({"label": "X", "groups": ["nope"]})))
                .is_err()
        );
        assert!(
            state
                .seed_group(body(json!({"profile": {"name": "ai"}})))
                .is_err()
        );
    }
}
