//! Google Workspace as the Admin SDK Directory API and the Enterprise License Manager
//! answer: users by id or primary email, `users.insert` requiring a primary email,
//! given and family names and a password (409 `duplicate`), merge PATCH, `suspended`,
//! `nextPageToken` paging with a required `customer`, and licence assignments (409 when
//! already assigned, 404 when not); groups and their members (`groups`). Errors are
//! Google's `{"error":{"code","message","errors":[{"reason"}]}}`.

mod groups;

use std::collections::{BTreeMap, BTreeSet};

use axum::http::{Method, StatusCode};
use axum::response::Response;
use connector_sdk::Manifest;
use serde_json::{Map, Value, json};

use super::{Api, Call, bounded, empty, json_response, merge, same, text, var};
use crate::scim::value::now_rfc3339;

/// The customer id of every sandbox Workspace.
const CUSTOMER_ID: &str = "C03sandbox";

/// Users and licence assignments of one Workspace.
#[derive(Debug)]
pub(crate) struct State {
    /// Users by id (ids sort in creation order).
    users: BTreeMap<String, Value>,
    /// Ids of users whose password was set.
    passwords: BTreeSet<String>,
    /// Assignments: (product, SKU, user id), in order.
    licenses: Vec<(String, String, String)>,
    /// The (product, SKU) pairs the customer has bought.
    skus: Vec<(String, String)>,
    /// The `customer` value besides `my_customer` and the id that names the customer.
    customer: String,
    /// The last id number handed out.
    seq: u64,
    /// Groups and their members.
    groups: groups::Groups,
}

type Failure = (StatusCode, &'static str, String);

impl State {
    /// An empty Workspace that owns the SKUs `manifest` names.
    pub(crate) fn new(manifest: &Manifest, variables: &BTreeMap<String, String>) -> Self {
        let skus = manifest
            .licenses
            .iter()
            .filter_map(|sku| {
                let param = |name: &str| {
                    sku.params
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, v)| (*v).to_owned())
                };
                Some((param("product")?, param("sku_id")?))
            })
            .collect();
        Self {
            users: BTreeMap::new(),
            passwords: BTreeSet::new(),
            licenses: Vec::new(),
            skus,
            customer: var(variables, "customer").to_owned(),
            seq: 0,
            groups: groups::Groups::default(),
        }
    }

    /// How many users there are.
    pub(crate) fn user_count(&self) -> usize {
        self.users.len()
    }

    /// The admin view.
    pub(crate) fn admin(&self) -> Value {
        let licenses: Vec<Value> = self
            .licenses
            .iter()
            .map(|(product, sku, id)| json!({"productId": product, "skuId": sku, "id": id, "userId": self.email(id)}))
            .collect();
        json!({
            "customer_id": CUSTOMER_ID,
            "users": self.users.values().collect::<Vec<_>>(),
            "password_set": self.passwords,
            "licenses": licenses,
            "groups": self.groups.admin(),
        })
    }

    /// Seeds a user (no password needed).
    pub(crate) fn seed(&mut self, body: Map<String, Value>) -> Result<Value, (StatusCode, String)> {
        self.insert(body, false).map_err(|(s, _, m)| (s, m))
    }

    /// Serves one call.
    pub(crate) fn serve(&mut self, call: &Call<'_>) -> Response {
        let answer = match call.api {
            Api::Licensing => self.licensing(call),
            _ => self.directory(call),
        };
        answer.unwrap_or_else(|(status, reason, message)| error(status, reason, &message))
    }

    fn directory(&mut self, call: &Call<'_>) -> Result<Response, Failure> {
        let customer = self.customer.clone();
        let customer_ok = |c: &str| {
            c == "my_customer" || c == CUSTOMER_ID || (!customer.is_empty() && c == customer)
        };
        let workspace = groups::Workspace {
            users: &self.users,
            customer_ok: &customer_ok,
        };
        if let Some(answer) = self.groups.route(call, &workspace) {
            return answer;
        }
        let ok = |body: &Value| Ok(json_response(StatusCode::OK, body));
        match (call.method.clone(), call.path().as_slice()) {
            (Method::GET, ["users"]) => self.list(call),
            (Method::POST, ["users"]) => {
                let body = call
                    .object()
                    .ok_or_else(|| invalid("Invalid JSON payload"))?;
                let mut user = self.insert(body.clone(), true)?;
                // The answer echoes what was sent, the password included.
                if let (Some(object), Some(password)) = (user.as_object_mut(), body.get("password"))
                {
                    object.insert("password".into(), password.clone());
                }
                ok(&user)
            }
            (Method::GET, ["users", key]) => ok(&self.users[&self.id_of(key)?]),
            (Method::PATCH | Method::PUT, ["users", key]) => {
                let id = self.id_of(key)?;
                let body = call
                    .object()
                    .ok_or_else(|| invalid("Invalid JSON payload"))?;
                ok(&self.update(&id, body)?)
            }
            (Method::DELETE, ["users", key]) => {
                let id = self.id_of(key)?;
                self.users.remove(&id);
                self.groups.forget(&id);
                self.passwords.remove(&id);
                self.licenses.retain(|(_, _, user)| *user != id);
                Ok(empty(StatusCode::NO_CONTENT))
            }
            _ => Err(not_found("Not Found")),
        }
    }

    /// `GET /users?customer=&maxResults=&pageToken=`.
    fn list(&self, call: &Call<'_>) -> Result<Response, Failure> {
        match (call.param("customer"), call.param("domain")) {
            (None, None) => {
                return Err((StatusCode::BAD_REQUEST, "badRequest", "Bad Request".into()));
            }
            (Some(customer), _) if !self.customer_ok(customer) => {
                return Err(not_found("Resource Not Found: customer"));
            }
            _ => {}
        }
        let max = call.param("maxResults");
        let count = bounded(max, 100, 1, 500).ok_or_else(|| {
            invalid(&format!(
                "Invalid value '{}'. Values must be within the range: [1, 500]",
                max.unwrap_or_default()
            ))
        })?;
        let offset = page_offset(call.param("pageToken"))?;
        let users: Vec<&Value> = self.users.values().collect();
        let page: Vec<&Value> = users
            .iter()
            .skip(offset)
            .take(count as usize)
            .copied()
            .collect();
        let mut body = json!({"kind": "admin#directory#users", "etag": "\"sandbox\""});
        if !page.is_empty() {
            body["users"] = json!(page);
        }
        let next = offset + page.len();
        if next < users.len() {
            body["nextPageToken"] = Value::String(token(next));
        }
        Ok(json_response(StatusCode::OK, &body))
    }

    fn licensing(&mut self, call: &Call<'_>) -> Result<Response, Failure> {
        let path = call.path();
        let (product, sku, rest) = match path.as_slice() {
            ["product", product, "sku", sku, rest @ ..] => (*product, *sku, rest),
            ["product", product, "users"] if call.method == Method::GET => {
                return self.assignments(call, product, None);
            }
            _ => return Err(not_found("Not Found")),
        };
        if !self.skus.iter().any(|(p, s)| p == product && s == sku) {
            return Err(not_found(&format!(
                "Resource Not Found: product {product} sku {sku}"
            )));
        }
        let held = |state: &Self, id: &str| {
            state
                .licenses
                .iter()
                .position(|(p, s, u)| p == product && s == sku && u == id)
        };
        match (call.method.clone(), rest) {
            (Method::GET, ["users"]) => self.assignments(call, product, Some(sku)),
            (Method::POST, ["user"]) => {
                let body = call
                    .object()
                    .ok_or_else(|| invalid("Invalid JSON payload"))?;
                let key = body
                    .get("userId")
                    .and_then(Value::as_str)
                    .ok_or_else(|| invalid("Missing required field: userId"))?;
                let id = self
                    .id_of(key)
                    .map_err(|_| invalid(&format!("Invalid Input: userId {key}")))?;
                if held(self, &id).is_some() {
                    return Err((
                        StatusCode::CONFLICT,
                        "duplicate",
                        "User already has a license for the specified product and SKU".into(),
                    ));
                }
                self.licenses
                    .push((product.to_owned(), sku.to_owned(), id.clone()));
                Ok(json_response(
                    StatusCode::OK,
                    &self.assignment(call, product, sku, &id),
                ))
            }
            (Method::GET | Method::DELETE, ["user", key]) => {
                let id = self.id_of(key).ok();
                let Some(index) = id.as_deref().and_then(|id| held(self, id)) else {
                    return Err(not_found(
                        "User does not have a license for specified sku and product",
                    ));
                };
                if call.method == Method::GET {
                    let id = self.licenses[index].2.clone();
                    return Ok(json_response(
                        StatusCode::OK,
                        &self.assignment(call, product, sku, &id),
                    ));
                }
                self.licenses.remove(index);
                Ok(empty(StatusCode::NO_CONTENT))
            }
            _ => Err(not_found("Not Found")),
        }
    }

    /// `GET .../users?customerId=&maxResults=&pageToken=`.
    fn assignments(
        &self,
        call: &Call<'_>,
        product: &str,
        sku: Option<&str>,
    ) -> Result<Response, Failure> {
        let customer = call
            .param("customerId")
            .ok_or_else(|| invalid("Missing required field: customerId"))?;
        if !self.customer_ok(customer) {
            return Err(not_found("Resource Not Found: customerId"));
        }
        let count = bounded(call.param("maxResults"), 100, 1, 1000)
            .ok_or_else(|| invalid("Invalid maxResults"))?;
        let offset = page_offset(call.param("pageToken"))?;
        let all: Vec<Value> = self
            .licenses
            .iter()
            .filter(|(p, s, _)| p == product && sku.is_none_or(|sku| sku == s))
            .map(|(p, s, id)| self.assignment(call, p, s, id))
            .collect();
        let page: Vec<&Value> = all.iter().skip(offset).take(count as usize).collect();
        let mut body = json!({"kind": "licensing#licenseAssignmentList", "items": page});
        if offset + page.len() < all.len() {
            body["nextPageToken"] = Value::String(token(offset + page.len()));
        }
        Ok(json_response(StatusCode::OK, &body))
    }

    fn assignment(&self, call: &Call<'_>, product: &str, sku: &str, id: &str) -> Value {
        let email = self.email(id);
        json!({
            "kind": "licensing#licenseAssignment",
            "etags": "\"sandbox\"",
            "productId": product,
            "skuId": sku,
            "userId": email,
            "selfLink": format!("{}/product/{product}/sku/{sku}/user/{email}", call.base),
        })
    }

    fn customer_ok(&self, customer: &str) -> bool {
        customer == "my_customer"
            || customer == CUSTOMER_ID
            || (!self.customer.is_empty() && customer == self.customer)
    }

    fn email(&self, id: &str) -> String {
        self.users
            .get(id)
            .and_then(|u| u.get("primaryEmail"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    }

    /// The id of the user `key` names: its id or its primary email (ignoring case).
    fn id_of(&self, key: &str) -> Result<String, Failure> {
        if self.users.contains_key(key) {
            return Ok(key.to_owned());
        }
        self.users
            .iter()
            .find(|(_, u)| {
                u.get("primaryEmail")
                    .and_then(Value::as_str)
                    .is_some_and(|e| same(e, key))
            })
            .map(|(id, _)| id.clone())
            .ok_or_else(|| not_found("Resource Not Found: userKey"))
    }

    fn email_taken(&self, email: &str, except: Option<&str>) -> bool {
        self.id_of(email)
            .is_ok_and(|id| Some(id.as_str()) != except)
            || self.groups.has_email(email)
    }

    /// `users.insert`.
    fn insert(
        &mut self,
        mut body: Map<String, Value>,
        need_password: bool,
    ) -> Result<Value, Failure> {
        let email = text(&body, "primaryEmail")
            .ok_or_else(|| invalid("Invalid Input: primary_user_email"))?
            .to_owned();
        if !email.contains('@') {
            return Err(invalid("Invalid Input: primary_user_email"));
        }
        for (path, which) in [
            ("name.givenName", "GivenName"),
            ("name.familyName", "FamilyName"),
        ] {
            if text(&body, path).is_none() {
                return Err(invalid(&format!("Invalid Given/Family Name: {which}")));
            }
        }
        let password = body.remove("password");
        body.remove("hashFunction");
        let password_ok = password
            .as_ref()
            .and_then(Value::as_str)
            .is_some_and(|p| p.chars().count() >= 8);
        if need_password && !password_ok {
            return Err(invalid("Invalid Password"));
        }
        if self.email_taken(&email, None) {
            return Err((
                StatusCode::CONFLICT,
                "duplicate",
                "Entity already exists.".into(),
            ));
        }
        self.seq += 1;
        let id = format!("1{:020}", self.seq);
        let mut user = json!({
            "kind": "admin#directory#user",
            "id": id,
            "etag": format!("\"{}\"", self.seq),
            "primaryEmail": email,
            "isAdmin": false,
            "isDelegatedAdmin": false,
            "lastLoginTime": "1970-01-01T00:00:00.000Z",
            "creationTime": now_rfc3339(),
            "agreedToTerms": false,
            "suspended": false,
            "archived": false,
            "changePasswordAtNextLogin": false,
            "ipWhitelisted": false,
            "emails": [{"address": email, "primary": true}],
            "customerId": CUSTOMER_ID,
            "orgUnitPath": "/",
            "isMailboxSetup": true,
            "includeInGlobalAddressList": true,
        })
        .as_object()
        .cloned()
        .unwrap_or_default();
        body.remove("id");
        merge(&mut user, &body);
        full_name(&mut user);
        if password_ok {
            self.passwords.insert(id.clone());
        }
        let user = Value::Object(user);
        self.users.insert(id, user.clone());
        Ok(user)
    }

    /// `users.patch`: merges the body.
    fn update(&mut self, id: &str, mut body: Map<String, Value>) -> Result<Value, Failure> {
        if let Some(email) = text(&body, "primaryEmail")
            && self.email_taken(email, Some(id))
        {
            return Err((
                StatusCode::CONFLICT,
                "duplicate",
                "Entity already exists.".into(),
            ));
        }
        if body.remove("password").is_some() {
            self.passwords.insert(id.to_owned());
        }
        for read_only in ["id", "kind", "creationTime", "customerId"] {
            body.remove(read_only);
        }
        let Some(Value::Object(user)) = self.users.get_mut(id) else {
            return Err(not_found("Resource Not Found: userKey"));
        };
        merge(user, &body);
        full_name(user);
        if let Some(email) = user.get("primaryEmail").cloned() {
            user.insert(
                "emails".into(),
                json!([{"address": email, "primary": true}]),
            );
        }
        Ok(Value::Object(user.clone()))
    }
}

/// Sets `name.fullName` from the given and family names.
fn full_name(user: &mut Map<String, Value>) {
    if let Some(Value::Object(name)) = user.get_mut("name") {
        let part = |key: &str| {
            name.get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let full = format!("{} {}", part("givenName"), part("familyName"))
            .trim()
            .to_owned();
        name.insert("fullName".into(), Value::String(full));
    }
}

/// A page token for `offset`.
fn token(offset: usize) -> String {
    format!("sbx{offset:x}")
}

/// The offset a page token stands for (0 without one).
fn page_offset(token: Option<&str>) -> Result<usize, Failure> {
    match token {
        None | Some("") => Ok(0),
        Some(token) => token
            .strip_prefix("sbx")
            .and_then(|hex| usize::from_str_radix(hex, 16).ok())
            .ok_or_else(|| invalid("Invalid Page Token")),
    }
}

fn invalid(message: &str) -> Failure {
    (StatusCode::BAD_REQUEST, "invalid", message.to_owned())
}

fn not_found(message: &str) -> Failure {
    (StatusCode::NOT_FOUND, "notFound", message.to_owned())
}

/// Google's error body.
fn error(status: StatusCode, reason: &str, message: &str) -> Response {
    json_response(
        status,
        &json!({"error": {
            "code": status.as_u16(),
            "message": message,
            "errors": [{"domain": "global", "reason": reason, "message": message}],
        }}),
    )
}
