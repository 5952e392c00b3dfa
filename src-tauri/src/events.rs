//! Forwards the engine's events to the window (`sipstory://changed`,
//! `sipstory://notification`) and keeps the tray up to date; brings the window up on a view
//! (`sipstory://navigate`) for the tray's items and clicked notifications.

use std::sync::Arc;

use serde_json::json;
use sipstory_engine::EngineEvent;
use sipstory_engine::notify::{Notice, NoticeKind};
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::broadcast::error::RecvError;

use crate::lifecycle::{AppState, show_main};

pub const CHANGED: &str = "sipstory://changed";
pub const NOTIFICATION: &str = "sipstory://notification";
pub const NAVIGATE: &str = "sipstory://navigate";

pub fn forward(app: &AppHandle) {
    let state = app.state::<Arc<AppState>>();
    let mut events = state.engine.core().subscribe();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            let event = match events.recv().await {
                Ok(event) => event,
                Err(RecvError::Lagged(_)) => EngineEvent::QueueChanged,
                Err(RecvError::Closed) => return,
            };
            match &event {
                EngineEvent::QueueChanged => {
                    let _ = app.emit(CHANGED, ());
                }
                EngineEvent::Notified(notice) => {
                    let _ = app.emit(NOTIFICATION, notice);
                    let _ = app.emit(CHANGED, ());
                }
            }
            crate::tray::refresh(&app);
        }
    });
}

/// Shows the window on a view: `{"view": "composer" | "failed" | "accounts" | "missed"}`, or
/// `{"view": "post", "id": ...}`.
pub fn navigate(app: &AppHandle, to: serde_json::Value) {
    show_main(app);
    let _ = app.emit(NAVIGATE, to);
}

/// Opens what a clicked notification is about: its post, else the screen that resolves it.
pub fn open_notice(app: &AppHandle, notice: &Notice) {
    let to = match (&notice.post_id, notice.kind) {
        (Some(id), _) => json!({ "view": "post", "id": id }),
        (None, NoticeKind::NeedsReconnect) => json!({ "view": "accounts" }),
        (None, NoticeKind::Missed) => json!({ "view": "missed" }),
        (None, _) => json!({}),
    };
    navigate(app, to);
}
