//! Posts and their per-account targets. A post holds the shared content (a thread of items),
//! tags and the time it is due; each target sends it to one account, optionally with its own
//! content, and carries the publishing state, attempts and per-item results.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A media file attached to a thread item, with an optional alt text for this use of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaRef {
    pub media_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt: Option<String>,
}

/// One item of a thread: the post itself (first) or a reply/comment after it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ThreadItem {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub media: Vec<MediaRef>,
    /// Seconds to wait after the previous item was published (0 for the first).
    #[serde(default)]
    pub delay_secs: u32,
}

/// Where one target is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetState {
    /// Part of a draft: never published.
    Draft,
    /// Waiting for its time (or its next attempt).
    Scheduled,
    /// Leased by the publisher; a request may be in flight.
    Publishing,
    /// A request may have reached the platform but no answer came: reconciled before any retry.
    Unconfirmed,
    Published,
    Failed,
    /// Its time passed longer than the grace ago while Sipstory was not running: the user decides.
    Missed,
    /// Given to the platform, which holds it and publishes it at its time (server-side
    /// scheduling); Sipstory keeps it in sync and records the outcome.
    HandedOff,
}

impl TargetState {
    pub const ALL: [TargetState; 8] = [
        Self::Draft,
        Self::Scheduled,
        Self::Publishing,
        Self::Unconfirmed,
        Self::Published,
        Self::Failed,
        Self::Missed,
        Self::HandedOff,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Scheduled => "scheduled",
            Self::Publishing => "publishing",
            Self::Unconfirmed => "unconfirmed",
            Self::Published => "published",
            Self::Failed => "failed",
            Self::Missed => "missed",
            Self::HandedOff => "handed_off",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == s)
    }
}

/// A post's status, derived from its targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostStatus {
    Draft,
    Scheduled,
    Publishing,
    Published,
    Partial,
    Failed,
    Missed,
    Unconfirmed,
}

impl PostStatus {
    /// Derives the post's status from whether it is a draft and its targets' states (a target
    /// the platform holds counts as scheduled).
    pub fn derive(is_draft: bool, states: &[TargetState]) -> Self {
        use TargetState as T;
        let states: Vec<T> =
            states.iter().map(|s| if *s == T::HandedOff { T::Scheduled } else { *s }).collect();
        let any = |s: T| states.contains(&s);
        let all = |s: T| states.iter().all(|x| *x == s);
        if is_draft || states.is_empty() || all(T::Draft) {
            Self::Draft
        } else if all(T::Published) {
            Self::Published
        } else if any(T::Missed) {
            Self::Missed
        } else if any(T::Unconfirmed) {
            Self::Unconfirmed
        } else if any(T::Publishing) {
            Self::Publishing
        } else if any(T::Scheduled) {
            if any(T::Published) || any(T::Failed) { Self::Publishing } else { Self::Scheduled }
        } else if any(T::Published) {
            Self::Partial
        } else {
            Self::Failed
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Scheduled => "scheduled",
            Self::Publishing => "publishing",
            Self::Published => "published",
            Self::Partial => "partial",
            Self::Failed => "failed",
            Self::Missed => "missed",
            Self::Unconfirmed => "unconfirmed",
        }
    }
}

/// The platform's answer for one published thread item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemResult {
    pub position: u32,
    pub remote_id: String,
    pub url: Option<String>,
    /// Extra references a later item needs (e.g. Bluesky's `cid`).
    #[serde(default)]
    pub extra: serde_json::Value,
    pub published_at: DateTime<Utc>,
}

/// The last error a target met.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetError {
    /// The platform's own error code, when it gave one.
    pub code: Option<String>,
    pub message: String,
    pub http_status: Option<u16>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub id: String,
    pub post_id: String,
    pub account_id: String,
    pub platform: String,
    /// This account's own thread, replacing the post's shared content.
    pub custom_items: Option<Vec<ThreadItem>>,
    /// Per-platform settings, validated by the platform's rules.
    pub settings: serde_json::Value,
    pub state: TargetState,
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Published items, in order; a thread resumes after the last one.
    pub results: Vec<ItemResult>,
    pub last_error: Option<TargetError>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Post {
    pub id: String,
    /// The shared content: the first item is the post, the rest its thread.
    pub items: Vec<ThreadItem>,
    pub tags: Vec<String>,
    /// When it is due, in UTC; `None` for an unscheduled draft.
    pub scheduled_at: Option<DateTime<Utc>>,
    /// The IANA zone the time was written in.
    pub time_zone: String,
    pub is_draft: bool,
    pub status: PostStatus,
    pub targets: Vec<Target>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Post {
    /// The thread a target publishes: its own content, or the shared one.
    pub fn items_for<'a>(&'a self, target: &'a Target) -> &'a [ThreadItem] {
        target.custom_items.as_deref().unwrap_or(&self.items)
    }
}

/// The per-post setting by which a target asks its platform to hold it and publish it at its
/// time (platforms that can declare it in their settings schema).
pub const SCHEDULE_ON_SERVER: &str = "schedule_on_server";

/// Whether a target's settings ask for server-side scheduling.
pub fn wants_hand_off(settings: &serde_json::Value) -> bool {
    settings[SCHEDULE_ON_SERVER] == serde_json::Value::Bool(true)
}

/// A digest of what a target publishes (its thread and settings, not its time): a post handed
/// to a platform is given again when this changes.
pub fn content_fingerprint(items: &[ThreadItem], settings: &serde_json::Value) -> String {
    use sha2::{Digest, Sha256};
    let content = serde_json::to_vec(&(items, settings)).expect("model types always serialize");
    format!("{:x}", Sha256::digest(content))
}

/// A calendar entry: one post with what the calendar shows at a glance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostSummary {
    pub id: String,
    pub preview: String,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub time_zone: String,
    pub status: PostStatus,
    pub tags: Vec<String>,
    /// `(account id, platform, target state)` for each target.
    pub targets: Vec<(String, String, TargetState)>,
}

/// One day of the month view: its earliest posts and how many it has in all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarDay {
    /// The day's local midnight, as an instant.
    pub start: DateTime<Utc>,
    pub total: u32,
    pub posts: Vec<PostSummary>,
}
