//! Generates the Tauri context from the top-level `tauri.conf.json` and the capabilities.
fn main() {
    tauri_build::build();
}
