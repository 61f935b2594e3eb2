//! Planning the Okta apps: read the org, match each definition to its app, and list the
//! calls that would bring it in line.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use super::diff::differences;
use super::error::IdpError;
use super::{AppRole, DesiredApp, marker, segment};
use crate::config::Assignments;
use crate::directory::OktaClient;

/// What applying would change in the org.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppsPlan {
    /// The org's URL.
    pub org: String,
    /// One entry per definition, in the order given.
    pub apps: Vec<AppPlan>,
    /// Group removals per instance against its `max_removals`.
    pub removals: Vec<InstanceRemovals>,
}

impl AppsPlan {
    /// Whether applying would make no call.
    pub fn is_empty(&self) -> bool {
        self.apps.iter().all(|a| {
            matches!(a.action, AppAction::Keep { .. })
                && a.assign.is_empty()
                && a.unassign.is_empty()
                && a.assign_people.is_empty()
                && a.unassign_people.is_empty()
        })
    }

    /// The instances whose removals are over their limit (apply then changes nothing).
    pub fn tripped(&self) -> Vec<&InstanceRemovals> {
        self.removals.iter().filter(|r| r.tripped).collect()
    }
}

/// One app's plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppPlan {
    /// The instance.
    pub instance: String,
    /// Sign-in app or tile.
    pub role: AppRole,
    /// The label.
    pub label: String,
    /// `SAML_2_0`, `OPENID_CONNECT` or `BOOKMARK`.
    pub sign_on_mode: String,
    /// What happens to the app itself.
    pub action: AppAction,
    /// Groups to assign.
    pub assign: Vec<GroupRef>,
    /// Groups to unassign (the rules no longer give them).
    pub unassign: Vec<GroupRef>,
    /// People the rules name one by one, to assign directly (`scope` `USER`).
    pub assign_people: Vec<PersonRef>,
    /// Direct assignments the rules no longer give.
    pub unassign_people: Vec<PersonRef>,
    /// The request body sent on create or update (the marker included).
    #[serde(skip)]
    pub body: Value,
}

/// What happens to an app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum AppAction {
    /// `POST /api/v1/apps`.
    Create,
    /// `PUT /api/v1/apps/{id}`: these settings differ.
    Update {
        /// The app id.
        id: String,
        /// The paths that differ.
        changed: Vec<String>,
    },
    /// Already as defined.
    Keep {
        /// The app id.
        id: String,
    },
}

/// A group by name and Okta id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupRef {
    /// The group's name.
    pub name: String,
    /// Its Okta id.
    pub id: String,
}

/// A person by the name the rules (or Okta's app user) give and Okta user id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonRef {
    /// The login, email or id the rule names (Okta's app username for a removal).
    pub name: String,
    /// The Okta user id.
    pub id: String,
}

/// An instance's group removals against its breaker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstanceRemovals {
    /// The instance.
    pub instance: String,
    /// Group and direct assignments to remove.
    pub count: u64,
    /// `policy.max_removals`.
    pub max: u64,
    /// Over the limit without `--allow-removals`: apply changes nothing.
    pub tripped: bool,
}

/// Reads the org and plans `desired`.
pub(super) async fn plan(
    client: &OktaClient,
    assignments: &Assignments,
    desired: &[DesiredApp],
    allow_removals: bool,
) -> Result<AppsPlan, IdpError> {
    let okta = |e: crate::directory::DirectoryError| IdpError::Okta(e.message);
    let apps = client.collect("/api/v1/apps", &[]).await.map_err(okta)?;
    let groups = client.collect("/api/v1/groups", &[]).await.map_err(okta)?;
    let group_ids: BTreeMap<String, String> = groups
        .iter()
        .filter_map(|g| {
            Some((
                g["profile"]["name"].as_str()?.to_owned(),
                g["id"].as_str()?.to_owned(),
            ))
        })
        .collect();
    let group_names: BTreeMap<&str, &str> = group_ids
        .iter()
        .map(|(name, id)| (id.as_str(), name.as_str()))
        .collect();
    let mut people_ids: BTreeMap<String, String> = BTreeMap::new();
    let mut planned = Vec::new();
    for want in desired {
        let note = marker(&want.instance, want.role);
        let mut body = want.body.clone();
        body["settings"]["notes"] = json!({"admin": note});
        let found = find(&apps, want, &note)?;
        let mut wanted_groups = Vec::new();
        for name in &want.groups {
            let id = group_ids.get(name).ok_or_else(|| IdpError::UnknownGroup {
                instance: want.instance.clone(),
                group: name.clone(),
                source_kind: source_kind(assignments, &want.instance).to_owned(),
                org: client.base().to_owned(),
            })?;
            wanted_groups.push(GroupRef {
                name: name.clone(),
                id: id.clone(),
            });
        }
        let (_, people, _) =
            super::desired_groups(assignments, &want.instance, crate::clock::now());
        let mut wanted_people = Vec::new();
        for person in &people {
            let id = match people_ids.get(person) {
                Some(id) => id.clone(),
                None => {
                    let id = user_id(client, &want.instance, person).await?;
                    people_ids.insert(person.clone(), id.clone());
                    id
                }
            };
            wanted_people.push(PersonRef {
                name: person.clone(),
                id,
            });
        }
        let (action, current, current_people) = match found {
            None => (AppAction::Create, Vec::new(), Vec::new()),
            Some(app) => {
                let id = app["id"].as_str().unwrap_or_default().to_owned();
                let path = format!("/api/v1/apps/{}/groups", segment(&id));
                let current: Vec<GroupRef> = client
                    .collect(&path, &[])
                    .await
                    .map_err(okta)?
                    .iter()
                    .filter_map(|g| g["id"].as_str())
                    .map(|gid| GroupRef {
                        name: group_names
                            .get(gid)
                            .map_or_else(|| gid.to_owned(), |n| (*n).to_owned()),
                        id: gid.to_owned(),
                    })
                    .collect();
                // Okta's replace needs the app's `name` (generated for custom apps).
                if body.get("name").is_none()
                    && let Some(name) = app.get("name")
                {
                    body["name"] = name.clone();
                }
                let path = format!("/api/v1/apps/{}/users", segment(&id));
                let current_people: Vec<PersonRef> = client
                    .collect(&path, &[])
                    .await
                    .map_err(okta)?
                    .iter()
                    .filter(|u| u["scope"] == "USER")
                    .filter_map(|u| {
                        Some(PersonRef {
                            name: u["credentials"]["userName"]
                                .as_str()
                                .or_else(|| u["id"].as_str())?
                                .to_owned(),
                            id: u["id"].as_str()?.to_owned(),
                        })
                    })
                    .collect();
                let changed = differences(&body, app);
                let action = if changed.is_empty() {
                    AppAction::Keep { id }
                } else {
                    AppAction::Update { id, changed }
                };
                (action, current, current_people)
            }
        };
        let assign_people = wanted_people
            .iter()
            .filter(|p| !current_people.iter().any(|c| c.id == p.id))
            .cloned()
            .collect();
        let unassign_people = current_people
            .into_iter()
            .filter(|c| !wanted_people.iter().any(|p| p.id == c.id))
            .collect();
        let assign = wanted_groups
            .iter()
            .filter(|g| !current.iter().any(|c| c.id == g.id))
            .cloned()
            .collect();
        let unassign = current
            .into_iter()
            .filter(|c| !wanted_groups.iter().any(|g| g.id == c.id))
            .collect();
        planned.push(AppPlan {
            instance: want.instance.clone(),
            role: want.role,
            label: want.label().to_owned(),
            sign_on_mode: want.sign_on_mode().to_owned(),
            action,
            assign,
            unassign,
            assign_people,
            unassign_people,
            body,
        });
    }
    let removals = removals(assignments, &planned, allow_removals);
    Ok(AppsPlan {
        org: client.base().to_owned(),
        apps: planned,
        removals,
    })
}

/// The Okta user id of `person` (an id or a login), or why it has none.
async fn user_id(client: &OktaClient, instance: &str, person: &str) -> Result<String, IdpError> {
    let path = format!("/api/v1/users/{}", encode_segment(person));
    let sent = client
        .send(
            connector_sdk::http::Method::Get,
            &path,
            None,
            connector_sdk::http::JSON,
        )
        .await
        .map_err(|e| IdpError::Okta(e.message))?;
    if sent.status == 404 {
        return Err(IdpError::UnknownPerson {
            instance: instance.to_owned(),
            person: person.to_owned(),
            org: client.base().to_owned(),
        });
    }
    if !(200..300).contains(&sent.status) {
        return Err(super::error::refused("GET", &path, &sent));
    }
    let user: Value = serde_json::from_str(&sent.body)
        .map_err(|e| IdpError::Okta(format!("Okta's answer to GET {path} is not JSON ({e})")))?;
    user["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| IdpError::Okta(format!("Okta's answer to GET {path} has no user id")))
}

/// `text` percent-encoded as one path segment (`@` kept, as in Okta's login URLs).
fn encode_segment(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'@') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `[[sso]]` or `[[provision]]`: which rules give the instance's groups.
fn source_kind(assignments: &Assignments, instance: &str) -> &'static str {
    match super::desired_groups(assignments, instance, crate::clock::now()).2 {
        super::GroupSource::Sso => "[[sso]]",
        super::GroupSource::Provision => "[[provision]]",
    }
}

/// The app in `apps` that is `want`'s: by the marker, else by label and sign-on mode.
fn find<'a>(
    apps: &'a [Value],
    want: &DesiredApp,
    note: &str,
) -> Result<Option<&'a Value>, IdpError> {
    let live = |app: &&Value| app["status"] != "DELETED";
    let marked: Vec<&Value> = apps
        .iter()
        .filter(live)
        .filter(|a| a["settings"]["notes"]["admin"].as_str() == Some(note))
        .collect();
    let labelled: Vec<&Value> = apps
        .iter()
        .filter(live)
        .filter(|a| a["label"].as_str() == Some(want.label()))
        .filter(|a| a["signOnMode"].as_str() == Some(want.sign_on_mode()))
        .filter(|a| !marked.iter().any(|m| m["id"] == a["id"]))
        .collect();
    let ids = |list: &[&Value]| -> Vec<String> {
        list.iter()
            .map(|a| a["id"].as_str().unwrap_or("?").to_owned())
            .collect()
    };
    let duplicate = |ids: Vec<String>| IdpError::Duplicate {
        instance: want.instance.clone(),
        role: want.role.as_str().to_owned(),
        label: want.label().to_owned(),
        ids,
    };
    match (marked.as_slice(), labelled.as_slice()) {
        ([one], []) => Ok(Some(one)),
        ([], []) => Ok(None),
        ([], [one]) => Err(IdpError::Unmarked {
            instance: want.instance.clone(),
            label: want.label().to_owned(),
            id: one["id"].as_str().unwrap_or("?").to_owned(),
            marker: note.to_owned(),
        }),
        _ => {
            let mut all = ids(&marked);
            all.extend(ids(&labelled));
            Err(duplicate(all))
        }
    }
}

/// Each instance's group removals against `policy.max_removals`.
fn removals(
    assignments: &Assignments,
    planned: &[AppPlan],
    allow_removals: bool,
) -> Vec<InstanceRemovals> {
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for app in planned {
        *counts.entry(app.instance.as_str()).or_default() +=
            (app.unassign.len() + app.unassign_people.len()) as u64;
    }
    counts
        .into_iter()
        .map(|(instance, count)| {
            let max = assignments
                .instance(instance)
                .map_or(0, |i| u64::from(i.policy.max_removals));
            InstanceRemovals {
                instance: instance.to_owned(),
                count,
                max,
                tripped: count > max && !allow_removals,
            }
        })
        .collect()
}
