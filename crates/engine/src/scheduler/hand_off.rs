//! The hand-off worker (server-side scheduling): gives a post that asks for it to its platform
//! to hold as soon as it is scheduled, keeps the held post in step with the post (moved to a
//! new time, or taken back when it changed, went back to drafts, was deleted, or its account or
//! all publishing paused), and once its time has come asks the server how it went: still held
//! → later; published → recorded like any publish; gone → failed. Each remote change starts
//! from a committed `hand_offs` row, so it is carried out (and retried while offline) even
//! across restarts; a change made while the worker is busy with a row marks it, and the
//! worker's own next look gives way to that mark. A target stays `handed_off` until the server
//! has let go of its post, so it is never held and queued for Sipstory's own publish at once.
//! A lost answer is reconciled through the platform's list of held posts before anything is
//! sent again; as an earlier send may still land after that, a row sent more than once is
//! looked at again and a held copy of it that no row owns is taken back before its time. An
//! account's held posts are taken back before the account is removed.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use tokio::sync::watch;

use super::backoff::retry_delay;
use super::publisher::{outgoing_media, preview, target_error};
use super::reconcile::{find_match, same_text};
use super::request_log::{LogTarget, log_entries};
use crate::engine::Core;
use crate::model::{
    Account, ItemResult, Post, Target, TargetError, TargetState, content_fingerprint,
    wants_hand_off,
};
use crate::notify::{Notice, NoticeKind};
use crate::provider::{
    Credentials, ErrorKind, HandOffAnswer, HeldPost, OutgoingItem, Provider, ProviderError,
    PublishContext, PublishHttp, PublishedItem, RemotePost,
};
use crate::store::{HandOff, NewHandOff, StoreError, TargetUpdate};

type StoreResult<T> = Result<T, StoreError>;

/// Room left for a slow request and clock differences: a post is handed off only while its
/// time is at least the platform's lead plus this ahead.
const LEAD_MARGIN: chrono::Duration = chrono::Duration::seconds(60);
/// How far before its time a published post may be dated (clock differences).
const PUBLISHED_SKEW: chrono::Duration = chrono::Duration::minutes(2);
/// Looks at a post that is neither held nor published before it counts as removed (the server
/// may be between the two).
const GONE_AFTER_CHECKS: u32 = 2;

/// Runs until `stopped`: a pass over what is due, then a sleep until the next row is due (at
/// most the idle check), woken early when the queue changes.
pub(super) async fn run(core: Arc<Core>, mut stopped: watch::Receiver<bool>) {
    loop {
        if let Err(e) = pass(&core).await {
            tracing::error!(error = %e, "could not keep hand-offs in step");
        }
        let sleep = time_to_next(&core);
        tokio::select! {
            _ = tokio::time::sleep(sleep) => {}
            _ = core.hand_off_wake.notified() => {}
            _ = stopped.changed() => break,
        }
    }
}

fn time_to_next(core: &Core) -> Duration {
    let idle = core.config.idle_check;
    match core.store.next_hand_off_check() {
        Ok(Some(at)) => (at - Utc::now()).to_std().unwrap_or(Duration::ZERO).min(idle),
        Ok(None) => idle,
        Err(e) => {
            tracing::error!(error = %e, "could not read the hand-offs");
            idle
        }
    }
}

async fn pass(core: &Arc<Core>) -> StoreResult<()> {
    let _steps = core.hand_off_steps.lock().await;
    for row in core.store.hand_offs_due(Utc::now())? {
        let Some(remote) = Remote::of(core, &row.account_id, row.post_id.clone())? else {
            // No provider in this version can reach it: looked at again later.
            let at = Utc::now() + core.config.idle_check;
            core.store.write_together(move |w| w.hand_off_later(&row, at, row.checks)).await?;
            continue;
        };
        let id = row.id.clone();
        if let Err(e) = remote.look(row).await {
            tracing::error!(hand_off = %id, error = %e, "could not record a hand-off step");
        }
    }
    // Held targets on accounts that need reconnecting wait; new ones start from connected
    // accounts only, and none while publishing is paused.
    if core.store.settings()?.publishing_paused {
        return Ok(());
    }
    for target_id in core.store.hand_off_candidates(Utc::now())? {
        let job = core.store.job(&target_id)?;
        if let Some(remote) = Remote::of(core, &job.account.id, Some(job.post_id.clone()))? {
            remote.start(&job.target).await?;
        }
    }
    Ok(())
}

/// Takes back everything the server holds for an account that is about to be removed (its
/// credentials go with it); returns how many it could not (offline, or an answer still on its
/// way). The caller holds `Core::hand_off_steps` until the account is gone, so no hand-off
/// starts or moves meanwhile.
pub(crate) async fn let_go_of_account(core: &Arc<Core>, account_id: &str) -> StoreResult<usize> {
    let rows = core.store.account_hand_offs(account_id)?;
    for row in rows {
        let Some(remote) = Remote::of(core, account_id, row.post_id.clone())? else {
            return Ok(core.store.account_hand_offs(account_id)?.len());
        };
        remote.let_go(row).await?;
    }
    Ok(core.store.account_hand_offs(account_id)?.len())
}

/// The time a platform is asked to publish at (whole seconds).
fn server_time(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(0)
}

/// Whether a held post is a copy of what was sent: the same text for the same time.
fn is_copy(held: &HeldPost, text: &str, at: DateTime<Utc>) -> bool {
    server_time(held.at) == at && same_text(&held.text, text)
}

/// What a hand-off's target wants now.
enum Wish {
    /// To be held for `due` with the content it was handed off with.
    Hold { post: Post, target: Target, due: DateTime<Utc> },
    /// The server should let go of it; the target, if any, goes back to Sipstory.
    LetGo { post: Option<Post>, target: Option<Target> },
}

/// Where a held post is, as the server tells.
enum Found {
    Held { remote_id: String },
    Published(RemotePost),
    Absent,
}

/// One account's platform, for the steps of its hand-offs.
struct Remote<'a> {
    core: &'a Arc<Core>,
    provider: Arc<dyn Provider>,
    lead: chrono::Duration,
    account: Account,
    /// Publishing is paused for every account: nothing is left with a server to publish.
    publishing_paused: bool,
    credentials: Arc<Credentials>,
    http: PublishHttp,
    post_id: Option<String>,
}

impl<'a> Remote<'a> {
    /// The account's platform, when its provider can hold posts.
    fn of(
        core: &'a Arc<Core>,
        account_id: &str,
        post_id: Option<String>,
    ) -> StoreResult<Option<Self>> {
        let account = core.store.account(account_id)?;
        let Some(provider) = core.registry.get(&account.platform).cloned() else {
            return Ok(None);
        };
        let Some(lead) = provider.hand_off_lead() else {
            return Ok(None);
        };
        Ok(Some(Self {
            core,
            lead: chrono::Duration::from_std(lead).unwrap_or_default(),
            provider,
            credentials: core.credentials(&account.id),
            http: PublishHttp::new(core.http.clone()),
            publishing_paused: core.store.settings()?.publishing_paused,
            account,
            post_id,
        }))
    }

    fn cx(&self) -> PublishContext<'_> {
        PublishContext { account: &self.account, credentials: &self.credentials, http: &self.http }
    }

    /// Whether a post due at `due` can still be handed to the platform.
    fn can_hold(&self, due: DateTime<Utc>) -> bool {
        due - Utc::now() >= self.lead + LEAD_MARGIN
    }

    /// How long a request may still be landing after it was sent.
    fn settle(&self) -> chrono::Duration {
        let config = &self.core.config;
        chrono::Duration::from_std(config.http_timeout + config.reconcile_delay).unwrap_or_default()
    }

    /// When a row held for `at` is looked at next: at its time. A row sent more than once is
    /// also looked at soon after its last send and once more when no earlier send can land
    /// any more (the platform holds nothing closer than its lead), so a copy an earlier send
    /// left is taken back before the server publishes it.
    fn next_look(&self, row: &HandOff, at: DateTime<Utc>) -> DateTime<Utc> {
        if row.sends <= 1 {
            return at;
        }
        let now = Utc::now();
        let sweeps = [row.sent_at + self.settle() * 2, at - self.lead];
        sweeps.into_iter().filter(|t| *t > now).min().unwrap_or(at).min(at)
    }

    fn backoff(&self, checks: u32, e: &ProviderError) -> DateTime<Utc> {
        let config = &self.core.config;
        let wait =
            retry_delay(checks.max(1), config.backoff_base, config.backoff_max, e.retry_after);
        Utc::now() + wait
    }

    /// Hands a scheduled target to the platform: the row and the target's new state are
    /// committed first, then the held post is created.
    async fn start(&self, target: &Target) -> StoreResult<()> {
        let post = self.core.store.post(&target.post_id)?;
        let items = post.items_for(target);
        let Some(due) = post.scheduled_at.filter(|due| self.can_hold(*due)) else {
            return Ok(());
        };
        if items.len() != 1 {
            return Ok(());
        }
        let now = Utc::now();
        let row = NewHandOff {
            id: crate::model::new_id(),
            target_id: target.id.clone(),
            post_updated_at: post.updated_at,
            account_id: self.account.id.clone(),
            fingerprint: content_fingerprint(items, &target.settings),
            text: items[0].text.clone(),
            remote_at: server_time(due),
            sent_at: now,
            next_check_at: now + self.settle(),
        };
        let begun = row.clone();
        if !self.core.store.write_together(move |w| w.begin_hand_off(&begun)).await? {
            return Ok(());
        }
        tracing::info!(target_id = %target.id, at = %row.remote_at, "handing a post to its server");
        self.core.views_changed();
        let stored = HandOff {
            id: row.id,
            target_id: Some(row.target_id),
            post_id: Some(post.id.clone()),
            account_id: row.account_id,
            fingerprint: row.fingerprint,
            text: row.text,
            remote_id: None,
            remote_at: row.remote_at,
            sent_at: row.sent_at,
            next_check_at: row.next_check_at,
            checks: 0,
            sends: 1,
            marks: 0,
        };
        self.send(&stored, &post, target).await
    }

    /// Sends the request that creates the held post and records the answer.
    async fn send(&self, row: &HandOff, post: &Post, target: &Target) -> StoreResult<()> {
        let item = &post.items_for(target)[0];
        let media = match outgoing_media(self.core, item, 0) {
            Ok(media) => media,
            Err(e) => return self.failed(row, &e).await,
        };
        let outgoing = OutgoingItem {
            position: 0,
            text: &item.text,
            media,
            root: None,
            reply_to: None,
            settings: &target.settings,
            idempotency_key: row.id.clone(),
        };
        let answer = self.provider.hand_off(&self.cx(), &outgoing, row.remote_at).await;
        self.log(row, "hand_off", answer.as_ref().err()).await?;
        match answer {
            Ok(HandOffAnswer::Held { remote_id, at }) => {
                let (row, next) = (row.clone(), self.next_look(row, at));
                self.core
                    .store
                    .write_together(move |w| w.hand_off_held(&row, &remote_id, at, next))
                    .await
            }
            Ok(HandOffAnswer::Published(published)) => {
                self.published(row, published, Utc::now()).await
            }
            Err(e) if e.kind == ErrorKind::Permanent => self.failed(row, &e).await,
            // Unknown: reconciled once it can no longer land (the row's check time). Refused
            // or unreachable: reconciled too, after a wait, before anything is sent again.
            Err(e) if e.kind == ErrorKind::Unknown => Ok(()),
            Err(e) => {
                let next = self.backoff(row.checks + 1, &e).max(row.sent_at + self.settle());
                self.later(row, next, row.checks + 1).await
            }
        }
    }

    /// One look at a hand-off that is due.
    async fn look(&self, row: HandOff) -> StoreResult<()> {
        let wish = self.wish(&row)?;
        let Some(remote_id) = row.remote_id.clone() else {
            return self.settle_unknown(row, wish).await;
        };
        match wish {
            Wish::LetGo { post, target } => self.take_back(&row, &remote_id, post, target).await,
            Wish::Hold { post, target, due } if server_time(due) != row.remote_at => {
                if self.can_hold(due) {
                    self.move_to(&row, &remote_id, server_time(due)).await
                } else {
                    self.take_back(&row, &remote_id, Some(post), Some(target)).await
                }
            }
            Wish::Hold { .. } if Utc::now() < row.remote_at => {
                if row.sends > 1 {
                    self.sweep_strays(&row).await;
                }
                self.later(&row, self.next_look(&row, row.remote_at), 0).await
            }
            Wish::Hold { .. } => self.check_due(&row, &remote_id).await,
        }
    }

    fn wish(&self, row: &HandOff) -> StoreResult<Wish> {
        let (Some(target_id), Some(post_id)) = (&row.target_id, &row.post_id) else {
            return Ok(Wish::LetGo { post: None, target: None });
        };
        let post = self.core.store.post(post_id)?;
        let Some(target) = post.targets.iter().find(|t| &t.id == target_id).cloned() else {
            return Ok(Wish::LetGo { post: None, target: None });
        };
        let same =
            content_fingerprint(post.items_for(&target), &target.settings) == row.fingerprint;
        let wanted = same
            && !post.is_draft
            && !self.account.paused
            && !self.publishing_paused
            && target.state == TargetState::HandedOff
            && wants_hand_off(&target.settings);
        Ok(match post.scheduled_at {
            Some(due) if wanted => Wish::Hold { post, target, due },
            _ => Wish::LetGo { post: Some(post), target: Some(target) },
        })
    }

    /// A hand-off whose creation got no answer: once it can no longer land, the server's
    /// held posts tell whether it did.
    async fn settle_unknown(&self, row: HandOff, wish: Wish) -> StoreResult<()> {
        let settled_at = row.sent_at + self.settle();
        if Utc::now() < settled_at {
            return self.later(&row, settled_at, row.checks).await;
        }
        let found = match self.find_unknown(&row).await {
            Ok(found) => found,
            Err(e) => {
                return self.later(&row, self.backoff(row.checks + 1, &e), row.checks + 1).await;
            }
        };
        match (found, wish) {
            (Found::Held { remote_id }, _) => {
                tracing::info!(hand_off = %row.id, "a hand-off whose answer was lost is held by the server");
                let (held, at) = (row.clone(), row.remote_at);
                // Looked at again at once: moved, taken back or left until its time.
                self.core
                    .store
                    .write_together(move |w| w.hand_off_held(&held, &remote_id, at, Utc::now()))
                    .await?;
                self.core.hand_off_wake.notify_one();
                Ok(())
            }
            (Found::Published(post), _) => self.published_found(&row, post).await,
            (Found::Absent, Wish::Hold { post, target, due }) if self.can_hold(due) => {
                tracing::info!(hand_off = %row.id, "a hand-off never reached the server: sending it again");
                let (resent, now) = (row.clone(), Utc::now());
                let next = now + self.settle();
                self.core
                    .store
                    .write_together(move |w| w.hand_off_resent(&resent, now, next))
                    .await?;
                let row =
                    HandOff { sent_at: now, next_check_at: next, sends: row.sends + 1, ..row };
                self.send(&row, &post, &target).await
            }
            (Found::Absent, Wish::Hold { post, target, .. }) => {
                self.release(&row, Some(post), Some(target)).await
            }
            (Found::Absent, Wish::LetGo { post, target }) => self.release(&row, post, target).await,
        }
    }

    /// The held post this row created, if the server has it: the same text for the same time,
    /// not already another row's.
    async fn find_unknown(&self, row: &HandOff) -> Result<Found, ProviderError> {
        let held = self.provider.held_posts(&self.cx()).await;
        self.log_quietly(row, "reconcile_hand_off", held.as_ref().err()).await;
        let known = self.known_ids();
        let mine = held?
            .into_iter()
            .find(|h| !known.contains(&h.remote_id) && is_copy(h, &row.text, row.remote_at));
        if let Some(held) = mine {
            return Ok(Found::Held { remote_id: held.remote_id });
        }
        if Utc::now() < row.remote_at - PUBLISHED_SKEW {
            return Ok(Found::Absent);
        }
        self.find_published(row).await
    }

    /// Where a held post with a known id is now.
    async fn find_known(&self, row: &HandOff, remote_id: &str) -> Result<Found, ProviderError> {
        let held = self.provider.held_posts(&self.cx()).await;
        self.log_quietly(row, "check_hand_off", held.as_ref().err()).await;
        let held = held?;
        if row.sends > 1 {
            self.take_back_strays(row, &held).await;
        }
        if held.iter().any(|h| h.remote_id == remote_id) {
            return Ok(Found::Held { remote_id: remote_id.to_owned() });
        }
        self.find_published(row).await
    }

    /// The account's post that the held one became, if any.
    async fn find_published(&self, row: &HandOff) -> Result<Found, ProviderError> {
        let since = row.remote_at.min(row.sent_at) - PUBLISHED_SKEW;
        let recent = self.provider.recent_posts(&self.cx(), since).await;
        self.log_quietly(row, "reconcile", recent.as_ref().err()).await;
        let Some(recent) = recent? else {
            return Ok(Found::Absent);
        };
        Ok(match find_match(&recent, &row.text, row.remote_at.min(row.sent_at), &[]) {
            Some(post) => Found::Published(post.clone()),
            None => Found::Absent,
        })
    }

    /// The server ids the account's hand-offs already have.
    fn known_ids(&self) -> Vec<String> {
        let rows = self.core.store.account_hand_offs(&self.account.id).unwrap_or_default();
        rows.into_iter().filter_map(|r| r.remote_id).collect()
    }

    /// [`Self::take_back_strays`] after reading the held posts.
    async fn sweep_strays(&self, row: &HandOff) {
        let held = self.provider.held_posts(&self.cx()).await;
        self.log_quietly(row, "check_hand_off", held.as_ref().err()).await;
        match held {
            Ok(held) => self.take_back_strays(row, &held).await,
            Err(e) => {
                tracing::warn!(hand_off = %row.id, error = %e, "could not look for second copies")
            }
        }
    }

    /// A row sent more than once: a held copy of it (same text and time) that no row has
    /// (nor could get: no other row waiting for its answer has that text and time) is an
    /// earlier send that landed late, taken back so the server never publishes it twice.
    async fn take_back_strays(&self, row: &HandOff, held: &[HeldPost]) {
        let rows = match self.core.store.account_hand_offs(&self.account.id) {
            Ok(rows) => rows,
            Err(e) => {
                tracing::error!(error = %e, "could not read the hand-offs");
                return;
            }
        };
        let claimed = |h: &HeldPost| {
            rows.iter().any(|r| match &r.remote_id {
                Some(id) => *id == h.remote_id,
                None => r.id != row.id && is_copy(h, &r.text, r.remote_at),
            })
        };
        for stray in held.iter().filter(|h| is_copy(h, &row.text, row.remote_at) && !claimed(h)) {
            let cancelled = self.provider.cancel_hand_off(&self.cx(), &stray.remote_id).await;
            self.log_quietly(row, "cancel_stray_hand_off", cancelled.as_ref().err()).await;
            match cancelled {
                Ok(_) => {
                    tracing::warn!(hand_off = %row.id, "took back a second held copy an earlier send left")
                }
                Err(e) => {
                    tracing::warn!(hand_off = %row.id, error = %e, "could not take back a second held copy yet")
                }
            }
        }
    }

    /// Takes back whatever the server holds for this row, before its account goes; the row
    /// stays (and is counted) when that cannot be made sure of now.
    async fn let_go(&self, row: HandOff) -> StoreResult<()> {
        if let Some(remote_id) = row.remote_id.clone() {
            return self.take_back(&row, &remote_id, None, None).await;
        }
        if Utc::now() < row.sent_at + self.settle() {
            return Ok(());
        }
        match self.find_unknown(&row).await {
            Ok(Found::Held { remote_id }) => self.take_back(&row, &remote_id, None, None).await,
            Ok(Found::Published(found)) => self.published_found(&row, found).await,
            Ok(Found::Absent) => self.release(&row, None, None).await,
            Err(e) => {
                tracing::warn!(hand_off = %row.id, error = %e, "could not check a hand-off before removing its account");
                Ok(())
            }
        }
    }

    /// Moves the held post to `at`.
    async fn move_to(&self, row: &HandOff, remote_id: &str, at: DateTime<Utc>) -> StoreResult<()> {
        let moved = self.provider.move_hand_off(&self.cx(), remote_id, at).await;
        self.log(row, "move_hand_off", moved.as_ref().err()).await?;
        match moved {
            Ok(true) => {
                tracing::info!(hand_off = %row.id, %at, "moved a held post");
                let (moved, remote_id, next) =
                    (row.clone(), remote_id.to_owned(), self.next_look(row, at));
                self.core
                    .store
                    .write_together(move |w| w.hand_off_held(&moved, &remote_id, at, next))
                    .await
            }
            Ok(false) => self.check_due(row, remote_id).await,
            Err(e) => self.later(row, self.backoff(row.checks + 1, &e), row.checks + 1).await,
        }
    }

    /// Takes the held post back; once the server has let go of it, the target returns to
    /// Sipstory (to publish itself at its time, or as a draft). Published meanwhile: recorded.
    async fn take_back(
        &self,
        row: &HandOff,
        remote_id: &str,
        post: Option<Post>,
        target: Option<Target>,
    ) -> StoreResult<()> {
        let cancelled = self.provider.cancel_hand_off(&self.cx(), remote_id).await;
        self.log(row, "cancel_hand_off", cancelled.as_ref().err()).await?;
        match cancelled {
            Ok(true) => {
                tracing::info!(hand_off = %row.id, "took a held post back from the server");
                self.release(row, post, target).await
            }
            Ok(false) => match self.find_known(row, remote_id).await {
                Ok(Found::Published(found)) => self.published_found(row, found).await,
                Ok(Found::Absent) => self.release(row, post, target).await,
                Ok(Found::Held { .. }) => self.later(row, self.next_check(), row.checks + 1).await,
                Err(e) => self.later(row, self.backoff(row.checks + 1, &e), row.checks + 1).await,
            },
            Err(e) => self.later(row, self.backoff(row.checks + 1, &e), row.checks + 1).await,
        }
    }

    /// Its time has come: asks the server how it went.
    async fn check_due(&self, row: &HandOff, remote_id: &str) -> StoreResult<()> {
        match self.find_known(row, remote_id).await {
            Ok(Found::Held { .. }) => self.later(row, self.next_check(), 0).await,
            Ok(Found::Published(found)) => self.published_found(row, found).await,
            Ok(Found::Absent) if row.checks + 1 >= GONE_AFTER_CHECKS => self.gone(row).await,
            Ok(Found::Absent) => self.later(row, self.next_check(), row.checks + 1).await,
            Err(e) => self.later(row, self.backoff(row.checks + 1, &e), row.checks + 1).await,
        }
    }

    /// When a post whose time has come is asked about again.
    fn next_check(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::from_std(self.core.config.hand_off_check).unwrap_or_default()
    }

    async fn later(&self, row: &HandOff, at: DateTime<Utc>, checks: u32) -> StoreResult<()> {
        let row = row.clone();
        self.core.store.write_together(move |w| w.hand_off_later(&row, at, checks)).await
    }

    /// The server let go of the post without publishing it: the target returns to Sipstory,
    /// scheduled for its time (or a draft).
    async fn release(
        &self,
        row: &HandOff,
        post: Option<Post>,
        target: Option<Target>,
    ) -> StoreResult<()> {
        let update = match (&post, &target) {
            (Some(post), Some(target)) if target.state == TargetState::HandedOff => {
                let draft = post.is_draft || post.scheduled_at.is_none();
                Some((
                    target.id.clone(),
                    TargetUpdate {
                        state: if draft { TargetState::Draft } else { TargetState::Scheduled },
                        next_attempt_at: if draft { None } else { post.scheduled_at },
                        error: None,
                        keep_inflight: false,
                    },
                ))
            }
            _ => None,
        };
        let id = row.id.clone();
        self.core
            .store
            .write_together(move |w| {
                w.end_hand_off(&id)?;
                match &update {
                    Some((target_id, update)) => w.update_target(target_id, update),
                    None => Ok(()),
                }
            })
            .await?;
        self.core.queue_changed();
        Ok(())
    }

    /// The held post found among the account's posts.
    async fn published_found(&self, row: &HandOff, found: RemotePost) -> StoreResult<()> {
        let at = found.created_at.unwrap_or_else(Utc::now);
        let item = PublishedItem { remote_id: found.remote_id, url: found.url, extra: found.extra };
        self.published(row, item, at).await
    }

    /// The server published it at `at`: recorded like Sipstory's own publish, and announced.
    async fn published(
        &self,
        row: &HandOff,
        published: PublishedItem,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let result = ItemResult {
            position: 0,
            remote_id: published.remote_id,
            url: published.url,
            extra: published.extra,
            published_at: at,
        };
        let (id, target_id, recorded) = (row.id.clone(), row.target_id.clone(), result.clone());
        self.core
            .store
            .write_together(move |w| {
                w.end_hand_off(&id)?;
                let Some(target_id) = target_id else { return Ok(()) };
                w.record_result(&target_id, &recorded)?;
                let update = TargetUpdate {
                    state: TargetState::Published,
                    next_attempt_at: None,
                    error: None,
                    keep_inflight: false,
                };
                w.update_target(&target_id, &update)
            })
            .await?;
        self.core.queue_changed();
        if row.target_id.is_none() {
            return Ok(());
        }
        tracing::info!(hand_off = %row.id, "the server published a held post");
        self.announce(
            NoticeKind::Published,
            format!("Published to {} ({})", self.name(), self.account.handle),
            preview(&row.text),
            result.url,
        )
        .await;
        Ok(())
    }

    /// Neither held nor published: someone removed it from the server's scheduled posts.
    async fn gone(&self, row: &HandOff) -> StoreResult<()> {
        let error = ProviderError::new(
            ErrorKind::Permanent,
            format!(
                "The post was removed from the server's scheduled posts ({}), so it was not published.",
                self.account.handle
            ),
        )
        .with_code("hand_off_gone");
        self.failed(row, &error).await
    }

    /// The hand-off cannot go on: the target fails with `e`, and the user is told.
    async fn failed(&self, row: &HandOff, e: &ProviderError) -> StoreResult<()> {
        let (id, target_id, error) = (row.id.clone(), row.target_id.clone(), target_error(e));
        self.core
            .store
            .write_together(move |w| {
                w.end_hand_off(&id)?;
                let Some(target_id) = target_id else { return Ok(()) };
                w.update_target(&target_id, &failed_update(error))
            })
            .await?;
        self.core.queue_changed();
        if row.target_id.is_some() {
            let title = format!("Could not publish to {} ({})", self.name(), self.account.handle);
            self.announce(NoticeKind::Failed, title, e.message.clone(), None).await;
        }
        Ok(())
    }

    async fn announce(&self, kind: NoticeKind, title: String, body: String, link: Option<String>) {
        self.core
            .announce(Notice {
                kind,
                title,
                body,
                post_id: self.post_id.clone(),
                account_id: Some(self.account.id.clone()),
                link,
            })
            .await;
    }

    fn name(&self) -> &str {
        &self.provider.info().name
    }

    /// Writes the publish-log rows of the requests made since the last call.
    async fn log(
        &self,
        row: &HandOff,
        action: &str,
        error: Option<&ProviderError>,
    ) -> StoreResult<()> {
        let target = LogTarget {
            post_id: self.post_id.as_deref().unwrap_or_default(),
            target_id: row.target_id.as_deref().unwrap_or_default(),
            account: &self.account,
            attempt: row.checks,
        };
        let entries = log_entries(&target, action, self.http.take_exchanges(), error);
        if entries.is_empty() {
            return Ok(());
        }
        self.core.store.write_together(move |w| w.append_log(&entries)).await
    }

    /// [`Self::log`] for reads, whose outcome matters more than their log row.
    async fn log_quietly(&self, row: &HandOff, action: &str, error: Option<&ProviderError>) {
        if let Err(e) = self.log(row, action, error).await {
            tracing::error!(error = %e, "could not log a hand-off check");
        }
    }
}

fn failed_update(error: TargetError) -> TargetUpdate {
    TargetUpdate {
        state: TargetState::Failed,
        next_attempt_at: None,
        error: Some(error),
        keep_inflight: false,
    }
}
