//! The writes of Okta's Management API that change people, each recorded in the
//! System Log and delivered to the event hooks subscribed to its type:
//!
//! | request | change | event |
//! | --- | --- | --- |
//! | `POST users/{id}/lifecycle/deactivate` | any but `DEPROVISIONED` → `DEPROVISIONED` | `user.lifecycle.deactivate` |
//! | `POST users/{id}/lifecycle/suspend` | `ACTIVE` → `SUSPENDED` | `user.lifecycle.suspend` |
//! | `POST users/{id}/lifecycle/unsuspend` | `SUSPENDED` → `ACTIVE` | `user.lifecycle.unsuspend` |
//! | `POST users/{id}/lifecycle/activate` | `STAGED`, `PROVISIONED` → `ACTIVE` (`DEPROVISIONED` → `ACTIVE`: a reactivation) | `user.lifecycle.activate` (`.reactivate`) |
//! | `POST users/{id}/lifecycle/reactivate` | `PROVISIONED`, `RECOVERY`, `DEPROVISIONED` → `ACTIVE` | `user.lifecycle.reactivate` |
//! | `POST users/{id}` (profile merged), `PUT users/{id}` (profile replaced) | profile | `user.account.update_profile` |
//! | `PUT groups/{gid}/users/{uid}` | membership added (204) | `group.user_membership.add` |
//! | `DELETE groups/{gid}/users/{uid}` | membership removed (204) | `group.user_membership.remove` |
//!
//! (User lifecycle:
//! <https://developer.okta.com/docs/api/openapi/okta-management/management/tag/UserLifecycle/>;
//! group members:
//! <https://developer.okta.com/docs/api/openapi/okta-management/management/tag/Group/>.)
//! The sandbox activates at once (no activation email or token: the answer is `{}`). A
//! membership that already is (or is not) changes nothing and records nothing.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::error::OktaError;
use super::events::{Change, Kind};
use super::serve::Request;
use super::store::State;
use crate::scim::value::now_rfc3339;
use crate::vendors::{empty, json_response};

/// The actor of every change: the admin whose `SSWS` token made the call.
pub(crate) fn actor(org_url: &str) -> Value {
    let host = url::Url::parse(org_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "localhost".to_owned());
    json!({
        "id": ADMIN_ID,
        "type": "User",
        "alternateId": format!("admin@{host}"),
        "displayName": "Sandbox Admin",
        "detailEntry": null,
    })
}

/// The user id of the org's admin (the actor of API calls).
pub(crate) const ADMIN_ID: &str = "00usbxadmin000000001";

/// `POST users/{who}/lifecycle/{action}`.
pub(super) fn lifecycle(
    state: &mut State,
    request: &Request<'_>,
    who: &str,
    action: &str,
) -> Result<Response, OktaError> {
    const ACTIONS: &[&str] = &[
        "deactivate",
        "suspend",
        "unsuspend",
        "activate",
        "reactivate",
    ];
    if !ACTIONS.contains(&action) {
        let page = format!("/api/v1/users/{who}/lifecycle/{action}");
        return Err(OktaError::not_found(&page, "Page"));
    }
    if *request.method != axum::http::Method::POST {
        return Err(OktaError::method_not_allowed());
    }
    let id = state
        .find_user(who)
        .ok_or_else(|| OktaError::not_found(who, "User"))?;
    let status = state
        .users()
        .get(&id)
        .and_then(|u| u["status"].as_str())
        .unwrap_or_default()
        .to_owned();
    let refuse = |cause: &str| Err(OktaError::invalid("status", cause.to_owned()));
    let (kind, to) = match (action, status.as_str()) {
        ("deactivate", "DEPROVISIONED") => return refuse("the user is already deactivated"),
        ("deactivate", _) => (Kind::Deactivate, "DEPROVISIONED"),
        ("suspend", "ACTIVE") => (Kind::Suspend, "SUSPENDED"),
        ("suspend", _) => return refuse("Cannot suspend a user that is not active"),
        ("unsuspend", "SUSPENDED") => (Kind::Unsuspend, "ACTIVE"),
        ("unsuspend", _) => return refuse("Cannot unsuspend a user that is not suspended"),
        ("activate", "STAGED" | "PROVISIONED") => (Kind::Activate, "ACTIVE"),
        ("activate", "DEPROVISIONED") => (Kind::Reactivate, "ACTIVE"),
        ("activate", _) => return refuse("Activation failed because the user is already active"),
        ("reactivate", "PROVISIONED" | "RECOVERY" | "DEPROVISIONED") => {
            (Kind::Reactivate, "ACTIVE")
        }
        _ => return refuse("This operation is not allowed in the user's current status"),
    };
    let now = now_rfc3339();
    if let Some(user) = state.user_mut(&id) {
        user.insert("status".into(), json!(to));
        user.insert("statusChanged".into(), json!(now));
        user.insert("lastUpdated".into(), json!(now));
        if matches!(kind, Kind::Activate | Kind::Reactivate) {
            user.insert("activated".into(), json!(now));
        }
    }
    emit(state, request, kind, &id, None);
    Ok(json_response(StatusCode::OK, &json!({})))
}

/// `POST users/{who}` (`replace`: false; the profile is merged) or `PUT users/{who}`
/// (the profile is replaced): answers the user.
pub(super) fn update_profile(
    state: &mut State,
    request: &Request<'_>,
    who: &str,
    replace: bool,
) -> Result<Value, OktaError> {
    let id = state
        .find_user(who)
        .ok_or_else(|| OktaError::not_found(who, "User"))?;
    let body: Map<String, Value> = serde_json::from_slice(request.body).map_err(|e| {
        OktaError::invalid("body", format!("The request body was not well-formed: {e}"))
    })?;
    let Some(Value::Object(changes)) = body.get("profile") else {
        return Err(OktaError::invalid(
            "profile",
            "profile: an object is required",
        ));
    };
    let current = state
        .users()
        .get(&id)
        .and_then(|u| u["profile"].as_object())
        .cloned()
        .unwrap_or_default();
    let mut profile = if replace { Map::new() } else { current };
    for (name, value) in changes {
        profile.insert(name.clone(), value.clone());
    }
    for required in ["login", "email"] {
        if profile
            .get(required)
            .and_then(Value::as_str)
            .is_none_or(|v| v.trim().is_empty())
        {
            return Err(OktaError::invalid(
                required,
                format!("{required}: The field cannot be left blank"),
            ));
        }
    }
    let login = profile["login"].as_str().unwrap_or_default();
    if state.find_user(login).is_some_and(|other| other != id) {
        return Err(OktaError::invalid(
            "login",
            "login: An object with this field already exists in the current organization",
        ));
    }
    let user = state
        .user_mut(&id)
        .ok_or_else(|| OktaError::not_found(who, "User"))?;
    user.insert("profile".into(), Value::Object(profile));
    user.insert("lastUpdated".into(), json!(now_rfc3339()));
    let answer = Value::Object(user.clone());
    emit(state, request, Kind::UpdateProfile, &id, None);
    Ok(answer)
}

/// `PUT` (`member`) or `DELETE groups/{group}/users/{who}`: 204.
pub(super) fn membership(
    state: &mut State,
    request: &Request<'_>,
    group: &str,
    who: &str,
    member: bool,
) -> Result<Response, OktaError> {
    let id = state
        .find_user(who)
        .ok_or_else(|| OktaError::not_found(who, "User"))?;
    if state.set_member(group, &id, member)? {
        let kind = if member {
            Kind::GroupAdd
        } else {
            Kind::GroupRemove
        };
        emit(state, request, kind, &id, Some(group));
    }
    Ok(empty(StatusCode::NO_CONTENT))
}

/// Records the change in the System Log and queues its deliveries.
fn emit(state: &mut State, request: &Request<'_>, kind: Kind, user: &str, group: Option<&str>) {
    let Some(found) = state.users().get(user).cloned() else {
        return;
    };
    let group_name = group.and_then(|g| {
        state
            .groups()
            .get(g)
            .and_then(|found| found.json["profile"]["name"].as_str().map(str::to_owned))
    });
    let change = Change {
        kind,
        user: &found,
        group: group.zip(group_name.as_deref()),
        request_uri: format!("/api/v1/{}", request.segments.join("/")),
        user_agent: request.user_agent,
    };
    let logged = state.log.record(&change, &actor(request.org_url));
    let jobs = state
        .hooks
        .dispatch(&[Value::Object(logged.json)], request.org_url);
    state.outbox.extend(jobs);
}
