//! Okta's Event Hooks API below `/api/v1/eventHooks`
//! (<https://developer.okta.com/docs/api/openapi/okta-management/management/tag/EventHook/>):
//!
//! | request | answer |
//! | --- | --- |
//! | `POST eventHooks` | 200, the hook, `ACTIVE` and `UNVERIFIED` |
//! | `GET eventHooks` | 200, every hook |
//! | `GET eventHooks/{id}` | 200, the hook |
//! | `DELETE eventHooks/{id}` | 204; an `ACTIVE` hook is refused (deactivate it first) |
//! | `POST eventHooks/{id}/lifecycle/activate` / `deactivate` | 200, the hook |
//! | `POST eventHooks/{id}/lifecycle/verify` | the verification call, then 200 with the hook `VERIFIED` (`crate::routes::okta`) |
//!
//! Replacing a hook (`PUT eventHooks/{id}`) is not emulated (405).

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value};

use super::error::OktaError;
use super::lifecycle::ADMIN_ID;
use super::serve::Request;
use super::store::State;
use crate::vendors::{empty, json_response};

/// Answers `eventHooks/{rest}` (the verification excepted).
pub(super) fn serve(
    state: &mut State,
    request: &Request<'_>,
    rest: &[&str],
) -> Result<Response, OktaError> {
    let org_url = request.org_url;
    let method = request.method;
    match rest {
        [] if *method == Method::GET => {
            Ok(json_response(StatusCode::OK, &state.hooks.list(org_url)))
        }
        [] if *method == Method::POST => {
            let body: Map<String, Value> = serde_json::from_slice(request.body).map_err(|e| {
                OktaError::invalid("body", format!("The request body was not well-formed: {e}"))
            })?;
            let hook = state.hooks.create(&body, ADMIN_ID, org_url)?;
            Ok(json_response(StatusCode::OK, &hook))
        }
        [id] if *method == Method::GET => Ok(json_response(
            StatusCode::OK,
            &state.hooks.get(id, org_url)?,
        )),
        [id] if *method == Method::DELETE => {
            state.hooks.delete(id)?;
            Ok(empty(StatusCode::NO_CONTENT))
        }
        [id, "lifecycle", action @ ("activate" | "deactivate")] if *method == Method::POST => {
            let hook = state.hooks.set_active(id, *action == "activate", org_url)?;
            Ok(json_response(StatusCode::OK, &hook))
        }
        [] | [_] | [_, "lifecycle", "activate" | "deactivate"] => {
            Err(OktaError::method_not_allowed())
        }
        _ => {
            let page = format!("/api/v1/eventHooks/{}", rest.join("/"));
            Err(OktaError::not_found(&page, "Page"))
        }
    }
}
