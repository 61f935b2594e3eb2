//! `/Groups` writes: create, replace, patch (members add/remove), delete.

use std::collections::HashSet;
use std::time::Instant;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};

use super::request::Ctx;
use crate::runtime::group_rules::{HOUR, MemberAddBudget};
use crate::scim::error::{ScimError, ScimResult, no_content, resource_response};
use crate::scim::patch::{self, PatchRules};
use crate::scim::value::{get_ci, remove_ci};
use crate::store::{Kind, Store, check_schemas, clean_group};

/// Attributes a client never writes on a Group.
const READ_ONLY: &[&str] = &["id", "meta"];
/// Attributes a Group always has.
const REQUIRED: &[&str] = &["displayName"];

/// `POST /Groups`.
pub(super) fn create(ctx: Ctx<'_>) -> ScimResult<Response> {
    let mut body = ctx.request.object()?;
    check_schemas(&body, Kind::Group, &[], ctx.rules.require_schemas)?;
    ctx.groups.check_create(&body)?;
    let projection = ctx.request.projection()?;
    let mut state = ctx.tenant.lock();
    clean(&state.store, &mut body, None)?;
    let added = member_ids(&body).len();
    if let Some(limit) = ctx.groups.hourly_member_adds
        && added > limit
    {
        return Ok(ctx.groups.budget_exceeded(HOUR));
    }
    let created = state.store.insert(Kind::Group, body);
    if let (Some(limit), Some(id)) = (ctx.groups.hourly_member_adds, created["id"].as_str()) {
        // A new group's budget is whole, and `added` fits in it.
        let _ = state.member_adds.take(id, added, limit, Instant::now());
    }
    Ok(resource_response(
        StatusCode::CREATED,
        &ctx.groups.show(projection.apply(&created)),
    ))
}

/// `PUT /Groups/{id}` (405 where the vendor has none; its member cap applies).
pub(super) fn replace(ctx: Ctx<'_>, id: &str) -> ScimResult<Response> {
    ctx.groups.check_put_allowed()?;
    let mut body = ctx.request.object()?;
    check_schemas(&body, Kind::Group, &[], ctx.rules.require_schemas)?;
    ctx.groups.check_put(&body)?;
    let projection = ctx.request.projection()?;
    let mut state = ctx.tenant.lock();
    let current = state
        .store
        .get(Kind::Group, id)
        .ok_or_else(|| missing(id))?;
    let before = ctx
        .groups
        .hourly_member_adds
        .and_then(|_| current.as_object().map(member_ids));
    clean(&state.store, &mut body, Some(id))?;
    if let Some(before) = before
        && let Some(refusal) = spend_additions(ctx, &mut state.member_adds, id, &before, &body)
    {
        return Ok(refusal);
    }
    let updated = state
        .store
        .replace(Kind::Group, id, body)
        .ok_or_else(|| missing(id))?;
    Ok(resource_response(
        StatusCode::OK,
        &ctx.groups.show(projection.apply(&updated)),
    ))
}

/// `PATCH /Groups/{id}`: any attribute, `members` included (`add`, `remove` with
/// `members[value eq "id"]`, which is 400 `noTarget` for a non-member). The vendor's
/// cap on members per request and hourly budget of additions apply.
pub(super) fn patch(ctx: Ctx<'_>, id: &str) -> ScimResult<Response> {
    let rules = PatchRules {
        extensions: &[],
        read_only: READ_ONLY,
        required: REQUIRED,
    };
    let request = ctx.request.json()?;
    ctx.groups.check_patch(&request)?;
    let operations = patch::parse_request(&request, &rules)?;
    let projection = ctx.request.projection()?;
    let mut state = ctx.tenant.lock();
    let current = state
        .store
        .get(Kind::Group, id)
        .ok_or_else(|| missing(id))?;
    let mut object: Map<String, Value> = current.as_object().cloned().unwrap_or_default();
    let before = ctx.groups.hourly_member_adds.map(|_| member_ids(&object));
    patch::apply(&mut object, &operations, &rules)?;
    remove_ci(&mut object, "schemas");
    check_schemas(&object, Kind::Group, &[], false)?;
    clean(&state.store, &mut object, Some(id))?;
    if let Some(before) = before
        && let Some(refusal) = spend_additions(ctx, &mut state.member_adds, id, &before, &object)
    {
        return Ok(refusal);
    }
    let updated = state
        .store
        .replace(Kind::Group, id, object)
        .ok_or_else(|| missing(id))?;
    Ok(resource_response(
        StatusCode::OK,
        &ctx.groups.show(projection.apply(&updated)),
    ))
}

/// Takes the members `after` has and `before` had not from the group's hourly budget,
/// where the vendor has one; the vendor's refusal when they do not fit (nothing taken).
fn spend_additions(
    ctx: Ctx<'_>,
    budget: &mut MemberAddBudget,
    id: &str,
    before: &HashSet<String>,
    after: &Map<String, Value>,
) -> Option<Response> {
    let limit = ctx.groups.hourly_member_adds?;
    let added = member_ids(after)
        .iter()
        .filter(|member| !before.contains(*member))
        .count();
    let wait = budget.take(id, added, limit, Instant::now()).err()?;
    Some(ctx.groups.budget_exceeded(wait))
}

/// The member ids of a Group.
fn member_ids(group: &Map<String, Value>) -> HashSet<String> {
    get_ci(group, "members")
        .and_then(Value::as_array)
        .map(|members| {
            members
                .iter()
                .filter_map(|member| member.get("value").and_then(Value::as_str))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// `DELETE /Groups/{id}`: removes the Group (its members stay).
pub(super) fn delete(ctx: Ctx<'_>, id: &str) -> ScimResult<Response> {
    if ctx.tenant.lock().store.remove(Kind::Group, id) {
        Ok(no_content())
    } else {
        Err(missing(id))
    }
}

/// Cleans a Group body: its members must exist (and a Group not contain itself).
fn clean(store: &Store, body: &mut Map<String, Value>, own_id: Option<&str>) -> ScimResult<()> {
    clean_group(body, |member| {
        Some(member) != own_id && store.kind_of(member).is_some()
    })
}

/// The 404 of an unknown Group.
fn missing(id: &str) -> ScimError {
    ScimError::not_found(format!("no Group with id `{id}`"))
}
