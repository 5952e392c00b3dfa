//! Statuses: creating one (text, media, reply, the post's settings, `Idempotency-Key`),
//! deleting one, and listing the account's recent ones to reconcile a lost answer.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use sipstory_engine::provider::{
    ErrorKind, OutgoingItem, ProviderError, PublishHttp, PublishedItem, RemotePost,
};

use super::api::{MastodonErrors, Status};
use super::instance::{Instance, PAGE};

/// The per-post settings (validated against the rules' schema before they get here).
#[derive(Debug, Default, Deserialize)]
pub struct PostSettings {
    pub visibility: Option<String>,
    pub spoiler_text: Option<String>,
    pub sensitive: Option<bool>,
    pub language: Option<String>,
}

impl PostSettings {
    pub fn of(settings: &Value) -> Result<Self, ProviderError> {
        if settings.is_null() {
            return Ok(Self::default());
        }
        serde_json::from_value(settings.clone()).map_err(|e| {
            ProviderError::new(ErrorKind::Permanent, format!("invalid Mastodon settings: {e}"))
        })
    }
}

/// The JSON body of `POST /api/v1/statuses` for one thread item.
pub fn status_body(item: &OutgoingItem<'_>, media_ids: &[String]) -> Result<Value, ProviderError> {
    let settings = PostSettings::of(item.settings)?;
    let mut body = json!({ "status": item.text });
    if !media_ids.is_empty() {
        body["media_ids"] = json!(media_ids);
    }
    if let Some(parent) = item.reply_to {
        body["in_reply_to_id"] = json!(parent.remote_id);
    }
    if let Some(visibility) = settings.visibility {
        body["visibility"] = json!(visibility);
    }
    if let Some(spoiler) = settings.spoiler_text.filter(|s| !s.trim().is_empty()) {
        body["spoiler_text"] = json!(spoiler);
    }
    if let Some(sensitive) = settings.sensitive {
        body["sensitive"] = json!(sensitive);
    }
    if let Some(language) = settings.language {
        body["language"] = json!(language);
    }
    Ok(body)
}

/// `POST /api/v1/statuses` with `body`; the idempotency key makes a retried create safe while
/// the server keeps it.
pub fn create_request(
    http: &PublishHttp,
    instance: &Instance,
    token: &str,
    body: &Value,
    idempotency_key: &str,
) -> reqwest::RequestBuilder {
    http.inner()
        .post(instance.url("/api/v1/statuses"))
        .bearer_auth(token)
        .header("Idempotency-Key", idempotency_key)
        .json(body)
}

/// Posts a status to be published now.
pub async fn create(
    http: &PublishHttp,
    instance: &Instance,
    token: &str,
    body: &Value,
    idempotency_key: &str,
) -> Result<PublishedItem, ProviderError> {
    let request = create_request(http, instance, token, body, idempotency_key);
    let status: Status = http.json("publish", request, false, &MastodonErrors).await?;
    Ok(published(status))
}

/// A published status as the engine records it.
pub fn published(status: Status) -> PublishedItem {
    PublishedItem {
        remote_id: status.id,
        url: Some(status.url.unwrap_or(status.uri)),
        extra: Value::Null,
    }
}

/// Deletes a status; one already gone counts as deleted.
pub async fn delete(
    http: &PublishHttp,
    instance: &Instance,
    token: &str,
    id: &str,
) -> Result<(), ProviderError> {
    let request =
        http.inner().delete(instance.url(&format!("/api/v1/statuses/{id}"))).bearer_auth(token);
    match http.checked("delete", request, true, &MastodonErrors).await {
        Err(e) if e.http_status == Some(404) => Ok(()),
        other => other.map(|_| ()),
    }
}

/// The account's statuses since `since`, newest first, paging back with `max_id`.
pub async fn recent(
    http: &PublishHttp,
    instance: &Instance,
    token: &str,
    account_id: &str,
    since: DateTime<Utc>,
) -> Result<Vec<RemotePost>, ProviderError> {
    let mut found = Vec::new();
    let mut max_id: Option<String> = None;
    loop {
        let path = format!("/api/v1/accounts/{account_id}/statuses");
        let request = instance.page(http, &path, token, max_id.take());
        let page: Vec<Status> = http.json("list_recent", request, true, &MastodonErrors).await?;
        let full = page.len() == PAGE;
        let reached_since = page.last().is_some_and(|s| s.created_at < since);
        max_id = page.last().map(|s| s.id.clone());
        found.extend(page.into_iter().filter(|s| s.created_at >= since).map(|s| RemotePost {
            text: html_to_text(&s.content),
            url: Some(s.url.unwrap_or(s.uri)),
            remote_id: s.id,
            created_at: Some(s.created_at),
            extra: Value::Null,
        }));
        if !full || reached_since || max_id.is_none() {
            return Ok(found);
        }
    }
}

/// The plain text of a status's HTML `content` (paragraphs and line breaks kept as
/// whitespace, tags dropped, entities decoded).
pub fn html_to_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            rest = "";
            break;
        };
        let tag = rest[start + 1..start + end].trim().to_ascii_lowercase();
        if tag.starts_with("br") {
            text.push('\n');
        } else if tag == "/p" {
            text.push_str("\n\n");
        }
        rest = &rest[start + end + 1..];
    }
    text.push_str(rest);
    html_escape::decode_html_entities(text.trim()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_html_becomes_the_text_we_sent() {
        let html = "<p>Tom &amp; Jerry <a href=\"https://x.org/tags/cats\" class=\"mention hashtag\">#<span>cats</span></a></p><p>line<br />two &lt;3 &#39;q&#39;</p>";
        assert_eq!(html_to_text(html), "Tom & Jerry #cats\n\nline\ntwo <3 'q'");
    }
}
