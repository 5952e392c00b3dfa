//! The platform's error answers: `{"error": {"code", "message"}}` with a status
//! and, for injected faults, an optional `Retry-After` header.

use axum::Json;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error the platform answers with.
#[derive(Debug)]
pub(super) struct ApiError {
    status: StatusCode,
    code: String,
    message: String,
    retry_after: Option<String>,
}

impl ApiError {
    pub(super) fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError { status, code: code.to_owned(), message: message.into(), retry_after: None }
    }

    pub(super) fn with_retry_after(mut self, retry_after: Option<String>) -> ApiError {
        self.retry_after = retry_after;
        self
    }

    pub(super) fn invalid_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", message)
    }

    pub(super) fn invalid_token() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "The access token is invalid or expired",
        )
    }

    pub(super) fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message}});
        let mut response = (self.status, Json(body)).into_response();
        let retry_after = self.retry_after.as_deref().map(HeaderValue::from_str);
        if let Some(Ok(value)) = retry_after {
            response.headers_mut().insert(RETRY_AFTER, value);
        }
        response
    }
}
