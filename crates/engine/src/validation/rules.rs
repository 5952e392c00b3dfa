//! The built-in rules table: every platform Sipstory knows, with its text limit and counting,
//! media rules, thread support and per-post settings schema. Values come from
//! `shared/platforms.md`; where it marks a value unverified or sources disagree, the table takes
//! the stricter one and says so beside it. Sizes are decimal (1 MB = 1,000,000 bytes), which is
//! the stricter reading of a platform's "MB".

use super::{MediaRules, PlatformRules, TextCounting, ThreadSupport};
use serde_json::{Value, json};

/// `(identifier, display name)` of the platforms of the reference API.
pub const BUILTIN_PLATFORMS: &[(&str, &str)] = &[
    ("x", "X"),
    ("linkedin", "LinkedIn"),
    ("linkedin-page", "LinkedIn Page"),
    ("facebook", "Facebook"),
    ("instagram", "Instagram"),
    ("instagram-standalone", "Instagram Standalone"),
    ("threads", "Threads"),
    ("bluesky", "Bluesky"),
    ("mastodon", "Mastodon"),
    ("warpcast", "Warpcast"),
    ("nostr", "Nostr"),
    ("vk", "VK"),
    ("youtube", "YouTube"),
    ("tiktok", "TikTok"),
    ("reddit", "Reddit"),
    ("lemmy", "Lemmy"),
    ("discord", "Discord"),
    ("slack", "Slack"),
    ("telegram", "Telegram"),
    ("pinterest", "Pinterest"),
    ("dribbble", "Dribbble"),
    ("medium", "Medium"),
    ("devto", "Dev.to"),
    ("hashnode", "Hashnode"),
    ("wordpress", "WordPress"),
    ("gmb", "Google Business Profile"),
    ("listmonk", "Listmonk"),
];

const MB: u64 = 1_000_000;
const GB: u64 = 1_000 * MB;
const MINUTE_MS: u64 = 60_000;

/// The built-in rules of `platform` (an identifier of [`BUILTIN_PLATFORMS`]).
pub fn builtin_rules(platform: &str) -> Option<PlatformRules> {
    let rules = match platform {
        "x" => x(),
        "linkedin" | "linkedin-page" => linkedin(platform),
        "facebook" => facebook(),
        "instagram" | "instagram-standalone" => instagram(platform),
        "threads" => threads(),
        "bluesky" => bluesky(),
        "mastodon" => mastodon(),
        "warpcast" => warpcast(),
        "nostr" => nostr(),
        "vk" => vk(),
        "youtube" => youtube(),
        "tiktok" => tiktok(),
        "reddit" => reddit(),
        "lemmy" => lemmy(),
        "discord" => discord(),
        "slack" => slack(),
        "telegram" => telegram(),
        "pinterest" => pinterest(),
        "dribbble" => dribbble(),
        "medium" => medium(),
        "devto" => devto(),
        "hashnode" => hashnode(),
        "wordpress" => wordpress(),
        "gmb" => gmb(),
        "listmonk" => listmonk(),
        _ => return None,
    };
    Some(rules)
}

/// A platform with no text limit, no media, no thread and no settings; each platform's
/// function overrides what differs.
fn base(platform: &str) -> PlatformRules {
    let name =
        BUILTIN_PLATFORMS.iter().find(|(id, _)| *id == platform).map_or(platform, |(_, name)| name);
    PlatformRules {
        platform: platform.to_owned(),
        platform_name: name.to_owned(),
        max_length: None,
        counting: TextCounting::Chars,
        requires_media: false,
        media: no_media(),
        thread: ThreadSupport::None,
        max_thread_items: None,
        settings_schema: Value::Null,
    }
}

fn no_media() -> MediaRules {
    MediaRules {
        max_items: 0,
        images: false,
        gifs: false,
        videos: false,
        max_image_bytes: None,
        max_gif_bytes: None,
        max_video_bytes: None,
        max_video_duration_ms: None,
        video_alone: false,
        max_alt_length: None,
    }
}

/// A JSON Schema (draft 2020-12) of an object with these properties and required ones.
fn object_schema(properties: Value, required: &[&str]) -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": true,
    })
}

fn x() -> PlatformRules {
    PlatformRules {
        // 280 weighted; Premium accounts get more (4,000 per established schedulers, unverified).
        max_length: Some(280),
        counting: TextCounting::XWeighted,
        media: MediaRules {
            max_items: 4,
            images: true,
            gifs: true,
            videos: true,
            max_image_bytes: Some(5 * MB),
            max_gif_bytes: Some(15 * MB),
            max_video_bytes: Some(512 * MB),
            // X media docs: tweet_video is 0.5–140 s (longer only for amplify_video).
            max_video_duration_ms: Some(140_000),
            video_alone: true,
            // X alt text limit (media metadata), 1,000 characters.
            max_alt_length: Some(1_000),
        },
        thread: ThreadSupport::Replies,
        settings_schema: object_schema(
            json!({
                "reply_settings": {
                    "type": "string",
                    "enum": ["following", "mentionedUsers", "subscribers", "verified"],
                },
                "community_id": { "type": "string", "minLength": 1 },
            }),
            &[],
        ),
        ..base("x")
    }
}

fn linkedin(platform: &str) -> PlatformRules {
    PlatformRules {
        max_length: Some(3_000),
        media: MediaRules {
            // MultiImage posts take 2–20 images (LinkedIn MultiImage API); PDF documents are not
            // media kinds Sipstory validates yet.
            max_items: 20,
            images: true,
            gifs: true,
            videos: true,
            // Image 5 MB (secondary source: a scheduler's media guide), video 500 MB, 3 s–30 min.
            max_image_bytes: Some(5 * MB),
            max_gif_bytes: Some(5 * MB),
            max_video_bytes: Some(500 * MB),
            max_video_duration_ms: Some(30 * MINUTE_MS),
            video_alone: true,
            // MultiImage altText, 4,086 characters (unverified).
            max_alt_length: Some(4_086),
        },
        thread: ThreadSupport::Comments,
        ..base(platform)
    }
}

fn facebook() -> PlatformRules {
    PlatformRules {
        max_length: Some(63_206),
        media: MediaRules {
            // No documented count for attached photos; 10 as established schedulers (unverified).
            max_items: 10,
            images: true,
            gifs: true,
            videos: true,
            // Graph API /photos: under 4 MB; /videos non-resumable upload: 1 GB, 20 min.
            max_image_bytes: Some(4 * MB),
            max_gif_bytes: Some(4 * MB),
            max_video_bytes: Some(GB),
            max_video_duration_ms: Some(20 * MINUTE_MS),
            video_alone: true,
            max_alt_length: None,
        },
        thread: ThreadSupport::Comments,
        ..base("facebook")
    }
}

fn instagram(platform: &str) -> PlatformRules {
    PlatformRules {
        max_length: Some(2_200),
        requires_media: true,
        media: MediaRules {
            // Carousel 2–10 items; images are JPEG, no GIFs.
            max_items: 10,
            images: true,
            gifs: false,
            videos: true,
            max_image_bytes: Some(8 * MB),
            max_gif_bytes: None,
            // Reels: 300 MB in Meta's docs (a newer secondary source says 1 GB), 3 s–15 min.
            max_video_bytes: Some(300 * MB),
            max_video_duration_ms: Some(15 * MINUTE_MS),
            video_alone: false,
            max_alt_length: None,
        },
        thread: ThreadSupport::Comments,
        // A post and its first comment (platforms.md: "no thread; first comment").
        max_thread_items: Some(2),
        ..base(platform)
    }
}

fn threads() -> PlatformRules {
    PlatformRules {
        // 500 characters, but Threads counts an emoji as its UTF-8 byte length, which no
        // TextCounting expresses yet: emoji-heavy text can pass here and still be refused.
        max_length: Some(500),
        media: MediaRules {
            // Carousel: "commonly 20" (unverified); Meta's earlier limit was 10.
            max_items: 10,
            images: true,
            // JPEG and PNG are the officially supported image formats.
            gifs: false,
            videos: true,
            max_image_bytes: Some(8 * MB),
            max_gif_bytes: None,
            max_video_bytes: Some(GB),
            max_video_duration_ms: Some(5 * MINUTE_MS),
            video_alone: false,
            max_alt_length: None,
        },
        thread: ThreadSupport::Replies,
        ..base("threads")
    }
}

fn bluesky() -> PlatformRules {
    PlatformRules {
        max_length: Some(300),
        counting: TextCounting::Graphemes,
        media: MediaRules {
            max_items: 4,
            images: true,
            gifs: true,
            videos: true,
            // app.bsky.embed.images blob maxSize 1,000,000 bytes; a GIF is held to the same
            // limit (the stricter of the image and video paths).
            max_image_bytes: Some(MB),
            max_gif_bytes: Some(MB),
            max_video_bytes: Some(100 * MB),
            max_video_duration_ms: Some(3 * MINUTE_MS),
            video_alone: true,
            // The Bluesky app's alt text limit, 2,000 (unverified; the lexicon sets none).
            max_alt_length: Some(2_000),
        },
        thread: ThreadSupport::Replies,
        ..base("bluesky")
    }
}

fn mastodon() -> PlatformRules {
    PlatformRules {
        // The default; each instance sets its own (`configuration.statuses.max_characters`).
        // Mastodon counts a URL as 23, so counting chars is the stricter reading.
        max_length: Some(500),
        media: MediaRules {
            max_items: 4,
            images: true,
            gifs: true,
            videos: true,
            // Mastodon 4.x defaults (16 MiB images, 99 MiB video); instances may differ.
            max_image_bytes: Some(16 * MB),
            max_gif_bytes: Some(16 * MB),
            max_video_bytes: Some(99 * MB),
            max_video_duration_ms: None,
            // Mastodon refuses a video together with other attachments.
            video_alone: true,
            // Media description limit, 1,500 characters.
            max_alt_length: Some(1_500),
        },
        thread: ThreadSupport::Replies,
        settings_schema: object_schema(
            json!({
                "visibility": {
                    "type": "string",
                    "enum": ["public", "unlisted", "private", "direct"],
                },
                "spoiler_text": { "type": "string" },
                "sensitive": { "type": "boolean" },
                "language": { "type": "string", "minLength": 2, "maxLength": 3 },
                "schedule_on_server": {
                    "type": "boolean",
                    "title": "Schedule on the server",
                    "description": "Your Mastodon server holds the post and publishes it at its time, so it goes out even when this computer is asleep. For a single post scheduled at least 5 minutes ahead.",
                },
            }),
            &[],
        ),
        ..base("mastodon")
    }
}

fn warpcast() -> PlatformRules {
    PlatformRules {
        // 320 bytes; long casts 1,024 (unverified); established schedulers allow 800.
        max_length: Some(320),
        counting: TextCounting::Utf8Bytes,
        media: MediaRules {
            // At most 2 embeds, each a public URL.
            max_items: 2,
            images: true,
            gifs: true,
            videos: true,
            ..no_media()
        },
        thread: ThreadSupport::Replies,
        ..base("warpcast")
    }
}

fn nostr() -> PlatformRules {
    PlatformRules {
        // No protocol cap (relays set their own) and no upload in the core protocol: media
        // hosting (NIP-96/Blossom) is unverified, so no media.
        thread: ThreadSupport::Replies,
        ..base("nostr")
    }
}

fn vk() -> PlatformRules {
    PlatformRules {
        // Enforced by established schedulers; VK allows more (unverified).
        max_length: Some(2_048),
        media: MediaRules {
            // wall.post takes at most 10 attachments; GIFs are documents, not wall photos.
            max_items: 10,
            images: true,
            videos: true,
            ..no_media()
        },
        thread: ThreadSupport::Comments,
        ..base("vk")
    }
}

fn youtube() -> PlatformRules {
    PlatformRules {
        // The description: 5,000 bytes.
        max_length: Some(5_000),
        counting: TextCounting::Utf8Bytes,
        requires_media: true,
        media: MediaRules {
            max_items: 1,
            videos: true,
            max_video_bytes: Some(256 * GB),
            // 12 h for verified accounts; unverified accounts are held to 15 min by YouTube.
            max_video_duration_ms: Some(12 * 60 * MINUTE_MS),
            ..no_media()
        },
        settings_schema: object_schema(
            json!({
                "title": { "type": "string", "minLength": 1, "maxLength": 100 },
                "privacy": { "type": "string", "enum": ["public", "unlisted", "private"] },
                "made_for_kids": { "type": "boolean" },
                "tags": { "type": "array", "items": { "type": "string" } },
                "category_id": { "type": "string" },
            }),
            &["title"],
        ),
        ..base("youtube")
    }
}

fn tiktok() -> PlatformRules {
    PlatformRules {
        // Caption 2,200 (secondary); established schedulers use 2,000 for video captions.
        max_length: Some(2_000),
        requires_media: true,
        media: MediaRules {
            // One video, or up to 35 photos (Content Posting API photo posts).
            max_items: 35,
            images: true,
            gifs: false,
            videos: true,
            max_image_bytes: Some(20 * MB),
            max_gif_bytes: None,
            max_video_bytes: Some(4 * GB),
            // The longest any creator may post; creator_info can give a shorter one.
            max_video_duration_ms: Some(10 * MINUTE_MS),
            video_alone: true,
            max_alt_length: None,
        },
        settings_schema: object_schema(
            json!({
                "privacy_level": {
                    "type": "string",
                    "enum": [
                        "PUBLIC_TO_EVERYONE",
                        "MUTUAL_FOLLOW_FRIENDS",
                        "FOLLOWER_OF_CREATOR",
                        "SELF_ONLY",
                    ],
                },
                "disable_comment": { "type": "boolean" },
                "disable_duet": { "type": "boolean" },
                "disable_stitch": { "type": "boolean" },
                "brand_content_toggle": { "type": "boolean" },
                "brand_organic_toggle": { "type": "boolean" },
                "is_aigc": { "type": "boolean" },
                "post_mode": { "type": "string", "enum": ["DIRECT_POST", "MEDIA_UPLOAD"] },
                "title": { "type": "string", "maxLength": 90 },
                "auto_add_music": { "type": "boolean" },
            }),
            &["privacy_level"],
        ),
        ..base("tiktok")
    }
}

fn reddit() -> PlatformRules {
    PlatformRules {
        // Self-post body 40,000 (established schedulers cap at 10,000).
        max_length: Some(40_000),
        media: MediaRules {
            // Image/video posts take exactly one file; sizes per Reddit's help pages
            // (images 20 MB, GIFs 100 MB, videos 1 GB and 15 min).
            max_items: 1,
            images: true,
            gifs: true,
            videos: true,
            max_image_bytes: Some(20 * MB),
            max_gif_bytes: Some(100 * MB),
            max_video_bytes: Some(GB),
            max_video_duration_ms: Some(15 * MINUTE_MS),
            video_alone: false,
            max_alt_length: None,
        },
        thread: ThreadSupport::Comments,
        settings_schema: object_schema(
            json!({
                "subreddit": { "type": "string", "minLength": 1 },
                "title": { "type": "string", "minLength": 1, "maxLength": 300 },
                "flair_id": { "type": "string" },
                "url": { "type": "string", "format": "uri" },
                "nsfw": { "type": "boolean" },
                "spoiler": { "type": "boolean" },
            }),
            &["subreddit", "title"],
        ),
        ..base("reddit")
    }
}

fn lemmy() -> PlatformRules {
    PlatformRules {
        // Body 10,000 per established schedulers (unverified).
        max_length: Some(10_000),
        media: MediaRules {
            // One image, uploaded to the instance's pict-rs.
            max_items: 1,
            images: true,
            gifs: true,
            ..no_media()
        },
        thread: ThreadSupport::Comments,
        settings_schema: object_schema(
            json!({
                "community": { "type": "string", "minLength": 1 },
                // ~200 (unverified).
                "title": { "type": "string", "minLength": 1, "maxLength": 200 },
                "url": { "type": "string", "format": "uri" },
                "nsfw": { "type": "boolean" },
            }),
            &["community", "title"],
        ),
        ..base("lemmy")
    }
}

fn discord() -> PlatformRules {
    PlatformRules {
        // Webhook schema 2,000; bots may get 4,000 (unverified).
        max_length: Some(2_000),
        media: MediaRules {
            max_items: 10,
            images: true,
            gifs: true,
            videos: true,
            // Discord's default upload limit of 10 MB per file (the body limit, ~25 MB, is
            // unverified).
            max_image_bytes: Some(10 * MB),
            max_gif_bytes: Some(10 * MB),
            max_video_bytes: Some(10 * MB),
            max_video_duration_ms: None,
            video_alone: false,
            // Attachment description, 1,024 characters.
            max_alt_length: Some(1_024),
        },
        // A webhook cannot reply to a message: one message per post.
        thread: ThreadSupport::None,
        settings_schema: object_schema(
            json!({
                "thread_id": { "type": "string", "pattern": "^[0-9]+$" },
                "thread_name": { "type": "string", "minLength": 1, "maxLength": 100 },
            }),
            &[],
        ),
        ..base("discord")
    }
}

fn slack() -> PlatformRules {
    PlatformRules {
        // Slack recommends at most 4,000 and truncates past ~40,000 (unverified).
        max_length: Some(4_000),
        media: MediaRules {
            // files.completeUploadExternal takes several files (10, unverified); 1 GB a file.
            max_items: 10,
            images: true,
            gifs: true,
            videos: true,
            max_image_bytes: Some(GB),
            max_gif_bytes: Some(GB),
            max_video_bytes: Some(GB),
            max_video_duration_ms: None,
            video_alone: false,
            max_alt_length: None,
        },
        thread: ThreadSupport::Replies,
        ..base("slack")
    }
}

fn telegram() -> PlatformRules {
    PlatformRules {
        // 4,096 for a text message; a media caption allows only 1,024, so longer text goes in
        // a separate message. Telegram counts UTF-16 units after entity parsing (unverified).
        max_length: Some(4_096),
        media: MediaRules {
            // Albums take 2–10 items; photos 10 MB, other uploads 50 MB.
            max_items: 10,
            images: true,
            gifs: true,
            videos: true,
            max_image_bytes: Some(10 * MB),
            max_gif_bytes: Some(50 * MB),
            max_video_bytes: Some(50 * MB),
            max_video_duration_ms: None,
            // GIFs cannot join an album; videos can, but the flag covers both.
            video_alone: true,
            max_alt_length: None,
        },
        thread: ThreadSupport::Replies,
        ..base("telegram")
    }
}

fn pinterest() -> PlatformRules {
    PlatformRules {
        // Description 500 (secondary) vs 800 (official OpenAPI).
        max_length: Some(500),
        requires_media: true,
        media: MediaRules {
            // 2–5 same-size images, or one video (needs a cover).
            max_items: 5,
            images: true,
            // GIF pins are unverified.
            gifs: false,
            videos: true,
            max_image_bytes: Some(20 * MB),
            max_gif_bytes: None,
            // Video ≤2 GB (one source: 1 GB), 4 s–15 min.
            max_video_bytes: Some(GB),
            max_video_duration_ms: Some(15 * MINUTE_MS),
            video_alone: true,
            max_alt_length: Some(500),
        },
        settings_schema: object_schema(
            json!({
                "board_id": { "type": "string", "minLength": 1 },
                "board_section_id": { "type": "string" },
                "title": { "type": "string", "maxLength": 100 },
                "link": { "type": "string", "format": "uri", "maxLength": 2048 },
            }),
            &["board_id"],
        ),
        ..base("pinterest")
    }
}

fn dribbble() -> PlatformRules {
    PlatformRules {
        // Text limit unverified. The shot must be 400×300 or 800×600, which is not checked here.
        requires_media: true,
        media: MediaRules {
            max_items: 1,
            images: true,
            // GIF rules unverified; no video.
            ..no_media()
        },
        settings_schema: object_schema(
            json!({
                "title": { "type": "string", "minLength": 1 },
                "tags": { "type": "array", "items": { "type": "string" } },
                "low_profile": { "type": "boolean" },
            }),
            &["title"],
        ),
        ..base("dribbble")
    }
}

/// An article platform: no text limit and no thread, with these media rules and settings.
fn article(platform: &str, media: MediaRules, settings: Value) -> PlatformRules {
    PlatformRules { media, settings_schema: settings, ..base(platform) }
}

/// One cover/featured image.
fn cover_image() -> MediaRules {
    MediaRules { max_items: 1, images: true, ..no_media() }
}

fn medium() -> PlatformRules {
    let media = MediaRules {
        // Inline images (JPEG, PNG, GIF, TIFF); Medium documents no count, 10 is Sipstory's.
        max_items: 10,
        images: true,
        gifs: true,
        ..no_media()
    };
    article(
        "medium",
        media,
        object_schema(
            json!({
                // Medium ignores titles longer than 100 characters.
                "title": { "type": "string", "minLength": 1, "maxLength": 100 },
                // Only the first 3 tags are used (established schedulers allow 4).
                "tags": { "type": "array", "items": { "type": "string" }, "maxItems": 3 },
                "canonical_url": { "type": "string", "format": "uri" },
                "publish_status": { "type": "string", "enum": ["public", "draft", "unlisted"] },
                "publication_id": { "type": "string" },
            }),
            &["title"],
        ),
    )
}

fn devto() -> PlatformRules {
    article(
        "devto",
        cover_image(),
        object_schema(
            json!({
                // Forem's title limit, 128 (unverified).
                "title": { "type": "string", "minLength": 1, "maxLength": 128 },
                "tags": { "type": "array", "items": { "type": "string" }, "maxItems": 4 },
                "canonical_url": { "type": "string", "format": "uri" },
                "series": { "type": "string" },
                "description": { "type": "string" },
                "organization_id": { "type": "integer" },
                "published": { "type": "boolean" },
            }),
            &["title"],
        ),
    )
}

fn hashnode() -> PlatformRules {
    article(
        "hashnode",
        cover_image(),
        object_schema(
            json!({
                // Established schedulers require at least 6 characters (unverified).
                "title": { "type": "string", "minLength": 6 },
                "subtitle": { "type": "string" },
                "publication_id": { "type": "string" },
                "tags": { "type": "array", "items": { "type": "string" } },
                "canonical_url": { "type": "string", "format": "uri" },
                "slug": { "type": "string" },
            }),
            &["title"],
        ),
    )
}

fn wordpress() -> PlatformRules {
    let media = MediaRules { gifs: true, ..cover_image() };
    article(
        "wordpress",
        media,
        object_schema(
            json!({
                "title": { "type": "string", "minLength": 1 },
                "status": {
                    "type": "string",
                    "enum": ["publish", "future", "draft", "pending", "private"],
                },
                "post_type": { "type": "string" },
                "categories": { "type": "array", "items": { "type": "integer" } },
                "tags": { "type": "array", "items": { "type": "integer" } },
                "excerpt": { "type": "string" },
                "slug": { "type": "string" },
            }),
            &["title"],
        ),
    )
}

fn gmb() -> PlatformRules {
    let mut settings = object_schema(
        json!({
            "topic_type": { "type": "string", "enum": ["STANDARD", "EVENT", "OFFER"] },
            "cta_type": {
                "type": "string",
                "enum": ["BOOK", "ORDER", "SHOP", "LEARN_MORE", "SIGN_UP", "GET_OFFER", "CALL"],
            },
            "cta_url": { "type": "string", "format": "uri" },
            "event_title": { "type": "string", "minLength": 1 },
            "event_start": { "type": "string", "format": "date-time" },
            "event_end": { "type": "string", "format": "date-time" },
            "coupon_code": { "type": "string" },
            "redeem_url": { "type": "string", "format": "uri" },
            "terms": { "type": "string" },
        }),
        &[],
    );
    settings["allOf"] = json!([
        {
            // Events need a title and a schedule; offers carry their validity as an event too.
            "if": {
                "properties": { "topic_type": { "enum": ["EVENT", "OFFER"] } },
                "required": ["topic_type"],
            },
            "then": { "required": ["event_title", "event_start", "event_end"] },
        },
        {
            // Every call to action but CALL opens a URL.
            "if": {
                "properties": { "cta_type": { "not": { "const": "CALL" } } },
                "required": ["cta_type"],
            },
            "then": { "required": ["cta_url"] },
        },
    ]);
    PlatformRules {
        max_length: Some(1_500),
        media: MediaRules {
            // One photo by public URL; Google's photo guidelines: up to 5 MB.
            max_image_bytes: Some(5 * MB),
            ..cover_image()
        },
        settings_schema: settings,
        ..base("gmb")
    }
}

fn listmonk() -> PlatformRules {
    PlatformRules {
        // An email campaign: no text limit; images live in Listmonk's own media store.
        settings_schema: object_schema(
            json!({
                "subject": { "type": "string", "minLength": 1 },
                "list_ids": { "type": "array", "items": { "type": "integer" }, "minItems": 1 },
                "template_id": { "type": "integer" },
                "content_type": {
                    "type": "string",
                    "enum": ["richtext", "html", "markdown", "plain"],
                },
            }),
            &["subject", "list_ids"],
        ),
        ..base("listmonk")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_the_27_platforms_each_with_rules() {
        assert_eq!(BUILTIN_PLATFORMS.len(), 27);
        for (id, name) in BUILTIN_PLATFORMS {
            let rules = builtin_rules(id).unwrap_or_else(|| panic!("no rules for {id}"));
            assert_eq!(rules.platform, *id);
            assert_eq!(rules.platform_name, *name);
        }
        let mut ids: Vec<_> = BUILTIN_PLATFORMS.iter().map(|(id, _)| *id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 27);
    }

    #[test]
    fn unknown_platforms_have_no_rules() {
        assert!(builtin_rules("myspace").is_none());
        assert!(builtin_rules("").is_none());
    }

    #[test]
    fn key_limits() {
        let rule = |id| builtin_rules(id).expect("known platform");
        assert_eq!(rule("x").max_length, Some(280));
        assert_eq!(rule("x").counting, TextCounting::XWeighted);
        assert_eq!(rule("x").media.max_items, 4);
        assert_eq!(rule("bluesky").max_length, Some(300));
        assert_eq!(rule("bluesky").counting, TextCounting::Graphemes);
        assert_eq!(rule("warpcast").counting, TextCounting::Utf8Bytes);
        assert_eq!(rule("linkedin-page").max_length, Some(3_000));
        assert_eq!(rule("instagram-standalone").max_length, Some(2_200));
        assert!(rule("instagram").requires_media);
        assert!(!rule("instagram").media.gifs);
        assert_eq!(rule("youtube").media.max_items, 1);
        assert!(!rule("youtube").media.images);
        assert_eq!(rule("gmb").max_length, Some(1_500));
        assert_eq!(rule("nostr").max_length, None);
        assert_eq!(rule("nostr").media.max_items, 0);
        assert_eq!(rule("discord").thread, ThreadSupport::None);
        assert_eq!(rule("mastodon").thread, ThreadSupport::Replies);
    }

    #[test]
    fn every_settings_schema_is_a_valid_object_schema() {
        for (id, _) in BUILTIN_PLATFORMS {
            let schema = builtin_rules(id).expect("known platform").settings_schema;
            if schema.is_null() {
                continue;
            }
            assert_eq!(schema["type"], "object", "{id}");
            assert!(jsonschema::meta::is_valid(&schema), "{id}: invalid schema");
            assert!(jsonschema::validator_for(&schema).is_ok(), "{id}");
        }
    }

    #[test]
    fn settings_schemas_require_what_the_platform_needs() {
        let required =
            |id| builtin_rules(id).expect("known platform").settings_schema["required"].clone();
        assert_eq!(required("reddit"), json!(["subreddit", "title"]));
        assert_eq!(required("youtube"), json!(["title"]));
        assert_eq!(required("pinterest"), json!(["board_id"]));
        for id in ["medium", "devto", "hashnode", "wordpress", "dribbble"] {
            assert_eq!(required(id), json!(["title"]), "{id}");
        }
        assert_eq!(required("tiktok"), json!(["privacy_level"]));
        assert_eq!(required("x"), json!([]));
        assert_eq!(builtin_rules("bluesky").expect("bluesky").settings_schema, Value::Null);
    }
}
