//! A connected social account: its public profile and connection status. Secrets live in the
//! keychain, never here.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Whether the engine may publish to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    Connected,
    NeedsReconnect,
    Disabled,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connected => "connected",
            Self::NeedsReconnect => "needs_reconnect",
            Self::Disabled => "disabled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "connected" => Self::Connected,
            "needs_reconnect" => Self::NeedsReconnect,
            "disabled" => Self::Disabled,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    /// Platform identifier, e.g. `bluesky`, `x`, `mastodon`.
    pub platform: String,
    /// The account's handle on the platform (`@alice.bsky.social`).
    pub handle: String,
    pub display_name: String,
    pub avatar_url: Option<String>,
    pub status: AccountStatus,
    /// Publishing paused for this account by the user.
    pub paused: bool,
    /// Per-account settings (instance URL, relays, default visibility...), never secrets.
    pub settings: serde_json::Value,
    pub created_at: DateTime<Utc>,
}
