//! Server-side scheduling: a status created with `scheduled_at` (at least five minutes ahead)
//! is held by the server, which publishes it at its time; `/api/v1/scheduled_statuses` lists,
//! moves and deletes the held ones. Once published, a held status leaves that list and is
//! among the account's statuses.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use sipstory_engine::provider::{HandOffAnswer, HeldPost, ProviderError, PublishHttp};

use super::api::{CreatedStatus, MastodonErrors, ScheduledStatus};
use super::instance::{Instance, PAGE};
use super::statuses;

/// Mastodon holds a status only when its time is at least this far ahead.
pub const LEAD: std::time::Duration = std::time::Duration::from_secs(5 * 60);

fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Posts `body` to be published at `at` (see [`statuses::create_request`] for the key).
pub async fn create(
    http: &PublishHttp,
    instance: &Instance,
    token: &str,
    mut body: Value,
    at: DateTime<Utc>,
    idempotency_key: &str,
) -> Result<HandOffAnswer, ProviderError> {
    body["scheduled_at"] = json!(iso(at));
    let request = statuses::create_request(http, instance, token, &body, idempotency_key);
    let created: CreatedStatus = http.json("hand_off", request, false, &MastodonErrors).await?;
    Ok(match created {
        CreatedStatus::Scheduled(held) => {
            HandOffAnswer::Held { remote_id: held.id, at: held.scheduled_at }
        }
        CreatedStatus::Published(status) => HandOffAnswer::Published(statuses::published(status)),
    })
}

/// Moves a held status to `at`; `false` when the server no longer holds it.
pub async fn reschedule(
    http: &PublishHttp,
    instance: &Instance,
    token: &str,
    id: &str,
    at: DateTime<Utc>,
) -> Result<bool, ProviderError> {
    let request = http
        .inner()
        .put(instance.url(&format!("/api/v1/scheduled_statuses/{id}")))
        .bearer_auth(token)
        .json(&json!({ "scheduled_at": iso(at) }));
    held(http.checked("move_hand_off", request, true, &MastodonErrors).await)
}

/// Deletes a held status; `false` when the server no longer holds it.
pub async fn delete(
    http: &PublishHttp,
    instance: &Instance,
    token: &str,
    id: &str,
) -> Result<bool, ProviderError> {
    let request = http
        .inner()
        .delete(instance.url(&format!("/api/v1/scheduled_statuses/{id}")))
        .bearer_auth(token);
    held(http.checked("cancel_hand_off", request, true, &MastodonErrors).await)
}

/// A 404 on a held status: the server no longer holds it.
fn held<T>(answer: Result<T, ProviderError>) -> Result<bool, ProviderError> {
    match answer {
        Ok(_) => Ok(true),
        Err(e) if e.http_status == Some(404) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Every status the server holds for the account, paging back with `max_id`.
pub async fn list(
    http: &PublishHttp,
    instance: &Instance,
    token: &str,
) -> Result<Vec<HeldPost>, ProviderError> {
    let mut found: Vec<HeldPost> = Vec::new();
    let mut max_id: Option<String> = None;
    loop {
        let request = instance.page(http, "/api/v1/scheduled_statuses", token, max_id.take());
        let page: Vec<ScheduledStatus> =
            http.json("list_held", request, true, &MastodonErrors).await?;
        let full = page.len() == PAGE;
        let before = found.len();
        for status in page {
            if !found.iter().any(|f| f.remote_id == status.id) {
                max_id = Some(status.id.clone());
                found.push(HeldPost {
                    remote_id: status.id,
                    at: status.scheduled_at,
                    text: status.params.text.unwrap_or_default(),
                });
            }
        }
        if !full || found.len() == before {
            return Ok(found);
        }
    }
}
