//! Microsoft Graph users as Graph answers: `POST /users` requiring `accountEnabled`,
//! `displayName`, `mailNickname`, `userPrincipalName` and `passwordProfile` (a taken
//! UPN is a 400 `ObjectConflict`, as Graph does, not a 409); reads by id or UPN that
//! return Graph's default property set unless `$select` names others; `$top` paging
//! with an absolute `@odata.nextLink`; PATCH answering 204; DELETE moving the user to
//! deleted items; `assignLicense`, refused without a `usageLocation`; a domain federated
//! with `POST /domains/{domain}/federationConfiguration`, after which creating a user
//! of that domain without `onPremisesImmutableId` is refused; security groups and their
//! members (`groups`). Errors are `{"error":{"code","message","innerError"}}`.

mod groups;

use std::collections::{BTreeMap, BTreeSet};

use axum::http::{Method, StatusCode};
use axum::response::Response;
use connector_sdk::Manifest;
use serde_json::{Map, Value, json};

use super::{Call, bounded, empty, json_response, merge, same, text};
use crate::scim::value::now_rfc3339;

/// The properties Graph returns without `$select`.
const DEFAULT_PROPERTIES: &[&str] = &[
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
];

/// Properties a client never writes.
const READ_ONLY: &[&str] = &[
    "id",
    "createdDateTime",
    "assignedLicenses",
    "deletedDateTime",
];

/// The users of one Entra tenant.
#[derive(Debug)]
pub(crate) struct State {
    /// Users by id (ids sort in creation order).
    users: BTreeMap<String, Value>,
    /// Deleted users (restorable for 30 days at Microsoft).
    deleted: Vec<Value>,
    /// Ids of users with a password profile.
    passwords: BTreeSet<String>,
    /// The SKU ids the tenant subscribes to.
    skus: Vec<String>,
    /// The last id number handed out.
    seq: u64,
    /// Federated domains (lowercase) with their `internalDomainFederation`.
    federated: BTreeMap<String, Value>,
    /// Security groups and their members.
    groups: groups::Groups,
}

type Failure = (StatusCode, &'static str, String);

impl State {
    /// An empty tenant subscribed to the SKUs `manifest` names.
    pub(crate) fn new(manifest: &Manifest) -> Self {
        let skus = manifest
            .licenses
            .iter()
            .flat_map(|sku| sku.params.iter())
            .filter(|(name, _)| *name == "sku_id")
            .map(|(_, id)| (*id).to_owned())
            .collect();
        Self {
            users: BTreeMap::new(),
            deleted: Vec::new(),
            passwords: BTreeSet::new(),
            skus,
            seq: 0,
            federated: BTreeMap::new(),
            groups: groups::Groups::default(),
        }
    }

    /// How many users there are (deleted ones left out).
    pub(crate) fn user_count(&self) -> usize {
        self.users.len()
    }

    /// The admin view: every property of every user.
    pub(crate) fn admin(&self) -> Value {
        json!({
            "users": self.users.values().collect::<Vec<_>>(),
            "deleted": self.deleted,
            "password_set": self.passwords,
            "subscribed_skus": self.skus,
            "federated_domains": self.federated.keys().collect::<Vec<_>>(),
            "groups": self.groups.admin(),
        })
    }

    /// Seeds a user (no password profile needed).
    pub(crate) fn seed(&mut self, body: Map<String, Value>) -> Result<Value, (StatusCode, String)> {
        self.insert(body, false).map_err(|(s, _, m)| (s, m))
    }

    /// Serves one call below `/v1.0`.
    pub(crate) fn serve(&mut self, call: &Call<'_>) -> Response {
        self.route(call)
            .unwrap_or_else(|(status, code, message)| error(status, code, &message))
    }

    fn route(&mut self, call: &Call<'_>) -> Result<Response, Failure> {
        if let Some(answer) = self.groups.route(call, &self.users) {
            return answer;
        }
        let select = select(call);
        let ok =
            |status, user: &Value| Ok(json_response(status, &project(user, select.as_deref())));
        match (call.method.clone(), call.path().as_slice()) {
            (Method::GET, ["users"]) => self.list(call, select.as_deref()),
            (Method::POST, ["users"]) => {
                let body = call.object().ok_or_else(|| bad("Invalid request body."))?;
                ok(StatusCode::CREATED, &self.insert(body, true)?)
            }
            (Method::GET, ["users", key]) => ok(StatusCode::OK, &self.users[&self.id_of(key)?]),
            (Method::PATCH, ["users", key]) => {
                let id = self.id_of(key)?;
                let body = call.object().ok_or_else(|| bad("Invalid request body."))?;
                self.update(&id, body)?;
                Ok(empty(StatusCode::NO_CONTENT))
            }
            (Method::DELETE, ["users", key]) => {
                let id = self.id_of(key)?;
                self.groups.forget(&id);
                if let Some(Value::Object(mut user)) = self.users.remove(&id) {
                    user.insert("deletedDateTime".into(), Value::String(now_rfc3339()));
                    self.deleted.push(Value::Object(user));
                }
                Ok(empty(StatusCode::NO_CONTENT))
            }
            (Method::POST, ["users", key, "assignLicense"]) => {
                let id = self.id_of(key)?;
                let body = call.object().ok_or_else(|| bad("Invalid request body."))?;
                self.assign_license(&id, &body)?;
                ok(StatusCode::OK, &self.users[&id])
            }
            (Method::POST, ["domains", domain, "federationConfiguration"]) => {
                let body = call.object().ok_or_else(|| bad("Invalid request body."))?;
                Ok(json_response(
                    StatusCode::CREATED,
                    &self.federate(domain, body)?,
                ))
            }
            (Method::GET, ["domains", domain, "federationConfiguration"]) => {
                let value: Vec<&Value> = self
                    .federated
                    .get(&domain.to_lowercase())
                    .into_iter()
                    .collect();
                Ok(json_response(StatusCode::OK, &json!({"value": value})))
            }
            (Method::GET, ["directory", "deletedItems", "microsoft.graph.user"]) => {
                Ok(json_response(
                    StatusCode::OK,
                    &json!({"value": self.deleted.iter().map(|u| project(u, select.as_deref())).collect::<Vec<_>>()}),
                ))
            }
            _ => Err((
                StatusCode::BAD_REQUEST,
                "BadRequest",
                format!(
                    "Resource not found for the segment '{}'.",
                    call.segments.last().map_or("", String::as_str)
                ),
            )),
        }
    }

    /// `GET /users?$top=&$select=&$skiptoken=`.
    fn list(&self, call: &Call<'_>, select: Option<&[String]>) -> Result<Response, Failure> {
        let top = bounded(call.param("$top"), 100, 1, 999).ok_or_else(|| {
            bad("Invalid page size specified: must be between 1 and 999 inclusive.")
        })?;
        let offset = match call.param("$skiptoken") {
            None => 0,
            Some(token) => token
                .strip_prefix("X'")
                .and_then(|hex| usize::from_str_radix(hex.trim_end_matches('\''), 16).ok())
                .ok_or_else(|| bad("Invalid skip token."))?,
        };
        let users: Vec<&Value> = self.users.values().collect();
        let page: Vec<Value> = users
            .iter()
            .skip(offset)
            .take(top as usize)
            .map(|u| project(u, select))
            .collect();
        let mut body =
            json!({"@odata.context": format!("{}/$metadata#users", call.base), "value": page});
        let next = offset + page.len();
        if next < users.len() {
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            query.append_pair("$top", &top.to_string());
            if let Some(select) = select {
                query.append_pair("$select", &select.join(","));
            }
            query.append_pair("$skiptoken", &format!("X'{next:x}'"));
            body["@odata.nextLink"] =
                Value::String(format!("{}/users?{}", call.base, query.finish()));
        }
        Ok(json_response(StatusCode::OK, &body))
    }

    /// The id of the user `key` names: its id or its UPN (ignoring case).
    fn id_of(&self, key: &str) -> Result<String, Failure> {
        if self.users.contains_key(key) {
            return Ok(key.to_owned());
        }
        self.users
            .iter()
            .find(|(_, u)| u.get("userPrincipalName").and_then(Value::as_str).is_some_and(|n| same(n, key)))
            .map(|(id, _)| id.clone())
            .ok_or_else(|| {
                (StatusCode::NOT_FOUND, "Request_ResourceNotFound", format!("Resource '{key}' does not exist or one of its queried reference-property objects are not present."))
            })
    }

    fn check_upn(&self, upn: &str, except: Option<&str>) -> Result<(), Failure> {
        if !upn.contains('@') {
            return Err(bad(
                "Invalid value specified for property 'userPrincipalName' of resource 'User'.",
            ));
        }
        if self.id_of(upn).is_ok_and(|id| Some(id.as_str()) != except) {
            return Err(bad(
                "Another object with the same value for property userPrincipalName already exists.",
            ));
        }
        Ok(())
    }

    fn insert(&mut self, mut body: Map<String, Value>, strict: bool) -> Result<Value, Failure> {
        let required: &[&str] = if strict {
            &["displayName", "mailNickname", "userPrincipalName"]
        } else {
            &["userPrincipalName"]
        };
        for property in required {
            if text(&body, property).is_none() {
                return Err(bad(&format!(
                    "Invalid value specified for property '{property}' of resource 'User'."
                )));
            }
        }
        if strict && !body.get("accountEnabled").is_some_and(Value::is_boolean) {
            return Err(bad(
                "Invalid value specified for property 'accountEnabled' of resource 'User'.",
            ));
        }
        let password = body.remove("passwordProfile");
        let has_password = password
            .as_ref()
            .and_then(|p| p.get("password"))
            .and_then(Value::as_str)
            .is_some_and(|p| !p.is_empty());
        if strict && !has_password {
            return Err(bad(
                "Invalid value specified for property 'passwordProfile' of resource 'User'.",
            ));
        }
        let upn = text(&body, "userPrincipalName")
            .unwrap_or_default()
            .to_owned();
        self.check_upn(&upn, None)?;
        self.check_anchor(&upn, &body)?;
        for key in READ_ONLY {
            body.remove(*key);
        }
        self.seq += 1;
        let id = format!("{:08x}-5a0d-4b0c-8e1f-{:012x}", self.seq, self.seq);
        let mut user = json!({
            "id": id,
            "businessPhones": [],
            "accountEnabled": true,
            "assignedLicenses": [],
            "createdDateTime": now_rfc3339(),
            "mail": null,
        })
        .as_object()
        .cloned()
        .unwrap_or_default();
        merge(&mut user, &body);
        if has_password {
            self.passwords.insert(id.clone());
        }
        let user = Value::Object(user);
        self.users.insert(id, user.clone());
        Ok(user)
    }

    /// Makes `domain` federated (`internalDomainFederation`: `issuerUri` and
    /// `passiveSignInUri` required here, as the federation settings need them); returns
    /// the stored configuration. Source:
    /// https://learn.microsoft.com/graph/api/domain-post-federationconfiguration
    fn federate(&mut self, domain: &str, mut body: Map<String, Value>) -> Result<Value, Failure> {
        for property in ["issuerUri", "passiveSignInUri"] {
            if text(&body, property).is_none() {
                return Err(bad(&format!(
                    "Invalid value specified for property '{property}' of resource 'InternalDomainFederation'."
                )));
            }
        }
        let domain = domain.to_lowercase();
        if self.federated.contains_key(&domain) {
            return Err((
                StatusCode::CONFLICT,
                "Request_MultipleObjectsWithSameKeyValue",
                format!("Domain '{domain}' is already federated."),
            ));
        }
        self.seq += 1;
        body.insert(
            "id".into(),
            Value::String(format!("{:08x}-fed0-4b0c-8e1f-{:012x}", self.seq, self.seq)),
        );
        let stored = Value::Object(body);
        self.federated.insert(domain, stored.clone());
        Ok(stored)
    }

    /// A user of a federated domain needs `onPremisesImmutableId` (the anchor the IdP's
    /// NameID is matched against). Microsoft documents the requirement ("Required only
    /// when creating a new user account if you are using a federated domain for the
    /// user's userPrincipalName", https://learn.microsoft.com/graph/api/user-post-users)
    /// but not the error; Graph answers 400 `Request_BadRequest` "SourceAnchor is a
    /// required property for creation of a federated user." as reported in
    /// https://github.com/microsoftgraph/microsoft-graph-docs/issues/8668 (an older
    /// answer was "One or more properties contains invalid values.",
    /// https://github.com/microsoftgraph/dotnetcore-console-sample/issues/46).
    fn check_anchor(&self, upn: &str, body: &Map<String, Value>) -> Result<(), Failure> {
        let domain = upn.rsplit_once('@').map_or("", |(_, d)| d).to_lowercase();
        if self.federated.contains_key(&domain) && text(body, "onPremisesImmutableId").is_none() {
            return Err(bad(
                "SourceAnchor is a required property for creation of a federated user.",
            ));
        }
        Ok(())
    }

    fn update(&mut self, id: &str, mut body: Map<String, Value>) -> Result<(), Failure> {
        if let Some(upn) = body.get("userPrincipalName").and_then(Value::as_str) {
            self.check_upn(upn, Some(id))?;
        }
        if body.remove("passwordProfile").is_some() {
            self.passwords.insert(id.to_owned());
        }
        for key in READ_ONLY {
            body.remove(*key);
        }
        if let Some(Value::Object(user)) = self.users.get_mut(id) {
            merge(user, &body);
        }
        Ok(())
    }

    /// `assignLicense`: both lists are required; adding needs a usage location.
    fn assign_license(&mut self, id: &str, body: &Map<String, Value>) -> Result<(), Failure> {
        let (Some(Value::Array(add)), Some(Value::Array(remove))) =
            (body.get("addLicenses"), body.get("removeLicenses"))
        else {
            return Err(bad(
                "Invalid value specified for property 'addLicenses' or 'removeLicenses'.",
            ));
        };
        let user = self
            .users
            .get(id)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut held: Vec<Value> = user
            .get("assignedLicenses")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let sku_of = |v: &Value| {
            v.get("skuId")
                .and_then(Value::as_str)
                .map(str::to_lowercase)
        };
        for license in add {
            let sku = sku_of(license)
                .ok_or_else(|| bad("Invalid value specified for property 'skuId'."))?;
            if !self.skus.iter().any(|s| same(s, &sku)) {
                return Err(bad(&format!(
                    "License {sku} does not correspond to a valid company License."
                )));
            }
        }
        if !add.is_empty() && text(&user, "usageLocation").is_none() {
            return Err(bad(
                "License assignment cannot be done for user with invalid usage location.",
            ));
        }
        for sku in remove {
            let sku = sku.as_str().map(str::to_lowercase).unwrap_or_default();
            let before = held.len();
            held.retain(|l| sku_of(l).as_deref() != Some(sku.as_str()));
            if held.len() == before {
                return Err(bad("User does not have a corresponding license."));
            }
        }
        for license in add {
            let sku = sku_of(license);
            held.retain(|l| sku_of(l) != sku);
            let plans = license
                .get("disabledPlans")
                .cloned()
                .unwrap_or_else(|| json!([]));
            held.push(json!({"skuId": sku, "disabledPlans": plans}));
        }
        if let Some(Value::Object(user)) = self.users.get_mut(id) {
            user.insert("assignedLicenses".into(), Value::Array(held));
        }
        Ok(())
    }
}

/// The `$select` list, if any.
fn select(call: &Call<'_>) -> Option<Vec<String>> {
    call.param("$select").map(|list| {
        list.split(',')
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect()
    })
}

/// The properties a read returns: those selected plus `id`, else the default set
/// (absent ones as `null`).
fn project(user: &Value, select: Option<&[String]>) -> Value {
    project_with(user, select, DEFAULT_PROPERTIES)
}

/// The properties of `object` a read returns: those selected plus `id`, else
/// `defaults` (absent ones as `null`).
fn project_with(object: &Value, select: Option<&[String]>, defaults: &[&str]) -> Value {
    let user = object;
    let names: Vec<&str> = match select {
        Some(list) => list.iter().map(String::as_str).chain(["id"]).collect(),
        None => defaults.to_vec(),
    };
    let mut out = Map::new();
    for name in names {
        let value = user.get(name).cloned().unwrap_or(Value::Null);
        out.insert(name.to_owned(), value);
    }
    Value::Object(out)
}

fn bad(message: &str) -> Failure {
    (
        StatusCode::BAD_REQUEST,
        "Request_BadRequest",
        message.to_owned(),
    )
}

/// Graph's error body.
fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let mut body = json!({"error": {
        "code": code,
        "message": message,
        "innerError": {"date": now_rfc3339(), "request-id": "00000000-0000-0000-0000-000000000000"},
    }});
    if message.starts_with("Another object") {
        body["error"]["details"] =
            json!([{"target": "userPrincipalName", "code": "ObjectConflict"}]);
    }
    json_response(status, &body)
}
