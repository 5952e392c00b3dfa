//! The fake platform's public records and fault descriptions: what tests read
//! back after a run and what they inject before one.

use axum::http::Method;
use chrono::{DateTime, Utc};

/// Tokens handed out for an account, as a real OAuth flow would return them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountCredentials {
    pub access_token: String,
    pub refresh_token: String,
}

/// A post the platform accepted, in arrival order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedPost {
    pub id: String,
    pub url: String,
    pub account_handle: String,
    pub text: String,
    pub reply_to: Option<String>,
    pub media_ids: Vec<String>,
    pub idempotency_key: Option<String>,
    /// When the request's headers arrived, before any configured latency.
    pub received_at: DateTime<Utc>,
    /// When the post was stored (after latency); what `GET /api/posts` reports.
    pub created_at: DateTime<Utc>,
    pub deleted: bool,
}

/// A media upload the platform accepted. The bytes themselves are not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedMedia {
    pub id: String,
    pub account_handle: String,
    pub size: u64,
    pub mime: String,
    pub alt: Option<String>,
}

/// One HTTP request as the platform saw it, whatever its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    pub method: String,
    /// The path without its query string.
    pub path: String,
    /// `None` when the request was never answered (hung, dropped, or still in flight).
    pub status: Option<u16>,
    /// When the request's headers arrived.
    pub at: DateTime<Utc>,
}

/// A text one account got accepted more than once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicatePost {
    pub account_handle: String,
    pub text: String,
    pub count: usize,
}

/// A misbehaviour injected into the next request of a [`FaultScope`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer this error instead of handling the request; record nothing.
    Status { status: u16, code: String, message: String, retry_after: Option<String> },
    /// Never answer and record nothing.
    Hang,
    /// Handle the request (record the post, rotate the token, ...), then never answer.
    HangAfterRecord,
    /// Handle the request, then close the connection without a response.
    DropAfterRecord,
    /// Invalidate the presented access token and answer 401 `invalid_token`.
    ExpireToken,
}

impl Fault {
    /// A [`Fault::Status`] whose message repeats its code.
    pub fn status(status: u16, code: &str, retry_after: Option<&str>) -> Fault {
        Fault::Status {
            status,
            code: code.to_owned(),
            message: format!("Injected fault: {code}"),
            retry_after: retry_after.map(str::to_owned),
        }
    }
}

/// Which requests a fault waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultScope {
    /// `POST /api/posts`.
    Posts,
    /// `POST /api/media`.
    Media,
    /// `POST /oauth/token`.
    Token,
    /// Any request at all.
    Any,
}

impl FaultScope {
    pub(super) fn matches(self, method: &Method, path: &str) -> bool {
        let is_post = method == Method::POST;
        match self {
            FaultScope::Posts => is_post && path == "/api/posts",
            FaultScope::Media => is_post && path == "/api/media",
            FaultScope::Token => is_post && path == "/oauth/token",
            FaultScope::Any => true,
        }
    }
}
