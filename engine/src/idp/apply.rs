//! Applying a plan of Okta apps: the calls in order, stopping at the first refusal.

use connector_sdk::http::{JSON, Method};
use serde::Serialize;
use serde_json::{Value, json};

use super::error::{IdpError, refused};
use super::plan::{AppAction, AppsPlan};
use super::{AppRole, segment};
use crate::directory::OktaClient;

/// What Okta answered to an apply.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppsReport {
    /// The org's URL.
    pub org: String,
    /// The apps reached, in plan order (up to the one that failed).
    pub apps: Vec<AppOutcome>,
    /// Why apply stopped, if it did.
    #[serde(serialize_with = "error_text")]
    pub error: Option<IdpError>,
    /// The instances whose breaker tripped (then nothing was changed).
    pub tripped: Vec<String>,
}

impl AppsReport {
    /// Calls that changed something.
    pub fn changes(&self) -> usize {
        self.apps.iter().map(|a| a.done.len()).sum()
    }
}

/// One app after apply.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppOutcome {
    /// The instance.
    pub instance: String,
    /// Sign-in app or tile.
    pub role: AppRole,
    /// The label.
    pub label: String,
    /// `SAML_2_0`, `OPENID_CONNECT` or `BOOKMARK`.
    pub sign_on_mode: String,
    /// The app id (empty when its creation failed).
    pub id: String,
    /// The changes Okta accepted, in order.
    pub done: Vec<Done>,
    /// The app as Okta last answered it (for the settings the SaaS needs).
    #[serde(skip)]
    pub app: Value,
}

/// One accepted change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Done {
    /// The app was created.
    Created,
    /// The app's settings were replaced.
    Updated,
    /// A group was assigned.
    Assigned {
        /// The group's name.
        group: String,
    },
    /// A group's assignment was removed.
    Unassigned {
        /// The group's name.
        group: String,
    },
    /// A person was assigned directly.
    AssignedPerson {
        /// The name the rule gives.
        person: String,
    },
    /// A person's direct assignment was removed.
    UnassignedPerson {
        /// Okta's app username for them.
        person: String,
    },
}

/// The error as its message.
fn error_text<S: serde::Serializer>(error: &Option<IdpError>, s: S) -> Result<S::Ok, S::Error> {
    match error {
        Some(error) => s.serialize_str(&error.to_string()),
        None => s.serialize_none(),
    }
}

/// Applies `plan`.
pub(super) async fn apply(client: &OktaClient, plan: &AppsPlan) -> AppsReport {
    let mut report = AppsReport {
        org: plan.org.clone(),
        apps: Vec::new(),
        error: None,
        tripped: plan.tripped().iter().map(|r| r.instance.clone()).collect(),
    };
    if !report.tripped.is_empty() {
        return report;
    }
    for app in &plan.apps {
        let mut outcome = AppOutcome {
            instance: app.instance.clone(),
            role: app.role,
            label: app.label.clone(),
            sign_on_mode: app.sign_on_mode.clone(),
            id: String::new(),
            done: Vec::new(),
            app: Value::Null,
        };
        let result = apply_one(client, app, &mut outcome).await;
        report.apps.push(outcome);
        if let Err(error) = result {
            report.error = Some(error);
            break;
        }
    }
    report
}

/// The calls of one app.
async fn apply_one(
    client: &OktaClient,
    app: &super::plan::AppPlan,
    outcome: &mut AppOutcome,
) -> Result<(), IdpError> {
    match &app.action {
        AppAction::Create => {
            let answer = call(client, Method::Post, "/api/v1/apps", Some(app.body.clone())).await?;
            outcome.id = answer["id"].as_str().unwrap_or_default().to_owned();
            if outcome.id.is_empty() {
                return Err(IdpError::Okta(
                    "Okta's answer to POST /api/v1/apps has no app id".to_owned(),
                ));
            }
            outcome.app = answer;
            outcome.done.push(Done::Created);
        }
        AppAction::Update { id, .. } => {
            outcome.id.clone_from(id);
            let path = format!("/api/v1/apps/{}", segment(id));
            outcome.app = call(client, Method::Put, &path, Some(app.body.clone())).await?;
            outcome.done.push(Done::Updated);
        }
        AppAction::Keep { id } => {
            outcome.id.clone_from(id);
            let path = format!("/api/v1/apps/{}", segment(id));
            outcome.app = client
                .object(&path)
                .await
                .map_err(|e| IdpError::Okta(e.message))?;
        }
    }
    let app_path = format!("/api/v1/apps/{}/groups", segment(&outcome.id));
    for group in &app.assign {
        let path = format!("{app_path}/{}", segment(&group.id));
        call(client, Method::Put, &path, Some(json!({}))).await?;
        outcome.done.push(Done::Assigned {
            group: group.name.clone(),
        });
    }
    for group in &app.unassign {
        let path = format!("{app_path}/{}", segment(&group.id));
        call(client, Method::Delete, &path, None).await?;
        outcome.done.push(Done::Unassigned {
            group: group.name.clone(),
        });
    }
    let users_path = format!("/api/v1/apps/{}/users", segment(&outcome.id));
    for person in &app.assign_people {
        let body = json!({"id": person.id, "scope": "USER"});
        call(client, Method::Post, &users_path, Some(body)).await?;
        outcome.done.push(Done::AssignedPerson {
            person: person.name.clone(),
        });
    }
    for person in &app.unassign_people {
        let path = format!("{users_path}/{}", segment(&person.id));
        call(client, Method::Delete, &path, None).await?;
        outcome.done.push(Done::UnassignedPerson {
            person: person.name.clone(),
        });
    }
    Ok(())
}

/// One write; the JSON answer (`null` for 204), or the refusal.
async fn call(
    client: &OktaClient,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Result<Value, IdpError> {
    let sent = client
        .send(method, path, body, JSON)
        .await
        .map_err(|e| IdpError::Okta(e.message))?;
    if !(200..300).contains(&sent.status) {
        return Err(refused(method.as_str(), path, &sent));
    }
    if sent.body.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(&sent.body).map_err(|e| {
        IdpError::Okta(format!(
            "Okta's answer to {method} {path} is not JSON ({e})"
        ))
    })
}
