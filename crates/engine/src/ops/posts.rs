//! Post operations: create, edit, validate, schedule, reschedule, retry, the missed-posts
//! review and settling unconfirmed publishes.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::input::{PostInput, Schedule};
use super::{ErrorCode, Operations, OpsError, OpsResult};
use crate::model::{
    CalendarDay, ItemResult, Post, PostStatus, PostSummary, SCHEDULE_ON_SERVER, TargetState,
    new_id, wants_hand_off,
};
use crate::store::{PostFilter, PostWrite, TargetInput};
use crate::time::{Zone, next_free_slot, parse_zone, resolve_local};
use crate::validation::{TargetDraft, Violation, validate_target};

/// How far in the past a scheduled time may be (clock differences, slow forms).
const PAST_TOLERANCE_SECS: i64 = 60;
/// How far ahead "Add to queue" looks for a free slot.
const SLOT_SEARCH_DAYS: u32 = 60;
/// The longest window the month view asks for day by day (six weeks, with room to spare).
const MAX_CALENDAR_DAYS: i64 = 62;
/// How close to its time a post the server holds can still be changed.
const HELD_EDIT_MARGIN_SECS: i64 = 60;

/// A saved post, the rule problems it still has (drafts may have some) and whether its local
/// time moved because it fell in a daylight-saving gap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Saved {
    pub post: Post,
    pub warnings: Vec<Violation>,
    pub time_shifted: bool,
}

/// A post input resolved against the store and the clock.
struct Resolved {
    scheduled_at: Option<DateTime<Utc>>,
    is_draft: bool,
    zone: String,
    targets: Vec<TargetInput>,
    shifted: bool,
    violations: Vec<Violation>,
}

impl Operations {
    /// Saves a new post. A post to be published is refused while it breaks a platform's
    /// rules; a draft is saved with its problems listed as warnings.
    pub fn create_post(&self, input: PostInput) -> OpsResult<Saved> {
        let resolved = self.resolve(&input)?;
        let id = new_id();
        let post = self.core.store.insert_post(&write(&id, &input, &resolved))?;
        self.core.queue_changed();
        self.scheduled_event(&post);
        Ok(Saved { post, warnings: resolved.violations, time_shifted: resolved.shifted })
    }

    /// Replaces a post's content, accounts and time. Accounts it is already published on keep
    /// their published state.
    pub fn update_post(&self, id: &str, input: PostInput) -> OpsResult<Saved> {
        self.check_not_going_out(&self.core.store.post(id)?)?;
        let resolved = self.resolve(&input)?;
        let post = self.core.store.update_post(&write(id, &input, &resolved))?;
        self.core.queue_changed();
        self.scheduled_event(&post);
        Ok(Saved { post, warnings: resolved.violations, time_shifted: resolved.shifted })
    }

    /// Tells webhooks a post is scheduled (not for drafts).
    fn scheduled_event(&self, post: &Post) {
        if !post.is_draft {
            self.core.webhook_event("post.scheduled", &crate::webhooks::post_payload(post));
        }
    }

    /// The composer's and the API's check: every rule problem of every account, saving nothing.
    pub fn validate_post(&self, input: &PostInput) -> OpsResult<Vec<Violation>> {
        let targets = self.target_inputs(input)?;
        self.violations(input, &targets)
    }

    pub fn post(&self, id: &str) -> OpsResult<Post> {
        Ok(self.core.store.post(id)?)
    }

    pub fn posts(&self, filter: &PostFilter) -> OpsResult<Vec<Post>> {
        Ok(self.core.store.posts(filter)?)
    }

    /// The calendar's posts in `[from, to)`.
    pub fn calendar(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> OpsResult<Vec<PostSummary>> {
        if to <= from {
            return Err(OpsError::invalid(
                "endDate",
                "the end of the window must be after its start",
            ));
        }
        Ok(self.core.store.calendar(from, to)?)
    }

    /// The month view: each local day of `[from, to)` (in the user's zone) with its earliest
    /// `per_day` posts and how many it has in all, so a dense month costs what it shows.
    pub fn calendar_days(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        per_day: u32,
    ) -> OpsResult<Vec<CalendarDay>> {
        if to <= from {
            return Err(OpsError::invalid(
                "endDate",
                "the end of the window must be after its start",
            ));
        }
        if to - from > Duration::days(MAX_CALENDAR_DAYS) {
            return Err(OpsError::invalid(
                "endDate",
                format!("a day-by-day window spans at most {MAX_CALENDAR_DAYS} days"),
            ));
        }
        let zone = crate::time::user_zone(self.core.store.settings()?.time_zone);
        let zone = parse_zone(&zone).unwrap_or(Zone::UTC);
        let bounds = crate::time::day_bounds(from, to, &zone)
            .map_err(|e| OpsError::invalid("startDate", e.to_string()))?;
        Ok(self.core.store.calendar_days(&bounds, per_day.max(1))?)
    }

    /// Drafts, newest first.
    pub fn drafts(&self) -> OpsResult<Vec<Post>> {
        let mut drafts = self
            .core
            .store
            .posts(&PostFilter { status: Some(PostStatus::Draft), ..Default::default() })?;
        drafts.sort_by_key(|p| std::cmp::Reverse(p.updated_at));
        Ok(drafts)
    }

    /// Upcoming posts, soonest first.
    pub fn queue(&self) -> OpsResult<Vec<Post>> {
        let filter =
            PostFilter { from: Some(Utc::now() - Duration::days(1)), ..Default::default() };
        let mut posts = self.core.store.posts(&filter)?;
        posts.retain(|p| {
            matches!(
                p.status,
                PostStatus::Scheduled | PostStatus::Publishing | PostStatus::Unconfirmed
            )
        });
        Ok(posts)
    }

    /// Deletes a post from Sipstory (never from the platforms). Refused while a publish is in
    /// flight.
    pub fn delete_post(&self, id: &str) -> OpsResult<()> {
        let post = self.core.store.post(id)?;
        if post.targets.iter().any(|t| t.state == TargetState::Publishing) {
            return Err(OpsError::conflict(
                "This post is being published right now; try again in a moment.",
            ));
        }
        self.check_not_going_out(&post)?;
        self.core.store.delete_post(id)?;
        self.core.queue_changed();
        Ok(())
    }

    /// Deletes a post's published items from the platforms (last thread item first), then the
    /// post from Sipstory. Stops at the first platform that refuses, keeping the post and
    /// whatever is still published, so nothing is forgotten half-way.
    pub async fn delete_post_everywhere(&self, id: &str) -> OpsResult<()> {
        let post = self.core.store.post(id)?;
        for target in post.targets.iter().filter(|t| !t.results.is_empty()) {
            let account = self.core.store.account(&target.account_id)?;
            let provider = self.core.registry.get(&account.platform).cloned().ok_or_else(|| {
                OpsError::new(
                    ErrorCode::UnsupportedPlatform,
                    format!(
                        "This version of Sipstory cannot delete posts on {}.",
                        account.platform
                    ),
                )
            })?;
            let credentials = self.core.credentials(&account.id);
            let http = crate::provider::PublishHttp::new(self.core.http.clone());
            let cx = crate::provider::PublishContext {
                account: &account,
                credentials: &credentials,
                http: &http,
            };
            for result in target.results.iter().rev() {
                let deleted = provider.delete(&cx, result).await;
                self.log_deletion(&post, target, &account, &http, deleted.as_ref().err())?;
                deleted.map_err(|e| {
                    OpsError::new(
                        ErrorCode::PlatformError,
                        format!(
                            "{} refused to delete the post: {}",
                            provider.info().name,
                            e.message
                        ),
                    )
                })?;
                self.core.store.forget_result(&target.id, result.position)?;
            }
        }
        self.delete_post(id)
    }

    fn log_deletion(
        &self,
        post: &Post,
        target: &crate::model::Target,
        account: &crate::model::Account,
        http: &crate::provider::PublishHttp,
        error: Option<&crate::provider::ProviderError>,
    ) -> OpsResult<()> {
        let who = crate::scheduler::LogTarget {
            post_id: &post.id,
            target_id: &target.id,
            account,
            attempt: target.attempts,
        };
        let entries = crate::scheduler::log_entries(&who, "delete", http.take_exchanges(), error);
        Ok(self.core.store.write(|w| w.append_log(&entries))?)
    }

    /// Moves a post to a new time (calendar drag). A post already published somewhere is not
    /// moved; duplicate it to publish it again.
    pub fn reschedule(&self, id: &str, at: DateTime<Utc>) -> OpsResult<Post> {
        let post = self.core.store.post(id)?;
        if post.targets.iter().any(|t| t.state == TargetState::Published) {
            return Err(OpsError::conflict(
                "This post is already published. Duplicate it to publish it again at another time.",
            ));
        }
        let schedule =
            if post.is_draft { Schedule::Draft { at: Some(at) } } else { Schedule::At { at } };
        Ok(self.update_post(id, input_of(&post, schedule))?.post)
    }

    /// Turns a post into a draft (`true`) or schedules a draft at its planned time (`false`).
    pub fn set_draft(&self, id: &str, draft: bool) -> OpsResult<Post> {
        let post = self.core.store.post(id)?;
        let on_platform = |state| {
            matches!(
                state,
                TargetState::Publishing | TargetState::Published | TargetState::Unconfirmed
            )
        };
        if draft && post.targets.iter().any(|t| on_platform(t.state)) {
            return Err(OpsError::conflict(
                "Only a post that has not started publishing can go back to drafts.",
            ));
        }
        let schedule = match (draft, post.scheduled_at) {
            (true, at) => Schedule::Draft { at },
            (false, Some(at)) => Schedule::At { at },
            (false, None) => {
                return Err(OpsError::invalid(
                    "date",
                    "Choose a date and time before scheduling this draft.",
                ));
            }
        };
        Ok(self.update_post(id, input_of(&post, schedule))?.post)
    }

    /// A copy of a post with a new schedule.
    pub fn duplicate_post(&self, id: &str, schedule: Schedule) -> OpsResult<Saved> {
        let post = self.core.store.post(id)?;
        self.create_post(input_of(&post, schedule))
    }

    /// Publishes the failed accounts of a post again, resuming threads where they stopped.
    pub fn retry_failed(&self, id: &str) -> OpsResult<Post> {
        if self.core.store.retry_failed(id, Utc::now())? == 0 {
            self.core.store.post(id)?;
            return Err(OpsError::conflict("This post has no failed accounts to retry."));
        }
        self.core.queue_changed();
        Ok(self.core.store.post(id)?)
    }

    /// Posts with missed accounts, oldest first.
    pub fn missed_posts(&self) -> OpsResult<Vec<Post>> {
        let mut ids: Vec<String> = self
            .core
            .store
            .targets_in_state(TargetState::Missed)?
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        ids.dedup();
        ids.iter().map(|id| Ok(self.core.store.post(id)?)).collect()
    }

    /// Publishes a post's missed accounts now.
    pub fn publish_missed_now(&self, id: &str) -> OpsResult<Post> {
        self.requeue(id, &["missed"], Utc::now())
    }

    /// Moves a post's missed accounts to a new time.
    pub fn reschedule_missed(&self, id: &str, at: DateTime<Utc>) -> OpsResult<Post> {
        self.check_future(at, "date")?;
        self.requeue(id, &["missed"], at)
    }

    /// Gives up on a post's missed accounts: the post goes back to drafts, nothing is lost.
    pub fn discard_missed(&self, id: &str) -> OpsResult<Post> {
        let post = self.core.store.post(id)?;
        if !post.targets.iter().any(|t| t.state == TargetState::Missed) {
            return Err(OpsError::conflict("This post has no missed accounts."));
        }
        self.set_draft(id, true)
    }

    /// Settles an unconfirmed account of a post: the user found it on the platform under
    /// `remote_id` (the reference API's release-id).
    pub fn confirm_published(
        &self,
        target_id: &str,
        remote_id: &str,
        url: Option<String>,
    ) -> OpsResult<Post> {
        let post_id = self.unconfirmed_post(target_id)?;
        let job = self.core.store.job(target_id)?;
        let position = job.inflight.map(|(p, _)| p).unwrap_or_else(|| job.next_position());
        let result = ItemResult {
            position,
            remote_id: remote_id.to_owned(),
            url,
            extra: serde_json::Value::Null,
            published_at: Utc::now(),
        };
        let done = (position as usize) + 1 >= job.items.len();
        let update = crate::store::TargetUpdate {
            state: if done { TargetState::Published } else { TargetState::Scheduled },
            next_attempt_at: (!done).then(Utc::now),
            error: None,
            keep_inflight: false,
        };
        self.core.store.write(|w| {
            w.record_result(target_id, &result)?;
            w.update_target(target_id, &update)
        })?;
        self.core.queue_changed();
        Ok(self.core.store.post(&post_id)?)
    }

    /// Settles an unconfirmed account of a post: the user checked it is not on the platform.
    pub fn publish_unconfirmed_again(&self, target_id: &str) -> OpsResult<Post> {
        let post_id = self.unconfirmed_post(target_id)?;
        self.requeue(&post_id, &["unconfirmed"], Utc::now())
    }

    fn unconfirmed_post(&self, target_id: &str) -> OpsResult<String> {
        let job = self.core.store.job(target_id)?;
        if job.target.state != TargetState::Unconfirmed {
            return Err(OpsError::conflict("Only an unconfirmed publish can be settled by hand."));
        }
        Ok(job.post_id)
    }

    fn requeue(&self, id: &str, states: &[&str], at: DateTime<Utc>) -> OpsResult<Post> {
        if self.core.store.requeue(id, states, at)? == 0 {
            self.core.store.post(id)?;
            return Err(OpsError::conflict(format!(
                "This post has no {} accounts.",
                states.join(" or ")
            )));
        }
        self.core.queue_changed();
        Ok(self.core.store.post(id)?)
    }

    fn resolve(&self, input: &PostInput) -> OpsResult<Resolved> {
        let settings = self.core.store.settings()?;
        let zone_name =
            input.time_zone.clone().unwrap_or_else(|| crate::time::user_zone(settings.time_zone));
        let zone =
            parse_zone(&zone_name).map_err(|e| OpsError::invalid("time_zone", e.to_string()))?;
        let targets = self.target_inputs(input)?;
        let (scheduled_at, is_draft, shifted) = match &input.schedule {
            Schedule::Draft { at } => (*at, true, false),
            Schedule::At { at } => (Some(self.check_future(*at, "date")?), false, false),
            Schedule::Local { local } => {
                let resolved = resolve_local(*local, &zone)
                    .map_err(|e| OpsError::invalid("date", e.to_string()))?;
                (Some(self.check_future(resolved.utc, "date")?), false, resolved.shifted)
            }
            Schedule::Now => (Some(Utc::now()), false, false),
            Schedule::Queue => (Some(self.next_slot_for(&targets, &zone)?), false, false),
        };
        if !is_draft && targets.is_empty() {
            return Err(OpsError::invalid("targets", "Choose at least one account to publish to."));
        }
        let violations = self.violations(input, &targets)?;
        if !is_draft && !violations.is_empty() {
            return Err(OpsError::violations(violations));
        }
        Ok(Resolved { scheduled_at, is_draft, zone: zone_name, targets, shifted, violations })
    }

    fn check_future(&self, at: DateTime<Utc>, field: &str) -> OpsResult<DateTime<Utc>> {
        if at < Utc::now() - Duration::seconds(PAST_TOLERANCE_SECS) {
            return Err(OpsError::invalid(
                field,
                "That time has already passed. Choose a later time, or publish now.",
            ));
        }
        Ok(at)
    }

    fn next_slot_for(&self, targets: &[TargetInput], zone: &Zone) -> OpsResult<DateTime<Utc>> {
        let first = targets.first().ok_or_else(|| {
            OpsError::invalid("targets", "Choose an account to queue the post for.")
        })?;
        self.find_slot(&first.account_id, zone)?.ok_or_else(|| {
            OpsError::invalid("schedule", "This account has no free time slot in the next 60 days; add time slots in its settings or pick a time.")
        })
    }

    /// The next free slot of an account after now, in `zone`.
    pub(crate) fn find_slot(
        &self,
        account_id: &str,
        zone: &Zone,
    ) -> OpsResult<Option<DateTime<Utc>>> {
        let slots = self.core.store.slots(account_id)?;
        let now = Utc::now();
        let horizon = now + Duration::days(i64::from(SLOT_SEARCH_DAYS) + 1);
        let taken = self.core.store.taken_times(account_id, now, horizon)?;
        Ok(next_free_slot(&slots, zone, now, &taken, SLOT_SEARCH_DAYS))
    }

    /// Checks the accounts of an input exist, once each.
    fn target_inputs(&self, input: &PostInput) -> OpsResult<Vec<TargetInput>> {
        if input.items.is_empty() {
            return Err(OpsError::invalid("items", "A post needs at least one item."));
        }
        let mut seen = std::collections::HashSet::new();
        input
            .targets
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let field = format!("targets[{i}].account_id");
                if !seen.insert(t.account_id.as_str()) {
                    return Err(OpsError::invalid(&field, "This account is chosen twice."));
                }
                self.core.store.account(&t.account_id).map_err(|_| OpsError {
                    code: ErrorCode::NotFound,
                    ..OpsError::invalid(&field, format!("No account '{}'.", t.account_id))
                })?;
                if t.custom_items.as_ref().is_some_and(Vec::is_empty) {
                    return Err(OpsError::invalid(
                        &format!("targets[{i}].custom_items"),
                        "Custom content needs at least one item.",
                    ));
                }
                Ok(TargetInput {
                    account_id: t.account_id.clone(),
                    custom_items: t.custom_items.clone(),
                    settings: if t.settings.is_null() {
                        serde_json::json!({})
                    } else {
                        t.settings.clone()
                    },
                })
            })
            .collect()
    }

    fn violations(&self, input: &PostInput, targets: &[TargetInput]) -> OpsResult<Vec<Violation>> {
        let store = &self.core.store;
        let media = |id: &str| store.media(id).ok().map(|m| m.facts);
        let mut all = Vec::new();
        for target in targets {
            let account = store.account(&target.account_id)?;
            let Some(rules) = self.account_rules(&account) else {
                return Err(OpsError::new(
                    ErrorCode::UnsupportedPlatform,
                    format!("Sipstory does not know the platform '{}'.", account.platform),
                ));
            };
            let draft = TargetDraft {
                account_id: &account.id,
                items: target.custom_items.as_deref().unwrap_or(&input.items),
                settings: &target.settings,
            };
            all.extend(validate_target(&rules, &draft, &media));
            let can_hold = !rules.settings_schema["properties"][SCHEDULE_ON_SERVER].is_null();
            if can_hold
                && matches!(input.schedule, Schedule::Now)
                && wants_hand_off(&target.settings)
            {
                all.push(Violation {
                    account_id: account.id.clone(),
                    field: format!("settings.{SCHEDULE_ON_SERVER}"),
                    code: "hand_off_now".into(),
                    message: "A post published now cannot be given to the server to hold; pick a time at least 5 minutes ahead, or turn this off.".into(),
                    limit: None,
                });
            }
        }
        Ok(all)
    }

    /// A post its platform holds, whose time has come, may be going out right now: it is left
    /// alone until Sipstory has checked the server.
    fn check_not_going_out(&self, post: &Post) -> OpsResult<()> {
        let held = post.targets.iter().any(|t| t.state == TargetState::HandedOff);
        let soon = Utc::now() + Duration::seconds(HELD_EDIT_MARGIN_SECS);
        if held && post.scheduled_at.is_some_and(|at| at <= soon) {
            return Err(OpsError::conflict(
                "The server is publishing this post now; Sipstory will show how it went in a moment.",
            ));
        }
        Ok(())
    }
}

fn write<'a>(id: &'a str, input: &'a PostInput, resolved: &'a Resolved) -> PostWrite<'a> {
    PostWrite {
        id,
        items: &input.items,
        tags: &input.tags,
        scheduled_at: resolved.scheduled_at,
        time_zone: &resolved.zone,
        is_draft: resolved.is_draft,
        targets: &resolved.targets,
    }
}

/// The schedule a post has now (a draft keeps its planned time).
pub(super) fn schedule_of(post: &Post) -> Schedule {
    match (post.is_draft, post.scheduled_at) {
        (false, Some(at)) => Schedule::At { at },
        (_, at) => Schedule::Draft { at },
    }
}

/// The input that would recreate `post` with another schedule.
pub(super) fn input_of(post: &Post, schedule: Schedule) -> PostInput {
    PostInput {
        items: post.items.clone(),
        tags: post.tags.clone(),
        targets: post
            .targets
            .iter()
            .map(|t| super::TargetInputDto {
                account_id: t.account_id.clone(),
                custom_items: t.custom_items.clone(),
                settings: t.settings.clone(),
            })
            .collect(),
        schedule,
        time_zone: Some(post.time_zone.clone()),
    }
}
