//! The publishing queue: recovery after a restart, missed posts, claiming due targets with a
//! lease, loading a job, and the state transitions the publisher records. Every transition is
//! one committed transaction, written before the action it announces.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Result, Store, StoreError, Tx, from_ms, ms, to_json};
use crate::model::{Account, ItemResult, Target, TargetError, TargetState, ThreadItem};

/// Targets an account may publish to: connected and not paused.
const ELIGIBLE: &str = "a.status = 'connected' AND a.paused = 0";

/// A target the scheduler leased, and when it is due.
#[derive(Debug, Clone, PartialEq)]
pub struct Claimed {
    pub target_id: String,
    pub due_at: DateTime<Utc>,
}

/// Everything the publisher needs to run one target.
#[derive(Debug, Clone)]
pub struct Job {
    pub post_id: String,
    pub target: Target,
    pub account: Account,
    /// The thread this target publishes.
    pub items: Vec<ThreadItem>,
    /// The item whose request may have reached the platform, and since when.
    pub inflight: Option<(u32, DateTime<Utc>)>,
}

impl Job {
    /// The first item not yet published.
    pub fn next_position(&self) -> u32 {
        self.target.results.iter().map(|r| r.position + 1).max().unwrap_or(0)
    }
}

/// A target's next state as the publisher records it.
#[derive(Debug, Clone)]
pub struct TargetUpdate {
    pub state: TargetState,
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Recorded as the last error; `None` clears it.
    pub error: Option<TargetError>,
    /// Keep the in-flight mark (the outcome of that request is still unknown).
    pub keep_inflight: bool,
}

impl Store {
    /// After a restart nothing is running: leased targets that had a request in flight become
    /// unconfirmed (to reconcile now); the others go back to the queue. Returns how many
    /// became unconfirmed.
    pub fn recover_after_restart(&self, now: DateTime<Utc>) -> Result<usize> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let unconfirmed = tx.execute(
            "UPDATE targets SET state = 'unconfirmed', next_attempt_at = ?1, lease_owner = NULL
             WHERE state = 'publishing' AND inflight_position IS NOT NULL",
            [ms(now)],
        )?;
        tx.execute(
            "UPDATE targets SET state = 'scheduled', lease_owner = NULL
             WHERE state = 'publishing'",
            [],
        )?;
        tx.commit()?;
        Ok(unconfirmed)
    }

    /// Scheduled targets due more than `grace` ago become missed: on accounts that could
    /// publish now, or on the one account given whatever its state (it is about to be resumed
    /// or reconnected, and must not publish them late). Returns `(post id, target id)` of each.
    pub fn mark_missed(
        &self,
        now: DateTime<Utc>,
        grace: Duration,
        account_id: Option<&str>,
    ) -> Result<Vec<(String, String)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "UPDATE targets SET state = 'missed', updated_at = ?1
             WHERE state = 'scheduled' AND next_attempt_at < ?2
               AND CASE WHEN ?3 IS NULL
                        THEN account_id IN (SELECT a.id FROM accounts a WHERE {ELIGIBLE})
                        ELSE account_id = ?3 END
             RETURNING post_id, id"
        ))?;
        let rows = stmt.query_map(params![ms(now), ms(now - grace), account_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Leases up to `limit` targets due by `horizon` (scheduled, or unconfirmed and waiting to
    /// be reconciled) on eligible accounts; none while publishing is paused. The pause is read
    /// inside the claim's transaction: a post created after the pause was saved is never
    /// claimed by a scheduler that read the setting just before.
    pub fn claim_due(
        &self,
        horizon: DateTime<Utc>,
        limit: u32,
        owner: &str,
    ) -> Result<Vec<Claimed>> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let paused: Option<bool> = tx
            .prepare_cached(
                "SELECT json_extract(value, '$.publishing_paused') FROM settings WHERE key = ?1",
            )?
            .query_row([super::settings::KEY], |r| r.get(0))
            .optional()?
            .flatten();
        if paused == Some(true) {
            return Ok(Vec::new());
        }
        let claimed: Vec<Claimed> = {
            // One ordered, limited index scan per state, merged: `state IN (...) ORDER BY`
            // would sort every due row first, which a long backlog makes slow.
            let limit = super::limit_clause(Some(limit));
            let due_in = |state: &str| {
                format!(
                    "SELECT * FROM (SELECT t.id, t.next_attempt_at FROM targets t
                                    JOIN accounts a ON a.id = t.account_id
                                    WHERE t.state = '{state}' AND t.next_attempt_at <= ?1
                                      AND {ELIGIBLE}
                                    ORDER BY t.next_attempt_at {limit})"
                )
            };
            let mut stmt = tx.prepare_cached(&format!(
                "SELECT id, next_attempt_at FROM ({} UNION ALL {}) ORDER BY next_attempt_at {limit}",
                due_in("scheduled"),
                due_in("unconfirmed"),
            ))?;
            stmt.query_map(params![ms(horizon)], |r| {
                Ok(Claimed { target_id: r.get(0)?, due_at: from_ms(r.get(1)?) })
            })?
            .collect::<rusqlite::Result<_>>()?
        };
        {
            let mut lease = tx.prepare_cached(
                "UPDATE targets SET state = 'publishing', lease_owner = ?2 WHERE id = ?1",
            )?;
            for c in &claimed {
                lease.execute(params![c.target_id, owner])?;
            }
        }
        tx.commit()?;
        Ok(claimed)
    }

    /// When the earliest target on an eligible account is due, if any.
    pub fn next_due(&self) -> Result<Option<DateTime<Utc>>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT min(t.next_attempt_at) FROM targets t JOIN accounts a ON a.id = t.account_id
             WHERE t.state IN ('scheduled', 'unconfirmed') AND t.next_attempt_at IS NOT NULL
               AND {ELIGIBLE}"
        ))?;
        let at: Option<i64> = stmt.query_row([], |r| r.get(0))?;
        Ok(at.map(from_ms))
    }

    /// Loads a leased target with its post's thread and its account.
    pub fn job(&self, target_id: &str) -> Result<Job> {
        let (post_id, account_id, position, since): (String, String, Option<u32>, Option<i64>) =
            self.conn()
                .query_row(
                    "SELECT post_id, account_id, inflight_position, inflight_since
                     FROM targets WHERE id = ?1",
                    [target_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?
                .ok_or_else(|| StoreError::not_found("target", target_id))?;
        let post = self.post(&post_id)?;
        let target = post
            .targets
            .iter()
            .find(|t| t.id == target_id)
            .cloned()
            .ok_or_else(|| StoreError::not_found("target", target_id))?;
        let items = post.items_for(&target).to_vec();
        Ok(Job {
            post_id,
            account: self.account(&account_id)?,
            target,
            items,
            inflight: position.map(|p| (p, from_ms(since.unwrap_or_default()))),
        })
    }

    /// Re-queues the failed targets of a post for `at`, with a fresh retry budget. Returns how
    /// many were re-queued.
    pub fn retry_failed(&self, post_id: &str, at: DateTime<Utc>) -> Result<usize> {
        self.requeue(post_id, &["failed"], at)
    }

    /// Re-queues targets of a post in the given states for `at` (missed posts published now or
    /// rescheduled, unconfirmed ones the user says to publish again).
    pub fn requeue(&self, post_id: &str, states: &[&str], at: DateTime<Utc>) -> Result<usize> {
        let conn = self.conn();
        let states = to_json(&states);
        Ok(conn.execute(
            "UPDATE targets SET state = 'scheduled', next_attempt_at = ?2, attempts = 0,
                    inflight_position = NULL, inflight_since = NULL, lease_owner = NULL,
                    error_code = NULL, error_message = NULL, error_status = NULL, error_at = NULL,
                    updated_at = ?3
             WHERE post_id = ?1 AND state IN (SELECT value FROM json_each(?4))",
            params![post_id, ms(at), ms(Utc::now()), states],
        )?)
    }

    /// Targets in one state across all posts, oldest due first (the missed-posts review).
    pub fn targets_in_state(&self, state: TargetState) -> Result<Vec<(String, String)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT post_id, id FROM targets WHERE state = ?1 ORDER BY next_attempt_at",
        )?;
        let rows = stmt.query_map([state.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Tx<'_> {
    /// Records that the request for item `position` is about to be sent (an attempt).
    pub fn mark_inflight(&self, target_id: &str, position: u32, now: DateTime<Utc>) -> Result<()> {
        self.run(
            "UPDATE targets SET inflight_position = ?2, inflight_since = ?3,
                    attempts = attempts + 1, updated_at = ?3
             WHERE id = ?1",
            params![target_id, position, ms(now)],
        )?;
        Ok(())
    }

    /// Stores the platform's answer for one item and clears the in-flight mark.
    pub fn record_result(&self, target_id: &str, result: &ItemResult) -> Result<()> {
        self.run(
            "INSERT INTO item_results (target_id, position, remote_id, url, extra, published_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                target_id,
                result.position,
                result.remote_id,
                result.url,
                to_json(&result.extra),
                ms(result.published_at),
            ],
        )?;
        self.run(
            "UPDATE targets SET inflight_position = NULL, inflight_since = NULL, updated_at = ?2
             WHERE id = ?1",
            params![target_id, ms(result.published_at)],
        )?;
        Ok(())
    }

    /// Moves a target to its next state and releases the lease.
    pub fn update_target(&self, target_id: &str, update: &TargetUpdate) -> Result<()> {
        let error = update.error.as_ref();
        self.run(
            "UPDATE targets SET state = ?2, next_attempt_at = ?3, lease_owner = NULL,
                    error_code = ?4, error_message = ?5, error_status = ?6, error_at = ?7,
                    inflight_position = CASE WHEN ?8 THEN inflight_position END,
                    inflight_since = CASE WHEN ?8 THEN inflight_since END,
                    updated_at = ?9
             WHERE id = ?1",
            params![
                target_id,
                update.state.as_str(),
                update.next_attempt_at.map(ms),
                error.and_then(|e| e.code.clone()),
                error.map(|e| e.message.clone()),
                error.and_then(|e| e.http_status),
                error.map(|e| ms(e.at)),
                update.keep_inflight,
                ms(Utc::now()),
            ],
        )?;
        Ok(())
    }

    /// Gives an attempt back (it never reached the platform, e.g. the account needs
    /// reconnecting), so waiting does not use up the retry budget.
    pub fn refund_attempt(&self, target_id: &str) -> Result<()> {
        self.run("UPDATE targets SET attempts = max(attempts - 1, 0) WHERE id = ?1", [target_id])?;
        Ok(())
    }

    /// Marks a connected account as needing reconnection; false when it already was not
    /// connected (so the user is told once).
    pub fn disconnect_account(&self, account_id: &str) -> Result<bool> {
        Ok(self.run(
            "UPDATE accounts SET status = 'needs_reconnect' WHERE id = ?1 AND status = 'connected'",
            [account_id],
        )? > 0)
    }
}

impl Store {
    /// Forgets one published item (deleted from the platform).
    pub fn forget_result(&self, target_id: &str, position: u32) -> Result<()> {
        self.conn().execute(
            "DELETE FROM item_results WHERE target_id = ?1 AND position = ?2",
            params![target_id, position],
        )?;
        Ok(())
    }
}

impl Store {
    /// The next target due on an eligible account: when, the account's handle and platform.
    pub fn next_up(&self) -> Result<Option<(DateTime<Utc>, String, String)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT t.next_attempt_at, a.handle, a.platform
             FROM targets t JOIN accounts a ON a.id = t.account_id
             WHERE t.state = 'scheduled' AND t.next_attempt_at IS NOT NULL AND {ELIGIBLE}
             ORDER BY t.next_attempt_at LIMIT 1"
        ))?;
        Ok(stmt.query_row([], |r| Ok((from_ms(r.get(0)?), r.get(1)?, r.get(2)?))).optional()?)
    }

    /// How many targets are in a state.
    pub fn count_in_state(&self, state: TargetState) -> Result<u64> {
        Ok(self.conn().query_row(
            "SELECT count(*) FROM targets WHERE state = ?1",
            [state.as_str()],
            |r| r.get(0),
        )?)
    }
}
