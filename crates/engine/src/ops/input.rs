//! What the composer and the API send to create or change a post.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::ThreadItem;

/// When a post goes out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Schedule {
    /// Saved as a draft, optionally with a planned time shown on the calendar.
    Draft { at: Option<DateTime<Utc>> },
    /// At an instant.
    At { at: DateTime<Utc> },
    /// At a local date and time in the post's time zone (DST handled by the engine).
    Local { local: NaiveDateTime },
    /// As soon as possible.
    Now,
    /// At the next free time slot of the first account.
    Queue,
}

/// One account the post goes to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetInputDto {
    pub account_id: String,
    /// Replaces the shared thread for this account.
    #[serde(default)]
    pub custom_items: Option<Vec<ThreadItem>>,
    #[serde(default)]
    pub settings: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostInput {
    /// The shared thread: the first item is the post.
    pub items: Vec<ThreadItem>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub targets: Vec<TargetInputDto>,
    pub schedule: Schedule,
    /// The IANA zone the post is written in; defaults to the settings', else the machine's.
    #[serde(default)]
    pub time_zone: Option<String>,
}
