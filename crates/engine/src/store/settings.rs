//! The app's settings, kept as one JSON row so new settings get their defaults, and cached in
//! memory: the publisher reads them for every outcome, and only [`Store::save_settings`]
//! changes them.

use std::sync::MutexGuard;

use rusqlite::OptionalExtension;

use super::{Result, Store, StoreError, to_json};
use crate::model::AppSettings;

pub(super) const KEY: &str = "app";

impl Store {
    pub fn settings(&self) -> Result<AppSettings> {
        let mut cached = self.settings_cache();
        if let Some(settings) = cached.as_ref() {
            return Ok(settings.clone());
        }
        let text: Option<String> = self
            .conn()
            .query_row("SELECT value FROM settings WHERE key = ?1", [KEY], |r| r.get(0))
            .optional()?;
        let settings = match text {
            Some(text) => {
                serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(e.to_string()))?
            }
            None => AppSettings::default(),
        };
        *cached = Some(settings.clone());
        Ok(settings)
    }

    pub fn save_settings(&self, settings: &AppSettings) -> Result<()> {
        self.conn().execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [KEY, &to_json(settings)],
        )?;
        *self.settings_cache() = Some(settings.clone());
        Ok(())
    }

    fn settings_cache(&self) -> MutexGuard<'_, Option<AppSettings>> {
        self.settings.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
