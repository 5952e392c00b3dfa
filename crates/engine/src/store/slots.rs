//! Posting time slots per account (weekday + local minute of day) and the times already taken.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{Result, Store, from_ms, ms};

impl Store {
    /// Replaces an account's slots. `weekday` is 0 = Monday ... 6 = Sunday.
    pub fn set_slots(&self, account_id: &str, slots: &[(u8, u16)]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM time_slots WHERE account_id = ?1", [account_id])?;
        for (weekday, minute) in slots {
            tx.execute(
                "INSERT OR IGNORE INTO time_slots (account_id, weekday, minute) VALUES (?1, ?2, ?3)",
                params![account_id, weekday, minute],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// An account's slots, by weekday then time.
    pub fn slots(&self, account_id: &str) -> Result<Vec<(u8, u16)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT weekday, minute FROM time_slots WHERE account_id = ?1 ORDER BY weekday, minute",
        )?;
        let rows = stmt.query_map([account_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Times in `[from, to)` at which the account already has a post (not failed or missed).
    pub fn taken_times(
        &self,
        account_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT p.scheduled_at FROM targets t JOIN posts p ON p.id = t.post_id
             WHERE t.account_id = ?1 AND p.scheduled_at >= ?2 AND p.scheduled_at < ?3
               AND t.state NOT IN ('failed', 'missed')",
        )?;
        let rows = stmt.query_map(params![account_id, ms(from), ms(to)], |r| r.get(0))?;
        Ok(rows.map(|r| r.map(from_ms)).collect::<rusqlite::Result<_>>()?)
    }
}
