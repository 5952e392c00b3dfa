//! The background publisher: a tokio task that sleeps until the earliest due target (woken
//! early whenever the queue changes, never polling while idle), claims due targets with a
//! lease, and runs them with a per-platform concurrency limit. On start, and when the wall
//! clock jumps (the machine slept), overdue posts past the grace become missed. Beside it, the
//! hand-off worker ([`hand_off`]) keeps the posts a platform holds in step.

mod backoff;
mod clock;
mod hand_off;
mod publisher;
mod reconcile;
mod request_log;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use crate::engine::Core;
use crate::notify::{Notice, NoticeKind};
use crate::store::{Claimed, Job};

pub(crate) use hand_off::let_go_of_account;
pub use reconcile::same_text;
pub(crate) use request_log::{LogTarget, log_entries};

/// How long the scheduler waits before claiming again after the store refused a claim.
const CLAIM_RETRY: chrono::Duration = chrono::Duration::seconds(1);

/// Controls a running scheduler.
pub struct SchedulerHandle {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    hand_offs: tokio::task::JoinHandle<()>,
    grace: Duration,
}

impl SchedulerHandle {
    /// Stops claiming, lets in-flight publishes finish for up to the configured grace, and
    /// abandons the rest (their targets are recovered as unconfirmed at the next start). A
    /// hand-off request still running then is abandoned too: its row is reconciled at the
    /// next start.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
        if tokio::time::timeout(self.grace, &mut self.hand_offs).await.is_err() {
            self.hand_offs.abort();
        }
    }
}

pub fn spawn(core: Arc<Core>) -> SchedulerHandle {
    let (stop, stopped) = watch::channel(false);
    let grace = core.config.shutdown_grace;
    let hand_offs = tokio::spawn(hand_off::run(core.clone(), stopped.clone()));
    let task = tokio::spawn(Scheduler::new(core).run(stopped));
    SchedulerHandle { stop, task, hand_offs, grace }
}

struct Scheduler {
    core: Arc<Core>,
    owner: String,
    limits: HashMap<String, Arc<Semaphore>>,
    running: JoinSet<()>,
}

impl Scheduler {
    fn new(core: Arc<Core>) -> Self {
        Self {
            core,
            owner: crate::model::new_id(),
            limits: HashMap::new(),
            running: JoinSet::new(),
        }
    }

    async fn run(mut self, mut stopped: watch::Receiver<bool>) {
        match self.core.store.recover_after_restart(Utc::now()) {
            Ok(0) => {}
            Ok(n) => tracing::warn!(
                targets = n,
                "publishes interrupted by the last stop will be reconciled"
            ),
            Err(e) => tracing::error!(error = %e, "could not recover the queue"),
        }
        self.check_missed().await;
        let mut clock = clock::WallClock::new();
        loop {
            if clock.jumped() {
                tracing::info!(
                    "the wall clock jumped (sleep or clock change): checking for missed posts"
                );
                self.check_missed().await;
            }
            let mut next = self.next_due();
            let horizon = Utc::now() + self.core.config.prefetch;
            if next.is_some_and(|at| at <= horizon) {
                match self.core.store.claim_due(horizon, self.core.config.claim_batch, &self.owner)
                {
                    Ok(claimed) => {
                        let full = claimed.len() as u32 >= self.core.config.claim_batch;
                        self.start_all(claimed);
                        if full {
                            continue;
                        }
                        next = self.next_due();
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "could not claim due posts");
                        next = Some(horizon + CLAIM_RETRY);
                    }
                }
            }
            while self.running.try_join_next().is_some() {}
            tokio::select! {
                _ = tokio::time::sleep(self.sleep_until(next)) => {}
                _ = self.core.wake.notified() => {}
                Some(_) = self.running.join_next(), if !self.running.is_empty() => {}
                _ = stopped.changed() => break,
            }
        }
        self.drain().await;
    }

    /// When the earliest target is due; `None` when nothing is, or publishing is paused (the
    /// scheduler then sleeps until something changes).
    fn next_due(&self) -> Option<chrono::DateTime<Utc>> {
        if self.core.store.settings().is_ok_and(|s| s.publishing_paused) {
            return None;
        }
        self.core.store.next_due().unwrap_or_else(|e| {
            tracing::error!(error = %e, "could not read the queue");
            None
        })
    }

    /// How long to sleep: until the earliest target comes within the prefetch window (it is
    /// then claimed ahead and fired on time), at most the idle check.
    fn sleep_until(&self, next_due: Option<chrono::DateTime<Utc>>) -> Duration {
        let config = &self.core.config;
        next_due.map_or(config.idle_check, |at| {
            (at - Utc::now())
                .to_std()
                .unwrap_or(Duration::ZERO)
                .saturating_sub(config.prefetch)
                .min(config.idle_check)
        })
    }

    /// Loads the claimed targets (during the prefetch), reads their accounts' secrets ahead,
    /// and starts each.
    fn start_all(&mut self, claimed: Vec<Claimed>) {
        if claimed.is_empty() {
            return;
        }
        self.core.views_changed();
        let jobs: Vec<(Claimed, Job)> = claimed
            .into_iter()
            .filter_map(|c| publisher::load(&self.core, &c.target_id).map(|job| (c, job)))
            .collect();
        self.read_secrets_ahead(jobs.iter().map(|(_, job)| job.account.id.as_str()));
        for (claimed, job) in jobs {
            self.start(claimed, job);
        }
    }

    /// Reads the secrets of the accounts about to publish from the keychain now, during the
    /// prefetch, on the blocking pool: a keychain read takes milliseconds and blocks its
    /// thread, and the due instant should cost none.
    fn read_secrets_ahead<'a>(&self, accounts: impl Iterator<Item = &'a str>) {
        let mut accounts: Vec<&str> = accounts.collect();
        accounts.sort_unstable();
        accounts.dedup();
        for account_id in accounts {
            let credentials = self.core.credentials(account_id);
            if credentials.is_loaded() {
                continue;
            }
            tokio::task::spawn_blocking(move || {
                if let Err(e) = credentials.load() {
                    tracing::warn!(error = %e, "could not read an account's secrets ahead of publishing");
                }
            });
        }
    }

    /// Fires a claimed target, loaded during the prefetch, at its due time.
    fn start(&mut self, claimed: Claimed, job: Job) {
        let core = self.core.clone();
        let limit = self.limit_for(&job.account.platform);
        self.running.spawn(async move {
            let wait = (claimed.due_at - Utc::now()).to_std().unwrap_or(Duration::ZERO);
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
            publisher::publish(&core, job, limit).await;
            // The scheduler learns of it by joining this task.
            core.views_changed();
        });
    }

    /// The concurrency limit of a platform (none when no provider publishes to it).
    fn limit_for(&mut self, platform: &str) -> Option<Arc<Semaphore>> {
        let provider = self.core.registry.get(platform)?;
        let limit = self
            .limits
            .entry(platform.to_owned())
            .or_insert_with(|| Arc::new(Semaphore::new(provider.concurrency().max(1))));
        Some(limit.clone())
    }

    /// Marks overdue posts missed and tells the user.
    async fn check_missed(&self) {
        mark_missed(&self.core, None).await;
    }

    async fn drain(&mut self) {
        let grace = self.core.config.shutdown_grace;
        let finished = tokio::time::timeout(grace, async {
            while self.running.join_next().await.is_some() {}
        })
        .await;
        if finished.is_err() {
            tracing::warn!(
                running = self.running.len(),
                "stopping with publishes still in flight; they will be reconciled at the next start"
            );
            self.running.abort_all();
            while self.running.join_next().await.is_some() {}
        }
    }
}

/// Marks scheduled targets overdue by more than the grace as missed (optionally for one
/// account) and announces them. Used at start, on wake and when publishing resumes.
pub async fn mark_missed(core: &Arc<Core>, account_id: Option<&str>) {
    let grace = core.store.settings().map(|s| s.missed_grace_minutes).unwrap_or(60);
    let missed = match core.store.mark_missed(
        Utc::now(),
        chrono::Duration::minutes(i64::from(grace)),
        account_id,
    ) {
        Ok(missed) => missed,
        Err(e) => {
            tracing::error!(error = %e, "could not check for missed posts");
            return;
        }
    };
    if missed.is_empty() {
        return;
    }
    let mut posts: Vec<&String> = missed.iter().map(|(post, _)| post).collect();
    posts.dedup();
    let n = posts.len();
    let body = format!(
        "{n} scheduled post{} passed {} while Sipstory could not publish. Review them to publish now, reschedule or discard.",
        if n == 1 { "" } else { "s" },
        if n == 1 { "its time" } else { "their time" },
    );
    core.announce(Notice {
        kind: NoticeKind::Missed,
        title: format!("{n} missed post{}", if n == 1 { "" } else { "s" }),
        body,
        post_id: (n == 1).then(|| posts[0].clone()),
        account_id: account_id.map(str::to_owned),
        link: None,
    })
    .await;
}
