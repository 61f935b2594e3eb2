//! The vendor REST APIs some connectors provision through, emulated as the vendors
//! answer (shapes, statuses, paging, error bodies), on the same tenant machinery as
//! SCIM (authentication, rate limit, faults, request log, admin API):
//!
//! - `google`: the Admin SDK Directory API (`/admin/directory/v1/users`) and the
//!   Enterprise License Manager (`/apps/licensing/v1/product/...`) (Gemini);
//! - `graph`: Microsoft Graph users and `assignLicense` (`/v1.0/users`) (Microsoft 365
//!   Copilot);
//! - `box_api`: Box users and group memberships (`/2.0/...`) (Box AI);
//! - `github`: GitHub Copilot seat management (`/orgs/{org}/copilot/billing/...`) next
//!   to the enterprise SCIM API of the `github_copilot` tenant;
//! - `okta`: Okta's Management API (`/api/v1/...`), a directory source rather than a
//!   connector, with its own `SSWS` authentication, rate-limit headers, routes and
//!   admin API.
//!
//! Which API a tenant serves follows its manifest's name ([`Vendor::for_manifest`]);
//! Okta orgs are declared with [`TenantSpec::okta`](crate::TenantSpec::okta).

pub(crate) mod box_api;
pub(crate) mod github;
pub(crate) mod google;
pub(crate) mod graph;
pub(crate) mod okta;

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use connector_sdk::Manifest;
use serde_json::{Map, Value, json};

use crate::store::Store;

/// An emulated vendor API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Vendor {
    /// Google Workspace: Directory API and Enterprise License Manager.
    Google,
    /// Microsoft Graph.
    Graph,
    /// Box.
    Box,
    /// GitHub's Copilot seat management (the accounts are SCIM).
    GitHub,
    /// Okta's Management API (a directory source).
    Okta,
}

/// One API a vendor serves, by its path prefix below the tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    /// `admin/directory/v1`.
    Directory,
    /// `apps/licensing/v1`.
    Licensing,
    /// `v1.0`.
    Graph,
    /// `2.0`.
    Box,
    /// `orgs`.
    Orgs,
}

impl Vendor {
    /// The API `manifest` provisions through, when the sandbox emulates one.
    pub(crate) fn for_manifest(manifest: &Manifest) -> Option<Self> {
        match manifest.name {
            "gemini" => Some(Self::Google),
            "copilot" => Some(Self::Graph),
            "box" => Some(Self::Box),
            "github_copilot" => Some(Self::GitHub),
            _ => None,
        }
    }

    /// The name shown by the admin API.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Google => "google",
            Self::Graph => "graph",
            Self::Box => "box",
            Self::GitHub => "github",
            Self::Okta => "okta",
        }
    }

    /// The path prefixes (below `/{tenant}/`) of the APIs it serves through the shared
    /// vendor entry (none for Okta, whose `/api/v1` has its own routes).
    pub(crate) fn apis(self) -> &'static [(&'static str, Api)] {
        match self {
            Self::Google => &[
                ("admin/directory/v1", Api::Directory),
                ("apps/licensing/v1", Api::Licensing),
            ],
            Self::Graph => &[("v1.0", Api::Graph)],
            Self::Box => &[("2.0", Api::Box)],
            Self::GitHub => &[("orgs", Api::Orgs)],
            Self::Okta => &[],
        }
    }

    /// The API `prefix` names, if this vendor serves it.
    pub(crate) fn api(self, prefix: &str) -> Option<Api> {
        self.apis()
            .iter()
            .find(|(p, _)| *p == prefix)
            .map(|(_, api)| *api)
    }

    /// The base URL a client uses, given the tenant's root URL (`http://HOST/{tenant}`):
    /// for Okta the org's URL itself; `None` when the accounts are SCIM.
    pub(crate) fn base_url(self, root: &str) -> Option<String> {
        match self {
            Self::Google => Some(format!("{root}/admin/directory/v1")),
            Self::Graph => Some(format!("{root}/v1.0")),
            Self::Box => Some(format!("{root}/2.0")),
            Self::Okta => Some(root.to_owned()),
            Self::GitHub => None,
        }
    }

    /// Points the tenant variables that hold API URLs at the tenant.
    pub(crate) fn set_variables(self, root: &str, variables: &mut BTreeMap<String, String>) {
        match self {
            Self::Google => {
                variables.insert("licensing_api".into(), format!("{root}/apps/licensing/v1"));
            }
            Self::GitHub => {
                variables.insert("api_url".into(), root.to_owned());
            }
            Self::Graph | Self::Box | Self::Okta => {}
        }
    }

    /// The path below `/scim/v2` where the SCIM API lives (GitHub's
    /// `enterprises/{enterprise}`), empty for the others.
    pub(crate) fn scim_prefix(self, variables: &BTreeMap<String, String>) -> String {
        match self {
            Self::GitHub => format!("enterprises/{}", var(variables, "enterprise")),
            _ => String::new(),
        }
    }

    /// A fresh state for a tenant emulating `manifest` with `variables` (for Okta, an
    /// org with nobody: its seed comes from [`TenantSpec::okta`](crate::TenantSpec::okta)).
    pub(crate) fn new_state(
        self,
        manifest: &Manifest,
        variables: &BTreeMap<String, String>,
    ) -> VendorState {
        match self {
            Self::Google => VendorState::Google(google::State::new(manifest, variables)),
            Self::Graph => VendorState::Graph(graph::State::new(manifest)),
            Self::Box => VendorState::Box(box_api::State::new(variables)),
            Self::GitHub => VendorState::GitHub(github::State::new(variables)),
            Self::Okta => VendorState::Okta(Box::new(okta::State::new(&okta::OktaOrg::new()))),
        }
    }
}

/// A tenant variable, empty when unset.
pub(crate) fn var<'a>(variables: &'a BTreeMap<String, String>, name: &str) -> &'a str {
    variables.get(name).map_or("", String::as_str)
}

/// The data of an emulated vendor API.
#[derive(Debug)]
pub(crate) enum VendorState {
    /// Google.
    Google(google::State),
    /// Graph.
    Graph(graph::State),
    /// Box.
    Box(box_api::State),
    /// GitHub.
    GitHub(github::State),
    /// Okta.
    Okta(Box<okta::State>),
}

impl VendorState {
    /// Serves one request (`store` holds the tenant's SCIM users, for GitHub's seats).
    pub(crate) fn serve(&mut self, call: &Call<'_>, store: &Store) -> Response {
        match (self, call.api) {
            (Self::Google(state), Api::Directory | Api::Licensing) => state.serve(call),
            (Self::Graph(state), Api::Graph) => state.serve(call),
            (Self::Box(state), Api::Box) => state.serve(call),
            (Self::GitHub(state), Api::Orgs) => state.serve(call, store),
            _ => json_response(StatusCode::NOT_FOUND, &json!({"message": "Not Found"})),
        }
    }

    /// Everything the API holds, for the admin API.
    pub(crate) fn admin(&self) -> Value {
        match self {
            Self::Google(state) => state.admin(),
            Self::Graph(state) => state.admin(),
            Self::Box(state) => state.admin(),
            Self::GitHub(state) => state.admin(),
            Self::Okta(state) => state.admin(),
        }
    }

    /// How many accounts it holds (GitHub's are SCIM: `None`).
    pub(crate) fn user_count(&self) -> Option<usize> {
        match self {
            Self::Google(state) => Some(state.user_count()),
            Self::Graph(state) => Some(state.user_count()),
            Self::Box(state) => Some(state.user_count()),
            Self::Okta(state) => Some(state.user_count()),
            Self::GitHub(_) => None,
        }
    }

    /// Stores an account that exists before provisioning (vendor JSON; the vendor's
    /// required fields, but no password); returns it. The error says what is wrong.
    pub(crate) fn seed_user(
        &mut self,
        body: Map<String, Value>,
    ) -> Result<Value, (StatusCode, String)> {
        match self {
            Self::Google(state) => state.seed(body),
            Self::Graph(state) => state.seed(body),
            Self::Box(state) => state.seed(body),
            Self::Okta(state) => state.seed_user(body),
            Self::GitHub(_) => Err((
                StatusCode::BAD_REQUEST,
                "GitHub accounts are SCIM users: seed them at /users".to_owned(),
            )),
        }
    }

    /// Marks a Box user as owning content (or not).
    pub(crate) fn set_owns_content(
        &mut self,
        id: &str,
        owns: bool,
    ) -> Result<(), (StatusCode, String)> {
        match self {
            Self::Box(state) => state.set_owns_content(id, owns),
            _ => Err((
                StatusCode::BAD_REQUEST,
                "only Box users own content".to_owned(),
            )),
        }
    }
}

/// One request to a vendor API.
#[derive(Debug)]
pub(crate) struct Call<'a> {
    /// Which API.
    pub api: Api,
    /// The method.
    pub method: Method,
    /// The path segments below the API prefix.
    pub segments: Vec<String>,
    /// The query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// The body.
    pub body: &'a [u8],
    /// The public URL of the API prefix (`http://HOST/{tenant}/v1.0`), for links.
    pub base: String,
}

impl Call<'_> {
    /// The path segments as `&str`s.
    pub(crate) fn path(&self) -> Vec<&str> {
        self.segments.iter().map(String::as_str).collect()
    }

    /// The query parameter `name` (exact, as vendors are).
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as a JSON object; `None` when it is not one.
    pub(crate) fn object(&self) -> Option<Map<String, Value>> {
        match serde_json::from_slice(self.body) {
            Ok(Value::Object(object)) => Some(object),
            _ => None,
        }
    }
}

/// A JSON answer.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// An answer without a body.
pub(crate) fn empty(status: StatusCode) -> Response {
    status.into_response()
}

/// Merges `patch` into `target`: objects key by key (recursively), anything else
/// replaced.
pub(crate) fn merge(target: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (key, value) in patch {
        match (target.get_mut(key), value) {
            (Some(Value::Object(current)), Value::Object(change)) => merge(current, change),
            _ => {
                target.insert(key.clone(), value.clone());
            }
        }
    }
}

/// The text at a dotted path of an object (`name.givenName`), when a non-empty string.
pub(crate) fn text<'a>(object: &'a Map<String, Value>, path: &str) -> Option<&'a str> {
    let mut current: &Value = object.get(path.split('.').next()?)?;
    for key in path.split('.').skip(1) {
        current = current.get(key)?;
    }
    current.as_str().filter(|s| !s.trim().is_empty())
}

/// A non-negative integer query parameter: `default` when absent, `None` when invalid
/// or outside `min..=max`.
pub(crate) fn bounded(value: Option<&str>, default: u64, min: u64, max: u64) -> Option<u64> {
    match value {
        None => Some(default),
        Some(text) => text
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| (min..=max).contains(n)),
    }
}

/// Whether two sign-in names are the same, ignoring case.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_objects_and_reads_paths() {
        let mut target = json!({"name": {"givenName": "Ada", "familyName": "L"}, "x": 1})
            .as_object()
            .cloned()
            .unwrap();
        let patch = json!({"name": {"givenName": "Grace"}, "x": [2]});
        merge(&mut target, patch.as_object().unwrap());
        assert_eq!(
            Value::Object(target.clone()),
            json!({"name": {"givenName": "Grace", "familyName": "L"}, "x": [2]})
        );
        assert_eq!(text(&target, "name.familyName"), Some("L"));
        assert_eq!(text(&target, "name.middle"), None);
        assert_eq!(bounded(Some("5"), 100, 1, 500), Some(5));
        assert_eq!(bounded(Some("0"), 100, 1, 500), None);
        assert_eq!(bounded(None, 100, 1, 500), Some(100));
    }
}
