//! How the publisher's state changes reach the disk. [`Tx`] holds the statements (each table
//! group adds its own in an `impl Tx` block); [`Store::write`] runs them in one transaction on
//! the caller's thread, and [`Store::write_together`] hands them to the store's writer thread,
//! which commits the writes of every concurrent caller in one transaction: one fsync for a
//! burst of publishes instead of several per publish, and none on the async workers.

use std::sync::mpsc;

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

/// Takes every write waiting and commits them in groups: first the writes that go ahead, then
/// the others.
fn write_groups(conn: &mut Connection, incoming: &mpsc::Receiver<Queued>) {
    while let Ok(first) = incoming.recv() {
        let mut waiting = vec![first];
        while waiting.len() < MAX_GROUP
            && let Ok(next) = incoming.try_recv()
        {
            waiting.push(next);
        }
        let (ahead, rest): (Vec<Queued>, Vec<Queued>) = waiting.into_iter().partition(|q| q.ahead);
        for group in [ahead, rest].into_iter().filter(|g| !g.is_empty()) {
            commit_group(conn, group.into_iter().map(|q| q.write));
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
