//! Outbound webhooks: events are written to the store's outbox first (so they survive a
//! crash), then a background task POSTs each to its webhook, signed with HMAC-SHA256 under the
//! webhook's secret (kept in the keychain), retrying with exponential backoff and recording
//! every attempt's status and response time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::engine::Core;
use crate::model::{Post, PostStatus, WebhookDelivery};
use crate::notify::{Notice, NoticeKind};
use crate::store::AttemptOutcome;

/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: u32 = 6;
/// The longest the dispatcher sleeps without being woken.
const IDLE: Duration = Duration::from_secs(60);
/// How long a receiver may take to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

pub const SIGNATURE_HEADER: &str = "x-sipstory-signature";
pub const TIMESTAMP_HEADER: &str = "x-sipstory-timestamp";
pub const EVENT_HEADER: &str = "x-sipstory-event";

/// The keychain entry of a webhook's secret.
pub fn secret_entry(webhook_id: &str) -> String {
    format!("webhook:{webhook_id}")
}

/// `sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<body>`: what receivers recompute.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// A post as webhook payloads describe it.
pub fn post_payload(post: &Post) -> serde_json::Value {
    json!({
        "post": {
            "id": post.id,
            "status": post.status,
            "scheduled_at": post.scheduled_at,
            "targets": post.targets.iter().map(|t| json!({
                "id": t.id,
                "account_id": t.account_id,
                "platform": t.platform,
                "state": t.state,
                "url": t.results.first().and_then(|r| r.url.clone()),
                "error": t.last_error.as_ref().map(|e| e.message.clone()),
            })).collect::<Vec<_>>(),
        }
    })
}

/// The webhook event a notification means, if any: a post that settled (published, partly
/// published, failed) or an account that needs reconnecting.
pub fn event_for(core: &Core, notice: &Notice) -> Option<(&'static str, serde_json::Value)> {
    match notice.kind {
        NoticeKind::Published | NoticeKind::Failed => {
            let post = core.store.post(notice.post_id.as_deref()?).ok()?;
            let event = match post.status {
                PostStatus::Published => "post.published",
                PostStatus::Partial => "post.partial",
                PostStatus::Failed => "post.failed",
                _ => return None,
            };
            Some((event, post_payload(&post)))
        }
        NoticeKind::NeedsReconnect => {
            let account = core.store.account(notice.account_id.as_deref()?).ok()?;
            let payload = json!({"account": {
                "id": account.id, "platform": account.platform, "handle": account.handle,
            }});
            Some(("account.disconnected", payload))
        }
        NoticeKind::Missed => None,
    }
}

/// The running dispatcher.
pub struct WebhookDispatcher {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl WebhookDispatcher {
    pub fn spawn(core: Arc<Core>) -> Self {
        let (stop, mut stopped) = oneshot::channel();
        let task = tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .timeout(TIMEOUT)
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("Sipstory-Webhooks/", env!("CARGO_PKG_VERSION")))
                .build()
                .expect("the HTTP client's TLS backend initialises");
            loop {
                deliver_due(&core, &http).await;
                let wait = match core.store.next_webhook_attempt() {
                    Ok(Some(at)) => (at - Utc::now()).to_std().unwrap_or_default().min(IDLE),
                    _ => IDLE,
                };
                tokio::select! {
                    _ = &mut stopped => return,
                    _ = core.webhook_wake.notified() => {}
                    _ = tokio::time::sleep(wait) => {}
                }
            }
        });
        Self { stop, task }
    }

    /// Stops after the delivery in progress.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

async fn deliver_due(core: &Core, http: &reqwest::Client) {
    let due = match core.store.due_webhook_deliveries(Utc::now()) {
        Ok(due) => due,
        Err(e) => {
            tracing::error!(error = %e, "could not read the webhook outbox");
            return;
        }
    };
    let webhooks = core.store.webhooks().unwrap_or_default();
    for delivery in due {
        let Some(webhook) = webhooks.iter().find(|w| w.id == delivery.webhook_id) else {
            continue;
        };
        let started = Instant::now();
        let sent = send(core, http, &webhook.url, &delivery).await;
        let response_ms = started.elapsed().as_millis() as u64;
        let attempt = delivery.attempts + 1;
        let (status, error) = match &sent {
            Ok(status) if (200..300).contains(status) => (Some(*status), None),
            Ok(status) => (Some(*status), Some(format!("the receiver answered {status}"))),
            Err(e) => (None, Some(e.clone())),
        };
        let (state, next_attempt_at) = match (&error, attempt >= MAX_ATTEMPTS) {
            (None, _) => ("delivered", None),
            (Some(_), true) => ("failed", None),
            (Some(_), false) => ("pending", Some(Utc::now() + backoff(core, attempt))),
        };
        let outcome =
            AttemptOutcome { state, next_attempt_at, status, response_ms, error: error.as_deref() };
        if let Err(e) = core.store.record_webhook_attempt(delivery.id, &outcome) {
            tracing::error!(error = %e, "could not record a webhook delivery");
        }
    }
}

/// The delay before attempt `attempt + 1`: the engine's backoff base doubled per attempt, at
/// most its maximum.
fn backoff(core: &Core, attempt: u32) -> chrono::Duration {
    let base = core.config.backoff_base;
    let delay = base.saturating_mul(1 << attempt.min(16)).min(core.config.backoff_max);
    chrono::Duration::from_std(delay).unwrap_or_else(|_| chrono::Duration::hours(1))
}

async fn send(
    core: &Core,
    http: &reqwest::Client,
    url: &str,
    delivery: &WebhookDelivery,
) -> Result<u16, String> {
    let secret = core
        .secrets
        .get(&secret_entry(&delivery.webhook_id))
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "the webhook's secret is missing from the keychain".to_owned())?;
    let body = serde_json::to_vec(&json!({
        "id": delivery.id,
        "event": delivery.event,
        "created_at": delivery.created_at,
        "data": delivery.payload,
    }))
    .map_err(|e| e.to_string())?;
    let timestamp = Utc::now().timestamp();
    let response = http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(EVENT_HEADER, &delivery.event)
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(SIGNATURE_HEADER, signature(&secret, timestamp, &body))
        .body(body)
        .send()
        .await
        .map_err(|e| format!("could not reach the receiver: {e}"))?;
    Ok(response.status().as_u16())
}
