//! Forwards the engine's events to the window (`sipstory://changed`,
//! `sipstory://notification`) and keeps the tray up to date.

use std::sync::Arc;

use sipstory_engine::EngineEvent;
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::broadcast::error::RecvError;

use crate::lifecycle::AppState;

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
