//! The user's settings.

use serde::{Deserialize, Serialize};

/// Which day a calendar week starts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeekStart {
    Monday,
    Sunday,
    Saturday,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppSettings {
    /// The IANA zone new posts are written in; `None` follows the system's.
    pub time_zone: Option<String>,
    pub week_start: WeekStart,
    /// A post found overdue by at most this many minutes at start-up or wake goes out at once;
    /// an older one becomes missed.
    pub missed_grace_minutes: u32,
    pub notifications_enabled: bool,
    /// Publishing paused for every account.
    pub publishing_paused: bool,
    pub start_at_login: bool,
    pub start_hidden: bool,
    pub local_api: LocalApiSettings,
}

/// The local API server on 127.0.0.1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LocalApiSettings {
    pub enabled: bool,
    pub port: u16,
    /// Posts a key may create per hour (the reference API's limit).
    pub posts_per_hour: u32,
}

impl Default for LocalApiSettings {
    fn default() -> Self {
        Self { enabled: false, port: 5000, posts_per_hour: 30 }
    }
}

impl Default for AppSettings {
    fn default() -> Self {
        Self {
            time_zone: None,
            week_start: WeekStart::Monday,
            missed_grace_minutes: 60,
            notifications_enabled: true,
            publishing_paused: false,
            start_at_login: false,
            start_hidden: false,
            local_api: LocalApiSettings::default(),
        }
    }
}
