//! Runs one claimed target: reconciles a request whose answer was lost, then publishes the
//! thread item by item, committing an in-flight mark before each request and the platform's
//! answer after it, so a crash at any point is recovered without losing or doubling a post.

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::backoff::retry_delay;
use super::reconcile::find_match;
use super::request_log::{LogTarget, log_entries};
use crate::engine::Core;
use crate::model::{ItemResult, TargetError, TargetState, ThreadItem};
use crate::notify::{Notice, NoticeKind};
use crate::provider::{
    ErrorKind, OutgoingItem, OutgoingMedia, Provider, ProviderError, PublishContext, PublishHttp,
};
use crate::store::{Job, LogEntry, TargetUpdate};
use crate::validation::{TargetDraft, validate_target};

/// How long before its access token expires an account's credentials are refreshed.
const REFRESH_AHEAD: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// Loads a leased target ahead of its due time, so firing it costs no read.
pub fn load(core: &Core, target_id: &str) -> Option<Job> {
    core.store
        .job(target_id)
        .inspect_err(|e| tracing::error!(target_id, error = %e, "could not load a claimed target"))
        .ok()
}

/// Publishes (or reconciles) one leased target and records the outcome. `limit` is the
/// platform's concurrency limit: held for each request, not while outcomes are recorded.
pub async fn publish(core: &Arc<Core>, job: Job, limit: Option<Arc<Semaphore>>) {
    let target_id = job.target.id.clone();
    let Some(provider) = core.registry.get(&job.account.platform).cloned() else {
        let error = ProviderError::new(
            ErrorKind::Permanent,
            format!("This version of Sipstory cannot publish to {} yet.", job.account.platform),
        )
        .with_code("no_provider");
        Attempt::finish_failed(core, &job, &error).await;
        return;
    };
    if job.target.results.is_empty()
        && job.inflight.is_none()
        && let Some(error) = rule_violation(core, &job, provider.as_ref())
    {
        Attempt::finish_failed(core, &job, &error).await;
        return;
    }
    let credentials = core.credentials(&job.account.id);
    let http = PublishHttp::new(core.http.clone());
    let mut attempt = Attempt {
        core,
        provider: provider.as_ref(),
        cx: PublishContext { account: &job.account, credentials: &credentials, http: &http },
        limit,
        attempts: job.target.attempts,
        results: job.target.results.clone(),
        job: &job,
    };
    if let Err(e) = attempt.run().await {
        tracing::error!(%target_id, error = %e, "could not record a publish outcome");
    }
}

/// A platform's answer for one item, not yet recorded.
struct Answer {
    result: ItemResult,
    log: Vec<LogEntry>,
}

impl Answer {
    fn write(&self, w: &crate::store::Tx<'_>, target_id: &str) -> StoreResult<()> {
        w.append_log(&self.log)?;
        w.record_result(target_id, &self.result)
    }
}

struct Attempt<'a> {
    core: &'a Arc<Core>,
    job: &'a Job,
    provider: &'a dyn Provider,
    limit: Option<Arc<Semaphore>>,
    cx: PublishContext<'a>,
    attempts: u32,
    results: Vec<ItemResult>,
}

type StoreResult<T> = Result<T, crate::store::StoreError>;

impl Attempt<'_> {
    async fn run(&mut self) -> StoreResult<()> {
        if let Some((position, sent_at)) = self.job.inflight
            && (self.defer_until_settled(sent_at).await?
                || !self.reconcile(position, sent_at).await?)
        {
            return Ok(());
        }
        let mut refreshed = false;
        if self.expires_soon() {
            refreshed = true;
            if let Err(e) = self.refresh().await {
                // Nothing was published: a refresh that did not go through is retried later.
                return match e.kind {
                    ErrorKind::Auth => self.needs_reconnect(&e).await,
                    _ => {
                        self.handle_error(&ProviderError { kind: ErrorKind::Transient, ..e }).await
                    }
                };
            }
        }
        let mut position = self.next_position();
        while (position as usize) < self.job.items.len() {
            if self.waits_for_delay(position).await? {
                return Ok(());
            }
            let outcome = self.publish_item(position).await?;
            match outcome {
                Ok(answer) if position as usize + 1 == self.job.items.len() => {
                    return self.finish_published(Some(answer)).await;
                }
                Ok(answer) => {
                    self.record(answer).await?;
                    position += 1;
                }
                Err(e) if e.kind == ErrorKind::Auth && !refreshed => {
                    refreshed = true;
                    // The target stays leased while its credentials are refreshed.
                    self.set(TargetState::Publishing, None, None, false).await?;
                    if let Err(refresh_error) = self.refresh().await {
                        return self.needs_reconnect(&refresh_error).await;
                    }
                }
                Err(e) => return self.handle_error(&e).await,
            }
        }
        self.finish_published(None).await
    }

    /// Moves this target to its next state (see [`TargetUpdate`]) and releases the lease.
    async fn set(
        &self,
        state: TargetState,
        next_attempt_at: Option<chrono::DateTime<Utc>>,
        error: Option<TargetError>,
        keep_inflight: bool,
    ) -> StoreResult<()> {
        let update = TargetUpdate { state, next_attempt_at, error, keep_inflight };
        let target_id = self.job.target.id.clone();
        self.core.store.write_together(move |w| w.update_target(&target_id, &update)).await
    }

    fn next_position(&self) -> u32 {
        self.results.iter().map(|r| r.position + 1).max().unwrap_or(0)
    }

    /// A thread item with a delay waits for it: the target goes back to the queue until then.
    async fn waits_for_delay(&self, position: u32) -> StoreResult<bool> {
        let delay = self.job.items[position as usize].delay_secs;
        let Some(previous) = self.results.last().filter(|_| position > 0 && delay > 0) else {
            return Ok(false);
        };
        let due = previous.published_at + chrono::Duration::seconds(i64::from(delay));
        if due <= Utc::now() {
            return Ok(false);
        }
        self.set(TargetState::Scheduled, Some(due), None, false).await?;
        Ok(true)
    }

    /// Sends one item. The outer result is the store's; the inner one the platform's: the
    /// item's result and its log lines, for the caller to record.
    async fn publish_item(&mut self, position: u32) -> StoreResult<Result<Answer, ProviderError>> {
        let item = &self.job.items[position as usize];
        let media = match self.outgoing_media(position) {
            Ok(media) => media,
            Err(e) => return Ok(Err(e)),
        };
        let root = self.results.first();
        let reply_to = self.results.last();
        let outgoing = OutgoingItem {
            position,
            text: &item.text,
            media,
            root,
            reply_to,
            settings: &self.job.target.settings,
            idempotency_key: format!("{}-{position}", self.job.target.id),
        };
        let permit = self.permit().await;
        let target_id = self.job.target.id.clone();
        let sent_at = Utc::now();
        self.core
            .store
            .write_ahead(move |w| w.mark_inflight(&target_id, position, sent_at))
            .await?;
        self.attempts += 1;
        let answer = self.provider.publish(&self.cx, &outgoing).await;
        drop(permit);
        let log = self.log_entries("publish", answer.as_ref().err());
        let published = match answer {
            Ok(published) => published,
            Err(e) => {
                self.write_log(log).await?;
                return Ok(Err(e));
            }
        };
        let result = ItemResult {
            position,
            remote_id: published.remote_id,
            url: published.url,
            extra: published.extra,
            published_at: Utc::now(),
        };
        Ok(Ok(Answer { result, log }))
    }

    /// Records a published item (and its log lines), clearing its in-flight mark.
    async fn record(&mut self, answer: Answer) -> StoreResult<()> {
        let target_id = self.job.target.id.clone();
        let recorded = answer.result.clone();
        self.core.store.write_together(move |w| answer.write(w, &target_id)).await?;
        self.results.push(recorded);
        Ok(())
    }

    fn outgoing_media(&self, position: u32) -> Result<Vec<OutgoingMedia>, ProviderError> {
        outgoing_media(self.core, &self.job.items[position as usize], position)
    }

    /// A request sent at `sent_at` may still be landing (the platform may be processing it
    /// after our side died or gave up): the platform is only asked once it can no longer land,
    /// after the request's timeout and the reconcile delay. Returns whether it deferred.
    async fn defer_until_settled(&self, sent_at: chrono::DateTime<Utc>) -> StoreResult<bool> {
        let config = &self.core.config;
        let settle = config.http_timeout + config.reconcile_delay;
        let settled_at = sent_at + chrono::Duration::from_std(settle).unwrap_or_default();
        if Utc::now() >= settled_at {
            return Ok(false);
        }
        self.set(
            TargetState::Unconfirmed,
            Some(settled_at),
            self.job.target.last_error.clone(),
            true,
        )
        .await?;
        Ok(true)
    }

    /// Asks the platform whether the item sent at `sent_at` landed. Returns whether to go on
    /// publishing (found and recorded, or surely not there).
    async fn reconcile(
        &mut self,
        position: u32,
        sent_at: chrono::DateTime<Utc>,
    ) -> StoreResult<bool> {
        let since = sent_at - chrono::Duration::minutes(5);
        let permit = self.permit().await;
        let recent = self.provider.recent_posts(&self.cx, since).await;
        drop(permit);
        self.write_log(self.log_entries("reconcile", recent.as_ref().err())).await?;
        let item = &self.job.items[position as usize];
        match recent {
            Ok(Some(recent)) => {
                let taken: Vec<&str> = self.results.iter().map(|r| r.remote_id.as_str()).collect();
                if let Some(found) = find_match(&recent, &item.text, sent_at, &taken) {
                    tracing::info!(target_id = %self.job.target.id, position, "unconfirmed item found on the platform");
                    let result = ItemResult {
                        position,
                        remote_id: found.remote_id.clone(),
                        url: found.url.clone(),
                        extra: found.extra.clone(),
                        published_at: found.created_at.unwrap_or(sent_at),
                    };
                    let (target_id, recorded) = (self.job.target.id.clone(), result.clone());
                    self.core
                        .store
                        .write_together(move |w| w.record_result(&target_id, &recorded))
                        .await?;
                    self.results.push(result);
                    return Ok(true);
                }
                tracing::info!(target_id = %self.job.target.id, position, "unconfirmed item not on the platform: sending it again");
                if self.attempts >= self.core.config.max_attempts {
                    let error = ProviderError::new(
                        ErrorKind::Permanent,
                        "The platform never confirmed this post after repeated attempts.",
                    )
                    .with_code("unconfirmed");
                    self.finish(&error, TargetState::Failed).await?;
                    return Ok(false);
                }
                Ok(true)
            }
            Ok(None) => {
                let error = TargetError {
                    code: Some("unconfirmed".into()),
                    message: "The platform did not answer and Sipstory cannot check whether the post went out. Check the account, then mark it published or publish it again.".into(),
                    http_status: None,
                    at: Utc::now(),
                };
                self.set(TargetState::Unconfirmed, None, Some(error), true).await?;
                Ok(false)
            }
            Err(e) => {
                let wait = retry_delay(
                    1,
                    self.core.config.backoff_base,
                    self.core.config.backoff_max,
                    e.retry_after,
                );
                self.set(
                    TargetState::Unconfirmed,
                    Some(Utc::now() + wait),
                    Some(target_error(&e)),
                    true,
                )
                .await?;
                Ok(false)
            }
        }
    }

    /// Whether the account's access token expires within [`REFRESH_AHEAD`] (providers that
    /// know the expiry record it in the credentials): refreshing first saves a refused
    /// request.
    fn expires_soon(&self) -> bool {
        let ahead = chrono::Duration::from_std(REFRESH_AHEAD).unwrap_or_default();
        matches!(self.cx.credentials.expires_at(), Ok(Some(at)) if at <= Utc::now() + ahead)
    }

    async fn refresh(&self) -> Result<(), ProviderError> {
        let permit = self.permit().await;
        let refreshed = self.provider.refresh(&self.cx).await;
        drop(permit);
        let log = self.log_entries("refresh", refreshed.as_ref().err());
        if let Err(e) = self.write_log(log).await {
            tracing::error!(error = %e, "could not log a credentials refresh");
        }
        refreshed
    }

    async fn handle_error(&mut self, e: &ProviderError) -> StoreResult<()> {
        let config = &self.core.config;
        match e.kind {
            ErrorKind::Permanent => self.finish(e, TargetState::Failed).await,
            ErrorKind::Auth => self.needs_reconnect(e).await,
            ErrorKind::Unknown => {
                let next = Utc::now() + config.reconcile_delay;
                // Reconciling waits until the request can no longer land (see
                // `defer_until_settled`), which the next run of this target enforces.
                self.set(TargetState::Unconfirmed, Some(next), Some(target_error(e)), true).await
            }
            ErrorKind::Transient if self.attempts >= config.max_attempts => {
                self.finish(e, TargetState::Failed).await
            }
            ErrorKind::Transient => {
                let wait = retry_delay(
                    self.attempts.max(1),
                    config.backoff_base,
                    config.backoff_max,
                    e.retry_after,
                );
                tracing::info!(target_id = %self.job.target.id, attempt = self.attempts, wait_ms = wait.as_millis() as u64, error = %e, "publish will be retried");
                self.set(
                    TargetState::Scheduled,
                    Some(Utc::now() + wait),
                    Some(target_error(e)),
                    false,
                )
                .await
            }
        }
    }

    /// The credentials are refused and cannot be refreshed: the account needs reconnecting and
    /// its targets wait (they do not fail).
    async fn needs_reconnect(&self, e: &ProviderError) -> StoreResult<()> {
        let update = TargetUpdate {
            state: TargetState::Scheduled,
            next_attempt_at: Some(Utc::now()),
            error: Some(target_error(e)),
            keep_inflight: false,
        };
        let (target_id, account_id) = (self.job.target.id.clone(), self.job.account.id.clone());
        let disconnected = self
            .core
            .store
            .write_together(move |w| {
                w.update_target(&target_id, &update)?;
                w.refund_attempt(&target_id)?;
                w.disconnect_account(&account_id)
            })
            .await?;
        if disconnected {
            let account = &self.job.account;
            self.core
                .announce(Notice {
                    kind: NoticeKind::NeedsReconnect,
                    title: format!(
                        "Reconnect {} on {}",
                        account.handle,
                        platform_name(self.provider)
                    ),
                    body: format!(
                        "{} Its scheduled posts wait until it is reconnected.",
                        e.message
                    ),
                    post_id: None,
                    account_id: Some(account.id.clone()),
                    link: None,
                })
                .await;
        }
        Ok(())
    }

    async fn finish(&self, e: &ProviderError, state: TargetState) -> StoreResult<()> {
        let notice = Notice {
            kind: NoticeKind::Failed,
            title: format!(
                "Could not publish to {} ({})",
                platform_name(self.provider),
                self.job.account.handle
            ),
            body: e.message.clone(),
            post_id: Some(self.job.post_id.clone()),
            account_id: Some(self.job.account.id.clone()),
            link: None,
        };
        self.set_and_announce(state, Some(target_error(e)), notice).await
    }

    /// Fails a target that cannot be attempted (no provider for its platform, rules broken).
    async fn finish_failed(core: &Arc<Core>, job: &Job, e: &ProviderError) {
        let update = TargetUpdate {
            state: TargetState::Failed,
            next_attempt_at: None,
            error: Some(target_error(e)),
            keep_inflight: false,
        };
        let notice = Notice {
            kind: NoticeKind::Failed,
            title: format!(
                "Could not publish to {} ({})",
                job.account.platform, job.account.handle
            ),
            body: e.message.clone(),
            post_id: Some(job.post_id.clone()),
            account_id: Some(job.account.id.clone()),
            link: None,
        };
        let target_id = job.target.id.clone();
        let failed = core.announce_with(notice, move |w| w.update_target(&target_id, &update));
        if let Err(store_error) = failed.await {
            tracing::error!(error = %store_error, "could not record a failed target");
        }
    }

    /// Records the last item's answer (when this run sent it), the published state and the
    /// notification in one write.
    async fn finish_published(&mut self, last: Option<Answer>) -> StoreResult<()> {
        if let Some(answer) = &last {
            self.results.push(answer.result.clone());
        }
        let first = self.job.items.first().map(|i| i.text.as_str()).unwrap_or_default();
        let notice = Notice {
            kind: NoticeKind::Published,
            title: format!(
                "Published to {} ({})",
                platform_name(self.provider),
                self.job.account.handle
            ),
            body: preview(first),
            post_id: Some(self.job.post_id.clone()),
            account_id: Some(self.job.account.id.clone()),
            link: self.results.first().and_then(|r| r.url.clone()),
        };
        let update = TargetUpdate {
            state: TargetState::Published,
            next_attempt_at: None,
            error: None,
            keep_inflight: false,
        };
        let target_id = self.job.target.id.clone();
        self.core
            .announce_with(notice, move |w| {
                if let Some(answer) = last {
                    answer.write(w, &target_id)?;
                }
                w.update_target(&target_id, &update)
            })
            .await
    }

    /// Moves this target to its final state and records the notification about it, in one
    /// write.
    async fn set_and_announce(
        &self,
        state: TargetState,
        error: Option<TargetError>,
        notice: Notice,
    ) -> StoreResult<()> {
        let update = TargetUpdate { state, next_attempt_at: None, error, keep_inflight: false };
        let target_id = self.job.target.id.clone();
        self.core.announce_with(notice, move |w| w.update_target(&target_id, &update)).await
    }

    /// A turn to make requests to the platform, within its concurrency limit.
    async fn permit(&self) -> Option<OwnedSemaphorePermit> {
        let limit = self.limit.clone()?;
        Some(limit.acquire_owned().await.expect("the limit is never closed"))
    }

    /// The publish-log rows of the requests made since the last call.
    fn log_entries(&self, action: &str, error: Option<&ProviderError>) -> Vec<LogEntry> {
        let target = LogTarget {
            post_id: &self.job.post_id,
            target_id: &self.job.target.id,
            account: &self.job.account,
            attempt: self.attempts,
        };
        log_entries(&target, action, self.cx.http.take_exchanges(), error)
    }

    async fn write_log(&self, entries: Vec<LogEntry>) -> StoreResult<()> {
        if entries.is_empty() {
            return Ok(());
        }
        self.core.store.write_together(move |w| w.append_log(&entries)).await
    }
}

/// The library files of item `position`, ready to upload.
pub(super) fn outgoing_media(
    core: &Core,
    item: &ThreadItem,
    position: u32,
) -> Result<Vec<OutgoingMedia>, ProviderError> {
    item.media
        .iter()
        .map(|m| {
            let media = core.store.media(&m.media_id).map_err(|_| {
                ProviderError::new(
                    ErrorKind::Permanent,
                    format!("A media file of item {} is no longer in the library.", position + 1),
                )
                .with_code("media_missing")
            })?;
            Ok(OutgoingMedia {
                media_id: media.id,
                path: media.path.into(),
                mime: media.facts.mime,
                size_bytes: media.facts.size_bytes,
                alt: m.alt.clone().or(media.alt),
            })
        })
        .collect()
}

/// The platform's rules, checked again before anything is sent (media may have changed since
/// the post was scheduled): the first violation, as a permanent error.
fn rule_violation(core: &Core, job: &Job, provider: &dyn Provider) -> Option<ProviderError> {
    let media = |id: &str| core.store.media(id).ok().map(|m| m.facts);
    let draft = TargetDraft {
        account_id: &job.account.id,
        items: &job.items,
        settings: &job.target.settings,
    };
    let violation = validate_target(&provider.info().rules, &draft, &media).into_iter().next()?;
    Some(
        ProviderError::new(ErrorKind::Permanent, violation.message)
            .with_code(format!("rules:{}", violation.code)),
    )
}

pub(super) fn target_error(e: &ProviderError) -> TargetError {
    TargetError {
        code: e.code.clone(),
        message: e.message.clone(),
        http_status: e.http_status,
        at: Utc::now(),
    }
}

fn platform_name(provider: &dyn Provider) -> &str {
    &provider.info().name
}

pub(super) fn preview(text: &str) -> String {
    let mut preview: String = text.chars().take(120).collect();
    if preview.len() < text.len() {
        preview.push('…');
    }
    preview
}
