//! The tray icon and its menu: open, new post, the next post due, pause/resume, failures, quit.
//! Its texts and tooltip follow the queue. A tray that cannot be created is logged and the app
//! carries on without it.

use std::sync::Arc;

use chrono::Local;
use serde_json::json;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager, Wry};
use tauri_plugin_autostart::ManagerExt;

use crate::events::navigate;
use crate::lifecycle::{AppState, show_main};

/// The menu items whose text changes, and the icon whose tooltip does.
struct TrayItems {
    icon: TrayIcon,
    next: MenuItem<Wry>,
    pause: MenuItem<Wry>,
    failures: MenuItem<Wry>,
}

pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, "open", "Open Sipstory", true, None::<&str>)?;
    let new_post = MenuItem::with_id(app, "new", "New post", true, Some("CmdOrCtrl+N"))?;
    let next = MenuItem::with_id(app, "next", "Nothing scheduled", false, None::<&str>)?;
    let pause = MenuItem::with_id(app, "pause", "Pause publishing", true, None::<&str>)?;
    let failures = MenuItem::with_id(app, "failures", "No failed posts", false, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit Sipstory", true, None::<&str>)?;
    let separator = || PredefinedMenuItem::separator(app);
    let menu = Menu::with_items(
        app,
        &[&open, &new_post, &separator()?, &next, &pause, &failures, &separator()?, &quit],
    )?;
    let image = tauri::image::Image::from_bytes(include_bytes!("../../icons/tray.png"))?;
    let icon = TrayIconBuilder::with_id("main")
        .icon(image)
        .tooltip("Sipstory")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| on_menu(app, event.id().as_ref()))
        .build(app)?;
    app.manage(TrayItems { icon, next, pause, failures });
    refresh(app);
    Ok(())
}

fn on_menu(app: &AppHandle, id: &str) {
    match id {
        "open" => show_main(app),
        "new" => navigate(app, json!({ "view": "composer" })),
        "failures" => navigate(app, json!({ "view": "failed" })),
        "pause" => toggle_pause(app),
        "quit" => app.exit(0),
        _ => {}
    }
}

fn toggle_pause(app: &AppHandle) {
    let state = app.state::<Arc<AppState>>().inner().clone();
    tauri::async_runtime::spawn(async move {
        let paused = state.ops.settings().map(|s| s.publishing_paused).unwrap_or(false);
        if let Err(e) = state.ops.set_publishing_paused(!paused).await {
            tracing::error!(error = %e, "could not change the publishing pause");
        }
    });
}

/// Brings the menu texts and tooltip up to date with the queue.
pub fn refresh(app: &AppHandle) {
    let (Some(items), Some(state)) =
        (app.try_state::<TrayItems>(), app.try_state::<Arc<AppState>>())
    else {
        return;
    };
    let store = &state.engine.core().store;
    let paused = state.ops.settings().map(|s| s.publishing_paused).unwrap_or(false);
    let next = store.next_up().ok().flatten();
    let failed = store.count_in_state(sipstory_engine::model::TargetState::Failed).unwrap_or(0);
    let next_text = match &next {
        Some((at, handle, platform)) => {
            format!("Next: {} · {handle} ({platform})", at.with_timezone(&Local).format("%a %H:%M"))
        }
        None => "Nothing scheduled".to_owned(),
    };
    let _ = items.next.set_text(&next_text);
    let _ = items.pause.set_text(if paused { "Resume publishing" } else { "Pause publishing" });
    let _ = items.failures.set_text(match failed {
        0 => "No failed posts".to_owned(),
        1 => "1 failed post…".to_owned(),
        n => format!("{n} failed posts…"),
    });
    let _ = items.failures.set_enabled(failed > 0);
    let state_text = if paused { "publishing paused" } else { "publishing" };
    let _ = items.icon.set_tooltip(Some(format!("Sipstory — {state_text}. {next_text}")));
}

/// Registers or removes Sipstory from the programs started at login.
pub fn apply_start_at_login(app: &AppHandle, enabled: bool) {
    let launcher = app.autolaunch();
    let result = if enabled { launcher.enable() } else { launcher.disable() };
    if let Err(e) = result {
        tracing::warn!(error = %e, "could not change start at login");
    }
}
