//! Outbound webhooks and their delivery outbox: an event is written here before it is sent,
//! so it survives a crash, and each row records its attempts and the last answer.

use chrono::{DateTime, Utc};
use rusqlite::{Row, params};

use super::{Result, Store, StoreError, from_ms, json_col, ms, to_json};
use crate::model::{Webhook, WebhookDelivery};

fn webhook_from_row(row: &Row<'_>) -> rusqlite::Result<Webhook> {
    Ok(Webhook {
        id: row.get(0)?,
        url: row.get(1)?,
        events: json_col(&row.get::<_, String>(2)?)?,
        created_at: from_ms(row.get(3)?),
    })
}

const DELIVERY_COLUMNS: &str = "id, webhook_id, event, payload, state, attempts, next_attempt_at,
    status, response_ms, error, created_at";

fn delivery_from_row(row: &Row<'_>) -> rusqlite::Result<WebhookDelivery> {
    Ok(WebhookDelivery {
        id: row.get(0)?,
        webhook_id: row.get(1)?,
        event: row.get(2)?,
        payload: json_col(&row.get::<_, String>(3)?)?,
        state: row.get(4)?,
        attempts: row.get(5)?,
        next_attempt_at: row.get::<_, Option<i64>>(6)?.map(from_ms),
        status: row.get(7)?,
        response_ms: row.get(8)?,
        error: row.get(9)?,
        created_at: from_ms(row.get(10)?),
    })
}

/// The outcome of one attempt.
pub struct AttemptOutcome<'a> {
    pub state: &'a str,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub status: Option<u16>,
    pub response_ms: u64,
    pub error: Option<&'a str>,
}

impl Store {
    pub fn insert_webhook(&self, webhook: &Webhook) -> Result<()> {
        self.conn().execute(
            "INSERT INTO webhooks (id, url, events, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![webhook.id, webhook.url, to_json(&webhook.events), ms(webhook.created_at)],
        )?;
        Ok(())
    }

    /// Whether any webhook is configured (so events are worth describing).
    pub fn has_webhooks(&self) -> Result<bool> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM webhooks)")?;
        Ok(stmt.query_row([], |r| r.get(0))?)
    }

    pub fn webhooks(&self) -> Result<Vec<Webhook>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, url, events, created_at FROM webhooks ORDER BY created_at",
        )?;
        let rows = stmt.query_map([], webhook_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Deletes a webhook and its deliveries.
    pub fn delete_webhook(&self, id: &str) -> Result<()> {
        if self.conn().execute("DELETE FROM webhooks WHERE id = ?1", [id])? == 0 {
            return Err(StoreError::not_found("webhook", id));
        }
        Ok(())
    }

    /// Queues `event` for every webhook that subscribed to it; returns how many.
    pub fn enqueue_webhook_event(
        &self,
        event: &str,
        payload: &serde_json::Value,
        at: DateTime<Utc>,
    ) -> Result<usize> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let subscribed: Vec<String> = {
            let mut stmt = tx.prepare_cached("SELECT id, url, events, created_at FROM webhooks")?;
            let rows = stmt.query_map([], webhook_from_row)?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
                .into_iter()
                .filter(|w| w.events.iter().any(|e| e == event))
                .map(|w| w.id)
                .collect()
        };
        for id in &subscribed {
            tx.execute(
                "INSERT INTO webhook_deliveries (webhook_id, event, payload, state, next_attempt_at, created_at)
                 VALUES (?1, ?2, ?3, 'pending', ?4, ?4)",
                params![id, event, to_json(payload), ms(at)],
            )?;
        }
        tx.commit()?;
        Ok(subscribed.len())
    }

    /// Pending deliveries due at `now`, oldest first.
    pub fn due_webhook_deliveries(&self, now: DateTime<Utc>) -> Result<Vec<WebhookDelivery>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries
             WHERE state = 'pending' AND next_attempt_at <= ?1 ORDER BY id LIMIT 100"
        ))?;
        let rows = stmt.query_map([ms(now)], delivery_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// When the next pending delivery is due.
    pub fn next_webhook_attempt(&self) -> Result<Option<DateTime<Utc>>> {
        let next: Option<i64> = self.conn().query_row(
            "SELECT min(next_attempt_at) FROM webhook_deliveries WHERE state = 'pending'",
            [],
            |r| r.get(0),
        )?;
        Ok(next.map(from_ms))
    }

    pub fn record_webhook_attempt(&self, id: i64, outcome: &AttemptOutcome<'_>) -> Result<()> {
        self.conn().execute(
            "UPDATE webhook_deliveries SET state = ?2, attempts = attempts + 1, next_attempt_at = ?3,
                 status = ?4, response_ms = ?5, error = ?6
             WHERE id = ?1",
            params![
                id,
                outcome.state,
                outcome.next_attempt_at.map(ms),
                outcome.status,
                outcome.response_ms,
                outcome.error
            ],
        )?;
        Ok(())
    }

    /// A webhook's latest deliveries, newest first.
    pub fn webhook_deliveries(&self, webhook_id: &str, limit: u32) -> Result<Vec<WebhookDelivery>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = ?1
             ORDER BY id DESC LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![webhook_id, limit], delivery_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
