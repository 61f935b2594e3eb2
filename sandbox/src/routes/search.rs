//! Reads: `GET /{Users,Groups}/{id}`, `GET /{Users,Groups}` with a filter and paging,
//! and `POST /.search` (one resource type, or all at the root).

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::request::{Ctx, Paging, list_response, page_response};
use crate::scim::error::{ScimError, ScimResult, resource_response, scim_json};
use crate::scim::filter::Filter;
use crate::scim::projection::Projection;
use crate::scim::value::get_ci;
use crate::store::Kind;

/// URN of the search request message.
const SEARCH_REQUEST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

/// `GET /{Users,Groups}/{id}`.
pub(super) fn get(ctx: Ctx<'_>, kind: Kind, id: &str) -> ScimResult<Response> {
    let projection = ctx.request.projection()?;
    let state = ctx.tenant.lock();
    let resource = state
        .store
        .get(kind, id)
        .map(|r| state.store.render(kind, r))
        .ok_or_else(|| {
            ScimError::not_found(format!("no {} with id `{id}`", kind.resource_type()))
        })?;
    Ok(resource_response(
        StatusCode::OK,
        &ctx.groups.show(projection.apply(&resource)),
    ))
}

/// `GET /{Users,Groups}?filter=...&startIndex=...&count=...`.
pub(super) fn list(ctx: Ctx<'_>, kind: Kind) -> ScimResult<Response> {
    let request = ctx.request;
    let mut paging = Paging::from_query(request, ctx.rules)?;
    if kind == Kind::Group {
        paging.count = ctx.groups.page_count(paging.count);
    }
    let projection = request.projection()?;
    let body = query(ctx, &[kind], request.param("filter"), paging, &projection)?;
    Ok(scim_json(StatusCode::OK, &body))
}

/// `POST /.search` (`kind` `None`: Users and Groups) with a `SearchRequest` body.
pub(super) fn search(ctx: Ctx<'_>, kind: Option<Kind>) -> ScimResult<Response> {
    let body = ctx.request.object()?;
    if ctx.rules.require_schemas {
        let listed = get_ci(&body, "schemas")
            .and_then(Value::as_array)
            .is_some_and(|s| {
                s.iter().any(|u| {
                    u.as_str()
                        .is_some_and(|u| u.eq_ignore_ascii_case(SEARCH_REQUEST_SCHEMA))
                })
            });
        if !listed {
            return Err(ScimError::invalid_syntax(format!(
                "`schemas` must list {SEARCH_REQUEST_SCHEMA}"
            )));
        }
    }
    let paging = Paging::read(
        get_ci(&body, "startIndex"),
        get_ci(&body, "count"),
        ctx.rules,
    )?;
    let projection = Projection::from_json(
        get_ci(&body, "attributes"),
        get_ci(&body, "excludedAttributes"),
    )?;
    let filter = match get_ci(&body, "filter") {
        None | Some(Value::Null) => None,
        Some(Value::String(filter)) => Some(filter.as_str()),
        Some(_) => return Err(ScimError::invalid_filter("`filter` must be a string")),
    };
    let kinds: &[Kind] = match kind {
        Some(Kind::User) => &[Kind::User],
        Some(Kind::Group) => &[Kind::Group],
        None => &[Kind::User, Kind::Group],
    };
    let list = query(ctx, kinds, filter, paging, &projection)?;
    Ok(scim_json(StatusCode::OK, &list))
}

/// The `ListResponse` of the resources of `kinds` matching `filter`.
fn query(
    ctx: Ctx<'_>,
    kinds: &[Kind],
    filter: Option<&str>,
    paging: Paging,
    projection: &Projection,
) -> ScimResult<Value> {
    let filter = filter
        .filter(|f| !f.trim().is_empty())
        .map(Filter::parse)
        .transpose()?;
    if let Some(filter) = &filter
        && kinds.contains(&Kind::User)
    {
        ctx.rules.check_user_filter(filter)?;
    }
    if let Some(filter) = &filter
        && kinds == [Kind::Group]
    {
        ctx.groups.check_filter(filter)?;
    }
    let state = ctx.tenant.lock();
    let mut list = if filter.is_none() {
        // Without a filter only the page is rendered (listing every account page by
        // page stays linear in the accounts).
        let (total, page) = state.store.page(kinds, paging.start - 1, paging.count);
        page_response(total, page, paging, projection)
    } else {
        let matching: Vec<Value> = kinds
            .iter()
            .flat_map(|kind| state.store.all(*kind))
            .filter(|resource| filter.as_ref().is_none_or(|f| f.matches(resource)))
            .collect();
        list_response(matching, paging, projection)
    };
    if kinds.contains(&Kind::Group)
        && let Some(resources) = list.get_mut("Resources").and_then(Value::as_array_mut)
    {
        // Users carry no `members`, so only Groups change.
        for resource in resources.iter_mut() {
            *resource = ctx.groups.show(std::mem::take(resource));
        }
    }
    Ok(list)
}
