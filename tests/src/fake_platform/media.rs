//! `POST /api/media`: a strict multipart upload of one `file` part and an
//! optional `alt` part, limited to 5 MiB of image or video.

use axum::Json;
use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::auth::Caller;
use super::error::ApiError;
use super::state::{MediaUpload, Shared};

/// The largest upload the platform accepts.
pub const MAX_MEDIA_BYTES: u64 = 5 * 1024 * 1024;

pub(super) async fn upload_media(
    State(shared): State<Shared>,
    caller: Caller,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let multipart =
        multipart.map_err(|rejection| ApiError::invalid_request(rejection.body_text()))?;
    let upload = read_upload(multipart).await?;
    check_upload(&upload)?;
    let media = shared.with(|state| state.accept_media(&caller.handle, upload));
    let body = json!({"media_id": media.id, "size": media.size, "mime": media.mime});
    Ok((StatusCode::CREATED, Json(body)))
}

async fn read_upload(mut multipart: Multipart) -> Result<MediaUpload, ApiError> {
    let mut file = None;
    let mut alt = None;
    while let Some(field) = multipart.next_field().await.map_err(malformed)? {
        match field.name() {
            Some("file") if file.is_none() => file = Some(read_file(field).await?),
            Some("alt") if alt.is_none() => alt = Some(field.text().await.map_err(malformed)?),
            name => {
                let message = format!("Unexpected or repeated multipart part {name:?}");
                return Err(ApiError::invalid_request(message));
            }
        }
    }
    let (size, mime) =
        file.ok_or_else(|| ApiError::invalid_request("The multipart part `file` is required"))?;
    Ok(MediaUpload { size, mime, alt })
}

/// Reads the whole `file` part, counting its bytes, and returns its size and type.
async fn read_file(mut field: Field<'_>) -> Result<(u64, String), ApiError> {
    let mime = field
        .content_type()
        .ok_or_else(|| ApiError::invalid_request("The `file` part needs a Content-Type"))?
        .to_owned();
    let mut size = 0;
    while let Some(chunk) = field.chunk().await.map_err(malformed)? {
        size += chunk.len() as u64;
    }
    Ok((size, mime))
}

fn check_upload(upload: &MediaUpload) -> Result<(), ApiError> {
    if upload.size > MAX_MEDIA_BYTES {
        let message = format!("Media is {} bytes; the limit is {MAX_MEDIA_BYTES}", upload.size);
        return Err(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "media_too_large", message));
    }
    if !(upload.mime.starts_with("image/") || upload.mime.starts_with("video/")) {
        let message = format!("Media type {} is not an image or a video", upload.mime);
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return Err(ApiError::new(status, "unsupported_media_type", message));
    }
    Ok(())
}

fn malformed(error: MultipartError) -> ApiError {
    ApiError::invalid_request(error.body_text())
}
