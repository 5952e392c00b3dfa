//! Generates the minimal window's Tauri context, and links it the way the app is linked
//! (`src-tauri/relocations.rs`).

#[path = "../../src-tauri/relocations.rs"]
mod relocations;

fn main() {
    relocations::pack_when_supported();
    tauri_build::build();
}
