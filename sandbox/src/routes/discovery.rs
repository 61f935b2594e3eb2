//! `GET /ServiceProviderConfig`, `/ResourceTypes[/{id}]` and `/Schemas[/{id}]`.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::request::{Ctx, LIST_RESPONSE_SCHEMA};
use crate::schemas;
use crate::scim::error::{ScimError, ScimResult, scim_json};

/// The service provider configuration.
pub(super) fn service_provider_config(ctx: Ctx<'_>) -> ScimResult<Response> {
    Ok(scim_json(
        StatusCode::OK,
        &schemas::service_provider_config(ctx.tenant),
    ))
}

/// All resource types, or the one with `id`.
pub(super) fn resource_types(ctx: Ctx<'_>, id: Option<&str>) -> ScimResult<Response> {
    one_or_all(schemas::resource_types(ctx.tenant), id, "resource type")
}

/// All schemas, or the one with `id` (its URN).
pub(super) fn schemas(ctx: Ctx<'_>, id: Option<&str>) -> ScimResult<Response> {
    one_or_all(schemas::schemas(ctx.tenant), id, "schema")
}

fn one_or_all(all: Vec<Value>, id: Option<&str>, what: &str) -> ScimResult<Response> {
    let Some(id) = id else {
        let body = json!({
            "schemas": [LIST_RESPONSE_SCHEMA],
            "totalResults": all.len(),
            "startIndex": 1,
            "itemsPerPage": all.len(),
            "Resources": all,
        });
        return Ok(scim_json(StatusCode::OK, &body));
    };
    all.into_iter()
        .find(|doc| {
            doc.get("id")
                .and_then(Value::as_str)
                .is_some_and(|d| d.eq_ignore_ascii_case(id))
        })
        .map(|doc| scim_json(StatusCode::OK, &doc))
        .ok_or_else(|| ScimError::not_found(format!("no {what} `{id}`")))
}
