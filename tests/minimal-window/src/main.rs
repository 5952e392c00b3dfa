//! A minimal Tauri window: one static page, nothing else. The desktop benchmark
//! (`tests/benches/desktop.rs`) measures Sipstory's start and memory against it. It paints and
//! runs scripts as Sipstory does on the machine (`rendering` and `scripting`, shared with the app).

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

#[path = "../../../src-tauri/src/rendering.rs"]
mod rendering;
#[path = "../../../src-tauri/src/scripting.rs"]
mod scripting;

fn main() {
    rendering::choose();
    scripting::choose();
    tauri::Builder::default().run(tauri::generate_context!()).expect("the minimal window runs");
}
