//! What Mastodon's REST API answers, as far as Sipstory reads it, and how it says no:
//! `{"error": "…"}` bodies and `X-RateLimit-Reset` (an ISO time) on 429.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::Deserialize;
use sipstory_engine::provider::http::{ErrorBody, GenericErrorBody};

/// Mastodon's error bodies: the `error` text is the message (there is no code).
pub struct MastodonErrors;

impl ErrorBody for MastodonErrors {
    fn parse(&self, status: StatusCode, body: &str) -> (Option<String>, String) {
        let (_, message) = GenericErrorBody.parse(status, body);
        (None, message)
    }

    fn retry_after(&self, headers: &HeaderMap) -> Option<Duration> {
        let reset = headers.get("x-ratelimit-reset")?.to_str().ok()?;
        let at = DateTime::parse_from_rfc3339(reset.trim()).ok()?;
        Some(at.signed_duration_since(Utc::now()).to_std().unwrap_or_default())
    }
}

/// `GET /api/v1/accounts/verify_credentials`.
#[derive(Debug, Deserialize)]
pub struct CredentialAccount {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub avatar: Option<String>,
}

/// A status (`POST /api/v1/statuses`, `GET /api/v1/accounts/:id/statuses`).
#[derive(Debug, Deserialize)]
pub struct Status {
    pub id: String,
    pub uri: String,
    pub url: Option<String>,
    pub content: String,
    pub created_at: DateTime<Utc>,
}

/// `POST /api/v2/media`, `GET /api/v1/media/:id`.
#[derive(Debug, Deserialize)]
pub struct MediaAttachment {
    pub id: String,
    pub url: Option<String>,
}

/// `POST /api/v1/apps`.
#[derive(Debug, Deserialize)]
pub struct RegisteredApp {
    pub client_id: String,
    pub client_secret: String,
}

/// A status the server holds for later (`POST /api/v1/statuses` with `scheduled_at`,
/// `GET /api/v1/scheduled_statuses`).
#[derive(Debug, Deserialize)]
pub struct ScheduledStatus {
    pub id: String,
    pub scheduled_at: DateTime<Utc>,
    pub params: ScheduledParams,
}

#[derive(Debug, Deserialize)]
pub struct ScheduledParams {
    #[serde(default)]
    pub text: Option<String>,
}

/// What `POST /api/v1/statuses` with `scheduled_at` answers: the held status, or the status
/// itself when the server published it at once.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum CreatedStatus {
    Scheduled(ScheduledStatus),
    Published(Status),
}
