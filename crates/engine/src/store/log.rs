//! The publish log: one row per request of every attempt. It holds endpoints, statuses and the
//! platform's messages, never a token or secret.

use chrono::{DateTime, Utc};
use rusqlite::{Row, params};
use serde::{Deserialize, Serialize};

use super::{Result, Store, Tx, from_ms, ms};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub post_id: Option<String>,
    pub target_id: Option<String>,
    pub account_id: Option<String>,
    pub platform: Option<String>,
    /// What was done: `publish`, `upload_media`, `refresh`, `reconcile`, `delete`...
    pub action: String,
    pub endpoint: Option<String>,
    pub http_status: Option<u16>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub duration_ms: u64,
    pub attempt: u32,
}

/// Which log rows to list, newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogFilter {
    pub post_id: Option<String>,
    pub account_id: Option<String>,
    pub errors_only: bool,
    pub before_id: Option<i64>,
    pub limit: Option<u32>,
}

fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<LogEntry> {
    Ok(LogEntry {
        id: row.get(0)?,
        at: from_ms(row.get(1)?),
        post_id: row.get(2)?,
        target_id: row.get(3)?,
        account_id: row.get(4)?,
        platform: row.get(5)?,
        action: row.get(6)?,
        endpoint: row.get(7)?,
        http_status: row.get(8)?,
        error_code: row.get(9)?,
        error_message: row.get(10)?,
        duration_ms: row.get(11)?,
        attempt: row.get(12)?,
    })
}

impl Tx<'_> {
    /// Appends rows to the log (their `id` is assigned here).
    pub fn append_log(&self, entries: &[LogEntry]) -> Result<()> {
        let mut stmt = self.0.prepare_cached(
            "INSERT INTO publish_log (at, post_id, target_id, account_id, platform, action,
                 endpoint, http_status, error_code, error_message, duration_ms, attempt)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?;
        for e in entries {
            stmt.execute(params![
                ms(e.at),
                e.post_id,
                e.target_id,
                e.account_id,
                e.platform,
                e.action,
                e.endpoint,
                e.http_status,
                e.error_code,
                e.error_message,
                e.duration_ms,
                e.attempt,
            ])?;
        }
        Ok(())
    }
}

impl Store {
    pub fn log(&self, filter: &LogFilter) -> Result<Vec<LogEntry>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, at, post_id, target_id, account_id, platform, action, endpoint,
                    http_status, error_code, error_message, duration_ms, attempt
             FROM publish_log
             WHERE (?1 IS NULL OR post_id = ?1) AND (?2 IS NULL OR account_id = ?2)
               AND (?3 = 0 OR error_message IS NOT NULL) AND (?4 IS NULL OR id < ?4)
             ORDER BY id DESC LIMIT ?5",
        )?;
        let rows = stmt.query_map(
            params![
                filter.post_id,
                filter.account_id,
                filter.errors_only,
                filter.before_id,
                filter.limit.unwrap_or(200).min(1000)
            ],
            entry_from_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
