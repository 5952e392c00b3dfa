//! Generates the minimal window's Tauri context.
fn main() {
    tauri_build::build();
}
