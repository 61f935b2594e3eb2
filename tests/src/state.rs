//! Reads and seeds a SCIM server's data with plain HTTP, independently of any connector.
//!
//! Every method panics with a message naming the request when the server answers
//! something unexpected: these are assertions, not a client.

use connector_sdk::Secret;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The core SCIM User schema URN.
const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// The core SCIM Group schema URN.
const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// The SCIM media type.
const SCIM_JSON: &str = "application/scim+json";
/// The page size used when reading everything.
const READ_PAGE: u64 = 100;

/// An independent view of a SCIM server's users and groups (see the module docs).
#[derive(Debug, Clone)]
pub struct StateChecker {
    client: reqwest::Client,
    base_url: String,
    token: Secret,
}

impl StateChecker {
    /// A checker for the SCIM service at `base_url` (without a trailing slash) that
    /// authenticates with the bearer `token`.
    pub fn new(base_url: impl Into<String>, token: Secret) -> Self {
        crate::install_crypto_provider();
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .expect("a plain HTTP client builds");
        Self {
            client,
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            token,
        }
    }

    /// The user with this id, or `None` when the server answers 404.
    pub async fn get_user(&self, id: &str) -> Option<Value> {
        self.get_resource("Users", id).await
    }

    /// The users whose `userName` equals `user_name` (a SCIM `eq` filter, so compared the
    /// way the server compares: case-insensitively for `userName`).
    pub async fn find_by_user_name(&self, user_name: &str) -> Vec<Value> {
        let filter = format!("userName eq {}", filter_string(user_name));
        self.list_all("Users", Some(&filter)).await
    }

    /// How many users the server holds (its `totalResults`).
    pub async fn count_users(&self) -> u64 {
        let (status, body) = self
            .send(Method::GET, "/Users", &[("count", "0".to_owned())], None)
            .await;
        expect_status(status, StatusCode::OK, "GET /Users?count=0", &body);
        total_results(&body, "GET /Users?count=0")
    }

    /// Every user record, read page by page.
    pub async fn list_users(&self) -> Vec<Value> {
        self.list_all("Users", None).await
    }

    /// The ids of all users, read page by page.
    pub async fn list_user_ids(&self) -> Vec<String> {
        self.list_users()
            .await
            .iter()
            .map(|user| resource_id(user, "GET /Users").to_owned())
            .collect()
    }

    /// Creates a user directly (for adopt and conflict tests) and returns its id. When
    /// `user` has no `schemas`, the core User schema and every top-level `urn:` key are
    /// declared for it.
    pub async fn seed_user(&self, mut user: Value) -> String {
        if let Some(object) = user.as_object_mut()
            && !object.contains_key("schemas")
        {
            let mut schemas = vec![Value::from(USER_SCHEMA)];
            schemas.extend(
                object
                    .keys()
                    .filter(|key| key.starts_with("urn:"))
                    .map(|key| Value::from(key.as_str())),
            );
            object.insert("schemas".to_owned(), Value::Array(schemas));
        }
        self.create("Users", user).await
    }

    /// Replaces one attribute of a user directly (an admin's hand edit), with a SCIM PATCH.
    pub async fn replace_attribute(&self, id: &str, attribute: &str, value: Value) {
        let patch = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{ "op": "replace", "path": attribute, "value": value }],
        });
        let path = format!("/Users/{id}");
        let (status, body) = self.send(Method::PATCH, &path, &[], Some(&patch)).await;
        assert!(
            status == StatusCode::OK || status == StatusCode::NO_CONTENT,
            "PATCH {path} ({attribute}) answered {status}: {body}"
        );
    }

    /// Sets `active` on a user directly, with a SCIM PATCH.
    pub async fn set_active(&self, id: &str, active: bool) {
        let patch = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{ "op": "replace", "path": "active", "value": active }],
        });
        let path = format!("/Users/{id}");
        let (status, body) = self.send(Method::PATCH, &path, &[], Some(&patch)).await;
        assert!(
            status == StatusCode::OK || status == StatusCode::NO_CONTENT,
            "PATCH {path} (active={active}) answered {status}: {body}"
        );
    }

    /// The group with this id, or `None` when the server answers 404.
    pub async fn get_group(&self, id: &str) -> Option<Value> {
        self.get_resource("Groups", id).await
    }

    /// The group whose `displayName` equals `display_name`, if any.
    pub async fn find_group(&self, display_name: &str) -> Option<Value> {
        let filter = format!("displayName eq {}", filter_string(display_name));
        let mut groups = self.list_all("Groups", Some(&filter)).await;
        match groups.len() {
            0 => None,
            1 => groups.pop(),
            n => panic!("{n} groups are named {display_name:?}; expected at most one"),
        }
    }

    /// Renames a group directly (an admin's hand edit), with a SCIM PATCH.
    pub async fn rename_group(&self, id: &str, display_name: &str) {
        let patch = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{ "op": "replace", "path": "displayName", "value": display_name }],
        });
        let path = format!("/Groups/{id}");
        let (status, body) = self.send(Method::PATCH, &path, &[], Some(&patch)).await;
        assert!(
            status == StatusCode::OK || status == StatusCode::NO_CONTENT,
            "PATCH {path} (displayName) answered {status}: {body}"
        );
    }

    /// The ids of a group's members, as the server lists them.
    pub async fn group_member_ids(&self, id: &str) -> Vec<String> {
        let group = self
            .get_group(id)
            .await
            .unwrap_or_else(|| panic!("no group {id}"));
        let mut ids: Vec<String> = group["members"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m["value"].as_str().map(str::to_owned))
            .collect();
        ids.sort();
        ids
    }

    /// Creates a group directly from `group` (a SCIM Group) and returns its id.
    pub async fn seed_group_resource(&self, group: Value) -> String {
        self.create("Groups", group).await
    }

    /// Creates an empty group directly and returns its id.
    pub async fn seed_group(&self, display_name: &str) -> String {
        let group = json!({ "schemas": [GROUP_SCHEMA], "displayName": display_name });
        self.create("Groups", group).await
    }

    /// GET `/{endpoint}/{id}`: the resource, or `None` on 404.
    async fn get_resource(&self, endpoint: &str, id: &str) -> Option<Value> {
        let path = format!("/{endpoint}/{id}");
        let (status, body) = self.send(Method::GET, &path, &[], None).await;
        match status {
            StatusCode::OK => Some(body),
            StatusCode::NOT_FOUND => None,
            other => panic!("GET {path} answered {other}: {body}"),
        }
    }

    /// POST to `/{endpoint}` expecting 201; returns the new id.
    async fn create(&self, endpoint: &str, resource: Value) -> String {
        let path = format!("/{endpoint}");
        let (status, body) = self.send(Method::POST, &path, &[], Some(&resource)).await;
        let what = format!("POST {path} {resource}");
        expect_status(status, StatusCode::CREATED, &what, &body);
        resource_id(&body, &what).to_owned()
    }

    /// Every resource of `/{endpoint}` matching `filter`, page by page.
    async fn list_all(&self, endpoint: &str, filter: Option<&str>) -> Vec<Value> {
        let path = format!("/{endpoint}");
        let mut resources = Vec::new();
        let mut start = 1u64;
        loop {
            let mut query = vec![
                ("startIndex", start.to_string()),
                ("count", READ_PAGE.to_string()),
            ];
            if let Some(filter) = filter {
                query.push(("filter", filter.to_owned()));
            }
            let (status, body) = self.send(Method::GET, &path, &query, None).await;
            let what = format!("GET {path} {query:?}");
            expect_status(status, StatusCode::OK, &what, &body);
            let total = total_results(&body, &what);
            let page = body
                .get("Resources")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let read = page.len() as u64;
            resources.extend(page);
            start += read;
            if read == 0 || start > total {
                return resources;
            }
        }
    }

    /// Sends one authenticated request; returns the status and the JSON body (`Null` when
    /// empty, a string when not JSON).
    async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let url = format!("{}{path}", self.base_url);
        let mut request = self
            .client
            .request(method.clone(), &url)
            .bearer_auth(self.token.expose())
            .header(reqwest::header::ACCEPT, SCIM_JSON);
        if !query.is_empty() {
            request = request.query(query);
        }
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, SCIM_JSON)
                .body(body.to_string());
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {url} failed: {e}"));
        let status = response.status();
        let text = response
            .text()
            .await
            .unwrap_or_else(|e| panic!("{method} {url}: cannot read the body: {e}"));
        let value = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }
}

/// A SCIM filter string literal.
fn filter_string(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Panics unless `status` is `expected`.
fn expect_status(status: StatusCode, expected: StatusCode, what: &str, body: &Value) {
    assert_eq!(status, expected, "{what} answered {status}: {body}");
}

/// A list response's `totalResults`.
fn total_results(body: &Value, what: &str) -> u64 {
    body.get("totalResults")
        .and_then(Value::as_u64)
        .unwrap_or_else(|| panic!("{what}: no totalResults in {body}"))
}

/// A resource's `id`.
fn resource_id<'a>(resource: &'a Value, what: &str) -> &'a str {
    resource
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{what}: no id in {resource}"))
}
