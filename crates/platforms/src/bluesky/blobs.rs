//! Uploading images as blobs to the account's PDS, with Bluesky's size limit checked before
//! any byte is sent.

use sipstory_engine::provider::{ErrorKind, OutgoingMedia, ProviderError, PublishContext};

use super::records::Uploaded;
use super::xrpc;

/// The largest image blob `app.bsky.embed.images` accepts.
pub const MAX_IMAGE_BYTES: usize = 1_000_000;

/// Reads and uploads one image of a post; refuses, without uploading, one that is not an
/// image or is over the limit.
pub async fn upload_media(
    cx: &PublishContext<'_>,
    token: &str,
    media: &OutgoingMedia,
) -> Result<serde_json::Value, ProviderError> {
    if !media.mime.starts_with("image/") {
        return Err(ProviderError::new(
            ErrorKind::Permanent,
            format!("Bluesky posts from Sipstory take images only, not {}.", media.mime),
        )
        .with_code("media_type"));
    }
    let bytes = tokio::fs::read(&media.path).await.map_err(|e| {
        ProviderError::new(ErrorKind::Permanent, format!("could not read the media file: {e}"))
            .with_code("media_missing")
    })?;
    upload(cx, token, bytes, &media.mime).await
}

/// Uploads bytes of an image type, refusing more than [`MAX_IMAGE_BYTES`] before sending.
pub async fn upload(
    cx: &PublishContext<'_>,
    token: &str,
    bytes: Vec<u8>,
    mime: &str,
) -> Result<serde_json::Value, ProviderError> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(ProviderError::new(
            ErrorKind::Permanent,
            format!(
                "An image is {} bytes; Bluesky takes at most {MAX_IMAGE_BYTES} bytes per image.",
                bytes.len()
            ),
        )
        .with_code("media_too_large"));
    }
    let pds = xrpc::pds(cx.account)?;
    let request = cx
        .http
        .inner()
        .post(xrpc::url(pds, "com.atproto.repo.uploadBlob"))
        .bearer_auth(token)
        .header(reqwest::header::CONTENT_TYPE, mime)
        .body(bytes);
    // A blob is addressed by its content: uploading it again is harmless.
    let uploaded: Uploaded = xrpc::call(cx.http, "upload_blob", request, true).await?;
    Ok(uploaded.blob)
}
