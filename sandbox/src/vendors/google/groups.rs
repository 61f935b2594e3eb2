//! Google Workspace groups and their members, as the Directory API documents them:
//! - `groups.list`: `GET /groups` needing `customer` (or `domain`), `maxResults` 1 to
//!   200, `nextPageToken` paging, `groups` left out when empty
//!   (<https://developers.google.com/workspace/admin/directory/reference/rest/v1/groups/list>);
//! - `groups.insert`: `POST /groups` needing an `email` of the Workspace's domain, 409
//!   `duplicate` when a group or user has it, 200 with the group
//!   (<https://developers.google.com/workspace/admin/directory/reference/rest/v1/groups/insert>);
//! - `groups.get`, `groups.patch` / `groups.update` and `groups.delete` (204) by the
//!   group's id or email
//!   (<https://developers.google.com/workspace/admin/directory/reference/rest/v1/groups>);
//! - `members.list`: `GET /groups/{key}/members`, paged like the groups
//!   (<https://developers.google.com/workspace/admin/directory/reference/rest/v1/members/list>);
//! - `members.insert`: `POST /groups/{key}/members` with the member's `email` (required),
//!   409 `duplicate` "Member already exists." for a member already in
//!   (<https://developers.google.com/workspace/admin/directory/reference/rest/v1/members/insert>);
//! - `members.delete`: `DELETE /groups/{key}/members/{memberKey}` by the member's id or
//!   email, 204, 404 for a non-member
//!   (<https://developers.google.com/workspace/admin/directory/reference/rest/v1/members/delete>).

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::{Failure, invalid, not_found, page_offset, token};
use crate::vendors::{Call, bounded, empty, json_response, same, text};

/// Group fields a client may write.
const WRITABLE: &[&str] = &["email", "name", "description"];

/// The groups of one Workspace and their members.
#[derive(Debug, Default)]
pub(super) struct Groups {
    /// Groups by id (ids sort in creation order).
    groups: BTreeMap<String, Value>,
    /// Member user ids by group id, in the order they were added.
    members: BTreeMap<String, Vec<String>>,
    /// The last id number handed out.
    seq: u64,
}

/// What the groups need to know of the Workspace: its users and whether a `customer`
/// value names it.
pub(super) struct Workspace<'a> {
    /// Users by id.
    pub users: &'a BTreeMap<String, Value>,
    /// Whether the `customer` parameter names this Workspace.
    pub customer_ok: &'a dyn Fn(&str) -> bool,
}

impl Groups {
    /// The admin view: every group with its member ids.
    pub(super) fn admin(&self) -> Value {
        let groups: Vec<Value> = self
            .groups
            .iter()
            .map(|(id, group)| {
                let mut group = group.clone();
                group["members"] = json!(self.members.get(id).cloned().unwrap_or_default());
                group
            })
            .collect();
        Value::Array(groups)
    }

    /// Drops a deleted user from every group.
    pub(super) fn forget(&mut self, user_id: &str) {
        for members in self.members.values_mut() {
            members.retain(|m| m != user_id);
        }
    }

    /// Whether a group has the address `email`.
    pub(super) fn has_email(&self, email: &str) -> bool {
        self.groups
            .values()
            .any(|g| g["email"].as_str().is_some_and(|e| same(e, email)))
    }

    /// Serves a call below `/groups`; `None` for any other path.
    pub(super) fn route(
        &mut self,
        call: &Call<'_>,
        workspace: &Workspace<'_>,
    ) -> Option<Result<Response, Failure>> {
        let ok = |body: &Value| json_response(StatusCode::OK, body);
        let answer = match (call.method.clone(), call.path().as_slice()) {
            (Method::GET, ["groups"]) => self.list(call, workspace),
            (Method::POST, ["groups"]) => call
                .object()
                .ok_or_else(|| invalid("Invalid JSON payload"))
                .and_then(|body| self.insert(&body, workspace))
                .map(|group| ok(&group)),
            (Method::GET, ["groups", key]) => self.id_of(key).map(|id| ok(&self.groups[&id])),
            (Method::PATCH | Method::PUT, ["groups", key]) => call
                .object()
                .ok_or_else(|| invalid("Invalid JSON payload"))
                .and_then(|body| self.update(key, &body, workspace))
                .map(|group| ok(&group)),
            (Method::DELETE, ["groups", key]) => self.id_of(key).map(|id| {
                self.groups.remove(&id);
                self.members.remove(&id);
                empty(StatusCode::NO_CONTENT)
            }),
            (Method::GET, ["groups", key, "members"]) => self
                .id_of(key)
                .and_then(|id| self.list_members(call, &id, workspace)),
            (Method::POST, ["groups", key, "members"]) => call
                .object()
                .ok_or_else(|| invalid("Invalid JSON payload"))
                .and_then(|body| self.add_member(key, &body, workspace))
                .map(|member| ok(&member)),
            (Method::DELETE, ["groups", key, "members", member]) => self
                .remove_member(key, member, workspace)
                .map(|()| empty(StatusCode::NO_CONTENT)),
            _ => return None,
        };
        Some(answer)
    }

    /// The id of the group `key` names: its id or its email (ignoring case).
    fn id_of(&self, key: &str) -> Result<String, Failure> {
        if self.groups.contains_key(key) {
            return Ok(key.to_owned());
        }
        self.groups
            .iter()
            .find(|(_, g)| g["email"].as_str().is_some_and(|e| same(e, key)))
            .map(|(id, _)| id.clone())
            .ok_or_else(|| not_found("Resource Not Found: groupKey"))
    }

    /// `groups.list`.
    fn list(&self, call: &Call<'_>, workspace: &Workspace<'_>) -> Result<Response, Failure> {
        match (call.param("customer"), call.param("domain")) {
            (None, None) => {
                return Err((StatusCode::BAD_REQUEST, "badRequest", "Bad Request".into()));
            }
            (Some(customer), _) if !(workspace.customer_ok)(customer) => {
                return Err(not_found("Resource Not Found: customer"));
            }
            _ => {}
        }
        let groups: Vec<Value> = self.groups.values().cloned().collect();
        page(call, "admin#directory#groups", "groups", groups)
    }

    /// `members.list` of the group `id`.
    fn list_members(
        &self,
        call: &Call<'_>,
        id: &str,
        workspace: &Workspace<'_>,
    ) -> Result<Response, Failure> {
        let members: Vec<Value> = self.members[id]
            .iter()
            .filter_map(|user| workspace.users.get(user).map(|u| member(user, u)))
            .collect();
        page(call, "admin#directory#members", "members", members)
    }

    /// `groups.insert`.
    fn insert(
        &mut self,
        body: &Map<String, Value>,
        workspace: &Workspace<'_>,
    ) -> Result<Value, Failure> {
        let email = text(body, "email").ok_or_else(|| invalid("Invalid Input: email"))?;
        self.check_email(email, None, workspace)?;
        self.seq += 1;
        let id = format!("0{:015x}", 0x3_0000_0000u64 + self.seq);
        let mut group = json!({
            "kind": "admin#directory#group",
            "id": id,
            "etag": format!("\"sandbox-{}\"", self.seq),
            "email": email,
            "name": email.split('@').next().unwrap_or_default(),
            "description": "",
            "directMembersCount": "0",
            "adminCreated": true,
        });
        for key in WRITABLE {
            if let Some(value) = body.get(*key) {
                group[*key] = value.clone();
            }
        }
        self.groups.insert(id.clone(), group.clone());
        self.members.insert(id, Vec::new());
        Ok(group)
    }

    /// `groups.patch` (and `groups.update`, the same here): the writable fields given.
    fn update(
        &mut self,
        key: &str,
        body: &Map<String, Value>,
        workspace: &Workspace<'_>,
    ) -> Result<Value, Failure> {
        let id = self.id_of(key)?;
        if let Some(email) = body.get("email") {
            let email = email
                .as_str()
                .ok_or_else(|| invalid("Invalid Input: email"))?;
            self.check_email(email, Some(&id), workspace)?;
        }
        if body.get("name").is_some_and(|n| !n.is_string()) {
            return Err(invalid("Invalid Input: name"));
        }
        let group = self
            .groups
            .get_mut(&id)
            .ok_or_else(|| not_found("Resource Not Found: groupKey"))?;
        for key in WRITABLE {
            if let Some(value) = body.get(*key) {
                group[*key] = value.clone();
            }
        }
        Ok(group.clone())
    }

    /// An address a new (or renamed) group may take: `local@domain` of a user's domain,
    /// held by no user and no other group.
    fn check_email(
        &self,
        email: &str,
        except: Option<&str>,
        workspace: &Workspace<'_>,
    ) -> Result<(), Failure> {
        let valid = email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !email
                    .chars()
                    .any(|c| c.is_whitespace() || "()<>,;:\\\"[]".contains(c))
        });
        if !valid {
            return Err(invalid("Invalid Input: email"));
        }
        let taken_by_group = self.groups.iter().any(|(id, g)| {
            Some(id.as_str()) != except && g["email"].as_str().is_some_and(|e| same(e, email))
        });
        let taken_by_user = workspace
            .users
            .values()
            .any(|u| u["primaryEmail"].as_str().is_some_and(|e| same(e, email)));
        if taken_by_group || taken_by_user {
            return Err((
                StatusCode::CONFLICT,
                "duplicate",
                "Entity already exists.".into(),
            ));
        }
        Ok(())
    }

    /// `members.insert`: the member by its `email` (a user of the Workspace here).
    fn add_member(
        &mut self,
        key: &str,
        body: &Map<String, Value>,
        workspace: &Workspace<'_>,
    ) -> Result<Value, Failure> {
        let id = self.id_of(key)?;
        let email =
            text(body, "email").ok_or_else(|| invalid("Missing required field: member.email"))?;
        let (user, found) = workspace
            .users
            .iter()
            .find(|(_, u)| u["primaryEmail"].as_str().is_some_and(|e| same(e, email)))
            .ok_or_else(|| not_found("Resource Not Found: memberKey"))?;
        let members = self.members.entry(id).or_default();
        if members.contains(user) {
            return Err((
                StatusCode::CONFLICT,
                "duplicate",
                "Member already exists.".into(),
            ));
        }
        members.push(user.clone());
        let mut answer = member(user, found);
        if let Some(role) = body.get("role") {
            answer["role"] = role.clone();
        }
        Ok(answer)
    }

    /// `members.delete`: the member by its id or email.
    fn remove_member(
        &mut self,
        key: &str,
        member_key: &str,
        workspace: &Workspace<'_>,
    ) -> Result<(), Failure> {
        let id = self.id_of(key)?;
        let user = workspace
            .users
            .iter()
            .find(|(uid, u)| {
                uid.as_str() == member_key
                    || u["primaryEmail"]
                        .as_str()
                        .is_some_and(|e| same(e, member_key))
            })
            .map(|(uid, _)| uid.clone());
        let members = self.members.entry(id).or_default();
        let at = user
            .and_then(|user| members.iter().position(|m| *m == user))
            .ok_or_else(|| not_found("Resource Not Found: memberKey"))?;
        members.remove(at);
        Ok(())
    }
}

/// A Member resource for the user `id`.
fn member(id: &str, user: &Value) -> Value {
    json!({
        "kind": "admin#directory#member",
        "etag": "\"sandbox\"",
        "id": id,
        "email": user["primaryEmail"],
        "role": "MEMBER",
        "type": "USER",
        "status": "ACTIVE",
    })
}

/// One page of `items` by `maxResults` (1 to 200, default 200) and `pageToken`; the
/// array is left out when the page is empty, as Google does.
fn page(call: &Call<'_>, kind: &str, key: &str, items: Vec<Value>) -> Result<Response, Failure> {
    let max = call.param("maxResults");
    let count = bounded(max, 200, 1, 200).ok_or_else(|| {
        invalid(&format!(
            "Invalid value '{}'. Values must be within the range: [1, 200]",
            max.unwrap_or_default()
        ))
    })?;
    let offset = page_offset(call.param("pageToken"))?;
    let total = items.len();
    let page: Vec<Value> = items
        .into_iter()
        .skip(offset)
        .take(count as usize)
        .collect();
    let next = offset + page.len();
    let mut body = json!({"kind": kind, "etag": "\"sandbox\""});
    if !page.is_empty() {
        body[key] = Value::Array(page);
    }
    if next < total {
        body["nextPageToken"] = Value::String(token(next));
    }
    Ok(json_response(StatusCode::OK, &body))
}
