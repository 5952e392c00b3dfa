//! The local SQLite queue: one file in the app-data dir (WAL, foreign keys, versioned
//! migrations) holding accounts, posts and their targets, media, time slots, the publish log,
//! notifications and settings. Each submodule owns the queries of one table group.

mod accounts;
mod api_access;
mod hand_offs;
mod log;
mod media;
mod notifications;
mod posts;
mod queue;
mod schema;
mod settings;
mod slots;
mod webhooks;
mod write;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

pub use hand_offs::{HandOff, NewHandOff};
pub use log::{LogEntry, LogFilter};
pub use notifications::StoredNotification;
pub use posts::{PostFilter, PostWrite, TargetInput};
pub use queue::{Claimed, Job, TargetUpdate};
pub use webhooks::AttemptOutcome;
pub use write::Tx;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("could not upgrade the database at {path}: {source}")]
    Migration { path: PathBuf, source: rusqlite_migration::Error },
    #[error("could not create the data folder {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{what} '{id}' does not exist")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    Conflict(String),
    #[error("could not save a change: {0}")]
    Commit(String),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
}

impl StoreError {
    pub(crate) fn not_found(what: &'static str, id: &str) -> Self {
        Self::NotFound { what, id: id.to_owned() }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The database. Two connections to the file: one serialised by a mutex for reads and the
/// operations' writes (every query here takes microseconds to a few milliseconds), and one
/// owned by the writer thread that commits the publisher's concurrent writes together (see
/// [`write`]). WAL lets reads go on while the writer commits; both connections open their
/// transactions IMMEDIATE, so two writers queue on SQLite's lock instead of failing.
pub struct Store {
    conn: Mutex<Connection>,
    writer: write::Writer,
    /// The settings as last read or saved (see [`Store::settings`]).
    settings: Mutex<Option<crate::model::AppSettings>>,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|source| StoreError::Io { path: dir.to_owned(), source })?;
        }
        let mut conn = open_connection(path)?;
        // Off while migrating: a migration that rebuilds a table must not cascade its deletes
        // (each such migration checks the foreign keys before it commits).
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        schema::migrations()
            .to_latest(&mut conn)
            .map_err(|source| StoreError::Migration { path: path.to_owned(), source })?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let writer = write::Writer::start(open_connection(path)?);
        Ok(Self {
            conn: Mutex::new(conn),
            writer,
            settings: Mutex::new(None),
            path: path.to_owned(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version (`user_version`).
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self.conn().query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Writes a consistent copy of the database to `dest` (for backups and export).
    pub fn backup_to(&self, dest: &Path) -> Result<()> {
        let conn = self.conn();
        conn.execute("VACUUM INTO ?1", [dest.to_string_lossy()])?;
        Ok(())
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// `LIMIT n` (nothing for no limit), written into the SQL of a statement that runs often. As a
/// bound parameter the limit makes SQLite prepare the statement again at every run: it plans
/// `ORDER BY … LIMIT ?` with the bound value (3.50; the month view's query ran 2.5× slower).
/// Each distinct limit is a statement of its own in the connection's cache.
fn limit_clause(limit: Option<u32>) -> String {
    limit.map_or_else(String::new, |n| format!("LIMIT {n}"))
}

/// A connection to the database file with the store's settings.
fn open_connection(path: &Path) -> Result<Connection> {
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // FULL: a commit is on disk before the publisher sends the request it records, so a
    // power cut cannot forget that a request may be in flight.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Savepoint journals in memory: the writer thread runs each write of a group commit in a
    // savepoint, and on disk their journals cost a file write per page a write first touches.
    // They only undo a failed write inside its transaction; the WAL alone keeps commits safe.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // A deferred transaction that reads, then writes after the other connection committed,
    // fails at once (SQLITE_BUSY_SNAPSHOT); an immediate one waits for the lock.
    conn.set_transaction_behavior(TransactionBehavior::Immediate);
    // Room for every statement the store prepares with `prepare_cached`.
    conn.set_prepared_statement_cache_capacity(128);
    Ok(conn)
}

/// UTC milliseconds since the epoch, as stored.
pub(crate) fn ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub(crate) fn from_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

pub(crate) fn json_col<T: serde::de::DeserializeOwned>(text: &str) -> rusqlite::Result<T> {
    serde_json::from_str(text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("model types always serialize")
}

/// The steps of `sql`'s query plan on a new, empty store (with its parameters bound to
/// `params`), for the tests that check a query reads the index made for it.
#[cfg(test)]
pub(crate) fn query_plan(sql: &str, params: impl rusqlite::Params) -> Vec<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("sipstory.db")).expect("open store");
    let conn = store.conn();
    conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .expect("the query plans")
        .query_map(params, |r| r.get(3))
        .expect("plan rows")
        .collect::<rusqlite::Result<_>>()
        .expect("plan rows")
}
