//! The platform's mutable world behind one lock: accounts and their tokens,
//! accepted posts and media, the request log, pending faults and latency.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::error::ApiError;
use super::model::{
    AcceptedMedia, AcceptedPost, AccountCredentials, DuplicatePost, Fault, FaultScope,
    RequestRecord,
};

/// How long an access token lives, as announced in `expires_in`.
pub(super) const ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// The first id handed out; ids then increase by one per post, media or account.
const FIRST_ID: u64 = 1000;

/// The state shared by the HTTP handlers and the test-facing handle.
#[derive(Clone)]
pub(super) struct Shared(Arc<Mutex<PlatformState>>);

impl Shared {
    pub(super) fn new(port: u16) -> Shared {
        Shared(Arc::new(Mutex::new(PlatformState::new(port))))
    }

    /// Runs `f` under the lock; the lock is never held across an await.
    pub(super) fn with<R>(&self, f: impl FnOnce(&mut PlatformState) -> R) -> R {
        f(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

struct AccessGrant {
    handle: String,
    expires_at: Instant,
}

/// The profile `GET /api/me` describes.
pub(super) struct Profile {
    pub(super) id: String,
    pub(super) handle: String,
    pub(super) display_name: String,
    pub(super) avatar_url: String,
}

/// A post as a request asked for it, before the platform accepts it.
pub(super) struct PostRequest {
    pub(super) text: String,
    pub(super) media_ids: Vec<String>,
    pub(super) reply_to: Option<String>,
    pub(super) idempotency_key: Option<String>,
    pub(super) received_at: DateTime<Utc>,
}

/// A media upload as a request delivered it.
pub(super) struct MediaUpload {
    pub(super) size: u64,
    pub(super) mime: String,
    pub(super) alt: Option<String>,
}

pub(super) struct PlatformState {
    port: u16,
    next_id: u64,
    accounts: Vec<Profile>,
    access_tokens: HashMap<String, AccessGrant>,
    refresh_tokens: HashMap<String, String>,
    posts: Vec<AcceptedPost>,
    media: Vec<AcceptedMedia>,
    requests: Vec<RequestRecord>,
    faults: VecDeque<(FaultScope, Fault)>,
    latency: Duration,
}

impl PlatformState {
    fn new(port: u16) -> PlatformState {
        PlatformState {
            port,
            next_id: FIRST_ID,
            accounts: Vec::new(),
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            posts: Vec::new(),
            media: Vec::new(),
            requests: Vec::new(),
            faults: VecDeque::new(),
            latency: Duration::ZERO,
        }
    }

    fn next_id(&mut self) -> String {
        let id = self.next_id;
        self.next_id += 1;
        id.to_string()
    }

    fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Creates the account if it is new, and issues a fresh token pair for it.
    pub(super) fn add_account(&mut self, handle: &str) -> AccountCredentials {
        if self.profile(handle).is_none() {
            let profile = Profile {
                id: self.next_id(),
                handle: handle.to_owned(),
                display_name: format!("Fake {handle}"),
                avatar_url: format!("{}/avatars/{handle}.png", self.base_url()),
            };
            self.accounts.push(profile);
        }
        self.issue_tokens(handle)
    }

    fn issue_tokens(&mut self, handle: &str) -> AccountCredentials {
        let access_token = format!("fake-at-{}", Uuid::new_v4().simple());
        let refresh_token = format!("fake-rt-{}", Uuid::new_v4().simple());
        let grant = AccessGrant {
            handle: handle.to_owned(),
            expires_at: Instant::now() + ACCESS_TOKEN_LIFETIME,
        };
        self.access_tokens.insert(access_token.clone(), grant);
        self.refresh_tokens.insert(refresh_token.clone(), handle.to_owned());
        AccountCredentials { access_token, refresh_token }
    }

    pub(super) fn profile(&self, handle: &str) -> Option<&Profile> {
        self.accounts.iter().find(|profile| profile.handle == handle)
    }

    /// Spends a refresh token (rotation) and issues a new pair, or `None` if it is not valid.
    pub(super) fn refresh(&mut self, refresh_token: &str) -> Option<AccountCredentials> {
        let handle = self.refresh_tokens.remove(refresh_token)?;
        Some(self.issue_tokens(&handle))
    }

    /// The handle of the account a live access token belongs to.
    pub(super) fn account_for_access(&self, access_token: &str) -> Option<String> {
        let grant = self.access_tokens.get(access_token)?;
        (grant.expires_at > Instant::now()).then(|| grant.handle.clone())
    }

    pub(super) fn expire_access(&mut self, access_token: &str) {
        self.access_tokens.remove(access_token);
    }

    pub(super) fn expire_all_access(&mut self) {
        self.access_tokens.clear();
    }

    pub(super) fn revoke_refresh(&mut self) {
        self.refresh_tokens.clear();
    }

    pub(super) fn accept_media(&mut self, handle: &str, upload: MediaUpload) -> AcceptedMedia {
        let media = AcceptedMedia {
            id: self.next_id(),
            account_handle: handle.to_owned(),
            size: upload.size,
            mime: upload.mime,
            alt: upload.alt,
        };
        self.media.push(media.clone());
        media
    }

    fn owns_media(&self, handle: &str, id: &str) -> bool {
        self.media.iter().any(|media| media.id == id && media.account_handle == handle)
    }

    fn live_post_mut(&mut self, handle: &str, id: &str) -> Option<&mut AcceptedPost> {
        self.posts
            .iter_mut()
            .find(|post| post.id == id && post.account_handle == handle && !post.deleted)
    }

    fn has_live_post(&self, handle: &str, id: &str) -> bool {
        self.posts
            .iter()
            .any(|post| post.id == id && post.account_handle == handle && !post.deleted)
    }

    /// Checks that the media and the parent a post refers to are the account's own.
    fn check_references(&self, handle: &str, request: &PostRequest) -> Result<(), ApiError> {
        let status = StatusCode::BAD_REQUEST;
        let media_ids = &request.media_ids;
        if let Some(unknown) = media_ids.iter().find(|id| !self.owns_media(handle, id)) {
            let message = format!("Media {unknown} does not exist for this account");
            return Err(ApiError::new(status, "unknown_media", message));
        }
        match &request.reply_to {
            Some(parent) if !self.has_live_post(handle, parent) => {
                let message = format!("Post {parent} does not exist for this account");
                Err(ApiError::new(status, "unknown_reply_to", message))
            }
            _ => Ok(()),
        }
    }

    /// Checks the references a post makes, then stores it.
    pub(super) fn accept_post(
        &mut self,
        handle: &str,
        request: PostRequest,
    ) -> Result<AcceptedPost, ApiError> {
        self.check_references(handle, &request)?;
        let id = self.next_id();
        let post = AcceptedPost {
            url: format!("{}/@{handle}/{id}", self.base_url()),
            id,
            account_handle: handle.to_owned(),
            text: request.text,
            reply_to: request.reply_to,
            media_ids: request.media_ids,
            idempotency_key: request.idempotency_key,
            received_at: request.received_at,
            created_at: Utc::now(),
            deleted: false,
        };
        self.posts.push(post.clone());
        Ok(post)
    }

    /// The account's live posts created at or after `since`, newest first.
    pub(super) fn list_posts(
        &self,
        handle: &str,
        since: Option<DateTime<Utc>>,
        max_id: Option<u64>,
        limit: usize,
    ) -> Vec<AcceptedPost> {
        self.posts
            .iter()
            .rev()
            .filter(|post| post.account_handle == handle && !post.deleted)
            .filter(|post| since.is_none_or(|since| post.created_at >= since))
            .filter(|post| max_id.is_none_or(|max| post.id.parse::<u64>().is_ok_and(|id| id < max)))
            .take(limit)
            .cloned()
            .collect()
    }

    /// Marks a live post deleted; `false` if the account has no such post.
    pub(super) fn delete_post(&mut self, handle: &str, id: &str) -> bool {
        self.live_post_mut(handle, id).map(|post| post.deleted = true).is_some()
    }

    /// Logs an arriving request and returns its index for [`Self::finish_request`].
    pub(super) fn record_request(
        &mut self,
        method: &Method,
        path: &str,
        at: DateTime<Utc>,
    ) -> usize {
        self.requests.push(RequestRecord {
            method: method.to_string(),
            path: path.to_owned(),
            status: None,
            at,
        });
        self.requests.len() - 1
    }

    pub(super) fn finish_request(&mut self, index: usize, status: StatusCode) {
        self.requests[index].status = Some(status.as_u16());
    }

    pub(super) fn push_fault(&mut self, scope: FaultScope, fault: Fault) {
        self.faults.push_back((scope, fault));
    }

    /// Removes and returns the oldest pending fault that applies to this request.
    pub(super) fn take_fault(&mut self, method: &Method, path: &str) -> Option<Fault> {
        let position = self.faults.iter().position(|(scope, _)| scope.matches(method, path))?;
        self.faults.remove(position).map(|(_, fault)| fault)
    }

    pub(super) fn latency(&self) -> Duration {
        self.latency
    }

    pub(super) fn set_latency(&mut self, latency: Duration) {
        self.latency = latency;
    }

    pub(super) fn posts(&self) -> Vec<AcceptedPost> {
        self.posts.clone()
    }

    pub(super) fn post_count(&self) -> usize {
        self.posts.len()
    }

    pub(super) fn media(&self) -> Vec<AcceptedMedia> {
        self.media.clone()
    }

    pub(super) fn requests(&self) -> Vec<RequestRecord> {
        self.requests.clone()
    }

    /// Texts accepted more than once for the same account, in order of first arrival.
    pub(super) fn duplicates(&self) -> Vec<DuplicatePost> {
        let mut seen: Vec<DuplicatePost> = Vec::new();
        for post in &self.posts {
            match seen
                .iter_mut()
                .find(|d| d.account_handle == post.account_handle && d.text == post.text)
            {
                Some(entry) => entry.count += 1,
                None => seen.push(DuplicatePost {
                    account_handle: post.account_handle.clone(),
                    text: post.text.clone(),
                    count: 1,
                }),
            }
        }
        seen.retain(|entry| entry.count > 1);
        seen
    }
}
