//! Settings, time slots, global pause, the activity log, notifications and backups.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::{ErrorCode, Operations, OpsError, OpsResult};
use crate::model::AppSettings;
use crate::store::{LogEntry, LogFilter, StoredNotification};
use crate::time::parse_zone;

impl Operations {
    pub fn settings(&self) -> OpsResult<AppSettings> {
        Ok(self.core.store.settings()?)
    }

    /// Saves settings after checking them; resuming publishing marks overdue posts missed.
    pub async fn update_settings(&self, settings: AppSettings) -> OpsResult<AppSettings> {
        if let Some(zone) = &settings.time_zone {
            parse_zone(zone).map_err(|e| OpsError::invalid("time_zone", e.to_string()))?;
        }
        if !(1..=10_080).contains(&settings.missed_grace_minutes) {
            return Err(OpsError::invalid(
                "missed_grace_minutes",
                "The grace must be between 1 minute and 7 days.",
            ));
        }
        if settings.local_api.port < 1024 {
            return Err(OpsError::invalid(
                "local_api.port",
                "Choose a port from 1024 to 65535 (lower ones need administrator rights).",
            ));
        }
        if !(1..=100_000).contains(&settings.local_api.posts_per_hour) {
            return Err(OpsError::invalid(
                "local_api.posts_per_hour",
                "Allow between 1 and 100000 posts per hour.",
            ));
        }
        let was_paused = self.core.store.settings()?.publishing_paused;
        if was_paused && !settings.publishing_paused {
            // Before the pause lifts, so the scheduler never sees them as merely due.
            crate::scheduler::mark_missed(&self.core, None).await;
        }
        self.core.store.save_settings(&settings)?;
        if was_paused != settings.publishing_paused {
            // Paused: the posts servers hold are taken back (nothing goes out); resumed: they
            // are handed off again.
            self.core.store.mark_hand_offs()?;
        }
        self.core.queue_changed();
        Ok(settings)
    }

    /// Pauses or resumes publishing for every account. While paused nothing goes out: the
    /// posts a server holds are taken back from it (and handed to it again on resume).
    pub async fn set_publishing_paused(&self, paused: bool) -> OpsResult<AppSettings> {
        let settings = AppSettings { publishing_paused: paused, ..self.core.store.settings()? };
        self.update_settings(settings).await
    }

    /// Replaces an account's posting slots (weekday 0 = Monday, minute of the local day).
    pub fn set_time_slots(
        &self,
        account_id: &str,
        slots: &[(u8, u16)],
    ) -> OpsResult<Vec<(u8, u16)>> {
        self.core.store.account(account_id)?;
        if let Some((i, _)) =
            slots.iter().enumerate().find(|(_, (day, minute))| *day > 6 || *minute >= 1440)
        {
            return Err(OpsError::invalid(
                &format!("slots[{i}]"),
                "A slot needs a weekday 0–6 (Monday first) and a time of day.",
            ));
        }
        self.core.store.set_slots(account_id, slots)?;
        Ok(self.core.store.slots(account_id)?)
    }

    pub fn time_slots(&self, account_id: &str) -> OpsResult<Vec<(u8, u16)>> {
        self.core.store.account(account_id)?;
        Ok(self.core.store.slots(account_id)?)
    }

    /// The next free slot of an account, in `zone`, else the settings' zone, else the machine's.
    pub fn next_free_slot(
        &self,
        account_id: &str,
        zone: Option<&str>,
    ) -> OpsResult<Option<DateTime<Utc>>> {
        self.core.store.account(account_id)?;
        let name = match zone {
            Some(zone) => zone.to_owned(),
            None => crate::time::user_zone(self.core.store.settings()?.time_zone),
        };
        let zone = parse_zone(&name).map_err(|e| OpsError::invalid("time_zone", e.to_string()))?;
        self.find_slot(account_id, &zone)
    }

    pub fn activity(&self, filter: &LogFilter) -> OpsResult<Vec<LogEntry>> {
        Ok(self.core.store.log(filter)?)
    }

    /// One page (0-based) of notifications, newest first, and the total.
    pub fn notifications(
        &self,
        page: u32,
        per_page: u32,
    ) -> OpsResult<(Vec<StoredNotification>, u64)> {
        Ok(self.core.store.notifications(page, per_page.clamp(1, 500))?)
    }

    pub fn mark_notifications_read(&self, up_to_id: i64) -> OpsResult<()> {
        Ok(self.core.store.mark_notifications_read(up_to_id)?)
    }

    /// Writes a backup folder `sipstory-backup-<time>` inside `dest`: a consistent copy of the
    /// database and the media library. Returns its path.
    pub fn export_backup(&self, dest: &Path) -> OpsResult<PathBuf> {
        let folder = dest.join(format!("sipstory-backup-{}", Utc::now().format("%Y%m%d-%H%M%S")));
        let io = |e: std::io::Error| OpsError {
            field: Some("destination".into()),
            ..OpsError::new(ErrorCode::InvalidInput, format!("Could not write the backup: {e}"))
        };
        std::fs::create_dir_all(folder.join("media")).map_err(io)?;
        self.core.store.backup_to(&folder.join("sipstory.db"))?;
        for entry in std::fs::read_dir(self.core.media_dir()).map_err(io)? {
            let entry = entry.map_err(io)?;
            if entry.file_type().map_err(io)?.is_file() {
                std::fs::copy(entry.path(), folder.join("media").join(entry.file_name()))
                    .map_err(io)?;
            }
        }
        Ok(folder)
    }
}
