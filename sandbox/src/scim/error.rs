//! SCIM error responses (RFC 7644 §3.12) and the JSON responses every handler sends.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The SCIM media type of every SCIM response.
pub(crate) const SCIM_MEDIA_TYPE: &str = "application/scim+json";
/// URN of the SCIM error message.
pub(crate) const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// A SCIM error: an HTTP status, an optional `scimType` and a human detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScimError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The RFC 7644 `scimType` (`uniqueness`, `invalidFilter`, ...).
    pub scim_type: Option<&'static str>,
    /// What went wrong.
    pub detail: String,
}

/// The result of a SCIM operation.
pub(crate) type ScimResult<T> = Result<T, ScimError>;

impl ScimError {
    /// An error with `status`, `scim_type` and `detail`.
    pub(crate) fn new(
        status: StatusCode,
        scim_type: Option<&'static str>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            scim_type,
            detail: detail.into(),
        }
    }

    /// 400 with `scim_type`.
    pub(crate) fn bad_request(scim_type: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some(scim_type), detail)
    }

    /// 400 `invalidValue`.
    pub(crate) fn invalid_value(detail: impl Into<String>) -> Self {
        Self::bad_request("invalidValue", detail)
    }

    /// 400 `invalidSyntax`.
    pub(crate) fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::bad_request("invalidSyntax", detail)
    }

    /// 400 `invalidFilter`.
    pub(crate) fn invalid_filter(detail: impl Into<String>) -> Self {
        Self::bad_request("invalidFilter", detail)
    }

    /// 400 `invalidPath`.
    pub(crate) fn invalid_path(detail: impl Into<String>) -> Self {
        Self::bad_request("invalidPath", detail)
    }

    /// 400 `noTarget`.
    pub(crate) fn no_target(detail: impl Into<String>) -> Self {
        Self::bad_request("noTarget", detail)
    }

    /// 400 `mutability`.
    pub(crate) fn mutability(detail: impl Into<String>) -> Self {
        Self::bad_request("mutability", detail)
    }

    /// 404.
    pub(crate) fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, None, detail)
    }

    /// 409 `uniqueness`.
    pub(crate) fn uniqueness(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, Some("uniqueness"), detail)
    }

    /// 405.
    pub(crate) fn method_not_allowed(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::METHOD_NOT_ALLOWED, None, detail)
    }

    /// The SCIM error message body.
    pub(crate) fn body(&self) -> Value {
        let mut body = json!({
            "schemas": [ERROR_SCHEMA],
            "status": self.status.as_u16().to_string(),
            "detail": self.detail,
        });
        if let (Some(scim_type), Some(object)) = (self.scim_type, body.as_object_mut()) {
            object.insert("scimType".to_owned(), Value::from(scim_type));
        }
        body
    }
}

impl std::fmt::Display for ScimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.detail)
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        scim_json(self.status, &self.body())
    }
}

/// A SCIM JSON response.
pub(crate) fn scim_json(status: StatusCode, body: &Value) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(SCIM_MEDIA_TYPE),
    );
    (status, headers, body.to_string()).into_response()
}

/// A SCIM resource response: the body, plus `Location` (for 201) and `ETag` taken from
/// the resource's `meta`.
pub(crate) fn resource_response(status: StatusCode, resource: &Value) -> Response {
    let mut response = scim_json(status, resource);
    let meta = resource.get("meta");
    let text = |key: &str| meta.and_then(|m| m.get(key)).and_then(Value::as_str);
    if let Some(version) = text("version").and_then(|v| HeaderValue::from_str(v).ok()) {
        response.headers_mut().insert(header::ETAG, version);
    }
    if status == StatusCode::CREATED
        && let Some(location) = text("location").and_then(|v| HeaderValue::from_str(v).ok())
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// An empty 204 answer.
pub(crate) fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_has_string_status_and_type() {
        let body = ScimError::uniqueness("taken").body();
        assert_eq!(body["status"], "409");
        assert_eq!(body["scimType"], "uniqueness");
        assert_eq!(body["schemas"][0], ERROR_SCHEMA);
        assert!(ScimError::not_found("x").body().get("scimType").is_none());
    }
}
