//! The app's settings, kept as one JSON row so new settings get their defaults.

use rusqlite::OptionalExtension;

use super::{Result, Store, StoreError, to_json};
use crate::model::AppSettings;

const KEY: &str = "app";

impl Store {
    pub fn settings(&self) -> Result<AppSettings> {
        let text: Option<String> = self
            .conn()
            .query_row("SELECT value FROM settings WHERE key = ?1", [KEY], |r| r.get(0))
            .optional()?;
        match text {
            Some(text) => {
                serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(e.to_string()))
            }
            None => Ok(AppSettings::default()),
        }
    }

    pub fn save_settings(&self, settings: &AppSettings) -> Result<()> {
        self.conn().execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [KEY, &to_json(settings)],
        )?;
        Ok(())
    }
}
