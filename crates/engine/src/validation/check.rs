//! Checks one target's content against its platform's rules: the thread's shape, each item's
//! text length, media (count, kind, size, duration, mix, alt text) and the per-post settings
//! against the platform's JSON Schema. Every problem becomes a [`Violation`] a person can act on.

use super::{MediaRules, PlatformRules, TextCounting, ThreadSupport};
use crate::model::{MediaFacts, MediaRef, SCHEDULE_ON_SERVER, ThreadItem, wants_hand_off};
use jsonschema::ValidationError;
use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::LocationSegment;
use serde::Serialize;
use serde_json::Value;

/// One target's content as it would be published.
#[derive(Debug, Clone, Copy)]
pub struct TargetDraft<'a> {
    pub account_id: &'a str,
    pub items: &'a [ThreadItem],
    pub settings: &'a serde_json::Value,
}

/// One problem found, tied to the field it is about (`items[0].text`, `items[1].media`,
/// `items[0].media[2]`, `items`, `settings.title`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub account_id: String,
    pub field: String,
    pub code: String,
    pub message: String,
    pub limit: Option<u64>,
}

/// Every way `draft` breaks `rules`; empty when it can be published. `media` gives the facts of
/// a library file by id, or `None` when the file is gone.
pub fn validate_target(
    rules: &PlatformRules,
    draft: &TargetDraft<'_>,
    media: &dyn Fn(&str) -> Option<MediaFacts>,
) -> Vec<Violation> {
    let mut check = Check { rules, account_id: draft.account_id, media, found: Vec::new() };
    check.thread(draft.items);
    for (index, item) in draft.items.iter().enumerate() {
        check.item(index, item);
    }
    check.settings(draft.settings);
    check.hand_off(draft.items, draft.settings);
    check.found
}

/// What a media file is, as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Image,
    Gif,
    Video,
    Other,
}

impl Kind {
    fn of(facts: &MediaFacts) -> Self {
        if facts.is_gif() {
            Self::Gif
        } else if facts.is_image() {
            Self::Image
        } else if facts.is_video() {
            Self::Video
        } else {
            Self::Other
        }
    }

    fn allowed(self, media: &MediaRules) -> bool {
        match self {
            Self::Image => media.images,
            Self::Gif => media.gifs,
            Self::Video => media.videos,
            Self::Other => false,
        }
    }

    fn max_bytes(self, media: &MediaRules) -> Option<u64> {
        match self {
            Self::Image => media.max_image_bytes,
            Self::Gif => media.max_gif_bytes,
            Self::Video => media.max_video_bytes,
            Self::Other => None,
        }
    }

    fn plural(self) -> &'static str {
        match self {
            Self::Image => "images",
            Self::Gif => "GIFs",
            Self::Video => "videos",
            Self::Other => "files of this type",
        }
    }
}

/// The checks of one target, collecting what they find.
struct Check<'a> {
    rules: &'a PlatformRules,
    account_id: &'a str,
    media: &'a dyn Fn(&str) -> Option<MediaFacts>,
    found: Vec<Violation>,
}

impl Check<'_> {
    fn push(&mut self, field: String, code: &str, message: String, limit: Option<u64>) {
        self.found.push(Violation {
            account_id: self.account_id.to_owned(),
            field,
            code: code.to_owned(),
            message,
            limit,
        });
    }

    fn name(&self) -> &str {
        &self.rules.platform_name
    }

    fn thread(&mut self, items: &[ThreadItem]) {
        let name = self.name().to_owned();
        let count = items.len();
        if count == 0 {
            let message = format!("There is nothing to post to {name}: add text or media.");
            self.push("items".into(), "empty", message, None);
        } else if count > 1 && self.rules.thread == ThreadSupport::None {
            let message =
                format!("{name} takes a single post, not a thread; this has {count} items.");
            self.push("items".into(), "thread_unsupported", message, Some(1));
        } else if let Some(max) = self.rules.max_thread_items
            && count > max as usize
        {
            let message = format!("{name} allows {max} items in a thread; this has {count}.");
            self.push("items".into(), "too_many_items", message, Some(max.into()));
        }
    }

    fn item(&mut self, index: usize, item: &ThreadItem) {
        if item.text.trim().is_empty() && item.media.is_empty() {
            let message =
                format!("Item {} is empty: {} needs text or media.", index + 1, self.name());
            self.push(format!("items[{index}]"), "empty", message, None);
            return;
        }
        self.text(index, &item.text);
        self.media_list(index, &item.media);
    }

    fn text(&mut self, index: usize, text: &str) {
        let Some(max) = self.rules.max_length else {
            return;
        };
        let length = self.rules.count(text);
        if length > max as usize {
            let unit = match self.rules.counting {
                TextCounting::Utf8Bytes => "bytes",
                _ => "characters",
            };
            let message = format!("{} allows {max} {unit}; this has {length}.", self.name());
            self.push(format!("items[{index}].text"), "too_long", message, Some(max.into()));
        }
    }

    /// Whether item `index` must carry media: the post itself, and every reply where later
    /// items are posts of their own (comments never need media).
    fn needs_media(&self, index: usize) -> bool {
        self.rules.requires_media && (index == 0 || self.rules.thread == ThreadSupport::Replies)
    }

    fn media_list(&mut self, index: usize, refs: &[MediaRef]) {
        let field = format!("items[{index}].media");
        if refs.is_empty() {
            if self.needs_media(index) {
                let message = format!(
                    "{} needs at least one {}.",
                    self.name(),
                    accepted_kinds(&self.rules.media)
                );
                self.push(field, "media_required", message, None);
            }
            return;
        }
        let facts: Vec<Option<MediaFacts>> =
            refs.iter().map(|r| (self.media)(&r.media_id)).collect();
        let max = self.rules.media.max_items;
        if refs.len() > max as usize {
            let message = self.too_many_media_message(refs.len(), &facts);
            self.push(field.clone(), "too_many_media", message, Some(max.into()));
            if max == 0 {
                return;
            }
        }
        for (position, (reference, facts)) in refs.iter().zip(&facts).enumerate() {
            self.media_file(&format!("{field}[{position}]"), reference, facts.as_ref());
        }
        self.media_mix(field, &facts);
    }

    fn too_many_media_message(&self, count: usize, facts: &[Option<MediaFacts>]) -> String {
        let max = self.rules.media.max_items;
        if max == 0 {
            return format!("{} takes no media files; this has {count}.", self.name());
        }
        let all_images =
            facts.iter().all(|f| f.as_ref().is_some_and(|f| Kind::of(f) == Kind::Image));
        let noun = match (all_images, max) {
            (true, 1) => "image",
            (true, _) => "images",
            (false, 1) => "media file",
            (false, _) => "media files",
        };
        format!("{} allows {max} {noun} per post; this has {count}.", self.name())
    }

    fn media_mix(&mut self, field: String, facts: &[Option<MediaFacts>]) {
        let has_video_or_gif =
            facts.iter().flatten().any(|f| matches!(Kind::of(f), Kind::Video | Kind::Gif));
        if self.rules.media.video_alone && facts.len() > 1 && has_video_or_gif {
            let message = format!(
                "{} takes a video or GIF only on its own; this post has {} media files.",
                self.name(),
                facts.len()
            );
            self.push(field, "media_mix", message, Some(1));
        }
    }

    fn media_file(&mut self, field: &str, reference: &MediaRef, facts: Option<&MediaFacts>) {
        self.alt_text(field, reference);
        let Some(facts) = facts else {
            let message = format!(
                "The media file {} is no longer in the library, so it cannot go to {}.",
                reference.media_id,
                self.name()
            );
            self.push(field.to_owned(), "media_missing", message, None);
            return;
        };
        let kind = Kind::of(facts);
        let media = &self.rules.media;
        if !kind.allowed(media) {
            let what = match kind {
                Kind::Other => format!("{} files", facts.mime),
                _ => kind.plural().to_owned(),
            };
            let message = format!("{} does not take {what}.", self.name());
            self.push(field.to_owned(), "media_type", message, None);
            return;
        }
        if let Some(max) = kind.max_bytes(media)
            && facts.size_bytes > max
        {
            let message = format!(
                "{} allows {} up to {}; this one is {}.",
                self.name(),
                kind.plural(),
                megabytes(max),
                megabytes(facts.size_bytes)
            );
            self.push(field.to_owned(), "media_too_large", message, Some(max));
        }
        if let (Kind::Video, Some(max), Some(duration)) =
            (kind, media.max_video_duration_ms, facts.duration_ms)
            && duration > max
        {
            let message = format!(
                "{} allows videos up to {}; this one is {}.",
                self.name(),
                clock(max),
                clock(duration)
            );
            self.push(field.to_owned(), "video_too_long", message, Some(max));
        }
    }

    /// Alt text is counted in characters: no platform counts it more strictly.
    fn alt_text(&mut self, field: &str, reference: &MediaRef) {
        let (Some(alt), Some(max)) = (&reference.alt, self.rules.media.max_alt_length) else {
            return;
        };
        let length = alt.chars().count();
        if length > max as usize {
            let message = format!(
                "{} allows {max} characters of alt text; this one has {length}.",
                self.name()
            );
            self.push(field.to_owned(), "alt_too_long", message, Some(max.into()));
        }
    }

    /// A post given to the server to hold is one status: a reply needs the status before it,
    /// which does not exist until the server publishes it.
    fn hand_off(&mut self, items: &[ThreadItem], settings: &Value) {
        let declared = !self.rules.settings_schema["properties"][SCHEDULE_ON_SERVER].is_null();
        if declared && wants_hand_off(settings) && items.len() > 1 {
            let message = format!(
                "{} can hold a single post only; publish this thread from Sipstory or keep one item.",
                self.name()
            );
            self.push(format!("settings.{SCHEDULE_ON_SERVER}"), "hand_off_thread", message, None);
        }
    }

    fn settings(&mut self, settings: &Value) {
        let schema = &self.rules.settings_schema;
        if schema.is_null() {
            return;
        }
        let validator = match jsonschema::options().should_validate_formats(true).build(schema) {
            Ok(validator) => validator,
            Err(error) => {
                let message = format!("{}'s settings schema is invalid: {error}", self.name());
                self.push("settings".into(), "settings", message, None);
                return;
            }
        };
        // No settings at all are checked as an empty object, so required ones are named.
        let empty = Value::Object(serde_json::Map::new());
        let instance = if settings.is_null() { &empty } else { settings };
        let name = self.name().to_owned();
        for error in validator.iter_errors(instance) {
            let (field, message, limit) = settings_violation(&name, &error);
            self.push(field, "settings", message, limit);
        }
    }
}

/// The field, message and limit of one settings error.
fn settings_violation(name: &str, error: &ValidationError<'_>) -> (String, String, Option<u64>) {
    let mut field = String::from("settings");
    let mut label = String::from("settings");
    for segment in error.instance_path().iter() {
        match segment {
            LocationSegment::Property(property) => {
                field.push('.');
                field.push_str(&property);
                label = property.replace('_', " ");
            }
            LocationSegment::Index(index) => field.push_str(&format!("[{index}]")),
        }
    }
    let instance = error.instance();
    let length = instance
        .as_str()
        .map(|s| s.chars().count())
        .or_else(|| instance.as_array().map(Vec::len))
        .unwrap_or(0);
    match error.kind() {
        ValidationErrorKind::Required { property } => {
            let property = property.as_str().unwrap_or_default();
            field.push('.');
            field.push_str(property);
            let label = property.replace('_', " ");
            (field, format!("{name} requires the {label} setting."), None)
        }
        ValidationErrorKind::Enum { options } => {
            let options = options
                .as_array()
                .map(|values| {
                    values
                        .iter()
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            let message = format!("{name}: {label} must be one of {options}.");
            (field, message, None)
        }
        ValidationErrorKind::MaxLength { limit } => {
            let message =
                format!("{name} allows {limit} characters for {label}; this has {length}.");
            (field, message, Some(*limit))
        }
        ValidationErrorKind::MinLength { limit } => {
            let message =
                format!("{name} needs at least {limit} characters for {label}; this has {length}.");
            (field, message, Some(*limit))
        }
        ValidationErrorKind::MaxItems { limit } => {
            let message = format!("{name} allows {limit} {label}; this has {length}.");
            (field, message, Some(*limit))
        }
        ValidationErrorKind::MinItems { limit } => {
            let message = format!("{name} needs at least {limit} {label}; this has {length}.");
            (field, message, Some(*limit))
        }
        _ => (field, format!("{name}: {label}: {error}."), None),
    }
}

/// "image, GIF or video": the kinds of media a platform takes.
fn accepted_kinds(media: &MediaRules) -> String {
    let kinds: Vec<&str> = [(media.images, "image"), (media.gifs, "GIF"), (media.videos, "video")]
        .into_iter()
        .filter_map(|(accepted, kind)| accepted.then_some(kind))
        .collect();
    match kinds.split_last() {
        None => "media file".to_owned(),
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// A size in decimal megabytes (or gigabytes), the unit the limits are written in.
fn megabytes(bytes: u64) -> String {
    let (value, unit) = if bytes >= 1_000_000_000 {
        (bytes as f64 / 1e9, "GB")
    } else {
        (bytes as f64 / 1e6, "MB")
    };
    if value.fract() == 0.0 { format!("{value:.0} {unit}") } else { format!("{value:.1} {unit}") }
}

/// A duration as `m:ss`, or `h:mm:ss` from an hour on.
fn clock(ms: u64) -> String {
    let seconds = ms.div_ceil(1000);
    let (hours, minutes, seconds) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if hours > 0 {
        format!("{hours}:{minutes:02}:{seconds:02}")
    } else {
        format!("{minutes}:{seconds:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::builtin_rules;
    use serde_json::json;

    fn rules(platform: &str) -> PlatformRules {
        builtin_rules(platform).expect("known platform")
    }

    fn facts(mime: &str, size_bytes: u64, duration_ms: Option<u64>) -> MediaFacts {
        MediaFacts {
            mime: mime.to_owned(),
            size_bytes,
            width: Some(1200),
            height: Some(800),
            duration_ms,
        }
    }

    /// The test library: ids name their kind; `big-*` is over every limit; `gone` is missing.
    fn library(id: &str) -> Option<MediaFacts> {
        match id {
            "gone" => None,
            id if id.starts_with("img") => Some(facts("image/jpeg", 200_000, None)),
            id if id.starts_with("gif") => Some(facts("image/gif", 800_000, None)),
            id if id.starts_with("vid") => Some(facts("video/mp4", 20_000_000, Some(30_000))),
            "big-img" => Some(facts("image/png", 6_200_000, None)),
            "long-vid" => Some(facts("video/mp4", 20_000_000, Some(185_000))),
            "pdf" => Some(facts("application/pdf", 100_000, None)),
            _ => None,
        }
    }

    fn item(text: &str, media: &[&str]) -> ThreadItem {
        ThreadItem {
            text: text.to_owned(),
            media: media
                .iter()
                .map(|id| MediaRef { media_id: (*id).to_owned(), alt: None })
                .collect(),
            delay_secs: 0,
        }
    }

    fn check(rules: &PlatformRules, items: &[ThreadItem], settings: &Value) -> Vec<Violation> {
        let draft = TargetDraft { account_id: "acc-1", items, settings };
        validate_target(rules, &draft, &library)
    }

    fn codes(found: &[Violation]) -> Vec<(&str, &str)> {
        found.iter().map(|v| (v.field.as_str(), v.code.as_str())).collect()
    }

    #[test]
    fn a_valid_post_has_no_violations() {
        let items = [item("Hello, world! https://example.com/a/long/path", &["img-1", "img-2"])];
        assert_eq!(check(&rules("x"), &items, &Value::Null), vec![]);
        let settings = json!({ "subreddit": "rust", "title": "Sipstory 1.0" });
        assert_eq!(check(&rules("reddit"), &[item("Body", &[])], &settings), vec![]);
        let thread = [item("one", &["vid-1"]), item("two", &[]), item("three", &["gif-1"])];
        assert_eq!(check(&rules("bluesky"), &thread, &Value::Null), vec![]);
    }

    #[test]
    fn too_long_text_names_the_platform_and_the_limit() {
        let text = "a".repeat(312);
        let found = check(&rules("bluesky"), &[item(&text, &[])], &Value::Null);
        assert_eq!(
            found,
            vec![Violation {
                account_id: "acc-1".into(),
                field: "items[0].text".into(),
                code: "too_long".into(),
                message: "Bluesky allows 300 characters; this has 312.".into(),
                limit: Some(300),
            }]
        );
    }

    #[test]
    fn x_limit_is_weighted() {
        let x = rules("x");
        assert_eq!(check(&x, &[item(&"a".repeat(280), &[])], &Value::Null), vec![]);
        let found = check(&x, &[item("ok", &[]), item(&"日".repeat(141), &[])], &Value::Null);
        assert_eq!(codes(&found), vec![("items[1].text", "too_long")]);
        assert_eq!(found[0].message, "X allows 280 characters; this has 282.");
    }

    #[test]
    fn byte_counted_platforms_say_bytes() {
        let found = check(&rules("warpcast"), &[item(&"é".repeat(161), &[])], &Value::Null);
        assert_eq!(found[0].message, "Warpcast allows 320 bytes; this has 322.");
    }

    #[test]
    fn empty_items_and_empty_threads() {
        let found = check(&rules("x"), &[item("  ", &[])], &Value::Null);
        assert_eq!(codes(&found), vec![("items[0]", "empty")]);
        let found = check(&rules("x"), &[], &Value::Null);
        assert_eq!(codes(&found), vec![("items", "empty")]);
    }

    #[test]
    fn too_many_media() {
        let found = check(
            &rules("x"),
            &[item("", &["img-1", "img-2", "img-3", "img-4", "img-5"])],
            &Value::Null,
        );
        assert_eq!(codes(&found), vec![("items[0].media", "too_many_media")]);
        assert_eq!(found[0].message, "X allows 4 images per post; this has 5.");
        assert_eq!(found[0].limit, Some(4));
    }

    #[test]
    fn platforms_without_media_refuse_it_once() {
        let found = check(&rules("nostr"), &[item("hi", &["img-1", "vid-1"])], &Value::Null);
        assert_eq!(codes(&found), vec![("items[0].media", "too_many_media")]);
        assert_eq!(found[0].message, "Nostr takes no media files; this has 2.");
    }

    #[test]
    fn media_kind_not_taken() {
        let found = check(&rules("instagram"), &[item("", &["gif-1"])], &Value::Null);
        assert_eq!(codes(&found), vec![("items[0].media[0]", "media_type")]);
        assert_eq!(found[0].message, "Instagram does not take GIFs.");
        let found = check(&rules("x"), &[item("", &["pdf"])], &Value::Null);
        assert_eq!(found[0].message, "X does not take application/pdf files.");
    }

    #[test]
    fn media_too_large() {
        let found = check(&rules("x"), &[item("", &["img-1", "big-img"])], &Value::Null);
        assert_eq!(codes(&found), vec![("items[0].media[1]", "media_too_large")]);
        assert_eq!(found[0].message, "X allows images up to 5 MB; this one is 6.2 MB.");
        assert_eq!(found[0].limit, Some(5_000_000));
    }

    #[test]
    fn video_must_be_alone_where_the_platform_says_so() {
        let found = check(&rules("x"), &[item("", &["vid-1", "img-1"])], &Value::Null);
        assert_eq!(codes(&found), vec![("items[0].media", "media_mix")]);
        assert_eq!(
            found[0].message,
            "X takes a video or GIF only on its own; this post has 2 media files."
        );
        let mixed_carousel = [item("", &["vid-1", "img-1"])];
        assert_eq!(check(&rules("instagram"), &mixed_carousel, &Value::Null), vec![]);
    }

    #[test]
    fn video_too_long() {
        let found = check(&rules("x"), &[item("", &["long-vid"])], &Value::Null);
        assert_eq!(codes(&found), vec![("items[0].media[0]", "video_too_long")]);
        assert_eq!(found[0].message, "X allows videos up to 2:20; this one is 3:05.");
        assert_eq!(found[0].limit, Some(140_000));
    }

    #[test]
    fn missing_media() {
        let found = check(&rules("x"), &[item("hi", &["img-1", "gone"])], &Value::Null);
        assert_eq!(codes(&found), vec![("items[0].media[1]", "media_missing")]);
        assert_eq!(
            found[0].message,
            "The media file gone is no longer in the library, so it cannot go to X."
        );
    }

    #[test]
    fn alt_too_long() {
        let mut post = item("hi", &["img-1"]);
        post.media[0].alt = Some("x".repeat(1_001));
        let found = check(&rules("x"), &[post.clone()], &Value::Null);
        assert_eq!(codes(&found), vec![("items[0].media[0]", "alt_too_long")]);
        assert_eq!(found[0].message, "X allows 1000 characters of alt text; this one has 1001.");
        post.media[0].alt = Some("x".repeat(1_000));
        assert_eq!(check(&rules("x"), &[post], &Value::Null), vec![]);
    }

    #[test]
    fn media_required() {
        let found = check(&rules("instagram"), &[item("caption", &[])], &Value::Null);
        assert_eq!(codes(&found), vec![("items[0].media", "media_required")]);
        assert_eq!(found[0].message, "Instagram needs at least one image or video.");
        // A first comment needs no media.
        let with_comment = [item("caption", &["img-1"]), item("first comment", &[])];
        assert_eq!(check(&rules("instagram"), &with_comment, &Value::Null), vec![]);
        let settings = json!({ "title": "A video" });
        let found = check(&rules("youtube"), &[item("description", &[])], &settings);
        assert_eq!(found[0].message, "YouTube needs at least one video.");
    }

    #[test]
    fn thread_unsupported() {
        let settings = json!({ "board_id": "123" });
        let found =
            check(&rules("pinterest"), &[item("a", &["img-1"]), item("b", &["img-2"])], &settings);
        assert_eq!(codes(&found), vec![("items", "thread_unsupported")]);
        assert_eq!(
            found[0].message,
            "Pinterest takes a single post, not a thread; this has 2 items."
        );
    }

    #[test]
    fn too_many_items() {
        let items = [item("post", &["img-1"]), item("c1", &[]), item("c2", &[])];
        let found = check(&rules("instagram"), &items, &Value::Null);
        assert_eq!(codes(&found), vec![("items", "too_many_items")]);
        assert_eq!(found[0].message, "Instagram allows 2 items in a thread; this has 3.");
        assert_eq!(found[0].limit, Some(2));
    }

    #[test]
    fn settings_required_field_missing() {
        let found = check(&rules("youtube"), &[item("d", &["vid-1"])], &json!({}));
        assert_eq!(codes(&found), vec![("settings.title", "settings")]);
        assert_eq!(found[0].message, "YouTube requires the title setting.");
        // No settings at all is the same as an empty object.
        let found = check(&rules("youtube"), &[item("d", &["vid-1"])], &Value::Null);
        assert_eq!(codes(&found), vec![("settings.title", "settings")]);
        let found = check(&rules("reddit"), &[item("d", &[])], &Value::Null);
        assert_eq!(
            codes(&found),
            vec![("settings.subreddit", "settings"), ("settings.title", "settings")]
        );
    }

    #[test]
    fn settings_enum_length_and_type() {
        let youtube = rules("youtube");
        let post = [item("d", &["vid-1"])];
        let found = check(&youtube, &post, &json!({ "title": "t", "privacy": "friends" }));
        assert_eq!(codes(&found), vec![("settings.privacy", "settings")]);
        assert_eq!(found[0].message, "YouTube: privacy must be one of public, unlisted, private.");
        let found = check(&youtube, &post, &json!({ "title": "t".repeat(101) }));
        assert_eq!(codes(&found), vec![("settings.title", "settings")]);
        assert_eq!(found[0].message, "YouTube allows 100 characters for title; this has 101.");
        assert_eq!(found[0].limit, Some(100));
        let found = check(&youtube, &post, &json!({ "title": "t", "made_for_kids": "no" }));
        assert_eq!(codes(&found), vec![("settings.made_for_kids", "settings")]);
        let found = check(&youtube, &post, &json!({ "title": "t", "tags": ["a", 3] }));
        assert_eq!(codes(&found), vec![("settings.tags[1]", "settings")]);
    }

    #[test]
    fn settings_conditional_requirements() {
        let gmb = rules("gmb");
        let post = [item("Open day", &[])];
        let found = check(&gmb, &post, &json!({ "topic_type": "EVENT", "event_title": "Open" }));
        assert_eq!(
            codes(&found),
            vec![("settings.event_start", "settings"), ("settings.event_end", "settings")]
        );
        assert_eq!(check(&gmb, &post, &json!({ "cta_type": "CALL" })), vec![]);
        let found = check(&gmb, &post, &json!({ "cta_type": "BOOK" }));
        assert_eq!(codes(&found), vec![("settings.cta_url", "settings")]);
        let found = check(&gmb, &post, &json!({ "cta_type": "BOOK", "cta_url": "not a url" }));
        assert_eq!(codes(&found), vec![("settings.cta_url", "settings")]);
    }

    #[test]
    fn every_violation_carries_the_account() {
        let found = check(&rules("instagram"), &[item("", &["gone"])], &Value::Null);
        assert_eq!(codes(&found), vec![("items[0].media[0]", "media_missing")]);
        assert!(found.iter().all(|v| v.account_id == "acc-1"));
    }

    #[test]
    fn formats() {
        assert_eq!(megabytes(5_000_000), "5 MB");
        assert_eq!(megabytes(6_200_000), "6.2 MB");
        assert_eq!(megabytes(1_000_000_000), "1 GB");
        assert_eq!(clock(140_000), "2:20");
        assert_eq!(clock(43_200_000), "12:00:00");
        assert_eq!(clock(1), "0:01");
    }
}
