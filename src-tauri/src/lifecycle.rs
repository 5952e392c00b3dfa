//! The app's life: single instance, opening the engine, starting the publisher, the webhook
//! deliveries and the local API (when Settings turn it on), showing or hiding the window (closing it hides to the
//! tray), and a clean quit that lets in-flight publishes finish.

use std::sync::{Arc, Mutex};

use sipstory_api::LocalApi;
use sipstory_engine::notify::DesktopNotifier;
use sipstory_engine::ops::Operations;
use sipstory_engine::paths::default_data_dir;
use sipstory_engine::scheduler::SchedulerHandle;
use sipstory_engine::secrets::KeyringSecrets;
use sipstory_engine::webhooks::WebhookDispatcher;
use sipstory_engine::{Engine, EngineConfig};
use tauri::{AppHandle, Manager, RunEvent, WindowEvent};

use crate::commands;

/// What every command and the tray share.
pub struct AppState {
    pub engine: Engine,
    pub ops: Operations,
    pub local_api: LocalApi,
    scheduler: Mutex<Option<SchedulerHandle>>,
    webhooks: Mutex<Option<WebhookDispatcher>>,
}

pub fn run() {
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| show_main(app)))
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec!["--hidden"]),
        ))
        .invoke_handler(commands::handler())
        .setup(|app| {
            let state = open_engine(app.handle())?;
            let start_hidden = std::env::args().any(|a| a == "--hidden")
                || state.ops.settings().map(|s| s.start_hidden).unwrap_or(false);
            let state = Arc::new(state);
            app.manage(state.clone());
            start_local_api(state);
            crate::events::forward(app.handle());
            if let Err(e) = crate::tray::create(app.handle()) {
                tracing::warn!(error = %e, "no tray icon; Sipstory runs without one");
            }
            if !start_hidden {
                show_main(app.handle());
            }
            quit_on_terminate(app.handle());
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { api, .. } = event {
                // Closing the window keeps Sipstory publishing from the tray.
                api.prevent_close();
                let _ = window.hide();
            }
        })
        .build(tauri::generate_context!("../tauri.conf.json"))
        .expect("the Tauri application builds");
    app.run(|app, event| {
        if let RunEvent::ExitRequested { .. } = event {
            stop_publisher(app);
        }
    });
}

fn open_engine(app: &AppHandle) -> Result<AppState, Box<dyn std::error::Error>> {
    let dir = match default_data_dir() {
        Some(dir) => dir,
        None => app.path().app_data_dir()?,
    };
    let engine = Engine::open(
        EngineConfig::new(&dir),
        crate::providers::registry(),
        Arc::new(KeyringSecrets::new("sipstory")),
        Arc::new(notifier(app)),
    )?;
    app.asset_protocol_scope().allow_directory(engine.core().media_dir(), false)?;
    let (scheduler, webhooks) = tauri::async_runtime::block_on(async {
        (engine.start_scheduler(), engine.start_webhooks())
    });
    tracing::info!(data = %dir.display(), "Sipstory started");
    Ok(AppState {
        ops: engine.ops(),
        local_api: LocalApi::new(engine.ops()),
        engine,
        scheduler: Mutex::new(Some(scheduler)),
        webhooks: Mutex::new(Some(webhooks)),
    })
}

/// Starts the local API if Settings turn it on (a busy port is reported in Settings).
fn start_local_api(state: Arc<AppState>) {
    tauri::async_runtime::spawn(async move {
        if let Ok(settings) = state.ops.settings() {
            state.local_api.apply(&settings.local_api).await;
        }
    });
}

/// Desktop notifications that open what they are about when clicked.
fn notifier(app: &AppHandle) -> DesktopNotifier {
    let app = app.clone();
    DesktopNotifier::new("Sipstory")
        .on_activate(Arc::new(move |notice| crate::events::open_notice(&app, notice)))
}

/// A logout or shutdown (SIGTERM) quits like the tray's Quit: in-flight publishes finish.
#[cfg(unix)]
fn quit_on_terminate(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
                tracing::info!("asked to terminate: quitting cleanly");
                app.exit(0);
            }
            Err(e) => {
                tracing::warn!(error = %e, "no SIGTERM handler; a logout stops publishing abruptly")
            }
        }
    });
}

#[cfg(not(unix))]
fn quit_on_terminate(_app: &AppHandle) {}

/// Shows, unminimizes and focuses the main window.
pub fn show_main(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

/// Stops the local API, the webhook deliveries and the publisher: in-flight publishes finish (or are left unconfirmed,
/// never half written) before the process exits.
fn stop_publisher(app: &AppHandle) {
    let Some(state) = app.try_state::<Arc<AppState>>() else { return };
    tauri::async_runtime::block_on(state.local_api.stop());
    let webhooks = state.webhooks.lock().expect("webhooks lock").take();
    if let Some(webhooks) = webhooks {
        tauri::async_runtime::block_on(webhooks.stop());
    }
    let handle = state.scheduler.lock().expect("scheduler lock").take();
    if let Some(handle) = handle {
        tauri::async_runtime::block_on(handle.shutdown());
        tracing::info!("publisher stopped");
    }
}
