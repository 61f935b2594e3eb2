//! Microsoft Graph security groups and their members, as the group API documents them:
//! - `GET /groups` with `$top` (1 to 999) and an absolute `@odata.nextLink`
//!   (<https://learn.microsoft.com/graph/api/group-list>);
//! - `POST /groups` requiring `displayName`, `mailEnabled`, `mailNickname` and
//!   `securityEnabled`, a `mailNickname` of ASCII without `@ () \ [ ] " ; : < > ,` or
//!   spaces, at most 64 characters; 201 with the group
//!   (<https://learn.microsoft.com/graph/api/group-post-groups>);
//! - `PATCH /groups/{id}` answering 204 (<https://learn.microsoft.com/graph/api/group-update>);
//! - `DELETE /groups/{id}` answering 204 (<https://learn.microsoft.com/graph/api/group-delete>);
//! - `GET /groups/{id}/members`, paged like the groups
//!   (<https://learn.microsoft.com/graph/api/group-list-members>);
//! - `POST /groups/{id}/members/$ref` with `{"@odata.id": ".../directoryObjects/{id}"}`,
//!   204, a 400 "One or more added object references already exist for the following
//!   modified properties: 'members'." when the user is a member already, a 404 when the
//!   object does not exist (<https://learn.microsoft.com/graph/api/group-post-members>);
//! - `DELETE /groups/{id}/members/{member}/$ref`, 204, 404 for a non-member
//!   (<https://learn.microsoft.com/graph/api/group-delete-members>).

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::{Failure, bad, project_with, select};
use crate::scim::value::now_rfc3339;
use crate::vendors::{Call, bounded, empty, json_response, same, text};

/// The group properties Graph returns without `$select`.
const GROUP_PROPERTIES: &[&str] = &[
    "id",
    "createdDateTime",
    "description",
    "displayName",
    "groupTypes",
    "mail",
    "mailEnabled",
    "mailNickname",
    "securityEnabled",
];

/// The user properties a member listing returns without `$select`.
const MEMBER_PROPERTIES: &[&str] = &[
    "@odata.type",
    "id",
    "displayName",
    "userPrincipalName",
    "mail",
];

/// Group properties a client may write.
const WRITABLE: &[&str] = &[
    "description",
    "displayName",
    "groupTypes",
    "mailEnabled",
    "mailNickname",
    "securityEnabled",
];

/// The groups of one Entra tenant and their members.
#[derive(Debug, Default)]
pub(super) struct Groups {
    /// Groups by id (ids sort in creation order).
    groups: BTreeMap<String, Value>,
    /// Member user ids by group id, in the order they were added.
    members: BTreeMap<String, Vec<String>>,
    /// The last id number handed out.
    seq: u64,
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

    /// Drops a deleted user from every group, as Graph does.
    pub(super) fn forget(&mut self, user_id: &str) {
        for members in self.members.values_mut() {
            members.retain(|m| m != user_id);
        }
    }

    /// Serves a call below `/groups`; `None` for any other path.
    pub(super) fn route(
        &mut self,
        call: &Call<'_>,
        users: &BTreeMap<String, Value>,
    ) -> Option<Result<Response, Failure>> {
        let select = select(call);
        let shown = |group: &Value| project_with(group, select.as_deref(), GROUP_PROPERTIES);
        let answer = match (call.method.clone(), call.path().as_slice()) {
            (Method::GET, ["groups"]) => {
                let groups: Vec<Value> = self.groups.values().map(shown).collect();
                page(call, "groups", groups)
            }
            (Method::POST, ["groups"]) => call
                .object()
                .ok_or_else(|| bad("Invalid request body."))
                .and_then(|body| self.create(body))
                .map(|group| json_response(StatusCode::CREATED, &shown(&group))),
            (Method::GET, ["groups", id]) => self
                .group(id)
                .map(|group| json_response(StatusCode::OK, &shown(group))),
            (Method::PATCH, ["groups", id]) => call
                .object()
                .ok_or_else(|| bad("Invalid request body."))
                .and_then(|body| self.update(id, &body))
                .map(|()| empty(StatusCode::NO_CONTENT)),
            (Method::DELETE, ["groups", id]) => match self.groups.remove(*id) {
                Some(_) => {
                    self.members.remove(*id);
                    Ok(empty(StatusCode::NO_CONTENT))
                }
                None => Err(not_found(id)),
            },
            (Method::GET, ["groups", id, "members"]) => self.group(id).and_then(|_| {
                let members: Vec<Value> = self.members[*id]
                    .iter()
                    .filter_map(|m| users.get(m))
                    .map(|user| {
                        let mut user = user.clone();
                        user["@odata.type"] = json!("#microsoft.graph.user");
                        project_with(&user, select.as_deref(), MEMBER_PROPERTIES)
                    })
                    .collect();
                page(call, &format!("groups/{id}/members"), members)
            }),
            (Method::POST, ["groups", id, "members", "$ref"]) => self
                .add_member(id, call, users)
                .map(|()| empty(StatusCode::NO_CONTENT)),
            (Method::DELETE, ["groups", id, "members", member, "$ref"]) => self
                .remove_member(id, member)
                .map(|()| empty(StatusCode::NO_CONTENT)),
            _ => return None,
        };
        Some(answer)
    }

    fn group(&self, id: &str) -> Result<&Value, Failure> {
        self.groups.get(id).ok_or_else(|| not_found(id))
    }

    /// `POST /groups`: the four required properties, a valid `mailNickname`.
    fn create(&mut self, body: Map<String, Value>) -> Result<Value, Failure> {
        for property in ["displayName", "mailNickname"] {
            if text(&body, property).is_none() {
                return Err(invalid(property));
            }
        }
        for property in ["mailEnabled", "securityEnabled"] {
            if !body.get(property).is_some_and(Value::is_boolean) {
                return Err(invalid(property));
            }
        }
        check_nickname(&body)?;
        let unified = body
            .get("groupTypes")
            .and_then(Value::as_array)
            .is_some_and(|t| t.iter().any(|t| t == "Unified"));
        if body["mailEnabled"] == true && !unified {
            return Err(bad(
                "The service does not currently support writes of mail-enabled groups. Please ensure that the mail-enablement property is unset or is set to false.",
            ));
        }
        self.seq += 1;
        let id = format!(
            "{:08x}-0000-4000-8000-{:012x}",
            0x6000_0000u64 + self.seq,
            self.seq
        );
        let mut group = json!({
            "id": id,
            "createdDateTime": now_rfc3339(),
            "description": null,
            "groupTypes": [],
            "mail": null,
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

    /// `PATCH /groups/{id}`: the writable properties given.
    fn update(&mut self, id: &str, body: &Map<String, Value>) -> Result<(), Failure> {
        self.group(id)?;
        if body.contains_key("displayName") && text(body, "displayName").is_none() {
            return Err(invalid("displayName"));
        }
        if body.contains_key("mailNickname") {
            check_nickname(body)?;
        }
        let group = self.groups.get_mut(id).ok_or_else(|| not_found(id))?;
        for key in WRITABLE {
            if let Some(value) = body.get(*key) {
                group[*key] = value.clone();
            }
        }
        Ok(())
    }

    /// `POST /groups/{id}/members/$ref`.
    fn add_member(
        &mut self,
        id: &str,
        call: &Call<'_>,
        users: &BTreeMap<String, Value>,
    ) -> Result<(), Failure> {
        self.group(id)?;
        let body = call.object().ok_or_else(|| bad("Invalid request body."))?;
        let reference = body
            .get("@odata.id")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                bad("The request body must contain an '@odata.id' reference to the member.")
            })?;
        let member = reference
            .split_once("/directoryObjects/")
            .or_else(|| reference.split_once("/users/"))
            .map(|(_, id)| id.trim_end_matches('/'))
            .filter(|m| !m.is_empty() && !m.contains('/'))
            .ok_or_else(|| bad(&format!("Invalid object identifier '{reference}'.")))?;
        let user = users
            .iter()
            .find(|(uid, u)| {
                uid.as_str() == member
                    || u["userPrincipalName"]
                        .as_str()
                        .is_some_and(|n| same(n, member))
            })
            .map(|(uid, _)| uid.clone())
            .ok_or_else(|| not_found(member))?;
        let members = self.members.entry(id.to_owned()).or_default();
        if members.contains(&user) {
            return Err(bad(
                "One or more added object references already exist for the following modified properties: 'members'.",
            ));
        }
        members.push(user);
        Ok(())
    }

    /// `DELETE /groups/{id}/members/{member}/$ref`.
    fn remove_member(&mut self, id: &str, member: &str) -> Result<(), Failure> {
        self.group(id)?;
        let members = self.members.entry(id.to_owned()).or_default();
        let at = members
            .iter()
            .position(|m| m == member)
            .ok_or_else(|| not_found(member))?;
        members.remove(at);
        Ok(())
    }
}

/// A 400 naming the property, as Graph words it.
fn invalid(property: &str) -> Failure {
    bad(&format!(
        "Invalid value specified for property '{property}' of resource 'Group'."
    ))
}

/// Graph's 404 for an object that does not exist.
fn not_found(id: &str) -> Failure {
    (
        StatusCode::NOT_FOUND,
        "Request_ResourceNotFound",
        format!(
            "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
        ),
    )
}

/// A `mailNickname` Graph accepts: ASCII, none of `@ () \ [] " ; : <> ,` nor a space,
/// 1 to 64 characters.
fn check_nickname(body: &Map<String, Value>) -> Result<(), Failure> {
    let nickname = text(body, "mailNickname").unwrap_or_default();
    let refused = |c: char| !c.is_ascii() || "@()\\[]\";:<>, ".contains(c);
    if nickname.is_empty() || nickname.len() > 64 || nickname.chars().any(refused) {
        return Err(invalid("mailNickname"));
    }
    Ok(())
}

/// One page of `items` by `$top` (1 to 999, default 100) and the `$skiptoken` of the
/// previous page's absolute `@odata.nextLink`.
fn page(call: &Call<'_>, path: &str, items: Vec<Value>) -> Result<Response, Failure> {
    let top = bounded(call.param("$top"), 100, 1, 999)
        .ok_or_else(|| bad("Invalid page size specified: must be between 1 and 999 inclusive."))?;
    let offset = match call.param("$skiptoken") {
        None => 0,
        Some(token) => token
            .strip_prefix("X'")
            .and_then(|hex| usize::from_str_radix(hex.trim_end_matches('\''), 16).ok())
            .ok_or_else(|| bad("Invalid skip token."))?,
    };
    let total = items.len();
    let value: Vec<Value> = items.into_iter().skip(offset).take(top as usize).collect();
    let next = offset + value.len();
    let mut body =
        json!({"@odata.context": format!("{}/$metadata#{path}", call.base), "value": value});
    if next < total {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("$top", &top.to_string());
        if let Some(select) = call.param("$select") {
            query.append_pair("$select", select);
        }
        query.append_pair("$skiptoken", &format!("X'{next:x}'"));
        body["@odata.nextLink"] = Value::String(format!("{}/{path}?{}", call.base, query.finish()));
    }
    Ok(json_response(StatusCode::OK, &body))
}
