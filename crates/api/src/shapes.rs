//! The reference API's request and response shapes (camelCase, as existing clients send and
//! read them) and their translation to and from the engine's model.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sipstory_engine::model::{
    Account, AccountStatus, Media, MediaRef, Post, Target, TargetState, ThreadItem,
};
use sipstory_engine::ops::{PostInput, Schedule, TargetInputDto};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};

/// `releaseId` of a post that may be on the platform but whose id Sipstory did not get.
pub const MISSING_RELEASE_ID: &str = "missing";

#[derive(Debug, Serialize, ToSchema)]
pub struct Connected {
    pub connected: bool,
}

/// A connected channel (an account on a platform).
#[derive(Debug, Serialize, ToSchema)]
pub struct Integration {
    pub id: String,
    pub name: String,
    /// The platform (`bluesky`, `mastodon`...).
    pub identifier: String,
    pub picture: Option<String>,
    pub disabled: bool,
    /// The account's handle.
    pub profile: String,
    /// `connected`, `needs_reconnect` or `disabled`.
    pub status: String,
    /// Publishing to it paused by the user.
    pub paused: bool,
}

impl From<Account> for Integration {
    fn from(a: Account) -> Self {
        Self {
            disabled: a.status == AccountStatus::Disabled,
            status: a.status.as_str().to_owned(),
            id: a.id,
            name: a.display_name,
            identifier: a.platform,
            picture: a.avatar_url,
            profile: a.handle,
            paused: a.paused,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Deleted {
    pub deleted: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IntegrationSettings {
    pub output: IntegrationRules,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationRules {
    /// The platform's rules, for people.
    pub rules: String,
    pub max_length: Option<u32>,
    /// JSON Schema of the per-post settings, or "No additional settings required".
    pub settings: serde_json::Value,
    pub tools: Vec<String>,
    /// The media the platform accepts (counts, kinds, sizes, durations).
    pub media: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Slot {
    /// `YYYY-MM-DDTHH:mm:00`, UTC.
    pub date: String,
}

#[derive(Debug, Deserialize, ToSchema, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PostsQuery {
    /// Start of the window (inclusive), ISO 8601.
    pub start_date: DateTime<Utc>,
    /// End of the window (exclusive), ISO 8601.
    pub end_date: DateTime<Utc>,
    /// Only channel posts in this state (`draft`, `scheduled`, `publishing`, `unconfirmed`,
    /// `published`, `failed`, `missed`).
    pub status: Option<String>,
    /// Only this integration's posts.
    pub integration: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Tag {
    pub tag: TagName,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TagName {
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PostIntegration {
    pub id: String,
    pub provider_identifier: String,
}

/// One channel's post: what one account publishes of a post.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChannelPost {
    pub id: String,
    pub content: String,
    pub publish_date: Option<DateTime<Utc>>,
    #[serde(rename = "releaseURL")]
    pub release_url: Option<String>,
    /// The platform's id of the post; `"missing"` when it may be published but its id is
    /// unknown.
    pub release_id: Option<String>,
    /// `QUEUE`, `PUBLISHED`, `ERROR` or `DRAFT`.
    pub state: String,
    /// Sipstory's own state: `draft`, `scheduled`, `publishing`, `unconfirmed`, `published`,
    /// `failed` or `missed`.
    pub status: String,
    /// The post this channel post belongs to (shared by every channel of one request).
    pub group: String,
    pub settings: serde_json::Value,
    pub tags: Vec<Tag>,
    pub integration: PostIntegration,
    /// The whole thread this channel publishes.
    pub value: Vec<ValueOut>,
    /// The platform's last error, if any.
    pub error: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ValueOut {
    pub content: String,
    pub image: Vec<ImageRef>,
    /// Minutes after the previous item.
    pub delay: u32,
    pub url: Option<String>,
}

fn state_of(state: TargetState) -> &'static str {
    match state {
        TargetState::Draft => "DRAFT",
        TargetState::Published => "PUBLISHED",
        TargetState::Failed => "ERROR",
        TargetState::Scheduled
        | TargetState::Publishing
        | TargetState::Unconfirmed
        | TargetState::Missed
        | TargetState::HandedOff => "QUEUE",
    }
}

impl ChannelPost {
    pub fn of(post: &Post, target: &Target) -> Self {
        let items = post.items_for(target);
        let first = target.results.iter().find(|r| r.position == 0);
        let release_id = match (first, target.state) {
            (Some(r), _) => Some(r.remote_id.clone()),
            (None, TargetState::Unconfirmed) => Some(MISSING_RELEASE_ID.to_owned()),
            (None, _) => None,
        };
        Self {
            id: target.id.clone(),
            content: items.first().map(|i| i.text.clone()).unwrap_or_default(),
            publish_date: post.scheduled_at,
            release_url: first.and_then(|r| r.url.clone()),
            release_id,
            state: state_of(target.state).to_owned(),
            status: target.state.as_str().to_owned(),
            group: post.id.clone(),
            settings: target.settings.clone(),
            tags: post.tags.iter().map(|t| Tag { tag: TagName { name: t.clone() } }).collect(),
            integration: PostIntegration {
                id: target.account_id.clone(),
                provider_identifier: target.platform.clone(),
            },
            value: items
                .iter()
                .enumerate()
                .map(|(i, item)| ValueOut {
                    content: item.text.clone(),
                    image: item
                        .media
                        .iter()
                        .map(|m| ImageRef {
                            id: m.media_id.clone(),
                            path: None,
                            alt: m.alt.clone(),
                        })
                        .collect(),
                    delay: item.delay_secs / 60,
                    url: target
                        .results
                        .iter()
                        .find(|r| r.position as usize == i)
                        .and_then(|r| r.url.clone()),
                })
                .collect(),
            error: target.last_error.as_ref().map(|e| e.message.clone()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PostList {
    pub posts: Vec<ChannelPost>,
}

/// A post with every channel it goes to.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PostDetail {
    /// The post (group) id.
    pub group: String,
    pub publish_date: Option<DateTime<Utc>>,
    /// `draft`, `scheduled`, `publishing`, `published`, `partial`, `failed`, `missed` or
    /// `unconfirmed`.
    pub status: String,
    pub time_zone: String,
    pub posts: Vec<ChannelPost>,
}

impl From<&Post> for PostDetail {
    fn from(post: &Post) -> Self {
        Self {
            group: post.id.clone(),
            publish_date: post.scheduled_at,
            status: post.status.as_str().to_owned(),
            time_zone: post.time_zone.clone(),
            posts: post.targets.iter().map(|t| ChannelPost::of(post, t)).collect(),
        }
    }
}

/// A media file attached to a thread item.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ImageRef {
    /// The id `/upload` answered.
    pub id: String,
    /// The path `/upload` answered (informational).
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub alt: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ValueIn {
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub image: Vec<ImageRef>,
    /// Minutes to wait after the previous item.
    #[serde(default)]
    pub delay: u32,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct IntegrationRef {
    pub id: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ChannelInput {
    pub integration: IntegrationRef,
    /// Per-platform settings; `__type` (the platform) is accepted and ignored.
    #[serde(default)]
    pub settings: Option<serde_json::Map<String, serde_json::Value>>,
    /// The post (`value[0]`) and its thread items or comments, in order.
    pub value: Vec<ValueIn>,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PostType {
    Draft,
    Schedule,
    Now,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct TagIn {
    pub value: String,
}

/// `POST /posts`, `PUT /posts/{id}` and `POST /posts/validate`. Other fields (`shortLink`,
/// a tag's `label`) are accepted and ignored.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatePost {
    #[serde(rename = "type")]
    pub kind: PostType,
    /// When to publish (required for `schedule`; a draft's planned time).
    #[serde(default)]
    pub date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub tags: Vec<TagIn>,
    pub posts: Vec<ChannelInput>,
    /// The IANA zone the post is written in (defaults to the app's).
    #[serde(default)]
    pub time_zone: Option<String>,
}

fn thread(value: &[ValueIn]) -> Vec<ThreadItem> {
    value
        .iter()
        .map(|v| ThreadItem {
            text: v.content.clone(),
            media: v
                .image
                .iter()
                .map(|i| MediaRef { media_id: i.id.clone(), alt: i.alt.clone() })
                .collect(),
            delay_secs: v.delay.saturating_mul(60),
        })
        .collect()
}

impl CreatePost {
    /// The engine's input: the first channel's thread is the shared one; a channel with a
    /// different thread gets it as its own content.
    pub fn to_input(&self) -> ApiResult<PostInput> {
        let schedule = match (self.kind, self.date) {
            (PostType::Draft, at) => Schedule::Draft { at },
            (PostType::Schedule, Some(at)) => Schedule::At { at },
            (PostType::Schedule, None) => {
                return Err(ApiError::invalid("date", "A scheduled post needs a date."));
            }
            (PostType::Now, _) => Schedule::Now,
        };
        let first = self
            .posts
            .first()
            .ok_or_else(|| ApiError::invalid("posts", "Choose at least one integration."))?;
        let shared = thread(&first.value);
        let targets = self
            .posts
            .iter()
            .map(|channel| {
                let items = thread(&channel.value);
                let mut settings = channel.settings.clone().unwrap_or_default();
                settings.remove("__type");
                TargetInputDto {
                    account_id: channel.integration.id.clone(),
                    custom_items: (items != shared).then_some(items),
                    settings: serde_json::Value::Object(settings),
                }
            })
            .collect();
        Ok(PostInput {
            items: shared,
            tags: self.tags.iter().map(|t| t.value.clone()).collect(),
            targets,
            schedule,
            time_zone: self.time_zone.clone(),
        })
    }
}

/// One channel of a created post.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Created {
    pub post_id: String,
    pub integration: String,
}

impl Created {
    pub fn all(post: &Post) -> Vec<Self> {
        post.targets
            .iter()
            .map(|t| Self { post_id: t.id.clone(), integration: t.account_id.clone() })
            .collect()
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Validation {
    pub valid: bool,
    pub errors: Vec<crate::error::ViolationBody>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SettingsBody {
    pub settings: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SettingsSaved {
    pub post_id: String,
    pub publish_date: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StatusChange {
    Draft,
    Schedule,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StatusBody {
    pub status: StatusChange,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusSaved {
    pub id: String,
    pub state: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RemoteCandidate {
    pub id: String,
    pub url: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseIdBody {
    pub release_id: String,
    /// The post's address on the platform, when known.
    #[serde(default, rename = "releaseURL")]
    pub release_url: Option<String>,
}

/// A file in the media library.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Uploaded {
    pub id: String,
    pub name: String,
    pub original_name: String,
    pub path: String,
    pub thumbnail: Option<String>,
    pub alt: Option<String>,
    pub mime: String,
    pub size: u64,
}

impl From<Media> for Uploaded {
    fn from(m: Media) -> Self {
        let name = std::path::Path::new(&m.path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Self {
            thumbnail: m.facts.mime.starts_with("image/").then(|| m.path.clone()),
            id: m.id,
            name,
            original_name: m.original_name,
            path: m.path,
            alt: m.alt,
            mime: m.facts.mime,
            size: m.facts.size_bytes,
        }
    }
}

/// The multipart form of `/upload`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    pub file: String,
    pub alt: Option<String>,
}

/// `POST /upload-from-url`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UploadFromUrl {
    /// A public http(s) address; addresses on this machine or its network are refused.
    pub url: String,
    #[serde(default)]
    pub alt: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct DisconnectQuery {
    /// Posts its server holds are taken back first; when some cannot be (offline), the
    /// channel stays (409, field `leave_held`) unless this is true: then they stay on the
    /// server, which publishes them at their time.
    #[serde(default)]
    pub leave_held: bool,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 0-based page of 100 notifications, newest first.
    #[serde(default)]
    pub page: u32,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub id: i64,
    pub content: String,
    pub link: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationPage {
    pub notifications: Vec<Notification>,
    pub total: u64,
    pub page: u32,
    pub limit: u32,
    pub has_more: bool,
}
