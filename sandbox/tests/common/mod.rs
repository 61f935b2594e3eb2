//! Plain-HTTP helpers shared by the sandbox's integration tests.

#![allow(dead_code)]

use connector_sandbox::{SandboxHandle, TenantHandle};
use connector_sdk::Manifest;
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// A status, the headers and the JSON body (`Null` when empty) of one answer.
pub(crate) struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    /// A response header as text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A plain HTTP client (no retries, no connector).
pub(crate) fn client() -> reqwest::Client {
    connector_tests::install_crypto_provider();
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("a plain client builds")
}

/// Sends one request with an optional bearer token and JSON body.
pub(crate) async fn send(
    method: Method,
    url: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Answer {
    try_send(method.clone(), url, token, body)
        .await
        .unwrap_or_else(|e| panic!("{method} {url} failed: {e}"))
}

/// Like [`send`], but a transport failure is returned.
pub(crate) async fn try_send(
    method: Method,
    url: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Result<Answer, reqwest::Error> {
    let mut request = client().request(method, url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/scim+json")
            .body(body.to_string());
    }
    let response = request.send().await?;
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await?;
    let body = if text.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// SCIM calls on one tenant with its bearer token.
pub(crate) struct Scim {
    pub base: String,
    pub token: String,
}

impl Scim {
    /// The tenant's SCIM API.
    pub(crate) fn of(tenant: &TenantHandle) -> Self {
        Self {
            base: tenant.scim_url().to_owned(),
            token: tenant.token().expose().to_owned(),
        }
    }

    pub(crate) async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Answer {
        send(
            method,
            &format!("{}{path}", self.base),
            Some(&self.token),
            body,
        )
        .await
    }

    pub(crate) async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None).await
    }

    pub(crate) async fn post(&self, path: &str, body: &Value) -> Answer {
        self.call(Method::POST, path, Some(body)).await
    }

    /// Creates a User; panics unless 201; returns it.
    pub(crate) async fn create_user(&self, user: &Value) -> Value {
        let answer = self.post("/Users", user).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        answer.body
    }
}

/// The admin API of one tenant.
pub(crate) struct Admin {
    pub base: String,
    pub token: String,
}

impl Admin {
    /// The admin API of `tenant`.
    pub(crate) fn of(tenant: &TenantHandle) -> Self {
        Self {
            base: tenant.admin_url().to_owned(),
            token: tenant.admin_token().expose().to_owned(),
        }
    }

    pub(crate) async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Answer {
        send(
            method,
            &format!("{}{path}", self.base),
            Some(&self.token),
            body,
        )
        .await
    }

    /// A JSON document of the admin API; panics unless 200.
    pub(crate) async fn get(&self, path: &str) -> Value {
        let answer = self.call(Method::GET, path, None).await;
        assert_eq!(answer.status, StatusCode::OK, "GET {path}: {}", answer.body);
        answer.body
    }

    /// Every User of the tenant.
    pub(crate) async fn users(&self) -> Vec<Value> {
        self.get("/users")
            .await
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The tenant's counters.
    pub(crate) async fn stats(&self) -> Value {
        self.get("").await["stats"].clone()
    }

    /// PUTs a JSON body; panics unless 200.
    pub(crate) async fn put(&self, path: &str, body: &Value) -> Value {
        let answer = self.call(Method::PUT, path, Some(body)).await;
        assert_eq!(answer.status, StatusCode::OK, "PUT {path}: {}", answer.body);
        answer.body
    }
}

/// A tenant of `sandbox`, which must have it.
pub(crate) fn tenant<'a>(sandbox: &'a SandboxHandle, name: &str) -> &'a TenantHandle {
    sandbox
        .tenant(name)
        .unwrap_or_else(|| panic!("no tenant {name}"))
}

/// A copy of `base` with a new name and changes, for dialect variants no shipped
/// connector has (a leaked `'static`, fine in a test).
pub(crate) fn variant(
    base: &Manifest,
    name: &'static str,
    change: impl FnOnce(&mut Manifest),
) -> &'static Manifest {
    let mut manifest = base.clone();
    manifest.name = name;
    change(&mut manifest);
    Box::leak(Box::new(manifest))
}

/// A minimal core User.
pub(crate) fn user(user_name: &str) -> Value {
    serde_json::json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
    })
}

/// Percent-encodes a query value.
pub(crate) fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
