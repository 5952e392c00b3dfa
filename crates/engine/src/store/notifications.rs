//! Stored notifications: what the tray and the API list, whether or not the desktop showed it.

use chrono::{DateTime, Utc};
use rusqlite::{Row, params};
use serde::{Deserialize, Serialize};

use super::{Result, Store, Tx, from_ms, ms};
use crate::notify::{Notice, NoticeKind};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredNotification {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub kind: NoticeKind,
    pub title: String,
    pub body: String,
    pub post_id: Option<String>,
    pub account_id: Option<String>,
    pub link: Option<String>,
    pub read: bool,
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<StoredNotification> {
    let kind: String = row.get(2)?;
    Ok(StoredNotification {
        id: row.get(0)?,
        created_at: from_ms(row.get(1)?),
        kind: NoticeKind::parse(&kind).unwrap_or(NoticeKind::Failed),
        title: row.get(3)?,
        body: row.get(4)?,
        post_id: row.get(5)?,
        account_id: row.get(6)?,
        link: row.get(7)?,
        read: row.get(8)?,
    })
}

impl Tx<'_> {
    /// Records a notification; returns its id.
    pub fn insert_notification(&self, notice: &Notice, at: DateTime<Utc>) -> Result<i64> {
        self.run(
            "INSERT INTO notifications (created_at, kind, title, body, post_id, account_id, link)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                ms(at),
                notice.kind.as_str(),
                notice.title,
                notice.body,
                notice.post_id,
                notice.account_id,
                notice.link,
            ],
        )?;
        Ok(self.0.last_insert_rowid())
    }
}

impl Store {
    /// One page (0-based) of notifications, newest first, and the total count.
    pub fn notifications(
        &self,
        page: u32,
        per_page: u32,
    ) -> Result<(Vec<StoredNotification>, u64)> {
        let conn = self.conn();
        let total: u64 = conn.query_row("SELECT count(*) FROM notifications", [], |r| r.get(0))?;
        let mut stmt = conn.prepare_cached(
            "SELECT id, created_at, kind, title, body, post_id, account_id, link, read
             FROM notifications ORDER BY id DESC LIMIT ?1 OFFSET ?2",
        )?;
        let rows =
            stmt.query_map(params![per_page, u64::from(page) * u64::from(per_page)], from_row)?;
        Ok((rows.collect::<rusqlite::Result<_>>()?, total))
    }

    pub fn mark_notifications_read(&self, up_to_id: i64) -> Result<()> {
        self.conn().execute("UPDATE notifications SET read = 1 WHERE id <= ?1", [up_to_id])?;
        Ok(())
    }
}
