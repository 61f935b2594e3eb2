//! Box's `/2.0` users and group memberships as Box answers: `filter_term` prefix search
//! and `limit`/`offset` paging with `entries` and `total_count`; `POST /users` needing
//! `name` and `login` (409 `user_login_already_used`); `PUT /users/{id}` with `status`;
//! `DELETE /users/{id}` refused (400 "User has managed content") when the user owns
//! content and `force` is not true; memberships with 409 on a duplicate. Groups are
//! created, renamed and deleted as the group endpoints document (below), with
//! `external_sync_identifier` kept but returned only when `fields` asks for it. Errors
//! are `{"type":"error","status","code","message"}`. `GET /users/me` answers the user
//! the token acts as: the app's Service Account, as a server-side app's token is
//! (<https://developer.box.com/reference/get-users-me/>).

use std::collections::{BTreeMap, BTreeSet};

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::{Call, bounded, empty, json_response, merge, same, text, var};
use crate::scim::value::now_rfc3339;

/// The statuses a Box user may have.
const STATUSES: &[&str] = &[
    "active",
    "inactive",
    "cannot_delete_edit",
    "cannot_delete_edit_upload",
];

/// Fields a client never writes.
const READ_ONLY: &[&str] = &["id", "type", "created_at", "modified_at", "space_used"];

/// The users, groups and memberships of one Box enterprise.
#[derive(Debug)]
pub(crate) struct State {
    /// Users by id (ids sort in creation order).
    users: BTreeMap<String, Value>,
    /// Groups (the Box AI group is there from the start).
    groups: Vec<Value>,
    /// Group memberships.
    memberships: Vec<Value>,
    /// Ids of users who own content.
    owns_content: BTreeSet<String>,
    /// The last id number handed out.
    seq: u64,
    /// The user every token acts as: the app's Service Account (`GET /users/me`).
    service_account: Value,
}

type Failure = (StatusCode, &'static str, String);

impl State {
    /// An enterprise with one group, the Box AI group `box_ai_group_id` names.
    pub(crate) fn new(variables: &BTreeMap<String, String>) -> Self {
        let group = var(variables, "box_ai_group_id");
        Self {
            users: BTreeMap::new(),
            groups: vec![
                json!({"type": "group", "id": group, "name": "Box AI", "group_type": "managed_group"}),
            ],
            memberships: Vec::new(),
            owns_content: BTreeSet::new(),
            seq: 0,
            service_account: service_account(variables),
        }
    }

    /// How many users there are.
    pub(crate) fn user_count(&self) -> usize {
        self.users.len()
    }

    /// The admin view.
    pub(crate) fn admin(&self) -> Value {
        json!({
            "users": self.users.values().collect::<Vec<_>>(),
            "owns_content": self.owns_content,
            "groups": self.groups,
            "memberships": self.memberships,
            "service_account": self.service_account,
        })
    }

    /// Seeds a user.
    pub(crate) fn seed(&mut self, body: Map<String, Value>) -> Result<Value, (StatusCode, String)> {
        self.insert(body).map_err(|(s, _, m)| (s, m))
    }

    /// Marks a user as owning content (or not).
    pub(crate) fn set_owns_content(
        &mut self,
        id: &str,
        owns: bool,
    ) -> Result<(), (StatusCode, String)> {
        if !self.users.contains_key(id) {
            return Err((StatusCode::NOT_FOUND, format!("no Box user `{id}`")));
        }
        if owns {
            self.owns_content.insert(id.to_owned());
        } else {
            self.owns_content.remove(id);
        }
        Ok(())
    }

    /// Serves one call below `/2.0`.
    pub(crate) fn serve(&mut self, call: &Call<'_>) -> Response {
        self.route(call)
            .unwrap_or_else(|(status, code, message)| error(status, code, &message))
    }

    fn route(&mut self, call: &Call<'_>) -> Result<Response, Failure> {
        let ok = |status, body: &Value| Ok(json_response(status, body));
        match (call.method.clone(), call.path().as_slice()) {
            (Method::GET, ["users"]) => {
                let users: Vec<Value> = match call.param("filter_term") {
                    Some(term) => {
                        let term = term.to_lowercase();
                        let starts = |u: &Value, key: &str| {
                            u.get(key)
                                .and_then(Value::as_str)
                                .is_some_and(|v| v.to_lowercase().starts_with(&term))
                        };
                        self.users
                            .values()
                            .filter(|u| starts(u, "login") || starts(u, "name"))
                            .cloned()
                            .collect()
                    }
                    None => self.users.values().cloned().collect(),
                };
                page(call, users)
            }
            (Method::POST, ["users"]) => {
                let body = call.object().ok_or_else(|| bad("Invalid JSON"))?;
                ok(StatusCode::CREATED, &self.insert(body)?)
            }
            (Method::GET, ["users", "me"]) => ok(StatusCode::OK, &self.service_account),
            (Method::GET, ["users", id]) => ok(StatusCode::OK, self.user(id)?),
            (Method::PUT, ["users", id]) => {
                self.user(id)?;
                let body = call.object().ok_or_else(|| bad("Invalid JSON"))?;
                ok(StatusCode::OK, &self.update(id, body)?)
            }
            (Method::DELETE, ["users", id]) => {
                self.user(id)?;
                if self.owns_content.contains(*id) && call.param("force") != Some("true") {
                    return Err(bad("User has managed content"));
                }
                self.users.remove(*id);
                self.owns_content.remove(*id);
                self.memberships.retain(|m| m["user"]["id"] != json!(id));
                Ok(empty(StatusCode::NO_CONTENT))
            }
            (Method::GET, ["users", id, "memberships"]) => {
                self.user(id)?;
                let mine = self
                    .memberships
                    .iter()
                    .filter(|m| m["user"]["id"] == json!(id))
                    .cloned()
                    .collect();
                page(call, mine)
            }
            (Method::GET, ["groups"]) => {
                let groups = self.groups.iter().map(|g| shown(g, call)).collect();
                page(call, groups)
            }
            (Method::POST, ["groups"]) => {
                let body = call.object().ok_or_else(|| bad("Invalid JSON"))?;
                let group = self.create_group(&body)?;
                ok(StatusCode::CREATED, &shown(&group, call))
            }
            (Method::GET, ["groups", id]) => ok(StatusCode::OK, &shown(self.group(id)?, call)),
            (Method::PUT, ["groups", id]) => {
                let body = call.object().ok_or_else(|| bad("Invalid JSON"))?;
                let group = self.update_group(id, &body)?;
                ok(StatusCode::OK, &shown(&group, call))
            }
            (Method::DELETE, ["groups", id]) => {
                self.group(id)?;
                self.groups.retain(|g| g["id"] != json!(id));
                self.memberships.retain(|m| m["group"]["id"] != json!(id));
                Ok(empty(StatusCode::NO_CONTENT))
            }
            (Method::GET, ["groups", id, "memberships"]) => {
                self.group(id)?;
                let members = self
                    .memberships
                    .iter()
                    .filter(|m| m["group"]["id"] == json!(id))
                    .cloned()
                    .collect();
                page(call, members)
            }
            (Method::POST, ["group_memberships"]) => {
                let body = call.object().ok_or_else(|| bad("Invalid JSON"))?;
                let (user_id, group_id) = match (text(&body, "user.id"), text(&body, "group.id")) {
                    (Some(u), Some(g)) => (u.to_owned(), g.to_owned()),
                    _ => return Err(bad("'user.id' and 'group.id' are required")),
                };
                let user = self.user(&user_id)?.clone();
                let group = self.group(&group_id)?.clone();
                if self.memberships.iter().any(|m| {
                    m["user"]["id"] == json!(user_id) && m["group"]["id"] == json!(group_id)
                }) {
                    return Err((
                        StatusCode::CONFLICT,
                        "conflict",
                        "User is already a member of this group".into(),
                    ));
                }
                self.seq += 1;
                let now = now_rfc3339();
                let membership = json!({
                    "type": "group_membership",
                    "id": format!("{}", 5_000_000_000u64 + self.seq),
                    "user": {"type": "user", "id": user_id, "name": user["name"], "login": user["login"]},
                    "group": {"type": "group", "id": group_id, "name": group["name"], "group_type": group["group_type"]},
                    "role": body.get("role").cloned().unwrap_or_else(|| json!("member")),
                    "created_at": now,
                    "modified_at": now,
                });
                self.memberships.push(membership.clone());
                ok(StatusCode::CREATED, &membership)
            }
            (Method::GET, ["group_memberships", id]) => {
                let found = self
                    .memberships
                    .iter()
                    .find(|m| m["id"] == json!(id))
                    .ok_or_else(not_found)?;
                ok(StatusCode::OK, found)
            }
            (Method::DELETE, ["group_memberships", id]) => {
                let index = self
                    .memberships
                    .iter()
                    .position(|m| m["id"] == json!(id))
                    .ok_or_else(not_found)?;
                self.memberships.remove(index);
                Ok(empty(StatusCode::NO_CONTENT))
            }
            _ => Err(not_found()),
        }
    }

    fn user(&self, id: &str) -> Result<&Value, Failure> {
        self.users.get(id).ok_or_else(not_found)
    }

    fn group(&self, id: &str) -> Result<&Value, Failure> {
        self.groups
            .iter()
            .find(|g| g["id"] == json!(id))
            .ok_or_else(not_found)
    }

    /// `POST /groups` (<https://developer.box.com/reference/post-groups/>): `name` is
    /// required and unique in the enterprise (409 otherwise); answers 201 with the group.
    fn create_group(&mut self, body: &Map<String, Value>) -> Result<Value, Failure> {
        let name = text(body, "name").ok_or_else(|| bad("'name' is required"))?;
        self.unique_group_name(name, None)?;
        self.seq += 1;
        let now = now_rfc3339();
        let mut group = json!({
            "type": "group",
            "id": format!("{}", 30_000_000_000u64 + self.seq),
            "name": name,
            "group_type": "managed_group",
            "created_at": now,
            "modified_at": now,
        });
        for key in GROUP_WRITABLE.iter().filter(|k| **k != "name") {
            if let Some(value) = body.get(*key) {
                group[*key] = value.clone();
            }
        }
        self.groups.push(group.clone());
        Ok(group)
    }

    /// `PUT /groups/{id}` (<https://developer.box.com/reference/put-groups-id/>): the
    /// writable fields given; a name taken by another group is a 409.
    fn update_group(&mut self, id: &str, body: &Map<String, Value>) -> Result<Value, Failure> {
        self.group(id)?;
        if let Some(name) = body.get("name") {
            let name = name.as_str().filter(|n| !n.is_empty());
            let name = name.ok_or_else(|| bad("Invalid value for 'name'"))?;
            self.unique_group_name(name, Some(id))?;
        }
        let group = self
            .groups
            .iter_mut()
            .find(|g| g["id"] == json!(id))
            .ok_or_else(not_found)?;
        for key in GROUP_WRITABLE {
            if let Some(value) = body.get(*key) {
                group[*key] = value.clone();
            }
        }
        group["modified_at"] = json!(now_rfc3339());
        let group = group.clone();
        for membership in &mut self.memberships {
            if membership["group"]["id"] == json!(id) {
                membership["group"]["name"] = group["name"].clone();
            }
        }
        Ok(group)
    }

    /// A 409 when another group than `except` is named `name` (Box: "the group name is
    /// not unique in the enterprise").
    fn unique_group_name(&self, name: &str, except: Option<&str>) -> Result<(), Failure> {
        let taken = self.groups.iter().any(|g| {
            g["name"].as_str().is_some_and(|n| same(n, name))
                && except.is_none_or(|id| g["id"] != json!(id))
        });
        if taken {
            return Err((
                StatusCode::CONFLICT,
                "invalid_parameter",
                format!("Group name '{name}' is already in use in this enterprise"),
            ));
        }
        Ok(())
    }

    fn check(&self, body: &Map<String, Value>, except: Option<&str>) -> Result<(), Failure> {
        if let Some(status) = body.get("status")
            && !status.as_str().is_some_and(|s| STATUSES.contains(&s))
        {
            return Err(bad(&format!("Invalid value '{status}' for 'status'")));
        }
        if let Some(login) = body.get("login").and_then(Value::as_str) {
            let taken = self.users.iter().any(|(id, u)| {
                Some(id.as_str()) != except && u["login"].as_str().is_some_and(|l| same(l, login))
            });
            if taken {
                return Err((
                    StatusCode::CONFLICT,
                    "user_login_already_used",
                    "User with the specified login already exists".into(),
                ));
            }
        }
        Ok(())
    }

    fn insert(&mut self, mut body: Map<String, Value>) -> Result<Value, Failure> {
        for field in ["login", "name"] {
            if text(&body, field).is_none() {
                return Err(bad(&format!("'{field}' is required")));
            }
        }
        self.check(&body, None)?;
        for key in READ_ONLY {
            body.remove(*key);
        }
        self.seq += 1;
        let id = format!("{}", 20_000_000_000u64 + self.seq);
        let mut user = new_user(&id);
        merge(&mut user, &body);
        let user = Value::Object(user);
        self.users.insert(id, user.clone());
        Ok(user)
    }

    fn update(&mut self, id: &str, mut body: Map<String, Value>) -> Result<Value, Failure> {
        self.check(&body, Some(id))?;
        for key in READ_ONLY {
            body.remove(*key);
        }
        let Some(Value::Object(user)) = self.users.get_mut(id) else {
            return Err(not_found());
        };
        merge(user, &body);
        user.insert("modified_at".into(), Value::String(now_rfc3339()));
        Ok(Value::Object(user.clone()))
    }
}

/// A new user's record with Box's defaults (<https://developer.box.com/reference/resources/user/>).
fn new_user(id: &str) -> Map<String, Value> {
    let now = now_rfc3339();
    json!({
        "type": "user",
        "id": id,
        "created_at": now,
        "modified_at": now,
        "language": "en",
        "timezone": "America/Los_Angeles",
        "space_amount": 10_737_418_240u64,
        "space_used": 0,
        "max_upload_size": 5_368_709_120u64,
        "status": "active",
        "job_title": "",
        "phone": "",
        "address": "",
        "avatar_url": format!("https://app.box.com/api/avatar/large/{id}"),
    })
    .as_object()
    .cloned()
    .unwrap_or_default()
}

/// The Service Account Box makes for a server-side app (JWT or Client Credentials
/// Grant) when the app is authorized, the user its tokens act as: named after the app,
/// with the login Box assigns, `AutomationUser_<Service ID>_<random>@boxdevedition.com`
/// (<https://developer.box.com/guides/authentication/user-types/service-account/>). The
/// random part derives from the enterprise id, so it is the same on every start.
fn service_account(variables: &BTreeMap<String, String>) -> Value {
    let id = "19000000001";
    let service_id = "123456";
    let suffix: String = format!("{:x}", fnv(var(variables, "enterprise_id")))
        .chars()
        .take(10)
        .collect();
    let mut user = new_user(id);
    user.insert("name".into(), json!("Sandbox Provisioning App"));
    user.insert(
        "login".into(),
        json!(format!(
            "AutomationUser_{service_id}_{suffix}@boxdevedition.com"
        )),
    );
    Value::Object(user)
}

/// FNV-1a of `text`: a stable stand-in for the random part of a login.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The group fields a client may write (`POST /groups`, `PUT /groups/{id}`).
const GROUP_WRITABLE: &[&str] = &[
    "name",
    "description",
    "external_sync_identifier",
    "provenance",
    "invitability_level",
    "member_viewability_level",
];

/// The fields of the standard group representation
/// (<https://developer.box.com/reference/resources/group/>).
const GROUP_STANDARD: &[&str] = &[
    "id",
    "type",
    "name",
    "group_type",
    "created_at",
    "modified_at",
];

/// The fields of the mini representation, which `fields` adds to.
const GROUP_MINI: &[&str] = &["id", "type", "name", "group_type"];

/// A group as Box shows it: the standard representation, or, when the call names
/// `fields`, the mini representation plus the fields asked for (Box: "specifying this
/// parameter will have the effect that none of the standard fields are returned in the
/// response unless explicitly specified").
fn shown(group: &Value, call: &Call<'_>) -> Value {
    let asked: Vec<&str> = call
        .param("fields")
        .map(|f| f.split(',').map(str::trim).collect())
        .unwrap_or_default();
    let keep = |key: &str| {
        if asked.is_empty() {
            GROUP_STANDARD.contains(&key)
        } else {
            GROUP_MINI.contains(&key) || asked.contains(&key)
        }
    };
    let object = group
        .as_object()
        .map(|o| {
            o.iter()
                .filter(|(k, _)| keep(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    Value::Object(object)
}

/// A page of `items` by `limit` (1 to 1000, default 100) and `offset`.
fn page(call: &Call<'_>, items: Vec<Value>) -> Result<Response, Failure> {
    let limit = bounded(call.param("limit"), 100, 1, 1000)
        .ok_or_else(|| bad("Invalid value for 'limit'"))?;
    let offset = bounded(call.param("offset"), 0, 0, u64::MAX)
        .ok_or_else(|| bad("Invalid value for 'offset'"))?;
    let total = items.len();
    let entries: Vec<Value> = items
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .collect();
    Ok(json_response(
        StatusCode::OK,
        &json!({"entries": entries, "total_count": total, "limit": limit, "offset": offset}),
    ))
}

fn bad(message: &str) -> Failure {
    (StatusCode::BAD_REQUEST, "bad_request", message.to_owned())
}

fn not_found() -> Failure {
    (StatusCode::NOT_FOUND, "not_found", "Not Found".to_owned())
}

/// Box's error body.
fn error(status: StatusCode, code: &str, message: &str) -> Response {
    json_response(
        status,
        &json!({
            "type": "error",
            "status": status.as_u16(),
            "code": code,
            "help_url": "http://developers.box.com/docs/#errors",
            "message": message,
            "request_id": "sandbox",
        }),
    )
}
