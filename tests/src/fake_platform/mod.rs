//! A loopback fake of a closed social platform with bearer tokens, for the
//! engine's tests: an axum server on `127.0.0.1` running on the caller's tokio
//! runtime, strict about requests like a real platform, recording everything,
//! and able to misbehave on demand (latency, injected faults, going down).
//!
//! [`FakePlatform`] is the test-facing handle. The HTTP API it serves is:
//!
//! - `POST /oauth/token` (form `grant_type=refresh_token&refresh_token=R`):
//!   rotates the refresh token; a used or revoked one gets 400 `invalid_grant`.
//! - `GET /api/me`: the caller's `{id, handle, display_name, avatar_url}`.
//! - `POST /api/media`: multipart `file` (+ optional `alt`), 201
//!   `{media_id, size, mime}`; over [`MAX_MEDIA_BYTES`] is 413 `media_too_large`.
//! - `POST /api/posts`: JSON `{text, media_ids?, reply_to?}`, optional
//!   `Idempotency-Key` (recorded, never used to dedupe), 201 `{id, url}`;
//!   422 `empty_post` / `text_too_long`, 400 `unknown_reply_to` / `unknown_media`.
//! - `GET /api/posts?since=<RFC 3339>&limit=<1..=100, default 50>`: the
//!   caller's live posts created at or after `since`, newest first.
//! - `DELETE /api/posts/{id}`: 204, or 404 `not_found`.
//!
//! Every `/api/*` route needs `Authorization: Bearer <access token>` (else 401
//! `invalid_token`), and every error body is `{"error": {"code", "message"}}`.
//! Malformed requests get 400 `invalid_request`.

mod api;
mod auth;
mod error;
mod gate;
mod media;
mod model;
mod posts;
mod server;
mod state;

use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

pub use media::MAX_MEDIA_BYTES;
pub use model::{
    AcceptedMedia, AcceptedPost, AccountCredentials, DuplicatePost, Fault, FaultScope,
    RequestRecord,
};
pub use posts::MAX_TEXT_CHARS;

use server::Server;
use state::Shared;

/// How often [`FakePlatform::wait_for_posts`] looks at the recorded posts.
const POLL_INTERVAL: Duration = Duration::from_millis(10);

/// A running fake platform. Clones share the same server and state.
#[derive(Clone)]
pub struct FakePlatform {
    shared: Shared,
    server: Arc<Server>,
}

impl FakePlatform {
    /// Starts the fake on a free loopback port.
    pub async fn start() -> FakePlatform {
        FakePlatform::start_on(0).await.expect("binding a free loopback port")
    }

    /// Starts the fake on the given loopback port (0 picks a free one).
    pub async fn start_on(port: u16) -> io::Result<FakePlatform> {
        let listener = server::bind(port).await?;
        let port = listener.local_addr()?.port();
        let shared = Shared::new(port);
        let server = Server::serve(port, listener, api::router(shared.clone()));
        Ok(FakePlatform { shared, server: Arc::new(server) })
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port())
    }

    pub fn port(&self) -> u16 {
        self.server.port()
    }

    /// Creates the account (or reuses it) and issues it a fresh token pair.
    pub fn add_account(&self, handle: &str) -> AccountCredentials {
        self.shared.with(|state| state.add_account(handle))
    }

    /// Delay added before handling every `/api/*` request from now on.
    pub fn set_latency(&self, latency: Duration) {
        self.shared.with(|state| state.set_latency(latency));
    }

    /// Queues a fault for the next `POST /api/posts` without one.
    pub fn push_fault(&self, fault: Fault) {
        self.push_fault_on(FaultScope::Posts, fault);
    }

    /// Queues a fault; each request takes the oldest queued fault whose scope matches it.
    pub fn push_fault_on(&self, scope: FaultScope, fault: Fault) {
        self.shared.with(|state| state.push_fault(scope, fault));
    }

    /// Stops listening and closes every open connection: clients get "connection refused".
    pub async fn go_down(&self) {
        self.server.stop().await;
    }

    /// Listens again on the same port, with the same state.
    pub async fn come_up(&self) -> io::Result<()> {
        self.server.resume().await
    }

    /// Invalidates every access token issued so far; refresh tokens still work.
    pub fn expire_all_tokens(&self) {
        self.shared.with(|state| state.expire_all_access());
    }

    /// Invalidates every refresh token issued so far; access tokens still work until expired.
    pub fn revoke_refresh_tokens(&self) {
        self.shared.with(|state| state.revoke_refresh());
    }

    /// Every accepted post, in arrival order, deleted ones included.
    pub fn posts(&self) -> Vec<AcceptedPost> {
        self.shared.with(|state| state.posts())
    }

    /// Every accepted media upload, in arrival order.
    pub fn media(&self) -> Vec<AcceptedMedia> {
        self.shared.with(|state| state.media())
    }

    /// Every request received, in arrival order, failures included.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.with(|state| state.requests())
    }

    /// How many requests arrived on a path starting with `path_prefix`.
    pub fn request_count(&self, path_prefix: &str) -> usize {
        let requests = self.requests();
        requests.iter().filter(|request| request.path.starts_with(path_prefix)).count()
    }

    /// Waits until at least `n` posts are recorded or `timeout` passes, then returns them all.
    pub async fn wait_for_posts(&self, n: usize, timeout: Duration) -> Vec<AcceptedPost> {
        let deadline = Instant::now() + timeout;
        // Counting, not copying, while waiting: a copy holds the platform's lock long enough
        // to slow the requests being waited for.
        while self.shared.with(|state| state.post_count()) < n && Instant::now() < deadline {
            tokio::time::sleep(POLL_INTERVAL).await;
        }
        self.posts()
    }

    /// Texts accepted more than once for the same account; empty when nothing was duplicated.
    pub fn duplicates(&self) -> Vec<DuplicatePost> {
        self.shared.with(|state| state.duplicates())
    }
}
