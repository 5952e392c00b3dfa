//! A minimal Tauri window: one static page, nothing else. The desktop benchmark
//! (`tests/benches/desktop.rs`) measures Sipstory's start and memory against it.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    tauri::Builder::default().run(tauri::generate_context!()).expect("the minimal window runs");
}
