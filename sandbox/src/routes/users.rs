//! `/Users` writes: create, replace, patch, delete, each the way the tenant's dialect
//! does it.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};

use super::request::Ctx;
use crate::runtime::rules::DeleteRule;
use crate::scim::error::{ScimError, ScimResult, no_content, resource_response};
use crate::scim::patch::{self, PatchRules};
use crate::scim::value::{get_ci, remove_ci};
use crate::store::{Kind, check_schemas, clean_user, screen_patch, screen_resource};

/// Attributes a client never writes on a User.
const READ_ONLY: &[&str] = &["id", "meta", "groups"];
/// Attributes a User always has.
const REQUIRED: &[&str] = &["userName"];

/// `POST /Users`: 201, 409 `uniqueness` for a taken `userName` (ignoring case), 400
/// `invalidValue` without one.
pub(super) fn create(ctx: Ctx<'_>) -> ScimResult<Response> {
    let mut body = ctx.request.object()?;
    screen_resource(
        &mut body,
        Kind::User,
        &ctx.tenant.extensions,
        ctx.tenant.undeclared,
    )?;
    check_schemas(
        &body,
        Kind::User,
        &ctx.tenant.extensions,
        ctx.rules.require_schemas,
    )?;
    clean_user(&mut body)?;
    if ctx.rules.default_active && get_ci(&body, "active").is_none() {
        body.insert("active".to_owned(), Value::Bool(true));
    }
    let projection = ctx.request.projection()?;
    let mut state = ctx.tenant.lock();
    ensure_unique(&state.store, &body, None)?;
    let created = state.store.insert(Kind::User, body);
    Ok(resource_response(
        StatusCode::CREATED,
        &projection.apply(&created),
    ))
}

/// `PUT /Users/{id}`: replaces every attribute the client may write.
pub(super) fn replace(ctx: Ctx<'_>, id: &str) -> ScimResult<Response> {
    let mut body = ctx.request.object()?;
    screen_resource(
        &mut body,
        Kind::User,
        &ctx.tenant.extensions,
        ctx.tenant.undeclared,
    )?;
    check_schemas(
        &body,
        Kind::User,
        &ctx.tenant.extensions,
        ctx.rules.require_schemas,
    )?;
    clean_user(&mut body)?;
    let projection = ctx.request.projection()?;
    let mut state = ctx.tenant.lock();
    let current = state.store.get(Kind::User, id).ok_or_else(|| missing(id))?;
    if ctx.rules.default_active && get_ci(&body, "active").is_none() {
        let active = current.get("active").cloned().unwrap_or(Value::Bool(true));
        body.insert("active".to_owned(), active);
    }
    ensure_unique(&state.store, &body, Some(id))?;
    let updated = state
        .store
        .replace(Kind::User, id, body)
        .ok_or_else(|| missing(id))?;
    Ok(resource_response(
        StatusCode::OK,
        &projection.apply(&updated),
    ))
}

/// `PATCH /Users/{id}`. A path-less dialect refuses `add`/`replace` with a path; a
/// dialect that updates by PUT accepts PATCH for `active` only (Zoom).
pub(super) fn patch(ctx: Ctx<'_>, id: &str) -> ScimResult<Response> {
    let rules = PatchRules {
        extensions: &ctx.tenant.extensions,
        read_only: READ_ONLY,
        required: REQUIRED,
    };
    let mut message = ctx.request.json()?;
    let any_left = screen_patch(
        &mut message,
        Kind::User,
        &ctx.tenant.extensions,
        ctx.tenant.undeclared,
    )?;
    if !any_left {
        // Every operation wrote a dropped attribute: nothing changes.
        if ctx.rules.patch_no_content {
            return Ok(no_content());
        }
        let projection = ctx.request.projection()?;
        let state = ctx.tenant.lock();
        let current = state.store.get(Kind::User, id).ok_or_else(|| missing(id))?;
        let current = state.store.render(Kind::User, current);
        return Ok(resource_response(
            StatusCode::OK,
            &projection.apply(&current),
        ));
    }
    let operations = patch::parse_request(&message, &rules)?;
    if ctx.rules.pathless_only && patch::has_path_writes(&operations) {
        return Err(ScimError::invalid_path(
            "this service takes path-less `add`/`replace` operations (a `value` object)",
        ));
    }
    if ctx.rules.update_by_put && !patch::only_active(&operations) {
        return Err(ScimError::invalid_value(
            "this service updates users with PUT; PATCH may change `active` only",
        ));
    }
    let projection = ctx.request.projection()?;
    let mut state = ctx.tenant.lock();
    let current = state.store.get(Kind::User, id).ok_or_else(|| missing(id))?;
    let mut object: Map<String, Value> = current.as_object().cloned().unwrap_or_default();
    patch::apply(&mut object, &operations, &rules)?;
    remove_ci(&mut object, "schemas");
    check_schemas(&object, Kind::User, &ctx.tenant.extensions, false)?;
    clean_user(&mut object)?;
    ensure_unique(&state.store, &object, Some(id))?;
    let updated = state
        .store
        .replace(Kind::User, id, object)
        .ok_or_else(|| missing(id))?;
    if ctx.rules.patch_no_content {
        return Ok(no_content());
    }
    Ok(resource_response(
        StatusCode::OK,
        &projection.apply(&updated),
    ))
}

/// `DELETE /Users/{id}`: removes, deactivates (Slack), or is refused with 405 (Canva).
pub(super) fn delete(ctx: Ctx<'_>, id: &str) -> ScimResult<Response> {
    let mut state = ctx.tenant.lock();
    match ctx.rules.delete {
        DeleteRule::Refuse => Err(ScimError::method_not_allowed(
            "this service does not delete users: deactivate them with active=false",
        )),
        DeleteRule::Deactivate => {
            state
                .store
                .set_active(id, false)
                .ok_or_else(|| missing(id))?;
            Ok(no_content())
        }
        DeleteRule::Remove if state.store.remove(Kind::User, id) => Ok(no_content()),
        DeleteRule::Remove => Err(missing(id)),
    }
}

/// 409 `uniqueness` when another User has the `userName` of `body`.
fn ensure_unique(
    store: &crate::store::Store,
    body: &Map<String, Value>,
    except: Option<&str>,
) -> ScimResult<()> {
    let name = get_ci(body, "userName")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if store.user_name_taken(name, except) {
        return Err(ScimError::uniqueness(format!(
            "userName `{name}` is already taken"
        )));
    }
    Ok(())
}

/// The 404 of an unknown User.
fn missing(id: &str) -> ScimError {
    ScimError::not_found(format!("no User with id `{id}`"))
}
