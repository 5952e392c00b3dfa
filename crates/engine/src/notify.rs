//! Desktop notifications through `notify-rust`: what the user hears about published, failed,
//! needs-reconnect and missed posts. The engine always records a notification in the store;
//! this only shows it on the desktop when the setting allows, and reports a click on it.

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

/// What to do when the user clicks a notification: open what it is about.
pub type OnActivate = std::sync::Arc<dyn Fn(&Notice) + Send + Sync>;

/// The desktop's notification service (freedesktop Notifications on Linux).
pub struct DesktopNotifier {
    app_name: String,
    on_activate: Option<OnActivate>,
}

impl DesktopNotifier {
    pub fn new(app_name: impl Into<String>) -> Self {
        Self { app_name: app_name.into(), on_activate: None }
    }

    /// Makes a click on a notification call `on_activate` with its notice, where the desktop
    /// reports clicks (freedesktop servers do; elsewhere a click only dismisses it).
    pub fn on_activate(mut self, on_activate: OnActivate) -> Self {
        self.on_activate = Some(on_activate);
        self
    }
}

/// The action a click on a notification's body invokes (freedesktop's reserved name).
const CLICK: &str = "default";

impl Notifier for DesktopNotifier {
    fn show(&self, notice: &Notice) -> Result<(), NotifyError> {
        let mut notification = notify_rust::Notification::new();
        notification.appname(&self.app_name).summary(&notice.title).body(&notice.body);
        #[cfg(all(unix, not(target_os = "macos")))]
        if let Some(on_activate) = self.on_activate.clone() {
            notification.action(CLICK, "Open");
            let handle = notification.show().map_err(|e| NotifyError(e.to_string()))?;
            wait_for_click(handle, notice.clone(), on_activate);
            return Ok(());
        }
        notification.show().map(|_| ()).map_err(|e| NotifyError(e.to_string()))
    }
}

/// Waits on a thread of its own until the notification is clicked or closed.
#[cfg(all(unix, not(target_os = "macos")))]
fn wait_for_click(handle: notify_rust::NotificationHandle, notice: Notice, on: OnActivate) {
    let waiting =
        std::thread::Builder::new().name("sipstory-notification".into()).spawn(move || {
            handle.wait_for_action(|action| {
                if action == CLICK {
                    on(&notice);
                }
            });
        });
    if let Err(e) = waiting {
        tracing::warn!(error = %e, "clicks on this notification will not open the post");
    }
}
