//! The operations layer's error: a code an adapter maps to its own form (HTTP status, inline
//! field error), a human message, and the field it concerns.

use serde::Serialize;

use crate::secrets::SecretError;
use crate::store::StoreError;
use crate::validation::Violation;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A field is missing or malformed.
    InvalidInput,
    /// The content breaks a platform's rules; see `violations`.
    ValidationFailed,
    NotFound,
    /// A local API request without a valid key.
    Unauthorized,
    /// The request contradicts the current state (e.g. editing a published post).
    Conflict,
    TooLarge,
    /// The keychain is locked or unavailable.
    KeychainUnavailable,
    /// The platform refused a connection or answered with an error.
    PlatformError,
    /// No provider for this platform in this build.
    UnsupportedPlatform,
    Internal,
}

#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct OpsError {
    pub code: ErrorCode,
    pub message: String,
    /// The input field it is about (`date`, `targets[1].account_id`, `items[0].text`...).
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub violations: Vec<Violation>,
}

pub type OpsResult<T> = Result<T, OpsError>;

impl OpsError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), field: None, violations: Vec::new() }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self { field: Some(field.to_owned()), ..Self::new(ErrorCode::InvalidInput, message) }
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    /// Content that breaks platform rules: the first violation is the message, all are listed.
    pub fn violations(violations: Vec<Violation>) -> Self {
        let first = &violations[0];
        let message = if violations.len() == 1 {
            first.message.clone()
        } else {
            format!("{} (and {} more problems)", first.message, violations.len() - 1)
        };
        Self {
            code: ErrorCode::ValidationFailed,
            message,
            field: Some(first.field.clone()),
            violations,
        }
    }
}

impl From<StoreError> for OpsError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => Self::new(ErrorCode::NotFound, e.to_string()),
            StoreError::Conflict(message) => Self::new(ErrorCode::Conflict, message),
            other => {
                tracing::error!(error = %other, "store error");
                Self::new(ErrorCode::Internal, other.to_string())
            }
        }
    }
}

impl From<SecretError> for OpsError {
    fn from(e: SecretError) -> Self {
        Self::new(ErrorCode::KeychainUnavailable, e.to_string())
    }
}
