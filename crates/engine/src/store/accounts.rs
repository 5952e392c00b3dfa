//! Accounts: their public data, status and pause flag.

use chrono::Utc;
use rusqlite::{OptionalExtension, Row, params};

use super::{Result, Store, StoreError, from_ms, json_col, ms, to_json};
use crate::model::{Account, AccountStatus};

const COLUMNS: &str =
    "id, platform, handle, display_name, avatar_url, status, paused, settings, created_at";

fn account_from_row(row: &Row<'_>) -> rusqlite::Result<Account> {
    let status: String = row.get(5)?;
    Ok(Account {
        id: row.get(0)?,
        platform: row.get(1)?,
        handle: row.get(2)?,
        display_name: row.get(3)?,
        avatar_url: row.get(4)?,
        status: AccountStatus::parse(&status).unwrap_or(AccountStatus::Disabled),
        paused: row.get(6)?,
        settings: json_col(&row.get::<_, String>(7)?)?,
        created_at: from_ms(row.get(8)?),
    })
}

impl Store {
    /// Adds an account, or updates the profile of the same platform + handle (a reconnect).
    pub fn upsert_account(&self, account: &Account) -> Result<Account> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO accounts (id, platform, handle, display_name, avatar_url, status, paused,
                                   settings, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (platform, handle) DO UPDATE SET
                 display_name = excluded.display_name, avatar_url = excluded.avatar_url,
                 status = excluded.status, settings = excluded.settings",
            params![
                account.id,
                account.platform,
                account.handle,
                account.display_name,
                account.avatar_url,
                account.status.as_str(),
                account.paused,
                to_json(&account.settings),
                ms(account.created_at),
            ],
        )?;
        let sql = format!("SELECT {COLUMNS} FROM accounts WHERE platform = ?1 AND handle = ?2");
        Ok(conn.query_row(&sql, params![account.platform, account.handle], account_from_row)?)
    }

    pub fn account(&self, id: &str) -> Result<Account> {
        let sql = format!("SELECT {COLUMNS} FROM accounts WHERE id = ?1");
        self.conn()
            .query_row(&sql, [id], account_from_row)
            .optional()?
            .ok_or_else(|| StoreError::not_found("account", id))
    }

    pub fn accounts(&self) -> Result<Vec<Account>> {
        let sql = format!("SELECT {COLUMNS} FROM accounts ORDER BY platform, handle");
        let conn = self.conn();
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map([], account_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn set_account_status(&self, id: &str, status: AccountStatus) -> Result<()> {
        let changed = self.conn().execute(
            "UPDATE accounts SET status = ?2 WHERE id = ?1",
            params![id, status.as_str()],
        )?;
        if changed == 0 {
            return Err(StoreError::not_found("account", id));
        }
        Ok(())
    }

    pub fn set_account_paused(&self, id: &str, paused: bool) -> Result<()> {
        let changed = self
            .conn()
            .execute("UPDATE accounts SET paused = ?2 WHERE id = ?1", params![id, paused])?;
        if changed == 0 {
            return Err(StoreError::not_found("account", id));
        }
        Ok(())
    }

    pub fn set_account_settings(&self, id: &str, settings: &serde_json::Value) -> Result<()> {
        let changed = self.conn().execute(
            "UPDATE accounts SET settings = ?2 WHERE id = ?1",
            params![id, to_json(settings)],
        )?;
        if changed == 0 {
            return Err(StoreError::not_found("account", id));
        }
        Ok(())
    }

    /// Removes an account with its targets; posts left with no target are deleted too, as the
    /// reference API's "delete channel" does.
    pub fn delete_account(&self, id: &str) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let posts: Vec<String> = {
            let mut stmt = tx.prepare("SELECT post_id FROM targets WHERE account_id = ?1")?;
            stmt.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        };
        if tx.execute("DELETE FROM accounts WHERE id = ?1", [id])? == 0 {
            return Err(StoreError::not_found("account", id));
        }
        for post in posts {
            tx.execute(
                "DELETE FROM posts WHERE id = ?1
                   AND NOT EXISTS (SELECT 1 FROM targets WHERE post_id = ?1)",
                [post],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// A new account value with a fresh id, for [`Store::upsert_account`].
    pub fn new_account(platform: &str, handle: &str, display_name: &str) -> Account {
        Account {
            id: crate::model::new_id(),
            platform: platform.to_owned(),
            handle: handle.to_owned(),
            display_name: display_name.to_owned(),
            avatar_url: None,
            status: AccountStatus::Connected,
            paused: false,
            settings: serde_json::json!({}),
            created_at: Utc::now(),
        }
    }
}
