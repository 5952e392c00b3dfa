//! Per-platform content rules (text limits with each platform's own counting, media counts,
//! types and sizes, thread support, per-post settings) and the one check that the composer, the
//! local API and the publisher all use.

mod check;
mod counting;
mod rules;

use serde::{Deserialize, Serialize};

pub use check::{TargetDraft, Violation, validate_target};
pub use rules::{BUILTIN_PLATFORMS, builtin_rules};

/// How a platform counts the length of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextCounting {
    /// Unicode scalar values.
    Chars,
    /// Extended grapheme clusters (Bluesky).
    Graphemes,
    /// X's weighted count (twitter-text v3: URLs count 23, CJK and emoji count 2).
    XWeighted,
    /// UTF-8 bytes (Farcaster casts).
    Utf8Bytes,
}

/// Whether and how a platform publishes items after the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThreadSupport {
    /// Only one item.
    None,
    /// Later items are replies forming a thread.
    Replies,
    /// Later items are comments under the first.
    Comments,
}

/// What media a platform accepts on one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaRules {
    pub max_items: u32,
    pub images: bool,
    pub gifs: bool,
    pub videos: bool,
    pub max_image_bytes: Option<u64>,
    pub max_gif_bytes: Option<u64>,
    pub max_video_bytes: Option<u64>,
    pub max_video_duration_ms: Option<u64>,
    /// A video or GIF must be the item's only media (X, Bluesky).
    pub video_alone: bool,
    pub max_alt_length: Option<u32>,
}

/// One platform's rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlatformRules {
    pub platform: String,
    pub platform_name: String,
    pub max_length: Option<u32>,
    pub counting: TextCounting,
    /// Every item needs at least one media file (Instagram, Pinterest, YouTube...).
    pub requires_media: bool,
    pub media: MediaRules,
    pub thread: ThreadSupport,
    pub max_thread_items: Option<u32>,
    /// JSON Schema of the per-post settings; `null` when the platform has none.
    pub settings_schema: serde_json::Value,
}
