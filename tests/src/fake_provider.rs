//! The provider for the loopback fake platform: a real HTTP provider built on the engine's
//! shared publish mechanism (bearer token, media upload, posts with replies, refresh with
//! rotation and the new token's expiry, listing recent posts), registered under the platform id `loopback`.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reqwest::multipart;
use serde::Deserialize;
use serde_json::json;
use sipstory_engine::model::ItemResult;
use sipstory_engine::provider::http::{GenericErrorBody, file_part};
use sipstory_engine::provider::{
    ConnectMethod, Connected, ConnectionSpec, CredentialField, Credentials, ErrorKind,
    OutgoingItem, OutgoingMedia, PlatformInfo, Provider, ProviderError, PublishContext,
    PublishHttp, RemotePost,
};
use sipstory_engine::validation::{MediaRules, PlatformRules, TextCounting, ThreadSupport};

pub const PLATFORM: &str = "loopback";

/// Posts per page when listing recent posts (the fake's maximum).
const PAGE: usize = 100;

pub struct LoopbackProvider {
    info: PlatformInfo,
    concurrency: usize,
}

impl LoopbackProvider {
    pub fn new() -> Self {
        Self::with_concurrency(2)
    }

    pub fn with_concurrency(concurrency: usize) -> Self {
        Self { info: info(), concurrency }
    }
}

impl Default for LoopbackProvider {
    fn default() -> Self {
        Self::new()
    }
}

fn info() -> PlatformInfo {
    PlatformInfo {
        id: PLATFORM.into(),
        name: "Loopback".into(),
        rules: PlatformRules {
            platform: PLATFORM.into(),
            platform_name: "Loopback".into(),
            max_length: Some(crate::fake_platform::MAX_TEXT_CHARS as u32),
            counting: TextCounting::Chars,
            requires_media: false,
            media: MediaRules {
                max_items: 4,
                images: true,
                gifs: true,
                videos: true,
                max_image_bytes: Some(5 * 1024 * 1024),
                max_gif_bytes: Some(5 * 1024 * 1024),
                max_video_bytes: Some(5 * 1024 * 1024),
                max_video_duration_ms: None,
                video_alone: false,
                max_alt_length: Some(1000),
            },
            thread: ThreadSupport::Replies,
            max_thread_items: None,
            settings_schema: serde_json::Value::Null,
        },
        connection: ConnectionSpec {
            method: ConnectMethod::Token,
            fields: vec![
                CredentialField::required("base_url", "Server URL", false),
                CredentialField::required("access_token", "Access token", true),
                CredentialField::required("refresh_token", "Refresh token", true),
            ],
        },
    }
}

#[derive(Deserialize)]
struct Me {
    handle: String,
    display_name: String,
    avatar_url: Option<String>,
}

#[derive(Deserialize)]
struct Created {
    id: String,
    url: String,
}

#[derive(Deserialize)]
struct Uploaded {
    media_id: String,
}

#[derive(Deserialize)]
struct Tokens {
    access_token: String,
    refresh_token: String,
    expires_in: Option<i64>,
}

#[derive(Deserialize)]
struct Listed {
    posts: Vec<ListedPost>,
}

#[derive(Deserialize)]
struct ListedPost {
    id: String,
    url: String,
    text: String,
    created_at: DateTime<Utc>,
}

fn base_url(cx: &PublishContext<'_>) -> Result<String, ProviderError> {
    cx.account.settings["base_url"].as_str().map(|s| s.trim_end_matches('/').to_owned()).ok_or_else(
        || ProviderError::new(ErrorKind::Permanent, "the account has no server URL; reconnect it"),
    )
}

impl LoopbackProvider {
    async fn upload(
        &self,
        cx: &PublishContext<'_>,
        base: &str,
        token: &str,
        media: &OutgoingMedia,
    ) -> Result<String, ProviderError> {
        let part = file_part(media, "upload").await?;
        let mut form = multipart::Form::new().part("file", part);
        if let Some(alt) = &media.alt {
            form = form.text("alt", alt.clone());
        }
        let request =
            cx.http.inner().post(format!("{base}/api/media")).bearer_auth(token).multipart(form);
        let uploaded: Uploaded =
            cx.http.json("upload_media", request, true, &GenericErrorBody).await?;
        Ok(uploaded.media_id)
    }
}

#[async_trait]
impl Provider for LoopbackProvider {
    fn info(&self) -> &PlatformInfo {
        &self.info
    }

    fn concurrency(&self) -> usize {
        self.concurrency
    }

    async fn connect(
        &self,
        http: &PublishHttp,
        fields: &BTreeMap<String, String>,
    ) -> Result<Connected, ProviderError> {
        let base = fields["base_url"].trim_end_matches('/').to_owned();
        let request =
            http.inner().get(format!("{base}/api/me")).bearer_auth(&fields["access_token"]);
        let me: Me = http.json("verify", request, true, &GenericErrorBody).await.map_err(|e| {
            if e.kind == ErrorKind::Auth {
                ProviderError::new(
                    ErrorKind::Auth,
                    format!("this access token was rejected by {base}"),
                )
                .with_code("field:access_token")
            } else {
                e
            }
        })?;
        let secrets = ["access_token", "refresh_token"]
            .into_iter()
            .map(|k| (k.to_owned(), fields[k].clone()))
            .collect();
        Ok(Connected {
            handle: me.handle,
            display_name: me.display_name,
            avatar_url: me.avatar_url,
            settings: json!({ "base_url": base }),
            secrets,
        })
    }

    async fn publish(
        &self,
        cx: &PublishContext<'_>,
        item: &OutgoingItem<'_>,
    ) -> Result<sipstory_engine::provider::PublishedItem, ProviderError> {
        let base = base_url(cx)?;
        let token = cx.credentials.require("access_token")?;
        let mut media_ids = Vec::new();
        for media in &item.media {
            media_ids.push(self.upload(cx, &base, &token, media).await?);
        }
        let mut body = json!({ "text": item.text, "media_ids": media_ids });
        if let Some(parent) = item.reply_to {
            body["reply_to"] = json!(parent.remote_id);
        }
        let request = cx
            .http
            .inner()
            .post(format!("{base}/api/posts"))
            .bearer_auth(&token)
            .header("Idempotency-Key", &item.idempotency_key)
            .json(&body);
        let created: Created = cx.http.json("publish", request, false, &GenericErrorBody).await?;
        Ok(sipstory_engine::provider::PublishedItem {
            remote_id: created.id,
            url: Some(created.url),
            extra: serde_json::Value::Null,
        })
    }

    async fn delete(
        &self,
        cx: &PublishContext<'_>,
        item: &ItemResult,
    ) -> Result<(), ProviderError> {
        let base = base_url(cx)?;
        let token = cx.credentials.require("access_token")?;
        let request = cx
            .http
            .inner()
            .delete(format!("{base}/api/posts/{}", item.remote_id))
            .bearer_auth(token);
        cx.http.checked("delete", request, true, &GenericErrorBody).await?;
        Ok(())
    }

    async fn refresh(&self, cx: &PublishContext<'_>) -> Result<(), ProviderError> {
        let base = base_url(cx)?;
        let refresh_token = cx.credentials.require("refresh_token")?;
        let request = cx
            .http
            .inner()
            .post(format!("{base}/oauth/token"))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", refresh_token.as_str())]);
        let tokens: Tokens = cx
            .http
            .json("refresh", request, false, &GenericErrorBody)
            .await
            .map_err(|e| ProviderError { kind: ErrorKind::Auth, ..e })?;
        let mut rotated = BTreeMap::from([
            ("access_token".to_owned(), tokens.access_token),
            ("refresh_token".to_owned(), tokens.refresh_token),
        ]);
        if let Some(secs) = tokens.expires_in {
            let at = Utc::now() + chrono::Duration::seconds(secs);
            rotated.insert(Credentials::EXPIRES_AT.to_owned(), at.to_rfc3339());
        }
        cx.credentials.update(rotated)
    }

    async fn recent_posts(
        &self,
        cx: &PublishContext<'_>,
        since: DateTime<Utc>,
    ) -> Result<Option<Vec<RemotePost>>, ProviderError> {
        let base = base_url(cx)?;
        let token = cx.credentials.require("access_token")?;
        let mut found = Vec::new();
        let mut max_id: Option<String> = None;
        loop {
            let mut query = vec![("since", since.to_rfc3339()), ("limit", PAGE.to_string())];
            query.extend(max_id.take().map(|id| ("max_id", id)));
            let request =
                cx.http.inner().get(format!("{base}/api/posts")).query(&query).bearer_auth(&token);
            let page: Listed =
                cx.http.json("list_recent", request, true, &GenericErrorBody).await?;
            let full = page.posts.len() == PAGE;
            max_id = page.posts.last().map(|p| p.id.clone());
            found.extend(page.posts.into_iter().map(|p| RemotePost {
                remote_id: p.id,
                url: Some(p.url),
                text: p.text,
                created_at: Some(p.created_at),
                extra: serde_json::Value::Null,
            }));
            if !full || max_id.is_none() {
                return Ok(Some(found));
            }
        }
    }
}
