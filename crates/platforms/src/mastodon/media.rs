//! Media for a status: `POST /api/v2/media` (multipart `file`, alt text as `description`);
//! a 202 means the server is still processing it, so `GET /api/v1/media/:id` is polled
//! (206 = still processing) until the attachment has its `url`.

use std::time::Duration;

use reqwest::multipart;
use sipstory_engine::provider::http::file_part;
use sipstory_engine::provider::{ErrorKind, OutgoingMedia, ProviderError, PublishHttp};

use super::api::{MastodonErrors, MediaAttachment};
use super::instance::Instance;

/// The first wait between polls; it doubles up to [`POLL_MAX`].
const POLL_FIRST: Duration = Duration::from_millis(200);
const POLL_MAX: Duration = Duration::from_secs(3);
/// How long a server may take to process one file.
const PROCESSING_LIMIT: Duration = Duration::from_secs(300);

/// Uploads one file and returns its attachment id once the server has processed it.
pub async fn upload(
    http: &PublishHttp,
    instance: &Instance,
    token: &str,
    media: &OutgoingMedia,
) -> Result<String, ProviderError> {
    let name = media.path.file_name().and_then(|n| n.to_str()).unwrap_or("upload");
    let part = file_part(media, name).await?;
    let mut form = multipart::Form::new().part("file", part);
    if let Some(alt) = media.alt.as_ref().filter(|a| !a.trim().is_empty()) {
        form = form.text("description", alt.clone());
    }
    let request =
        http.inner().post(instance.url("/api/v2/media")).bearer_auth(token).multipart(form);
    // A lost answer leaves at most an unattached file on the server: safe to repeat.
    let response = http.checked("upload_media", request, true, &MastodonErrors).await?;
    let processing = response.status() == reqwest::StatusCode::ACCEPTED;
    let attachment: MediaAttachment = response.json().await.map_err(|e| {
        ProviderError::new(ErrorKind::Transient, format!("unreadable media answer: {e}"))
    })?;
    if !processing && attachment.url.is_some() {
        return Ok(attachment.id);
    }
    wait_processed(http, instance, token, &attachment.id).await
}

async fn wait_processed(
    http: &PublishHttp,
    instance: &Instance,
    token: &str,
    id: &str,
) -> Result<String, ProviderError> {
    let started = tokio::time::Instant::now();
    let mut wait = POLL_FIRST;
    loop {
        tokio::time::sleep(wait).await;
        let request =
            http.inner().get(instance.url(&format!("/api/v1/media/{id}"))).bearer_auth(token);
        let response = http.checked("media_status", request, true, &MastodonErrors).await?;
        if response.status() == reqwest::StatusCode::OK {
            let attachment: MediaAttachment = response.json().await.map_err(|e| {
                ProviderError::new(ErrorKind::Transient, format!("unreadable media answer: {e}"))
            })?;
            if attachment.url.is_some() {
                return Ok(attachment.id);
            }
        }
        if started.elapsed() > PROCESSING_LIMIT {
            return Err(ProviderError::new(
                ErrorKind::Transient,
                format!(
                    "{} is still processing the media after {} s",
                    instance.authority,
                    PROCESSING_LIMIT.as_secs()
                ),
            ));
        }
        wait = (wait * 2).min(POLL_MAX);
    }
}
