//! One tenant's in-memory data: Users and Groups with server-maintained `id` and `meta`,
//! and the User `groups` attribute derived from Group memberships.

mod undeclared;
mod validate;

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::scim::attr_path::{CORE_GROUP_SCHEMA, CORE_USER_SCHEMA};
use crate::scim::value::{get_ci, now_rfc3339, set_ci};

pub(crate) use undeclared::{screen_patch, screen_resource};
pub(crate) use validate::{check_schemas, clean_group, clean_user};

/// The two resource types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `/Users`.
    User,
    /// `/Groups`.
    Group,
}

impl Kind {
    /// The endpoint segment (`Users`).
    pub(crate) fn endpoint(self) -> &'static str {
        match self {
            Self::User => "Users",
            Self::Group => "Groups",
        }
    }

    /// The resource type name (`User`).
    pub(crate) fn resource_type(self) -> &'static str {
        match self {
            Self::User => "User",
            Self::Group => "Group",
        }
    }

    /// The core schema URN.
    pub(crate) fn core_schema(self) -> &'static str {
        match self {
            Self::User => CORE_USER_SCHEMA,
            Self::Group => CORE_GROUP_SCHEMA,
        }
    }
}

/// Users and Groups of one tenant, in creation order.
#[derive(Debug)]
pub(crate) struct Store {
    /// Users by id (ids sort in creation order).
    users: BTreeMap<String, Value>,
    /// Groups by id.
    groups: BTreeMap<String, Value>,
    /// The last id number handed out.
    seq: u64,
    /// The last version handed out.
    version: u64,
    /// The tenant's SCIM base URL, for `meta.location`.
    base: String,
}

impl Store {
    /// An empty store whose resources live under `base` (`http://host/tenant/scim/v2`).
    pub(crate) fn new(base: String) -> Self {
        Self {
            users: BTreeMap::new(),
            groups: BTreeMap::new(),
            seq: 0,
            version: 0,
            base,
        }
    }

    /// Forgets every resource.
    pub(crate) fn clear(&mut self) {
        self.users.clear();
        self.groups.clear();
    }

    fn map(&self, kind: Kind) -> &BTreeMap<String, Value> {
        match kind {
            Kind::User => &self.users,
            Kind::Group => &self.groups,
        }
    }

    fn map_mut(&mut self, kind: Kind) -> &mut BTreeMap<String, Value> {
        match kind {
            Kind::User => &mut self.users,
            Kind::Group => &mut self.groups,
        }
    }

    /// How many resources of `kind` there are.
    pub(crate) fn len(&self, kind: Kind) -> usize {
        self.map(kind).len()
    }

    /// The stored resource (without derived attributes).
    pub(crate) fn get(&self, kind: Kind, id: &str) -> Option<&Value> {
        self.map(kind).get(id)
    }

    /// The kind of the resource with this id, if any.
    pub(crate) fn kind_of(&self, id: &str) -> Option<Kind> {
        if self.users.contains_key(id) {
            Some(Kind::User)
        } else if self.groups.contains_key(id) {
            Some(Kind::Group)
        } else {
            None
        }
    }

    /// Every resource of `kind` as clients see it, in creation order.
    pub(crate) fn all(&self, kind: Kind) -> Vec<Value> {
        self.map(kind)
            .values()
            .map(|r| self.render(kind, r))
            .collect()
    }

    /// One page of the resources of `kinds` (each kind in creation order), from the
    /// 0-based `skip`, at most `take`, as clients see them, and how many there are in
    /// all. Only the page is rendered.
    pub(crate) fn page(&self, kinds: &[Kind], skip: usize, take: usize) -> (usize, Vec<Value>) {
        let total = kinds.iter().map(|kind| self.len(*kind)).sum();
        let page = kinds
            .iter()
            .flat_map(|kind| self.map(*kind).values().map(move |r| (*kind, r)))
            .skip(skip)
            .take(take)
            .map(|(kind, r)| self.render(kind, r))
            .collect();
        (total, page)
    }

    /// The resource as clients see it: Users get their `groups`.
    pub(crate) fn render(&self, kind: Kind, resource: &Value) -> Value {
        let mut out = resource.clone();
        if kind == Kind::User
            && let (Some(id), Some(object)) = (
                resource.get("id").and_then(Value::as_str),
                out.as_object_mut(),
            )
        {
            let groups: Vec<Value> = self
                .groups
                .values()
                .filter(|group| members_of(group).any(|member| member == id))
                .map(|group| {
                    json!({
                        "value": group["id"],
                        "$ref": group["meta"]["location"],
                        "display": group.get("displayName").cloned().unwrap_or(Value::Null),
                        "type": "direct",
                    })
                })
                .collect();
            if !groups.is_empty() {
                object.insert("groups".to_owned(), Value::Array(groups));
            }
        }
        out
    }

    /// Whether another User than `except` has `user_name` (compared ignoring case).
    pub(crate) fn user_name_taken(&self, user_name: &str, except: Option<&str>) -> bool {
        let wanted = user_name.to_lowercase();
        self.users.iter().any(|(id, user)| {
            Some(id.as_str()) != except
                && user
                    .as_object()
                    .and_then(|u| get_ci(u, "userName"))
                    .and_then(Value::as_str)
                    .is_some_and(|name| name.to_lowercase() == wanted)
        })
    }

    /// Stores a new resource with a fresh `id` and `meta`; returns it as clients see it.
    pub(crate) fn insert(&mut self, kind: Kind, mut body: Map<String, Value>) -> Value {
        self.seq += 1;
        let id = format!("00000000-0000-4000-8000-{:012x}", self.seq);
        let now = now_rfc3339();
        body.insert("id".to_owned(), Value::String(id.clone()));
        let meta = json!({
            "resourceType": kind.resource_type(),
            "created": now,
            "lastModified": now,
            "version": self.next_version(),
            "location": format!("{}/{}/{id}", self.base, kind.endpoint()),
        });
        body.insert("meta".to_owned(), meta);
        let resource = Value::Object(body);
        self.map_mut(kind).insert(id, resource.clone());
        self.render(kind, &resource)
    }

    /// Replaces the attributes of an existing resource, keeping `id` and `meta.created`;
    /// `None` when there is no such resource.
    pub(crate) fn replace(
        &mut self,
        kind: Kind,
        id: &str,
        mut body: Map<String, Value>,
    ) -> Option<Value> {
        let version = self.next_version();
        let current = self.map_mut(kind).get_mut(id)?;
        let mut meta = current.get("meta").cloned().unwrap_or_else(|| json!({}));
        if let Some(meta) = meta.as_object_mut() {
            meta.insert("lastModified".to_owned(), Value::String(now_rfc3339()));
            meta.insert("version".to_owned(), version);
        }
        body.insert("id".to_owned(), Value::String(id.to_owned()));
        body.insert("meta".to_owned(), meta);
        *current = Value::Object(body);
        let resource = current.clone();
        Some(self.render(kind, &resource))
    }

    /// Sets `active` on a User; `None` when there is no such User.
    pub(crate) fn set_active(&mut self, id: &str, active: bool) -> Option<Value> {
        let mut body = self.users.get(id)?.as_object()?.clone();
        set_ci(&mut body, "active", Value::Bool(active));
        self.replace(Kind::User, id, body)
    }

    /// Removes a resource (and a removed User from every Group); whether it existed.
    pub(crate) fn remove(&mut self, kind: Kind, id: &str) -> bool {
        if self.map_mut(kind).remove(id).is_none() {
            return false;
        }
        let version = self.next_version();
        for group in self.groups.values_mut() {
            let Some(members) = group.get_mut("members").and_then(Value::as_array_mut) else {
                continue;
            };
            let before = members.len();
            members.retain(|m| m.get("value").and_then(Value::as_str) != Some(id));
            if members.len() != before
                && let Some(meta) = group.get_mut("meta").and_then(Value::as_object_mut)
            {
                meta.insert("version".to_owned(), version.clone());
                meta.insert("lastModified".to_owned(), Value::String(now_rfc3339()));
            }
        }
        true
    }

    fn next_version(&mut self) -> Value {
        self.version += 1;
        Value::String(format!("W/\"{}\"", self.version))
    }
}

/// The member ids of a Group.
fn members_of(group: &Value) -> impl Iterator<Item = &str> {
    group
        .get("members")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| m.get("value").and_then(Value::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn keeps_meta_and_derives_groups() {
        let mut store = Store::new("http://h/t/scim/v2".into());
        let ada = store.insert(Kind::User, object(json!({"userName": "Ada"})));
        let id = ada["id"].as_str().unwrap().to_owned();
        assert_eq!(
            ada["meta"]["location"],
            format!("http://h/t/scim/v2/Users/{id}")
        );
        assert!(store.user_name_taken("ADA", None));
        assert!(!store.user_name_taken("ada", Some(&id)));
        let group = store.insert(
            Kind::Group,
            object(json!({"displayName": "Eng", "members": [{"value": id}]})),
        );
        let rendered = store.render(Kind::User, store.get(Kind::User, &id).unwrap());
        assert_eq!(rendered["groups"][0]["display"], "Eng");
        let replaced = store
            .replace(Kind::User, &id, object(json!({"userName": "ada2"})))
            .unwrap();
        assert_eq!(replaced["meta"]["created"], ada["meta"]["created"]);
        assert_ne!(replaced["meta"]["version"], ada["meta"]["version"]);
        assert!(store.remove(Kind::User, &id));
        let gid = group["id"].as_str().unwrap();
        assert_eq!(store.get(Kind::Group, gid).unwrap()["members"], json!([]));
        assert!(!store.remove(Kind::User, &id));
        assert_eq!(store.kind_of(gid), Some(Kind::Group));
    }
}
