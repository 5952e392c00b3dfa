//! Outbound webhooks: where to send which events, and each delivery's outcome.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The events a webhook can receive.
pub const WEBHOOK_EVENTS: [&str; 5] =
    ["post.scheduled", "post.published", "post.partial", "post.failed", "account.disconnected"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub created_at: DateTime<Utc>,
}

/// One event sent (or being sent) to one webhook: the delivery log's row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    pub id: i64,
    pub webhook_id: String,
    pub event: String,
    pub payload: serde_json::Value,
    /// `pending`, `delivered` or `failed` (gave up).
    pub state: String,
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The receiver's HTTP status at the last attempt.
    pub status: Option<u16>,
    pub response_ms: Option<u64>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
}
