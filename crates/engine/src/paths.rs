//! Where Sipstory keeps its data: the OS app-data folder, or the folder named by
//! `SIPSTORY_DATA_DIR` (tests, portable installs).

use std::path::PathBuf;

pub const DATA_DIR_ENV: &str = "SIPSTORY_DATA_DIR";

/// The data folder: `$SIPSTORY_DATA_DIR`, else the platform's app-data dir
/// (`~/.local/share/sipstory` on Linux).
pub fn default_data_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("app", "Sipstory", "sipstory").map(|d| d.data_dir().to_owned())
}
