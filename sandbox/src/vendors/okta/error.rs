//! Okta's error answers: `{"errorCode","errorSummary","errorLink","errorId","errorCauses"}`
//! with the codes Okta documents for each case.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::runtime::auth::random_token;
use crate::vendors::json_response;

/// One Okta error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OktaError {
    /// The HTTP status.
    pub status: StatusCode,
    /// `errorCode` (also `errorLink`).
    pub code: &'static str,
    /// `errorSummary`.
    pub summary: String,
    /// `errorCauses[].errorSummary`.
    pub causes: Vec<String>,
}

impl OktaError {
    fn new(status: StatusCode, code: &'static str, summary: impl Into<String>) -> Self {
        Self {
            status,
            code,
            summary: summary.into(),
            causes: Vec::new(),
        }
    }

    /// 401 `E0000011`: no token, a wrong one, or not `SSWS`.
    pub(crate) fn invalid_token() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "E0000011",
            "Invalid token provided",
        )
    }

    /// 429 `E0000047`: over the rate limit.
    pub(crate) fn rate_limited() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "E0000047",
            "API call exceeded rate limit due to too many requests.",
        )
    }

    /// 404 `E0000007`: no `what` (`User`, `UserGroup`, `AppInstance`) with this id.
    pub(crate) fn not_found(id: &str, what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "E0000007",
            format!("Not found: Resource not found: {id} ({what})"),
        )
    }

    /// 405 `E0000022`: the endpoint exists but not with this method.
    pub(crate) fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "E0000022",
            "The endpoint does not support the provided HTTP method",
        )
    }

    /// 400 `E0000001`: a parameter is invalid (`cause` says why).
    pub(crate) fn invalid(parameter: &str, cause: impl Into<String>) -> Self {
        let mut error = Self::new(
            StatusCode::BAD_REQUEST,
            "E0000001",
            format!("Api validation failed: {parameter}"),
        );
        error.causes.push(cause.into());
        error
    }

    /// 400 `E0000031`: a `search` expression Okta cannot run (`cause` says why).
    pub(crate) fn invalid_search(cause: impl Into<String>) -> Self {
        let mut error = Self::new(
            StatusCode::BAD_REQUEST,
            "E0000031",
            "Invalid search criteria.",
        );
        error.causes.push(cause.into());
        error
    }

    /// `status` (a 5xx) with `E0000009`, Okta's internal error.
    pub(crate) fn internal(status: StatusCode) -> Self {
        Self::new(status, "E0000009", "Internal Server Error")
    }

    /// Any other injected status, with a generic code.
    pub(crate) fn injected(status: StatusCode) -> Self {
        if status.is_server_error() {
            Self::internal(status)
        } else {
            Self::new(
                status,
                "E0000001",
                format!(
                    "Api validation failed: {} (injected by the sandbox)",
                    status.canonical_reason().unwrap_or("error")
                ),
            )
        }
    }

    /// The answer.
    pub(crate) fn response(&self) -> Response {
        let id: String = random_token("oae").chars().take(23).collect();
        let causes: Vec<_> = self
            .causes
            .iter()
            .map(|c| json!({"errorSummary": c}))
            .collect();
        json_response(
            self.status,
            &json!({
                "errorCode": self.code,
                "errorSummary": self.summary,
                "errorLink": self.code,
                "errorId": id,
                "errorCauses": causes,
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_carry_okta_codes() {
        assert_eq!(OktaError::invalid_token().code, "E0000011");
        assert_eq!(
            OktaError::rate_limited().status,
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(
            OktaError::not_found("00u1", "User").summary,
            "Not found: Resource not found: 00u1 (User)"
        );
        assert_eq!(
            OktaError::injected(StatusCode::BAD_GATEWAY).code,
            "E0000009"
        );
        assert_eq!(
            OktaError::injected(StatusCode::FORBIDDEN).status,
            StatusCode::FORBIDDEN
        );
        let response = OktaError::invalid("limit", "not a number").response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }
}
