//! Desktop notifications through `notify-rust`: what the user hears about published, failed,
//! needs-reconnect and missed posts. The engine always records a notification in the store;
//! this only shows it on the desktop when the setting allows.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    Published,
    Failed,
    NeedsReconnect,
    Missed,
}

impl NoticeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Published => "published",
            Self::Failed => "failed",
            Self::NeedsReconnect => "needs_reconnect",
            Self::Missed => "missed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "published" => Self::Published,
            "failed" => Self::Failed,
            "needs_reconnect" => Self::NeedsReconnect,
            "missed" => Self::Missed,
            _ => return None,
        })
    }
}

/// A notification to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    pub kind: NoticeKind,
    pub title: String,
    pub body: String,
    /// The post it is about, so a click can open it.
    pub post_id: Option<String>,
    pub account_id: Option<String>,
    /// The published post's URL, when there is one.
    pub link: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("Desktop notification could not be shown: {0}")]
pub struct NotifyError(pub String);

pub trait Notifier: Send + Sync {
    fn show(&self, notice: &Notice) -> Result<(), NotifyError>;
}

/// The desktop's notification service (freedesktop Notifications on Linux).
pub struct DesktopNotifier {
    app_name: String,
}

impl DesktopNotifier {
    pub fn new(app_name: impl Into<String>) -> Self {
        Self { app_name: app_name.into() }
    }
}

impl Notifier for DesktopNotifier {
    fn show(&self, notice: &Notice) -> Result<(), NotifyError> {
        notify_rust::Notification::new()
            .appname(&self.app_name)
            .summary(&notice.title)
            .body(&notice.body)
            .show()
            .map(|_| ())
            .map_err(|e| NotifyError(e.to_string()))
    }
}
