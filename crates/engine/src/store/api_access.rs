//! The local API's keys (stored as SHA-256 digests) and its idempotency records.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::{Result, Store, StoreError, from_ms, ms};
use crate::model::{ApiKey, IdempotencyClaim};

fn key_from_row(row: &Row<'_>) -> rusqlite::Result<ApiKey> {
    Ok(ApiKey {
        id: row.get(0)?,
        name: row.get(1)?,
        prefix: row.get(2)?,
        created_at: from_ms(row.get(3)?),
        last_used_at: row.get::<_, Option<i64>>(4)?.map(from_ms),
    })
}

const KEY_COLUMNS: &str = "id, name, prefix, created_at, last_used_at";

impl Store {
    pub fn insert_api_key(&self, key: &ApiKey, sha256: &str) -> Result<()> {
        self.conn().execute(
            "INSERT INTO api_keys (id, name, prefix, sha256, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![key.id, key.name, key.prefix, sha256, ms(key.created_at)],
        )?;
        Ok(())
    }

    /// Every key, oldest first.
    pub fn api_keys(&self) -> Result<Vec<ApiKey>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(&format!("SELECT {KEY_COLUMNS} FROM api_keys ORDER BY created_at"))?;
        let rows = stmt.query_map([], key_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The keys starting with `prefix`, each with its digest.
    pub fn api_keys_with_prefix(&self, prefix: &str) -> Result<Vec<(ApiKey, String)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {KEY_COLUMNS}, sha256 FROM api_keys WHERE prefix = ?1"
        ))?;
        let rows = stmt.query_map([prefix], |r| Ok((key_from_row(r)?, r.get(5)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn touch_api_key(&self, id: &str, at: DateTime<Utc>) -> Result<()> {
        self.conn()
            .execute("UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1", params![id, ms(at)])?;
        Ok(())
    }

    /// Revokes a key; its idempotency records go with it.
    pub fn delete_api_key(&self, id: &str) -> Result<()> {
        if self.conn().execute("DELETE FROM api_keys WHERE id = ?1", [id])? == 0 {
            return Err(StoreError::not_found("API key", id));
        }
        Ok(())
    }

    /// Claims `key` for a request (dropping records created before `expired_before`), or says
    /// what its earlier use left, in one transaction.
    pub fn claim_idempotency_key(
        &self,
        api_key_id: &str,
        key: &str,
        request_hash: &str,
        now: DateTime<Utc>,
        expired_before: DateTime<Utc>,
    ) -> Result<IdempotencyClaim> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM idempotency_records WHERE created_at < ?1", [ms(expired_before)])?;
        let earlier: Option<(String, Option<u16>, Option<String>)> = tx
            .query_row(
                "SELECT request_hash, status, body FROM idempotency_records
                 WHERE api_key_id = ?1 AND key = ?2",
                [api_key_id, key],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let claim = match earlier {
            None => {
                tx.execute(
                    "INSERT INTO idempotency_records (api_key_id, key, request_hash, created_at)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![api_key_id, key, request_hash, ms(now)],
                )?;
                IdempotencyClaim::Claimed
            }
            Some((hash, _, _)) if hash != request_hash => IdempotencyClaim::Mismatch,
            Some((_, Some(status), Some(body))) => IdempotencyClaim::Replay { status, body },
            Some(_) => IdempotencyClaim::InProgress,
        };
        tx.commit()?;
        Ok(claim)
    }

    /// Records the response to a claimed key.
    pub fn record_idempotent_response(
        &self,
        api_key_id: &str,
        key: &str,
        status: u16,
        body: &str,
    ) -> Result<()> {
        self.conn().execute(
            "UPDATE idempotency_records SET status = ?3, body = ?4 WHERE api_key_id = ?1 AND key = ?2",
            params![api_key_id, key, status, body],
        )?;
        Ok(())
    }

    /// Releases a claimed key whose request could not be answered, so it can be tried again.
    pub fn release_idempotency_key(&self, api_key_id: &str, key: &str) -> Result<()> {
        self.conn().execute(
            "DELETE FROM idempotency_records WHERE api_key_id = ?1 AND key = ?2 AND status IS NULL",
            [api_key_id, key],
        )?;
        Ok(())
    }
}
