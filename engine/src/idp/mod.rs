//! The identity provider side of sign-in, applied: each instance's Okta apps (the
//! bodies `connector-sso` generates, passed in as JSON so the engine stays free of the
//! SSO crate) created or updated in the org of `[idp.okta]`, and the groups that should
//! sign in assigned to them (`docs/sso.md`, "Applying the Okta side").
//!
//! - [`desired_groups`]: which directory groups an instance's apps are assigned: the
//!   groups of its active `[[sso]]` rules, or, when no `[[sso]]` rule names it, those of
//!   its `[[provision]]` rules (whoever has an account can sign in). The bookmark tile of
//!   an SP-initiated-only service gets the same groups as its sign-in app.
//! - [`OktaApps::plan`] reads the org (apps, groups, each managed app's group
//!   assignments) and says what would change: an app is found again by the marker the
//!   toolkit writes in `settings.notes.admin` ([`marker`]) or, the first time, by its
//!   label and sign-on mode; two candidates, or an app with the label that the toolkit
//!   did not create, stop the plan and name the apps.
//! - [`OktaApps::apply`] makes the calls (`POST`/`PUT /api/v1/apps`,
//!   `PUT`/`DELETE /api/v1/apps/{id}/groups/{groupId}`, and for the people rules name
//!   one by one `POST /api/v1/apps/{id}/users`, `DELETE .../users/{userId}`), stopping
//!   at the first refusal,
//!   and reports only what Okta answered; group removals count against each instance's
//!   `max_removals` unless allowed. [`OktaApps::metadata`] fetches a SAML app's IdP
//!   metadata.

mod apply;
mod diff;
mod error;
mod plan;

use serde::Serialize;
use serde_json::Value;

use connector_sdk::Secret;

use crate::config::Assignments;
use crate::directory::OktaClient;

pub use apply::{AppOutcome, AppsReport, Done};
pub use error::IdpError;
pub use plan::{AppAction, AppPlan, AppsPlan, GroupRef, InstanceRemovals, PersonRef};

/// Which of an instance's apps this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AppRole {
    /// The SAML or OIDC app people sign in with.
    SignOn,
    /// The bookmark tile of an SP-initiated-only service.
    Tile,
}

impl AppRole {
    /// `sign_on` or `tile`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignOn => "sign_on",
            Self::Tile => "tile",
        }
    }
}

/// One app an instance should have: the `POST /api/v1/apps` body and who gets it.
#[derive(Debug, Clone, PartialEq)]
pub struct DesiredApp {
    /// The instance.
    pub instance: String,
    /// Sign-in app or tile.
    pub role: AppRole,
    /// The request body (with `label` and `signOnMode`); the marker is added here.
    pub body: Value,
    /// Directory group names assigned to the app (the rules' people are read from the
    /// assignments by [`OktaApps::plan`]).
    pub groups: Vec<String>,
}

impl DesiredApp {
    /// The app's label.
    pub fn label(&self) -> &str {
        self.body["label"].as_str().unwrap_or_default()
    }

    /// The app's `signOnMode`.
    pub fn sign_on_mode(&self) -> &str {
        self.body["signOnMode"].as_str().unwrap_or_default()
    }
}

/// The note the toolkit writes in `settings.notes.admin` of the apps it manages.
pub fn marker(instance: &str, role: AppRole) -> String {
    format!(
        "Managed by connector-toolkit: instance={instance} role={}",
        role.as_str()
    )
}

/// Where the groups of [`desired_groups`] come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupSource {
    /// `[[sso]]` rules name the instance.
    Sso,
    /// No `[[sso]]` rule does: its `[[provision]]` rules' groups.
    Provision,
}

/// The directory groups (in rule order, once each) and people an instance's apps are
/// assigned at `now`, and where they come from.
pub fn desired_groups(
    assignments: &Assignments,
    instance: &str,
    now: time::OffsetDateTime,
) -> (Vec<String>, Vec<String>, GroupSource) {
    let sso: Vec<_> = assignments
        .sso
        .iter()
        .filter(|r| r.instance == instance)
        .collect();
    let mut groups = Vec::new();
    let mut people = Vec::new();
    let mut add = |rule_groups: &[String], rule_people: &[String]| {
        for group in rule_groups {
            if !groups.contains(group) {
                groups.push(group.clone());
            }
        }
        for person in rule_people {
            if !people.contains(person) {
                people.push(person.clone());
            }
        }
    };
    if sso.is_empty() {
        for rule in assignments
            .provision
            .iter()
            .filter(|r| r.instance == instance)
        {
            if rule.window.is_active(now) {
                add(&rule.groups, &rule.people);
            }
        }
        (groups, people, GroupSource::Provision)
    } else {
        for rule in sso {
            if rule.window.is_active(now) {
                add(&rule.groups, &rule.people);
            }
        }
        (groups, people, GroupSource::Sso)
    }
}

/// The apps of one Okta org, managed through its Management API.
#[derive(Debug, Clone)]
pub struct OktaApps {
    client: OktaClient,
}

impl OktaApps {
    /// A client of the org at `url` with `token` (an SSWS API token).
    ///
    /// # Errors
    ///
    /// A URL that is not http(s), or a token that cannot be sent in a header.
    pub fn new(url: &str, token: Secret) -> Result<Self, IdpError> {
        let client = OktaClient::new(url, token).map_err(|e| IdpError::Okta(e.message))?;
        Ok(Self { client })
    }

    /// The org's URL.
    pub fn org(&self) -> &str {
        self.client.base()
    }

    /// What applying `desired` would change, reading the org.
    ///
    /// # Errors
    ///
    /// Okta unreachable or refusing a read, two apps matching one definition, an app
    /// with the label that the toolkit did not create, a group Okta does not have.
    pub async fn plan(
        &self,
        assignments: &Assignments,
        desired: &[DesiredApp],
        allow_removals: bool,
    ) -> Result<AppsPlan, IdpError> {
        plan::plan(&self.client, assignments, desired, allow_removals).await
    }

    /// Makes the plan's changes; stops at the first refusal (the report says what was
    /// done before it). A tripped breaker changes nothing.
    pub async fn apply(&self, plan: &AppsPlan) -> AppsReport {
        apply::apply(&self.client, plan).await
    }

    /// The IdP metadata (XML) of the SAML app `app_id`.
    ///
    /// # Errors
    ///
    /// Okta unreachable or refusing.
    pub async fn metadata(&self, app_id: &str) -> Result<String, IdpError> {
        let path = metadata_path(app_id);
        let sent = self
            .client
            .send(
                connector_sdk::http::Method::Get,
                &path,
                None,
                "application/xml",
            )
            .await
            .map_err(|e| IdpError::Okta(e.message))?;
        if (200..300).contains(&sent.status) {
            Ok(sent.body)
        } else {
            Err(error::refused("GET", &path, &sent))
        }
    }

    /// The URL of a SAML app's IdP metadata in this org (it needs the API token).
    pub fn metadata_url(&self, app_id: &str) -> String {
        format!("{}{}", self.client.base(), metadata_path(app_id))
    }
}

/// `/api/v1/apps/{id}/sso/saml/metadata`.
fn metadata_path(app_id: &str) -> String {
    format!("/api/v1/apps/{}/sso/saml/metadata", segment(app_id))
}

/// An id from Okta made safe as one path segment.
pub(crate) fn segment(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect()
}
