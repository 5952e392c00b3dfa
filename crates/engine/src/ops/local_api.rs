//! What the local API needs beyond the desktop's operations: its keys (created once, listed by
//! prefix, revoked; checked in constant time), idempotency records, and the reference API's
//! per-account view of a post ("channel post" = one target), whose operations act on one
//! account of a post.

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{ErrorCode, Operations, OpsError, OpsResult};
use crate::model::{ApiKey, IdempotencyClaim, Post, Target, TargetState, new_id};
use crate::provider::{PublishContext, PublishHttp, RemotePost};
use crate::store::PostFilter;

/// Every key starts with this, so it is recognisable in a config file or a leak scanner.
const KEY_PREFIX: &str = "sip_";
/// Characters of a key shown in lists (the prefix and 8 hex digits).
const SHOWN_CHARS: usize = KEY_PREFIX.len() + 8;
/// How long an `Idempotency-Key` answers with its first response.
const IDEMPOTENCY_HOURS: i64 = 24;
/// How far before a post's time the platform's recent posts are listed to find it.
const MISSING_LOOKBACK_HOURS: i64 = 1;

/// A key as created: the key itself is shown once and never stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NewApiKey {
    pub key: ApiKey,
    pub secret: String,
}

fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

impl Operations {
    /// Creates a key (256 random bits); only its SHA-256 is kept.
    pub fn create_api_key(&self, name: &str) -> OpsResult<NewApiKey> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(OpsError::invalid("name", "Name the key (1 to 80 characters)."));
        }
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let secret = format!("{KEY_PREFIX}{}", hex::encode(bytes));
        let key = ApiKey {
            id: new_id(),
            name: name.to_owned(),
            prefix: secret[..SHOWN_CHARS].to_owned(),
            created_at: Utc::now(),
            last_used_at: None,
        };
        self.core.store.insert_api_key(&key, &digest(&secret))?;
        Ok(NewApiKey { key, secret })
    }

    pub fn api_keys(&self) -> OpsResult<Vec<ApiKey>> {
        Ok(self.core.store.api_keys()?)
    }

    pub fn revoke_api_key(&self, id: &str) -> OpsResult<()> {
        Ok(self.core.store.delete_api_key(id)?)
    }

    /// The key a request presents, if it is one of ours (digests compared in constant time).
    pub fn authenticate_api_key(&self, secret: &str) -> OpsResult<ApiKey> {
        let invalid = || OpsError::new(ErrorCode::Unauthorized, "Invalid API key");
        let prefix = secret.get(..SHOWN_CHARS).ok_or_else(invalid)?;
        let presented = digest(secret);
        let key = self
            .core
            .store
            .api_keys_with_prefix(prefix)?
            .into_iter()
            .find(|(_, stored)| bool::from(stored.as_bytes().ct_eq(presented.as_bytes())))
            .map(|(key, _)| key)
            .ok_or_else(invalid)?;
        self.core.store.touch_api_key(&key.id, Utc::now())?;
        Ok(key)
    }

    /// Claims an `Idempotency-Key` of a key for a request (`request_hash` tells a replay from
    /// a different request), or returns what its use in the last 24 hours left.
    pub fn claim_idempotency_key(
        &self,
        api_key_id: &str,
        key: &str,
        request_hash: &str,
    ) -> OpsResult<IdempotencyClaim> {
        if key.is_empty() || key.len() > 255 {
            return Err(OpsError::invalid(
                "Idempotency-Key",
                "An Idempotency-Key has 1 to 255 characters.",
            ));
        }
        let now = Utc::now();
        let expired_before = now - Duration::hours(IDEMPOTENCY_HOURS);
        Ok(self.core.store.claim_idempotency_key(
            api_key_id,
            key,
            request_hash,
            now,
            expired_before,
        )?)
    }

    pub fn record_idempotent_response(
        &self,
        api_key_id: &str,
        key: &str,
        status: u16,
        body: &str,
    ) -> OpsResult<()> {
        Ok(self.core.store.record_idempotent_response(api_key_id, key, status, body)?)
    }

    pub fn release_idempotency_key(&self, api_key_id: &str, key: &str) -> OpsResult<()> {
        Ok(self.core.store.release_idempotency_key(api_key_id, key)?)
    }

    /// One account's part of a post (the reference API's post), with the whole post.
    pub fn channel_post(&self, target_id: &str) -> OpsResult<(Post, Target)> {
        let post = self.core.store.post(&self.core.store.post_id_of_target(target_id)?)?;
        let target = post
            .targets
            .iter()
            .find(|t| t.id == target_id)
            .cloned()
            .ok_or_else(|| OpsError::new(ErrorCode::NotFound, "post does not exist"))?;
        Ok((post, target))
    }

    /// Each account's part of the posts due in `[from, to)`, optionally only in one state or
    /// for one account, in time order.
    pub fn channel_posts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        state: Option<TargetState>,
        account_id: Option<&str>,
    ) -> OpsResult<Vec<(Post, Target)>> {
        if to <= from {
            return Err(OpsError::invalid("endDate", "endDate must be after startDate."));
        }
        let filter = PostFilter {
            from: Some(from),
            to: Some(to),
            account_id: account_id.map(str::to_owned),
            ..Default::default()
        };
        let posts = self.core.store.posts(&filter)?;
        Ok(posts
            .into_iter()
            .flat_map(|post| {
                post.targets
                    .iter()
                    .filter(|t| state.is_none_or(|s| t.state == s))
                    .filter(|t| account_id.is_none_or(|a| t.account_id == a))
                    .map(|t| (post.clone(), t.clone()))
                    .collect::<Vec<_>>()
            })
            .collect())
    }

    /// Replaces one account's per-post settings, checked against its platform's rules like
    /// any edit.
    pub fn set_channel_settings(
        &self,
        target_id: &str,
        settings: serde_json::Value,
    ) -> OpsResult<(Post, Target)> {
        let (post, _) = self.channel_post(target_id)?;
        let schedule = super::posts::schedule_of(&post);
        let mut input = super::posts::input_of(&post, schedule);
        for (target, dto) in post.targets.iter().zip(input.targets.iter_mut()) {
            if target.id == target_id {
                dto.settings = settings.clone();
            }
        }
        self.update_post(&post.id, input)?;
        self.channel_post(target_id)
    }

    /// Removes one account from a post (the post goes with its last account). Refused while
    /// that account's publish is in flight.
    pub fn remove_channel_post(&self, target_id: &str) -> OpsResult<()> {
        let (_, target) = self.channel_post(target_id)?;
        if target.state == TargetState::Publishing {
            return Err(OpsError::conflict(
                "This post is being published right now; try again in a moment.",
            ));
        }
        self.core.store.delete_target(target_id)?;
        self.core.queue_changed();
        Ok(())
    }

    /// The platform's recent posts, to find an unconfirmed post's id by hand; empty when the
    /// platform cannot list them.
    pub async fn missing_candidates(&self, target_id: &str) -> OpsResult<Vec<RemotePost>> {
        let (post, target) = self.channel_post(target_id)?;
        let account = self.core.store.account(&target.account_id)?;
        let Some(provider) = self.core.registry.get(&account.platform).cloned() else {
            return Ok(Vec::new());
        };
        let credentials = self.core.credentials(&account.id);
        let http = PublishHttp::new(self.core.http.clone());
        let cx = PublishContext { account: &account, credentials: &credentials, http: &http };
        let since =
            post.scheduled_at.unwrap_or(post.created_at) - Duration::hours(MISSING_LOOKBACK_HOURS);
        let listed = provider.recent_posts(&cx, since).await.map_err(|e| {
            OpsError::new(
                ErrorCode::PlatformError,
                format!("{} could not list recent posts: {}", provider.info().name, e.message),
            )
        })?;
        Ok(listed.unwrap_or_default())
    }
}
