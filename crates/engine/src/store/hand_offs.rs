//! Posts handed to their platform to hold (server-side scheduling): the targets that ask for
//! it, the `hand_offs` rows the hand-off worker looks at, and each step it records. A row is
//! written, with its target becoming `handed_off`, before the request that creates the held
//! post is sent, and removed only once the server has published it or let go of it.

use chrono::{DateTime, Utc};
use rusqlite::{Row, params};

use super::{Result, Store, Tx, from_ms, ms};
use crate::model::SCHEDULE_ON_SERVER;

/// The targets that may be handed off now (see [`Store::hand_off_candidates`]). Its `state`,
/// `attempts` and settings terms are those of the partial index `targets_hand_off`, so it reads
/// only the targets that ask for a hand-off.
fn candidates_query() -> String {
    format!(
        "SELECT t.id FROM targets t
         JOIN posts p ON p.id = t.post_id
         JOIN accounts a ON a.id = t.account_id
         WHERE t.state = 'scheduled' AND t.attempts = 0 AND p.is_draft = 0
           AND p.scheduled_at > ?1
           AND json_extract(t.settings, '$.{SCHEDULE_ON_SERVER}') = 1
           AND a.status = 'connected' AND a.paused = 0
         ORDER BY p.scheduled_at"
    )
}

/// One post given (or being given) to a platform to hold.
#[derive(Debug, Clone, PartialEq)]
pub struct HandOff {
    /// Also the idempotency key of the request that created it.
    pub id: String,
    /// `None` once its target was deleted: the server must let go of it.
    pub target_id: Option<String>,
    pub post_id: Option<String>,
    pub account_id: String,
    /// The target's content when it was handed off (see `model::content_fingerprint`).
    pub fingerprint: String,
    /// The text sent, to recognise the post on the server.
    pub text: String,
    /// The server's id of the held post; `None` while the answer to its creation is unknown.
    pub remote_id: Option<String>,
    /// The time the server holds it for (whole seconds).
    pub remote_at: DateTime<Utc>,
    /// When the request that created it was last sent.
    pub sent_at: DateTime<Utc>,
    pub next_check_at: DateTime<Utc>,
    /// Checks in a row that did not settle it (failed requests, not found yet).
    pub checks: u32,
    /// How many times the request that creates it was sent (more than once: an earlier one
    /// may still land, and its held post is then a stray to take back).
    pub sends: u32,
    /// Changes that asked for a look (edits, deletion, pauses); the worker's own scheduling of
    /// the next look gives way when this moved since it read the row.
    pub marks: u32,
}

/// A hand-off about to be sent.
#[derive(Debug, Clone)]
pub struct NewHandOff {
    pub id: String,
    pub target_id: String,
    /// The post's `updated_at` the content was read at: an edit since then wins.
    pub post_updated_at: DateTime<Utc>,
    pub account_id: String,
    pub fingerprint: String,
    pub text: String,
    pub remote_at: DateTime<Utc>,
    pub sent_at: DateTime<Utc>,
    pub next_check_at: DateTime<Utc>,
}

const COLUMNS: &str = "h.id, h.target_id, t.post_id, h.account_id, h.fingerprint, h.text,
    h.remote_id, h.remote_at, h.sent_at, h.next_check_at, h.checks, h.sends, h.marks";

/// The next look the worker asks for (`?2`), unless a change marked the row since it read it
/// (`?1` is the marks it saw): then at once.
const NEXT_CHECK: &str = "next_check_at = CASE WHEN marks = ?1 THEN ?2 ELSE 0 END";

fn hand_off_from_row(row: &Row<'_>) -> rusqlite::Result<HandOff> {
    Ok(HandOff {
        id: row.get(0)?,
        target_id: row.get(1)?,
        post_id: row.get(2)?,
        account_id: row.get(3)?,
        fingerprint: row.get(4)?,
        text: row.get(5)?,
        remote_id: row.get(6)?,
        remote_at: from_ms(row.get(7)?),
        sent_at: from_ms(row.get(8)?),
        next_check_at: from_ms(row.get(9)?),
        checks: row.get(10)?,
        sends: row.get(11)?,
        marks: row.get(12)?,
    })
}

impl Store {
    /// Targets that ask to be handed to their platform and can be now: scheduled and never
    /// attempted, in a post due after `earliest`, on a connected, unpaused account.
    pub fn hand_off_candidates(&self, earliest: DateTime<Utc>) -> Result<Vec<String>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&candidates_query())?;
        let ids = stmt.query_map([ms(earliest)], |r| r.get(0))?;
        Ok(ids.collect::<rusqlite::Result<_>>()?)
    }

    /// The hand-offs due for a look at `now`.
    pub fn hand_offs_due(&self, now: DateTime<Utc>) -> Result<Vec<HandOff>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM hand_offs h LEFT JOIN targets t ON t.id = h.target_id
             WHERE h.next_check_at <= ?1 ORDER BY h.next_check_at"
        ))?;
        let rows = stmt.query_map([ms(now)], hand_off_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// When the next hand-off is due for a look, if any.
    pub fn next_hand_off_check(&self) -> Result<Option<DateTime<Utc>>> {
        let at: Option<i64> =
            self.conn().query_row("SELECT min(next_check_at) FROM hand_offs", [], |r| r.get(0))?;
        Ok(at.map(from_ms))
    }

    /// An account's hand-offs (a lost answer is never matched to another row's post, nor a
    /// row's copy to another row's; an account is removed only once its server let go of them).
    pub fn account_hand_offs(&self, account_id: &str) -> Result<Vec<HandOff>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM hand_offs h LEFT JOIN targets t ON t.id = h.target_id
             WHERE h.account_id = ?1 ORDER BY h.remote_at"
        ))?;
        let rows = stmt.query_map([account_id], hand_off_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Asks for a look at every hand-off: the worker checks what each should be now (the global
    /// pause changed).
    pub fn mark_hand_offs(&self) -> Result<()> {
        self.conn().execute("UPDATE hand_offs SET next_check_at = 0, marks = marks + 1", [])?;
        Ok(())
    }
}

impl Tx<'_> {
    /// Records a hand-off about to be sent and makes its target `handed_off`, unless the target
    /// is no longer scheduled or its post changed since it was read. Returns whether it did.
    pub fn begin_hand_off(&self, new: &NewHandOff) -> Result<bool> {
        let claimed = self.0.execute(
            "UPDATE targets SET state = 'handed_off', updated_at = ?3
             WHERE id = ?1 AND state = 'scheduled'
               AND (SELECT updated_at FROM posts WHERE id = targets.post_id) = ?2",
            params![new.target_id, ms(new.post_updated_at), ms(new.sent_at)],
        )?;
        if claimed == 0 {
            return Ok(false);
        }
        self.0.execute(
            "INSERT INTO hand_offs (id, target_id, account_id, fingerprint, text, remote_at,
                                    sent_at, next_check_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?7)",
            params![
                new.id,
                new.target_id,
                new.account_id,
                new.fingerprint,
                new.text,
                ms(new.remote_at),
                ms(new.sent_at),
                ms(new.next_check_at),
            ],
        )?;
        Ok(true)
    }

    /// The server holds the post under `remote_id` for `remote_at`.
    pub fn hand_off_held(
        &self,
        row: &HandOff,
        remote_id: &str,
        remote_at: DateTime<Utc>,
        next_check_at: DateTime<Utc>,
    ) -> Result<()> {
        self.0.execute(
            &format!(
                "UPDATE hand_offs SET remote_id = ?3, remote_at = ?4, {NEXT_CHECK}, checks = 0
                 WHERE id = ?5"
            ),
            params![row.marks, ms(next_check_at), remote_id, ms(remote_at), row.id],
        )?;
        Ok(())
    }

    /// Looks again at `next_check_at`, after `checks` looks that did not settle it.
    pub fn hand_off_later(
        &self,
        row: &HandOff,
        next_check_at: DateTime<Utc>,
        checks: u32,
    ) -> Result<()> {
        self.0.execute(
            &format!("UPDATE hand_offs SET {NEXT_CHECK}, checks = ?3 WHERE id = ?4"),
            params![row.marks, ms(next_check_at), checks, row.id],
        )?;
        Ok(())
    }

    /// The creation is sent again (it did not land before: see `HandOff::sends`).
    pub fn hand_off_resent(
        &self,
        row: &HandOff,
        sent_at: DateTime<Utc>,
        next_check_at: DateTime<Utc>,
    ) -> Result<()> {
        self.0.execute(
            &format!(
                "UPDATE hand_offs SET sent_at = ?3, {NEXT_CHECK}, checks = checks + 1,
                                      sends = sends + 1
                 WHERE id = ?4"
            ),
            params![row.marks, ms(next_check_at), ms(sent_at), row.id],
        )?;
        Ok(())
    }

    /// The server no longer holds the post: the row goes (its target, if any, is the caller's
    /// to move on in the same transaction).
    pub fn end_hand_off(&self, id: &str) -> Result<()> {
        self.0.execute("DELETE FROM hand_offs WHERE id = ?1", [id])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_candidates_are_read_through_the_hand_off_index() {
        let plan = crate::store::query_plan(&candidates_query(), [0]);
        assert!(
            plan.iter().any(|step| step.contains("USING INDEX targets_hand_off")),
            "the look for hand-offs scans targets: {plan:?}"
        );
    }
}
