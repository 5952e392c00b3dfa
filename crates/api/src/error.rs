//! The API's one error shape, `{"error", "code", "param", "msg"}` with its HTTP status, and
//! the single place where the operations layer's error codes and field names become it.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sipstory_engine::ops::{ErrorCode, OpsError};
use sipstory_engine::validation::Violation;
use utoipa::ToSchema;

/// Every error the API answers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, for people.
    pub error: String,
    /// What went wrong, for programs: `invalid_input`, `validation_failed`, `not_found`,
    /// `unauthorized`, `conflict`, `too_large`, `rate_limited`...
    pub code: String,
    /// The request field it is about, when there is one (`posts[0].value[0].content`).
    pub param: Option<String>,
    /// The same as `error`, under the name the reference API uses.
    pub msg: String,
    /// Each platform rule a post breaks, when `code` is `validation_failed`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub violations: Vec<ViolationBody>,
}

/// One platform rule a post breaks.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ViolationBody {
    /// The integration (channel) it concerns.
    pub integration: String,
    pub field: String,
    pub code: String,
    pub message: String,
}

impl From<Violation> for ViolationBody {
    fn from(v: Violation) -> Self {
        Self {
            integration: v.account_id,
            field: param_of(&v.field),
            code: v.code,
            message: v.message,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: Box<ErrorBody>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            status,
            body: Box::new(ErrorBody {
                error: message.clone(),
                code: code.to_owned(),
                param: None,
                msg: message,
                violations: Vec::new(),
            }),
        }
    }

    pub fn with_param(mut self, param: impl Into<String>) -> Self {
        self.body.param = Some(param.into());
        self
    }

    pub fn invalid(param: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_input", message).with_param(param)
    }

    pub fn unauthorized(message: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }
}

/// The HTTP status of an operations-layer error code.
fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::InvalidInput | ErrorCode::ValidationFailed => StatusCode::BAD_REQUEST,
        ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Conflict => StatusCode::CONFLICT,
        ErrorCode::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::UnsupportedPlatform => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::PlatformError => StatusCode::BAD_GATEWAY,
        ErrorCode::KeychainUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The request field an operations-layer field names: the engine speaks of `targets` and
/// `items`, the reference API of `posts[i]` and their `value`.
pub fn param_of(field: &str) -> String {
    if let Some(rest) = field.strip_prefix("targets[") {
        let (index, tail) = rest.split_once(']').unwrap_or((rest, ""));
        let tail = match tail {
            ".account_id" => ".integration.id".to_owned(),
            t => t.replacen(".custom_items", ".value", 1).replace(".items", ".value"),
        };
        return format!("posts[{index}]{}", items_param(&tail));
    }
    if field.starts_with("items") {
        return format!("posts[0].{}", items_param(&field.replacen("items", "value", 1)));
    }
    match field {
        "targets" => "posts".to_owned(),
        "schedule" => "type".to_owned(),
        "leave_held" => "leaveHeld".to_owned(),
        other => other.to_owned(),
    }
}

/// `value[0].text` → `value[0].content`, `value[0].media[1]` → `value[0].image[1]`.
fn items_param(path: &str) -> String {
    path.replace(".text", ".content").replace(".media", ".image").replace(".delay_secs", ".delay")
}

impl From<OpsError> for ApiError {
    fn from(e: OpsError) -> Self {
        let code = serde_json::to_value(e.code)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "internal".to_owned());
        let mut error = Self::new(status_of(e.code), &code, e.message);
        error.body.param = e.field.as_deref().map(param_of);
        error.body.violations = e.violations.into_iter().map(ViolationBody::from).collect();
        error
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let status = rejection.status();
        let code = match status {
            StatusCode::UNPROCESSABLE_ENTITY => "invalid_body",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
            StatusCode::PAYLOAD_TOO_LARGE => "too_large",
            _ => "invalid_json",
        };
        Self::new(status, code, rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_input", rejection.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::param_of;

    #[test]
    fn operations_fields_are_named_as_the_request_names_them() {
        assert_eq!(param_of("targets[1].account_id"), "posts[1].integration.id");
        assert_eq!(param_of("items[0].text"), "posts[0].value[0].content");
        assert_eq!(param_of("leave_held"), "leaveHeld");
    }
}
