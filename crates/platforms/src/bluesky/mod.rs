//! Bluesky (AT Protocol): connecting with an app password on any PDS, posts with facets,
//! images with alt text, link cards and reply threads, deleting, refreshing the session and
//! listing the account's recent posts, all as plain XRPC calls through the engine's shared
//! `PublishHttp`.
//!
//! Why not the `atrium-api`/`bsky-sdk` crates: their XRPC client sends requests itself, which
//! would bypass the shared mechanism (publish log, error mapping, timeouts, lost-answer
//! classification). The handful of records Sipstory writes are small serde shapes here.

mod blobs;
mod link_card;
mod records;
mod richtext;
mod session;
mod xrpc;

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use sipstory_engine::model::ItemResult;
use sipstory_engine::provider::{
    ConnectMethod, Connected, ConnectionSpec, CredentialField, ErrorKind, OutgoingItem,
    PlatformInfo, Provider, ProviderError, PublishContext, PublishHttp, PublishedItem, RemotePost,
};
use sipstory_engine::validation::builtin_rules;

use records::{AtUri, Embed, External, Facet, Image, RecordPage, Reply, StrongRef, Written};
use richtext::{Feature, Span};
use session::{ACCESS_JWT, APP_PASSWORD, REFRESH_JWT};

pub const PLATFORM: &str = "bluesky";

/// Records per page when listing recent posts (listRecords' maximum).
const PAGE: usize = 100;

pub struct BlueskyProvider {
    info: PlatformInfo,
}

impl BlueskyProvider {
    pub fn new() -> Self {
        Self { info: info() }
    }
}

impl Default for BlueskyProvider {
    fn default() -> Self {
        Self::new()
    }
}

fn info() -> PlatformInfo {
    let mut rules = builtin_rules(PLATFORM).expect("Bluesky has built-in rules");
    // Videos go through Bluesky's separate video service, which Sipstory does not use yet.
    rules.media.videos = false;
    rules.media.max_video_bytes = None;
    rules.media.max_video_duration_ms = None;
    let field = |key: &str, label: &str, secret: bool, required: bool| CredentialField {
        key: key.into(),
        label: label.into(),
        secret,
        required,
        placeholder: None,
        help: None,
    };
    PlatformInfo {
        id: PLATFORM.into(),
        name: rules.platform_name.clone(),
        rules,
        connection: ConnectionSpec {
            method: ConnectMethod::AppPassword,
            fields: vec![
                CredentialField {
                    placeholder: Some("alice.bsky.social".into()),
                    help: Some("Your handle (without @), or the email you log in with.".into()),
                    ..field("identifier", "Handle", false, true)
                },
                CredentialField {
                    placeholder: Some("xxxx-xxxx-xxxx-xxxx".into()),
                    help: Some(
                        "Create one in Bluesky under Settings → Privacy and security → App \
                         passwords. It stays in your system keychain."
                            .into(),
                    ),
                    ..field(APP_PASSWORD, "App password", true, true)
                },
                CredentialField {
                    placeholder: Some(xrpc::DEFAULT_PDS.into()),
                    help: Some(
                        "Leave empty for bsky.social; enter your own server if you host one."
                            .into(),
                    ),
                    ..field("pds_url", "Server (PDS)", false, false)
                },
            ],
        },
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Profile {
    display_name: Option<String>,
}

#[derive(Deserialize)]
struct ResolvedHandle {
    did: String,
}

/// A connect error shown next to one field of the form.
fn field_error(field: &str, message: String) -> ProviderError {
    ProviderError::new(ErrorKind::Permanent, message).with_code(format!("field:{field}"))
}

fn host(pds: &str) -> &str {
    pds.split("://").nth(1).unwrap_or(pds)
}

impl BlueskyProvider {
    /// The account's display name from its profile record, if it has one.
    async fn display_name(http: &PublishHttp, pds: &str, did: &str) -> Option<String> {
        let request = http.inner().get(xrpc::url(pds, "com.atproto.repo.getRecord")).query(&[
            ("repo", did),
            ("collection", "app.bsky.actor.profile"),
            ("rkey", "self"),
        ]);
        #[derive(Deserialize)]
        struct Record {
            value: Profile,
        }
        let record: Record = xrpc::call(http, "profile", request, true).await.ok()?;
        record.value.display_name.filter(|n| !n.trim().is_empty())
    }

    /// Facets for the detected spans; a mention whose handle does not resolve stays plain
    /// text, as in the Bluesky app.
    async fn facets<'s>(
        cx: &PublishContext<'_>,
        spans: &'s [Span],
    ) -> Result<Vec<Facet<'s>>, ProviderError> {
        let pds = xrpc::pds(cx.account)?;
        let mut facets = Vec::with_capacity(spans.len());
        for span in spans {
            let did = match &span.feature {
                Feature::Mention(handle) => {
                    let request = cx
                        .http
                        .inner()
                        .get(xrpc::url(pds, "com.atproto.identity.resolveHandle"))
                        .query(&[("handle", handle)]);
                    match xrpc::call::<ResolvedHandle>(cx.http, "resolve_handle", request, true)
                        .await
                    {
                        Ok(resolved) => Some(resolved.did),
                        Err(e) if e.kind == ErrorKind::Permanent => None,
                        Err(e) => return Err(e),
                    }
                }
                _ => None,
            };
            facets.push(Facet { span, did });
        }
        Ok(facets)
    }

    /// A card for the first link, if the page can be read; its image becomes the thumb when
    /// it can be fetched and fits.
    async fn link_card(
        cx: &PublishContext<'_>,
        token: &str,
        spans: &[Span],
    ) -> Result<Option<Embed>, ProviderError> {
        let Some(link) = spans.iter().find_map(|s| match &s.feature {
            Feature::Link(uri) => Some(uri.as_str()),
            _ => None,
        }) else {
            return Ok(None);
        };
        let Some(card) = link_card::fetch(cx.http, link).await else {
            return Ok(None);
        };
        let thumb = match &card.image {
            Some(image) => match link_card::fetch_image(cx.http, image).await {
                Some((bytes, mime)) => match blobs::upload(cx, token, bytes, &mime).await {
                    Ok(blob) => Some(blob),
                    Err(e) if e.code.as_deref() == Some("media_too_large") => None,
                    Err(e) => return Err(e),
                },
                None => None,
            },
            None => None,
        };
        Ok(Some(Embed::External(External {
            uri: link.to_owned(),
            title: card.title,
            description: card.description,
            thumb,
        })))
    }

    /// The reference a reply needs to a published item: its URI and CID (read back from the
    /// PDS when the item was recorded without one, e.g. confirmed by hand).
    async fn strong_ref(
        cx: &PublishContext<'_>,
        item: &ItemResult,
    ) -> Result<StrongRef, ProviderError> {
        if let Some(cid) = item.extra["cid"].as_str() {
            return Ok(StrongRef { uri: item.remote_id.clone(), cid: cid.to_owned() });
        }
        let uri = parse_uri(&item.remote_id)?;
        let request = cx
            .http
            .inner()
            .get(xrpc::url(xrpc::pds(cx.account)?, "com.atproto.repo.getRecord"))
            .query(&[("repo", uri.repo), ("collection", uri.collection), ("rkey", uri.rkey)]);
        let written: Written = xrpc::call(cx.http, "get_parent", request, true).await?;
        Ok(StrongRef { uri: written.uri, cid: written.cid })
    }
}

fn parse_uri(uri: &str) -> Result<AtUri<'_>, ProviderError> {
    AtUri::parse(uri).ok_or_else(|| {
        ProviderError::new(ErrorKind::Permanent, format!("'{uri}' is not a Bluesky post URI"))
    })
}

fn published(handle: &str, written: Written) -> Result<PublishedItem, ProviderError> {
    let url = records::app_url(handle, &parse_uri(&written.uri)?);
    Ok(PublishedItem {
        remote_id: written.uri,
        url: Some(url),
        extra: json!({ "cid": written.cid }),
    })
}

#[async_trait]
impl Provider for BlueskyProvider {
    fn info(&self) -> &PlatformInfo {
        &self.info
    }

    async fn connect(
        &self,
        http: &PublishHttp,
        fields: &BTreeMap<String, String>,
    ) -> Result<Connected, ProviderError> {
        let pds = xrpc::normalize_pds(fields.get("pds_url").map(String::as_str))
            .map_err(|message| field_error("pds_url", message))?;
        let identifier = fields.get("identifier").map(String::as_str).unwrap_or_default();
        let identifier = identifier.trim().trim_start_matches('@');
        let password = fields.get(APP_PASSWORD).map(String::as_str).unwrap_or_default().trim();
        let session =
            session::create(http, &pds, identifier, password).await.map_err(|e| {
                match (e.kind, e.http_status) {
                    (ErrorKind::Auth, _) => field_error(
                        APP_PASSWORD,
                        format!(
                            "This handle and app password were rejected by {} ({}).",
                            host(&pds),
                            e.message
                        ),
                    ),
                    (_, None) => {
                        field_error("pds_url", format!("Could not reach {pds}: {}", e.message))
                    }
                    (_, Some(404)) => field_error(
                        "pds_url",
                        format!("{pds} does not answer like a Bluesky server (PDS)."),
                    ),
                    _ => {
                        field_error("identifier", format!("{} refused: {}", host(&pds), e.message))
                    }
                }
            })?;
        let display_name = Self::display_name(http, &pds, &session.did)
            .await
            .unwrap_or_else(|| session.handle.clone());
        let mut secrets = session.secrets();
        secrets.insert(APP_PASSWORD.to_owned(), password.to_owned());
        Ok(Connected {
            // `identifier` and `pds_url` fill in the reconnect form.
            settings: json!({ "identifier": session.handle, "pds_url": pds, "did": session.did }),
            handle: session.handle,
            display_name,
            avatar_url: None,
            secrets,
        })
    }

    async fn publish(
        &self,
        cx: &PublishContext<'_>,
        item: &OutgoingItem<'_>,
    ) -> Result<PublishedItem, ProviderError> {
        let pds = xrpc::pds(cx.account)?;
        let did = xrpc::did(cx.account)?;
        let token = cx.credentials.require(ACCESS_JWT)?;
        let spans = richtext::detect(item.text);
        let facets = Self::facets(cx, &spans).await?;
        let embed = if item.media.is_empty() {
            Self::link_card(cx, &token, &spans).await?
        } else {
            let mut images = Vec::with_capacity(item.media.len());
            for media in &item.media {
                let blob = blobs::upload_media(cx, &token, media).await?;
                images.push(Image { blob, alt: media.alt.clone().unwrap_or_default() });
            }
            Some(Embed::Images(images))
        };
        let reply = match (item.root, item.reply_to) {
            (Some(root), Some(parent)) => Some(Reply {
                root: Self::strong_ref(cx, root).await?,
                parent: Self::strong_ref(cx, parent).await?,
            }),
            _ => None,
        };
        let record = records::post(item.text, Utc::now(), &facets, embed.as_ref(), reply.as_ref());
        let request = cx
            .http
            .inner()
            .post(xrpc::url(pds, "com.atproto.repo.createRecord"))
            .bearer_auth(&token)
            .json(&json!({ "repo": did, "collection": records::POST, "record": record }));
        let written: Written = xrpc::call(cx.http, "publish", request, false).await?;
        published(&cx.account.handle, written)
    }

    async fn delete(
        &self,
        cx: &PublishContext<'_>,
        item: &ItemResult,
    ) -> Result<(), ProviderError> {
        let uri = parse_uri(&item.remote_id)?;
        let token = cx.credentials.require(ACCESS_JWT)?;
        let request = cx
            .http
            .inner()
            .post(xrpc::url(xrpc::pds(cx.account)?, "com.atproto.repo.deleteRecord"))
            .bearer_auth(token)
            .json(&json!({ "repo": uri.repo, "collection": uri.collection, "rkey": uri.rkey }));
        xrpc::call_unit(cx.http, "delete", request, true).await
    }

    /// Trades the refresh token for a new pair; when the refresh token itself is refused
    /// (expired, revoked), logs in again with the app password kept in the keychain.
    async fn refresh(&self, cx: &PublishContext<'_>) -> Result<(), ProviderError> {
        let pds = xrpc::pds(cx.account)?;
        let refresh_jwt = cx.credentials.require(REFRESH_JWT)?;
        let session = match session::refresh(cx.http, pds, &refresh_jwt).await {
            Ok(session) => session,
            Err(e) if matches!(e.kind, ErrorKind::Auth | ErrorKind::Permanent) => {
                let password = cx.credentials.require(APP_PASSWORD)?;
                let did = xrpc::did(cx.account)?;
                session::create(cx.http, pds, did, &password).await.map_err(|e| {
                    let kind = match e.kind {
                        ErrorKind::Transient => ErrorKind::Transient,
                        _ => ErrorKind::Auth,
                    };
                    ProviderError { kind, ..e }
                })?
            }
            Err(e) => return Err(e),
        };
        cx.credentials.update(session.secrets())
    }

    async fn recent_posts(
        &self,
        cx: &PublishContext<'_>,
        since: DateTime<Utc>,
    ) -> Result<Option<Vec<RemotePost>>, ProviderError> {
        let pds = xrpc::pds(cx.account)?;
        let did = xrpc::did(cx.account)?;
        let mut found = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut query = vec![
                ("repo", did.to_owned()),
                ("collection", records::POST.to_owned()),
                ("limit", PAGE.to_string()),
            ];
            query.extend(cursor.take().map(|c| ("cursor", c)));
            let request =
                cx.http.inner().get(xrpc::url(pds, "com.atproto.repo.listRecords")).query(&query);
            let page: RecordPage = xrpc::call(cx.http, "list_recent", request, true).await?;
            let empty = page.records.is_empty();
            let reached_since =
                page.records.iter().any(|r| r.value.created_at.is_some_and(|at| at < since));
            for record in page.records {
                let url =
                    AtUri::parse(&record.uri).map(|u| records::app_url(&cx.account.handle, &u));
                found.push(RemotePost {
                    url,
                    text: record.value.text,
                    created_at: record.value.created_at,
                    extra: json!({ "cid": record.cid }),
                    remote_id: record.uri,
                });
            }
            cursor = page.cursor;
            if empty || reached_since || cursor.is_none() {
                found.retain(|p| p.created_at.is_none_or(|at| at >= since));
                return Ok(Some(found));
            }
        }
    }
}
