//! Nostr: kind-1 notes signed with the account's key (NIP-01), replies marked per NIP-10,
//! deletion requests (NIP-09) and recent notes read back from the account's relays. A note is
//! published when enough relays (the account's `min_ok`) accept it; every relay's answer goes
//! to the publish log and the item's record.
//!
//! Signing, event ids and the relay protocol's messages are the `nostr` crate's (rust-nostr);
//! the websocket is `tokio-tungstenite`. `nostr-sdk`'s relay pool was left out: it reconnects
//! in background tasks on its own schedule, while the engine needs one bounded attempt per
//! relay with each relay's outcome recorded.

pub mod relay;
mod settings;

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Instant;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use nostr::prelude::{
    Event, EventBuilder, EventDeletionRequest, EventId, Filter, FinalizeEvent, Keys, Kind, Marker,
    Nip10Tag, RelayUrl, Tag, Timestamp, ToBech32,
};
use serde_json::json;
use sipstory_engine::model::ItemResult;
use sipstory_engine::provider::http::Exchange;
use sipstory_engine::provider::{
    ConnectMethod, Connected, ConnectionSpec, CredentialField, ErrorKind, OutgoingItem,
    PlatformInfo, Provider, ProviderError, PublishContext, PublishHttp, PublishedItem, RemotePost,
};
use sipstory_engine::validation::builtin_rules;

use relay::Outcome;
pub use settings::RelaySettings;

pub const PLATFORM: &str = "nostr";

const SECRET_KEY: &str = "secret_key";

/// Most notes read back from one relay when reconciling.
const RECENT_LIMIT: usize = 500;

pub struct NostrProvider {
    info: PlatformInfo,
    /// Notes signed but not yet accepted by enough relays, by idempotency key: a retry
    /// re-sends the same signed event (same id), which relays that have it answer with
    /// `duplicate:`, so a retry never makes a second note.
    pending: Mutex<HashMap<String, Event>>,
}

impl NostrProvider {
    pub fn new() -> Self {
        Self { info: info(), pending: Mutex::new(HashMap::new()) }
    }
}

impl Default for NostrProvider {
    fn default() -> Self {
        Self::new()
    }
}

fn info() -> PlatformInfo {
    let rules = builtin_rules(PLATFORM).expect("Nostr has built-in rules");
    let field =
        |key: &str, label: &str, secret: bool, required: bool, help: &str| CredentialField {
            key: key.into(),
            label: label.into(),
            secret,
            required,
            placeholder: None,
            help: Some(help.into()),
        };
    PlatformInfo {
        id: PLATFORM.into(),
        name: rules.platform_name.clone(),
        rules,
        connection: ConnectionSpec {
            method: ConnectMethod::Key,
            fields: vec![
                CredentialField {
                    placeholder: Some("nsec1…".into()),
                    ..field(
                        SECRET_KEY,
                        "Secret key",
                        true,
                        true,
                        "Your nsec (or its hex form). It stays in your system keychain and signs \
                         your notes on this computer.",
                    )
                },
                CredentialField {
                    placeholder: Some("wss://relay.damus.io wss://nos.lol".into()),
                    ..field(
                        "relays",
                        "Relays",
                        false,
                        true,
                        "The relays to publish to, separated by spaces or new lines.",
                    )
                },
                CredentialField {
                    placeholder: Some("1".into()),
                    ..field(
                        "min_ok",
                        "Relays that must accept a note",
                        false,
                        false,
                        "A note counts as published once this many relays accept it (default 1).",
                    )
                },
            ],
        },
    }
}

fn field_error(field: &str, message: String) -> ProviderError {
    ProviderError::new(ErrorKind::Permanent, message).with_code(format!("field:{field}"))
}

fn keys(cx: &PublishContext<'_>) -> Result<Keys, ProviderError> {
    Keys::parse(&cx.credentials.require(SECRET_KEY)?).map_err(|e| {
        ProviderError::new(ErrorKind::Auth, format!("the stored secret key is unusable: {e}"))
    })
}

fn event_id(remote_id: &str) -> Result<EventId, ProviderError> {
    EventId::from_hex(remote_id).map_err(|_| {
        ProviderError::new(ErrorKind::Permanent, format!("'{remote_id}' is not a Nostr event id"))
    })
}

/// A web address for a note (any NIP-19 aware client opens it).
fn note_url(id: &EventId) -> Option<String> {
    id.to_bech32().ok().map(|note| format!("https://njump.me/{note}"))
}

/// NIP-10 tags for a reply in our own thread: the root and the parent, each marked, and the
/// author being replied to.
fn reply_tags(
    root: &ItemResult,
    parent: &ItemResult,
    keys: &Keys,
    relay_hint: Option<RelayUrl>,
) -> Result<Vec<Tag>, ProviderError> {
    let author = keys.public_key();
    let e_tag = |id: EventId, marker: Marker| {
        Tag::from(Nip10Tag::Event {
            id,
            relay_hint: relay_hint.clone(),
            marker: Some(marker),
            public_key: Some(author),
        })
    };
    let mut tags = vec![e_tag(event_id(&root.remote_id)?, Marker::Root)];
    if parent.remote_id != root.remote_id {
        tags.push(e_tag(event_id(&parent.remote_id)?, Marker::Reply));
    }
    tags.push(Tag::public_key(author));
    Ok(tags)
}

/// Sends `event` to every relay at once; each relay's answer is logged as an exchange.
async fn broadcast(
    http: &PublishHttp,
    action: &str,
    relays: &[String],
    event: &Event,
) -> Vec<Outcome> {
    let sends = relays.iter().map(|url| async move {
        let started = Instant::now();
        let outcome = relay::send(url, event).await;
        http.record_exchange(Exchange {
            action: action.to_owned(),
            endpoint: format!("EVENT {url}"),
            http_status: None,
            duration_ms: started.elapsed().as_millis() as u64,
            error: (outcome != Outcome::Accepted).then(|| outcome.describe()),
        });
        outcome
    });
    join_all(sends).await
}

/// Whether enough relays accepted; otherwise the error to retry with (the same signed event
/// goes again) or to stop at (every relay refused it for good).
fn judge(relays: &[String], outcomes: &[Outcome], min_ok: usize) -> Result<(), ProviderError> {
    let accepted = outcomes.iter().filter(|o| **o == Outcome::Accepted).count();
    if accepted >= min_ok {
        return Ok(());
    }
    let details: Vec<String> =
        relays.iter().zip(outcomes).map(|(url, o)| format!("{url} {}", o.describe())).collect();
    let message = format!(
        "{accepted} of {} relays accepted the note ({min_ok} needed): {}",
        relays.len(),
        details.join("; ")
    );
    let refused_for_good = outcomes.iter().all(|o| match o {
        Outcome::Rejected(why) => !why.starts_with("rate-limited:") && !why.starts_with("error:"),
        _ => false,
    });
    let kind = if refused_for_good { ErrorKind::Permanent } else { ErrorKind::Transient };
    Err(ProviderError::new(kind, message).with_code("relays"))
}

fn relay_results(relays: &[String], outcomes: &[Outcome]) -> serde_json::Value {
    let map: serde_json::Map<String, serde_json::Value> =
        relays.iter().zip(outcomes).map(|(url, o)| (url.clone(), json!(o.describe()))).collect();
    json!({ "relays": map })
}

/// The display name in the account's kind-0 metadata, from the first relay that has it.
async fn profile_name(relays: &[String], keys: &Keys) -> Option<String> {
    let filter = Filter::new().author(keys.public_key()).kind(Kind::Metadata).limit(1);
    for url in relays {
        if let Ok(events) = relay::query(url, filter.clone()).await
            && let Some(event) =
                events.into_iter().filter(|e| e.verify().is_ok()).max_by_key(|e| e.created_at)
            && let Ok(meta) = serde_json::from_str::<serde_json::Value>(&event.content)
        {
            let name = meta["display_name"].as_str().or(meta["name"].as_str());
            if let Some(name) = name.filter(|n| !n.trim().is_empty()) {
                return Some(name.to_owned());
            }
        }
    }
    None
}

#[async_trait]
impl Provider for NostrProvider {
    fn info(&self) -> &PlatformInfo {
        &self.info
    }

    /// Checks the key and that enough relays answer; the secret key goes to the keychain, the
    /// relays to the account's settings.
    async fn connect(
        &self,
        _http: &PublishHttp,
        fields: &BTreeMap<String, String>,
    ) -> Result<Connected, ProviderError> {
        let secret = fields.get(SECRET_KEY).map(|s| s.trim()).unwrap_or_default();
        let keys = Keys::parse(secret).map_err(|_| {
            field_error(
                SECRET_KEY,
                "This is not a Nostr secret key (nsec1… or 64 hex characters).".into(),
            )
        })?;
        let relays = fields.get("relays").map(String::as_str).unwrap_or_default();
        let settings = RelaySettings::from_form(relays, fields.get("min_ok").map(String::as_str))
            .map_err(|(field, message)| field_error(field, message))?;
        let checks = join_all(settings.relays.iter().map(|url| relay::reachable(url))).await;
        let reachable: Vec<String> = settings
            .relays
            .iter()
            .zip(&checks)
            .filter(|(_, c)| c.is_ok())
            .map(|(url, _)| url.clone())
            .collect();
        if reachable.len() < settings.min_ok {
            let failures: Vec<String> = settings
                .relays
                .iter()
                .zip(&checks)
                .filter_map(|(url, c)| c.as_ref().err().map(|e| format!("{url}: {e}")))
                .collect();
            return Err(field_error(
                "relays",
                format!(
                    "Only {} of the relays answered ({} needed). {}",
                    reachable.len(),
                    settings.min_ok,
                    failures.join("; ")
                ),
            ));
        }
        let npub = keys.public_key().to_bech32().map_err(|e| {
            ProviderError::new(ErrorKind::Permanent, format!("cannot encode the public key: {e}"))
        })?;
        let display_name =
            profile_name(&reachable, &keys).await.unwrap_or_else(|| format!("{}…", &npub[..16]));
        Ok(Connected {
            handle: npub,
            display_name,
            avatar_url: None,
            settings: json!({
                "relays": settings.relays,
                "min_ok": settings.min_ok,
                "pubkey": keys.public_key().to_hex(),
            }),
            secrets: BTreeMap::from([(SECRET_KEY.to_owned(), keys.secret_key().to_secret_hex())]),
        })
    }

    async fn publish(
        &self,
        cx: &PublishContext<'_>,
        item: &OutgoingItem<'_>,
    ) -> Result<PublishedItem, ProviderError> {
        let settings = RelaySettings::of(cx.account)?;
        let pending =
            self.pending.lock().expect("pending notes").get(&item.idempotency_key).cloned();
        let event = match pending {
            Some(event) => event,
            None => {
                let keys = keys(cx)?;
                let relay_hint = settings.relays.first().and_then(|r| RelayUrl::parse(r).ok());
                let tags = match (item.root, item.reply_to) {
                    (Some(root), Some(parent)) => reply_tags(root, parent, &keys, relay_hint)?,
                    _ => Vec::new(),
                };
                let event = EventBuilder::new(Kind::TextNote, item.text)
                    .tags(tags)
                    .finalize(&keys)
                    .map_err(|e| {
                        ProviderError::new(ErrorKind::Permanent, format!("could not sign: {e}"))
                    })?;
                self.pending
                    .lock()
                    .expect("pending notes")
                    .insert(item.idempotency_key.clone(), event.clone());
                event
            }
        };
        let outcomes = broadcast(cx.http, "publish", &settings.relays, &event).await;
        let verdict = judge(&settings.relays, &outcomes, settings.min_ok);
        if !matches!(&verdict, Err(e) if e.kind == ErrorKind::Transient) {
            self.pending.lock().expect("pending notes").remove(&item.idempotency_key);
        }
        verdict?;
        Ok(PublishedItem {
            remote_id: event.id.to_hex(),
            url: note_url(&event.id),
            extra: relay_results(&settings.relays, &outcomes),
        })
    }

    /// Sends a NIP-09 deletion request for the note; done when one relay accepts it.
    async fn delete(
        &self,
        cx: &PublishContext<'_>,
        item: &ItemResult,
    ) -> Result<(), ProviderError> {
        let settings = RelaySettings::of(cx.account)?;
        let request = EventDeletionRequest::new().id(event_id(&item.remote_id)?);
        let event = request.finalize(&keys(cx)?).map_err(|e| {
            ProviderError::new(ErrorKind::Permanent, format!("could not sign: {e}"))
        })?;
        let outcomes = broadcast(cx.http, "delete", &settings.relays, &event).await;
        judge(&settings.relays, &outcomes, 1)
    }

    /// The account's notes since `since` from every relay that answers, signatures checked,
    /// newest first; an error only when no relay answers.
    async fn recent_posts(
        &self,
        cx: &PublishContext<'_>,
        since: DateTime<Utc>,
    ) -> Result<Option<Vec<RemotePost>>, ProviderError> {
        let settings = RelaySettings::of(cx.account)?;
        let author = keys(cx)?.public_key();
        let filter = Filter::new()
            .author(author)
            .kind(Kind::TextNote)
            .since(Timestamp::from_secs(since.timestamp().max(0) as u64))
            .limit(RECENT_LIMIT);
        let answers = join_all(settings.relays.iter().map(|url| {
            let filter = filter.clone();
            async move {
                let started = Instant::now();
                let answer = relay::query(url, filter).await;
                cx.http.record_exchange(Exchange {
                    action: "list_recent".to_owned(),
                    endpoint: format!("REQ {url}"),
                    http_status: None,
                    duration_ms: started.elapsed().as_millis() as u64,
                    error: answer.as_ref().err().cloned(),
                });
                answer
            }
        }))
        .await;
        if answers.iter().all(Result::is_err) {
            return Err(
                ProviderError::new(ErrorKind::Transient, "no relay answered").with_code("relays")
            );
        }
        let mut notes: BTreeMap<EventId, Event> = BTreeMap::new();
        for event in answers.into_iter().flatten().flatten() {
            if event.pubkey == author && event.verify().is_ok() {
                notes.insert(event.id, event);
            }
        }
        let mut posts: Vec<RemotePost> = notes
            .into_values()
            .map(|event| RemotePost {
                remote_id: event.id.to_hex(),
                url: note_url(&event.id),
                text: event.content,
                created_at: DateTime::from_timestamp(event.created_at.as_secs() as i64, 0),
                extra: serde_json::Value::Null,
            })
            .collect();
        posts.sort_by_key(|p| std::cmp::Reverse(p.created_at));
        Ok(Some(posts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(id: &str) -> ItemResult {
        ItemResult {
            position: 0,
            remote_id: id.into(),
            url: None,
            extra: serde_json::Value::Null,
            published_at: Utc::now(),
        }
    }

    #[test]
    fn replies_carry_marked_root_and_reply_tags() {
        let keys = Keys::generate();
        let root = result(&"a".repeat(64));
        let parent = result(&"b".repeat(64));
        let tags = reply_tags(&root, &parent, &keys, None).unwrap();
        let tags: Vec<Vec<String>> = tags.into_iter().map(|t| t.to_vec()).collect();
        assert_eq!(tags[0][..2], ["e".to_owned(), "a".repeat(64)]);
        assert_eq!(tags[0][3], "root");
        assert_eq!(tags[1][3], "reply");
        assert_eq!(tags[2], vec!["p".to_owned(), keys.public_key().to_hex()]);
        // The second item replies to the root itself: one e-tag, marked root.
        let tags = reply_tags(&root, &root, &keys, None).unwrap();
        assert_eq!(tags.len(), 2);
    }

    #[test]
    fn judges_relay_outcomes() {
        let relays = vec!["wss://a/".to_owned(), "wss://b/".to_owned()];
        let ok = Outcome::Accepted;
        let down = Outcome::Unreachable("refused".into());
        let bad = Outcome::Rejected("invalid: bad signature".into());
        assert!(judge(&relays, &[ok.clone(), down.clone()], 1).is_ok());
        let partial = judge(&relays, &[ok, down], 2).unwrap_err();
        assert_eq!(partial.kind, ErrorKind::Transient);
        assert!(partial.message.contains("1 of 2 relays"));
        assert_eq!(judge(&relays, &[bad.clone(), bad], 1).unwrap_err().kind, ErrorKind::Permanent);
    }
}
