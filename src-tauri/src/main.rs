//! Sipstory's desktop shell: opens the engine on the data folder, starts the publisher, and
//! hosts the calendar/composer window and the tray. It holds no business logic: commands
//! forward to the engine's operations layer.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod events;
mod lifecycle;
mod providers;
mod rendering;
mod scripting;
mod tray;

fn main() {
    let painting = rendering::choose();
    scripting::choose();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    if painting == rendering::Painting::Software {
        tracing::info!("no GPU render node: the window paints without compositing");
    }
    lifecycle::run();
}
