//! A key of the local API as Settings lists it: its name and first characters, never the key.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKey {
    pub id: String,
    pub name: String,
    /// The key's first characters, enough to recognise it in a list.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// What a script replaying a request with an `Idempotency-Key` gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// First use of the key: the caller does the work, then records its response.
    Claimed,
    /// The key's first request is still being answered.
    InProgress,
    /// The key was used for a different request.
    Mismatch,
    /// The first response, to return again.
    Replay { status: u16, body: String },
}
