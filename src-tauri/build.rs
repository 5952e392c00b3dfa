//! Generates the Tauri context from the top-level `tauri.conf.json` and the capabilities, and
//! links the executable with packed relocations where the machine supports them.

#[path = "relocations.rs"]
mod relocations;

fn main() {
    relocations::pack_when_supported();
    tauri_build::build();
}
