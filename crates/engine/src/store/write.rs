//! How the publisher's state changes reach the disk. [`Tx`] holds the statements (each table
//! group adds its own in an `impl Tx` block); [`Store::write`] runs them in one transaction on
//! the caller's thread, and [`Store::write_together`] hands them to the store's writer thread,
//! which commits the writes of every concurrent caller in one transaction: one fsync for a
//! burst of publishes instead of several per publish, and none on the async workers. Marks that
//! requests wait on ([`Store::write_ahead`]) go first; during a burst of them the other writes
//! (answers, states, notifications) wait a little, so the requests go out sooner.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::oneshot;

use super::{Result, Store, StoreError};

/// The statements of a write, run inside the transaction that commits them.
pub struct Tx<'a>(pub(super) &'a Connection);

impl Tx<'_> {
    /// Runs one statement, prepared once per connection: the publisher runs the same few
    /// statements for every target.
    pub(super) fn run(&self, sql: &str, params: impl rusqlite::Params) -> Result<usize> {
        Ok(self.0.prepare_cached(sql)?.execute(params)?)
    }
}

/// The most writes one group commit takes; the rest wait for the next.
const MAX_GROUP: usize = 512;

/// A queued write: runs on the writer thread, then learns whether its transaction committed.
type Write = Box<dyn FnOnce(std::result::Result<&Connection, &str>) -> Completion + Send>;
type Completion = Box<dyn FnOnce(Option<&str>) + Send>;

/// A write and whether it goes ahead of the others waiting (see [`Store::write_ahead`]).
struct Queued {
    ahead: bool,
    write: Write,
}

/// The writer thread and the sending side of its queue. Dropping it commits what is queued,
/// then waits for the thread to close its connection, so the file is free once the store is
/// dropped.
pub(super) struct Writer {
    queue: Option<mpsc::Sender<Queued>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Writer {
    /// Starts the writer thread with a connection of its own.
    pub(super) fn start(mut conn: Connection) -> Self {
        let (queue, incoming) = mpsc::channel::<Queued>();
        let thread = std::thread::Builder::new()
            .name("sipstory-store-writer".into())
            .spawn(move || write_groups(&mut conn, &incoming))
            .expect("the store's writer thread starts");
        Self { queue: Some(queue), thread: Some(thread) }
    }

    fn send(&self, queued: Queued) -> bool {
        self.queue.as_ref().is_some_and(|queue| queue.send(queued).is_ok())
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        drop(self.queue.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// While marks keep coming (a burst of requests going out), the other writes wait, so the
/// writer's time goes to what requests wait on; they are committed once no mark has come for
/// [`BURST_QUIET`], after [`MAX_DEFER`] at most, or once [`MAX_DEFERRED`] are waiting.
const BURST_QUIET: Duration = Duration::from_millis(20);
const MAX_DEFER: Duration = Duration::from_millis(250);
/// How many writes may wait behind a burst of marks before they are committed anyway. Above a
/// burst's size (a thousand answers), so the answers of the burst's first requests do not take
/// the writer from the marks of its last ones.
const MAX_DEFERRED: usize = 4096;
/// How many of the waiting writes one commit takes.
const DEFERRED_CHUNK: usize = 64;

/// Takes every write waiting and commits them in groups: the writes that go ahead at once, the
/// others once no burst of marks is going on (see [`BURST_QUIET`]).
fn write_groups(conn: &mut Connection, incoming: &mpsc::Receiver<Queued>) {
    let mut deferred: Vec<Write> = Vec::new();
    let mut deferred_since = Instant::now();
    let mut last_ahead: Option<Instant> = None;
    loop {
        let first = if deferred.is_empty() {
            match incoming.recv() {
                Ok(queued) => Some(queued),
                Err(_) => return,
            }
        } else {
            let until = last_ahead.map_or(deferred_since, |at| at + BURST_QUIET);
            let until = until.min(deferred_since + MAX_DEFER);
            match incoming.recv_timeout(until.saturating_duration_since(Instant::now())) {
                Ok(queued) => Some(queued),
                Err(mpsc::RecvTimeoutError::Timeout) => None,
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    commit_group(conn, deferred.into_iter());
                    return;
                }
            }
        };
        let mut waiting: Vec<Queued> = first.into_iter().collect();
        while waiting.len() < MAX_GROUP
            && let Ok(next) = incoming.try_recv()
        {
            waiting.push(next);
        }
        let (ahead, rest): (Vec<Queued>, Vec<Queued>) = waiting.into_iter().partition(|q| q.ahead);
        if !ahead.is_empty() {
            commit_group(conn, ahead.into_iter().map(|q| q.write));
            last_ahead = Some(Instant::now());
        }
        if deferred.is_empty() {
            deferred_since = Instant::now();
        }
        deferred.extend(rest.into_iter().map(|q| q.write));
        let now = Instant::now();
        let burst = last_ahead.is_some_and(|at| now < at + BURST_QUIET);
        if !deferred.is_empty()
            && (!burst || now >= deferred_since + MAX_DEFER || deferred.len() >= MAX_DEFERRED)
        {
            // A chunk at a time, so marks that come meanwhile do not wait for all of them.
            let chunk = deferred.len().min(DEFERRED_CHUNK);
            commit_group(conn, deferred.drain(..chunk));
        }
    }
}

/// Runs each write in its own savepoint (one failing write does not undo the others) inside one
/// transaction, commits, and tells each caller the outcome.
fn commit_group(conn: &mut Connection, group: impl Iterator<Item = Write>) {
    let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            let reason = e.to_string();
            for write in group {
                write(Err(&reason))(None);
            }
            return;
        }
    };
    let completions: Vec<Completion> = group.map(|write| write(Ok(&tx))).collect();
    let committed = tx.commit().err().map(|e| e.to_string());
    for complete in completions {
        complete(committed.as_deref());
    }
}

/// Runs one write inside a savepoint of the group's transaction.
fn in_savepoint<R>(conn: &Connection, op: impl FnOnce(&Tx<'_>) -> Result<R>) -> Result<R> {
    let tx = Tx(conn);
    tx.run("SAVEPOINT write", [])?;
    match op(&tx) {
        Ok(value) => {
            tx.run("RELEASE write", [])?;
            Ok(value)
        }
        Err(e) => {
            tx.run("ROLLBACK TO write", [])?;
            tx.run("RELEASE write", [])?;
            Err(e)
        }
    }
}

impl Store {
    /// Runs `op` in one transaction on the caller's thread.
    pub fn write<R>(&self, op: impl FnOnce(&Tx<'_>) -> Result<R>) -> Result<R> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let value = op(&Tx(&tx))?;
        tx.commit()?;
        Ok(value)
    }

    /// Runs `op` on the store's writer thread, in one transaction with the writes of other
    /// concurrent callers (group commit). Resolves once that transaction is on disk; `op`'s
    /// changes are undone alone when it fails, and with the group when the commit fails.
    pub async fn write_together<R: Send + 'static>(
        &self,
        op: impl FnOnce(&Tx<'_>) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        self.queue_write(false, op).await
    }

    /// As [`Store::write_together`], for a write a request waits on (an in-flight mark): its
    /// group is committed before the other writes waiting.
    pub async fn write_ahead<R: Send + 'static>(
        &self,
        op: impl FnOnce(&Tx<'_>) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        self.queue_write(true, op).await
    }

    async fn queue_write<R: Send + 'static>(
        &self,
        ahead: bool,
        op: impl FnOnce(&Tx<'_>) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        let (done, outcome) = oneshot::channel();
        let write: Write = Box::new(move |conn| {
            let ran = match conn {
                Ok(conn) => in_savepoint(conn, op),
                Err(reason) => Err(StoreError::Commit(reason.to_owned())),
            };
            Box::new(move |commit_failed| {
                let result = match (ran, commit_failed) {
                    (Ok(_), Some(reason)) => Err(StoreError::Commit(reason.to_owned())),
                    (ran, _) => ran,
                };
                let _ = done.send(result);
            })
        });
        if !self.writer.send(Queued { ahead, write }) {
            return Err(StoreError::Commit("the store's writer has stopped".into()));
        }
        outcome
            .await
            .unwrap_or_else(|_| Err(StoreError::Commit("the store's writer has stopped".into())))
    }
}
