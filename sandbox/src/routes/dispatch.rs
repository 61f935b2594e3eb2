//! SCIM paths and methods to handlers; wrong methods get a SCIM 405.

use axum::http::Method;
use axum::response::{IntoResponse, Response};

use super::request::Ctx;
use super::{discovery, groups, search, users};
use crate::scim::error::{ScimError, ScimResult};
use crate::store::Kind;

/// Serves one SCIM request.
pub(super) fn dispatch(ctx: Ctx<'_>) -> Response {
    route(ctx).unwrap_or_else(IntoResponse::into_response)
}

fn route(ctx: Ctx<'_>) -> ScimResult<Response> {
    let segments: Vec<&str> = ctx.request.segments.iter().map(String::as_str).collect();
    let method = &ctx.request.method;
    let kind = |segment: &str| match segment {
        "Users" => Some(Kind::User),
        "Groups" => Some(Kind::Group),
        _ => None,
    };
    match segments.as_slice() {
        [".search"] => only(method, Method::POST, || search::search(ctx, None)),
        [endpoint] if kind(endpoint).is_some() => {
            let kind = kind(endpoint).unwrap_or(Kind::User);
            match *method {
                Method::GET => search::list(ctx, kind),
                Method::POST => match kind {
                    Kind::User => users::create(ctx),
                    Kind::Group => groups::create(ctx),
                },
                _ => Err(not_allowed(method)),
            }
        }
        [endpoint, ".search"] if kind(endpoint).is_some() => {
            only(method, Method::POST, || search::search(ctx, kind(endpoint)))
        }
        [endpoint, id] if kind(endpoint).is_some() => {
            let kind = kind(endpoint).unwrap_or(Kind::User);
            match (method.clone(), kind) {
                (Method::GET, _) => search::get(ctx, kind, id),
                (Method::PUT, Kind::User) => users::replace(ctx, id),
                (Method::PUT, Kind::Group) => groups::replace(ctx, id),
                (Method::PATCH, Kind::User) => users::patch(ctx, id),
                (Method::PATCH, Kind::Group) => groups::patch(ctx, id),
                (Method::DELETE, Kind::User) => users::delete(ctx, id),
                (Method::DELETE, Kind::Group) => groups::delete(ctx, id),
                _ => Err(not_allowed(method)),
            }
        }
        ["ServiceProviderConfig"] => only(method, Method::GET, || {
            discovery::service_provider_config(ctx)
        }),
        ["ResourceTypes"] => only(method, Method::GET, || discovery::resource_types(ctx, None)),
        ["ResourceTypes", id] => only(method, Method::GET, || {
            discovery::resource_types(ctx, Some(id))
        }),
        ["Schemas"] => only(method, Method::GET, || discovery::schemas(ctx, None)),
        ["Schemas", id] => only(method, Method::GET, || discovery::schemas(ctx, Some(id))),
        _ => Err(ScimError::not_found(format!(
            "no endpoint /{}",
            segments.join("/")
        ))),
    }
}

/// Runs `handler` when the method is `allowed`, else a 405.
fn only(
    method: &Method,
    allowed: Method,
    handler: impl FnOnce() -> ScimResult<Response>,
) -> ScimResult<Response> {
    if *method == allowed {
        handler()
    } else {
        Err(not_allowed(method))
    }
}

fn not_allowed(method: &Method) -> ScimError {
    ScimError::method_not_allowed(format!("{method} is not allowed here"))
}
