//! The domain model shared by every layer: accounts, posts, their per-account targets,
//! thread items, media and the states a post moves through.

mod account;
mod api_key;
mod media;
mod post;
mod settings;
mod webhook;

pub use account::{Account, AccountStatus};
pub use api_key::{ApiKey, IdempotencyClaim};
pub use media::{Media, MediaFacts};
pub use post::{
    CalendarDay, ItemResult, MediaRef, Post, PostStatus, PostSummary, SCHEDULE_ON_SERVER, Target,
    TargetError, TargetState, ThreadItem, content_fingerprint, wants_hand_off,
};
pub use settings::{AppSettings, LocalApiSettings, WeekStart};
pub use webhook::{WEBHOOK_EVENTS, Webhook, WebhookDelivery};

/// A fresh, time-ordered identifier (UUID v7) for any stored row.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
