//! The typed outcome of a failed platform call, which decides what the publisher does next.

use std::time::Duration;

/// What kind of failure it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The platform did not create anything (network down, 5xx, 429): retry later.
    Transient,
    /// The request may have reached the platform but no answer came: reconcile first.
    Unknown,
    /// The credentials were refused: refresh once, else the account needs reconnecting.
    Auth,
    /// The platform refused the content or the request for good.
    Permanent,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ProviderError {
    pub kind: ErrorKind,
    pub message: String,
    pub http_status: Option<u16>,
    /// The platform's own error code.
    pub code: Option<String>,
    /// How long the platform asked us to wait (429 `Retry-After` and the like).
    pub retry_after: Option<Duration>,
}

impl ProviderError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), http_status: None, code: None, retry_after: None }
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        self
    }

    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    pub fn with_retry_after(mut self, wait: Duration) -> Self {
        self.retry_after = Some(wait);
        self
    }

    /// Classifies an HTTP error status the way most platforms mean it.
    pub fn from_status(status: u16, message: impl Into<String>) -> Self {
        let kind = match status {
            401 => ErrorKind::Auth,
            408 | 425 | 429 | 500 | 502 | 503 => ErrorKind::Transient,
            504 => ErrorKind::Unknown,
            _ if status >= 500 => ErrorKind::Transient,
            _ => ErrorKind::Permanent,
        };
        Self::new(kind, message).with_status(status)
    }
}
