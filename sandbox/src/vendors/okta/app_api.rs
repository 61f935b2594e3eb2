//! The write side of Okta's Apps API, as the toolkit's `connector sso apply` uses it
//! (<https://developer.okta.com/docs/api/openapi/okta-management/management/tag/Application/>):
//!
//! | request | answer |
//! | --- | --- |
//! | `POST /apps` (`SAML_2_0`, `OPENID_CONNECT`, `BOOKMARK`) | 200, the app (a SAML app gets a signing key and certificate of its own) |
//! | `PUT /apps/{id}` | 200, the app with the body's settings |
//! | `PUT /apps/{id}/groups/{groupId}` | 200, the assignment |
//! | `DELETE /apps/{id}/groups/{groupId}` | 204 |
//! | `POST /apps/{id}/users` (`{"id", "scope": "USER"}`) | 200, the direct assignment |
//! | `DELETE /apps/{id}/users/{userId}` | 204 (a direct assignment only) |
//! | `GET /apps/{id}/sso/saml/metadata` | 200, the app's IdP metadata (XML) |
//! | `POST /apps/{id}/sso/saml/sign` (sandbox only; `{"user","in_response_to"?,"audience"?,"issuer"?}`) | 200, `{"xml","saml_response"}`: a Response the app signs for a user |
//!
//! Scopes: a token that lacks `okta.apps.manage` (the `missing_scopes` fault) gets 403
//! `E0000006` on every write, with the `WWW-Authenticate` header Okta sends for an access
//! token without a required scope (`error="insufficient_scope"`, `scope="okta.apps.manage"`,
//! <https://support.okta.com/help/s/article/insufficient-scope-error-when-making-a-request-to-an-oauth-or-management-endpoint>);
//! reads need `okta.apps.read` or `okta.apps.manage`.

use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::app_key::AppKey;
use super::error::OktaError;
use super::saml_response;
use super::serve::Request;
use super::store::State;
use crate::scim::value::now_rfc3339;
use crate::vendors::{empty, json_response};

/// The scope every write of the Apps API needs.
pub(crate) const MANAGE: &str = "okta.apps.manage";
/// The scope reads need (or [`MANAGE`]).
pub(crate) const READ: &str = "okta.apps.read";

/// The sign-on modes the emulation creates.
const MODES: &[&str] = &["SAML_2_0", "OPENID_CONNECT", "BOOKMARK"];

/// The 403 for a token without the scope `request` needs (Okta's `E0000006` body and
/// `WWW-Authenticate`), if it lacks it.
pub(crate) fn missing_scope(state: &State, request: &Request<'_>) -> Option<Response> {
    let write = *request.method != Method::GET;
    let lacks = |scope: &str| state.faults.lacks_scope(scope);
    let missing = if write {
        lacks(MANAGE).then_some(MANAGE)
    } else {
        (lacks(READ) && lacks(MANAGE)).then_some(READ)
    };
    let scope = missing?;
    let mut response = json_response(
        StatusCode::FORBIDDEN,
        &json!({
            "errorCode": "E0000006",
            "errorSummary": "You do not have permission to perform the requested action",
            "errorLink": "E0000006",
            "errorId": "oaesbxscope",
            "errorCauses": [],
        }),
    );
    let value = format!(
        "Bearer authorization_uri=\"{org}/oauth2/v1/authorize\", realm=\"{org}\", \
         scope=\"{scope}\", error=\"insufficient_scope\", error_description=\"The access \
         token provided does not contain the required scopes.\", resource=\"/api/v1/{path}\"",
        org = request.org_url,
        path = request.segments.join("/"),
    );
    if let Ok(value) = HeaderValue::from_str(&value) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    Some(response)
}

/// Routes the write side and the SAML endpoints; `None` when `path` is not one of them.
pub(crate) fn serve(
    state: &mut State,
    request: &Request<'_>,
    path: &[&str],
) -> Option<Result<Response, OktaError>> {
    let method = request.method;
    Some(match path {
        ["apps"] if *method == Method::POST => create(state, request),
        ["apps", id] if *method == Method::PUT => replace(state, request, id),
        ["apps", id, "groups", group] => match *method {
            Method::PUT => assign(state, request, id, group, true),
            Method::DELETE => assign(state, request, id, group, false),
            _ => Err(OktaError::method_not_allowed()),
        },
        ["apps", id, "users"] if *method == Method::POST => assign_user(state, request, id),
        ["apps", id, "users", user] if *method == Method::DELETE => state
            .set_app_user(id, user, false)
            .map(|_| empty(StatusCode::NO_CONTENT)),
        ["apps", id, "sso", "saml", "metadata"] if *method == Method::GET => {
            metadata(state, request, id)
        }
        ["apps", id, "sso", "saml", "sign"] if *method == Method::POST => sign(state, request, id),
        ["apps", _, "sso", "saml", "metadata" | "sign"] => Err(OktaError::method_not_allowed()),
        _ => return None,
    })
}

/// The request's JSON object body.
fn body(request: &Request<'_>) -> Result<Map<String, Value>, OktaError> {
    match serde_json::from_slice(request.body) {
        Ok(Value::Object(body)) => Ok(body),
        Ok(_) => Err(OktaError::invalid("body", "the body must be a JSON object")),
        Err(e) => Err(OktaError::invalid(
            "body",
            format!("the body is not JSON: {e}"),
        )),
    }
}

/// Checks `label` and `signOnMode` of an app body; returns the mode.
fn checked(body: &Map<String, Value>) -> Result<String, OktaError> {
    let label = body.get("label").and_then(Value::as_str).unwrap_or("");
    if label.trim().is_empty() {
        return Err(OktaError::invalid(
            "label",
            "label: The field cannot be left blank",
        ));
    }
    let mode = body.get("signOnMode").and_then(Value::as_str).unwrap_or("");
    if !MODES.contains(&mode) {
        return Err(OktaError::invalid(
            "signOnMode",
            format!(
                "signOnMode: the sandbox creates {}, not `{mode}`",
                MODES.join(", ")
            ),
        ));
    }
    Ok(mode.to_owned())
}

/// `POST /apps`.
fn create(state: &mut State, request: &Request<'_>) -> Result<Response, OktaError> {
    let mut app = body(request)?;
    let mode = checked(&app)?;
    let label = app["label"].as_str().unwrap_or_default().to_owned();
    let key = if mode == "SAML_2_0" {
        let key = AppKey::generate(&label).map_err(|cause| {
            let mut error = OktaError::internal(StatusCode::INTERNAL_SERVER_ERROR);
            error.causes.push(cause);
            error
        })?;
        Some(key)
    } else {
        None
    };
    let now = now_rfc3339();
    if !app.contains_key("name") {
        let name: String = label
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        app.insert("name".into(), json!(format!("sandbox_{name}")));
    }
    app.insert("status".into(), json!("ACTIVE"));
    app.insert("created".into(), json!(now));
    app.insert("lastUpdated".into(), json!(now));
    app.entry("features").or_insert_with(|| json!([]));
    let stored = state.add_app(app, key);
    let id = stored["id"].as_str().unwrap_or_default().to_owned();
    if mode == "OPENID_CONNECT"
        && let Some(app) = state.app_json_mut(&id)
    {
        // Okta's client_id is the app id; the client secret is never stored or shown here.
        app.insert(
            "credentials".into(),
            json!({"oauthClient": {"client_id": id, "autoKeyRotation": true,
                   "token_endpoint_auth_method": "client_secret_basic"}}),
        );
    }
    served(state, request, &id)
}

/// `PUT /apps/{id}`: the body's settings replace the app's; id, name, status and
/// creation stay.
fn replace(state: &mut State, request: &Request<'_>, id: &str) -> Result<Response, OktaError> {
    let update = body(request)?;
    let mode = checked(&update)?;
    let app = state
        .app_json_mut(id)
        .ok_or_else(|| OktaError::not_found(id, "AppInstance"))?;
    if app.get("signOnMode").and_then(Value::as_str) != Some(mode.as_str()) {
        return Err(OktaError::invalid(
            "signOnMode",
            "signOnMode: an app's sign-on mode cannot change",
        ));
    }
    for (key, value) in update {
        if !matches!(
            key.as_str(),
            "id" | "name" | "status" | "created" | "_links"
        ) {
            app.insert(key, value);
        }
    }
    app.insert("lastUpdated".into(), json!(now_rfc3339()));
    served(state, request, id)
}

/// The app `id` as served (with `_links`, the metadata link for SAML apps).
fn served(state: &State, request: &Request<'_>, id: &str) -> Result<Response, OktaError> {
    let app = state
        .apps()
        .get(id)
        .ok_or_else(|| OktaError::not_found(id, "AppInstance"))?;
    let mut out = app.json.clone();
    let mut links = json!({
        "self": {"href": request.url(&format!("apps/{id}"))},
        "users": {"href": request.url(&format!("apps/{id}/users"))},
        "groups": {"href": request.url(&format!("apps/{id}/groups"))},
    });
    if state.app_key(id).is_some() {
        links["metadata"] = json!({
            "href": request.url(&format!("apps/{id}/sso/saml/metadata")),
            "type": "application/xml",
        });
    }
    out.insert("_links".into(), links);
    Ok(json_response(StatusCode::OK, &Value::Object(out)))
}

/// `PUT` / `DELETE /apps/{id}/groups/{groupId}`.
fn assign(
    state: &mut State,
    request: &Request<'_>,
    app: &str,
    group: &str,
    assigned: bool,
) -> Result<Response, OktaError> {
    state.set_app_group(app, group, assigned)?;
    if !assigned {
        return Ok(empty(StatusCode::NO_CONTENT));
    }
    let priority = state
        .app_groups(app)
        .unwrap_or_default()
        .into_iter()
        .find(|(g, _)| g == group)
        .map_or(0, |(_, p)| p);
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "id": group,
            "lastUpdated": now_rfc3339(),
            "priority": priority,
            "profile": {},
            "_links": {
                "app": {"href": request.url(&format!("apps/{app}"))},
                "group": {"href": request.url(&format!("groups/{group}"))},
            },
        }),
    ))
}

/// `POST /apps/{id}/users` with `{"id": userId, "scope": "USER"}`: a direct assignment;
/// answers the app user (its `scope` `USER`).
fn assign_user(state: &mut State, request: &Request<'_>, app: &str) -> Result<Response, OktaError> {
    let body = body(request)?;
    let user = body
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    if user.is_empty() {
        return Err(OktaError::invalid("id", "id: the user's id is required"));
    }
    state.set_app_user(app, &user, true)?;
    let profile = state
        .users()
        .get(&user)
        .map_or(Value::Null, |u| u["profile"].clone());
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "id": user,
            "scope": "USER",
            "status": "ACTIVE",
            "created": now_rfc3339(),
            "credentials": {"userName": profile["login"]},
            "_links": {
                "app": {"href": request.url(&format!("apps/{app}"))},
                "user": {"href": request.url(&format!("users/{user}"))},
            },
        }),
    ))
}

/// The app's IdP entity ID: Okta's `http://www.okta.com/{externalKey}`.
pub(crate) fn issuer(app_id: &str) -> String {
    format!(
        "http://www.okta.com/exk{}",
        app_id.trim_start_matches("0oa")
    )
}

/// The app's SSO URL (where SP-initiated sign-in sends the AuthnRequest).
fn sso_url(request: &Request<'_>, app: &Map<String, Value>, id: &str) -> String {
    let name = app.get("name").and_then(Value::as_str).unwrap_or("app");
    format!(
        "{}/app/{name}/exk{}/sso/saml",
        request.org_url,
        id.trim_start_matches("0oa")
    )
}

/// `GET /apps/{id}/sso/saml/metadata`.
fn metadata(state: &State, request: &Request<'_>, id: &str) -> Result<Response, OktaError> {
    let app = state
        .apps()
        .get(id)
        .ok_or_else(|| OktaError::not_found(id, "AppInstance"))?;
    let key = state
        .app_key(id)
        .ok_or_else(|| OktaError::not_found(id, "AppInstance SAML metadata"))?;
    let format = app.json["settings"]["signOn"]["subjectNameIdFormat"]
        .as_str()
        .unwrap_or("urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified");
    let sso = sso_url(request, &app.json, id);
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{issuer}">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data>
          <ds:X509Certificate>{cert}</ds:X509Certificate>
        </ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>{format}</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{sso}"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{sso}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
"#,
        issuer = issuer(id),
        cert = key.cert_b64(),
        format = saml_response::escape(format),
        sso = saml_response::escape(&sso),
    );
    let mut response = Response::new(axum::body::Body::from(xml));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    Ok(response)
}

/// `POST /apps/{id}/sso/saml/sign` (sandbox only): `{"user", "in_response_to"?,
/// "audience"?, "issuer"?}` → the Response app `id` sends for that user, signed with its
/// key. `audience` and `issuer` replace the app's (a misconfigured app, or an impostor
/// naming another app's issuer, for SP rejection tests).
fn sign(state: &State, request: &Request<'_>, id: &str) -> Result<Response, OktaError> {
    let asked = body(request)?;
    let app = state
        .apps()
        .get(id)
        .ok_or_else(|| OktaError::not_found(id, "AppInstance"))?;
    let key = state
        .app_key(id)
        .ok_or_else(|| OktaError::invalid("appId", "only SAML apps created here sign"))?;
    let who = asked.get("user").and_then(Value::as_str).unwrap_or("");
    let user = state
        .find_user(who)
        .and_then(|u| state.users().get(&u))
        .ok_or_else(|| OktaError::not_found(who, "User"))?;
    let options = saml_response::Options {
        issuer: asked
            .get("issuer")
            .and_then(Value::as_str)
            .map_or_else(|| issuer(id), str::to_owned),
        in_response_to: asked
            .get("in_response_to")
            .and_then(Value::as_str)
            .map(str::to_owned),
        audience: asked
            .get("audience")
            .and_then(Value::as_str)
            .map(str::to_owned),
    };
    let (xml, xpaths) = saml_response::unsigned(&app.json, user, &options)
        .map_err(|cause| OktaError::invalid("appId", cause))?;
    let signed = key.sign(&xml, &xpaths).map_err(|cause| {
        let mut error = OktaError::internal(StatusCode::INTERNAL_SERVER_ERROR);
        error.causes.push(cause);
        error
    })?;
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(signed.as_bytes());
    Ok(json_response(
        StatusCode::OK,
        &json!({"xml": signed, "saml_response": encoded}),
    ))
}
