//! `/upload`: a multipart `file` streamed to a temporary file, then stored in the media
//! library (type sniffed from the content, sizes checked by the operations layer);
//! `/upload-from-url`: the same from a public address, downloaded by the operations layer.

use std::io::Write;

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use sipstory_engine::media_library::MAX_FILE_BYTES;

use crate::ApiState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::shapes::{UploadForm, UploadFromUrl, Uploaded};

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    let status = e.status();
    let code = if status == StatusCode::PAYLOAD_TOO_LARGE { "too_large" } else { "invalid_input" };
    ApiError::new(status, code, e.body_text()).with_param("file")
}

fn io_error(e: std::io::Error) -> ApiError {
    tracing::error!(error = %e, "could not buffer an upload");
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Could not receive the file.")
}

/// Uploads a media file.
#[utoipa::path(post, path = "/upload", tag = "Uploads",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Uploaded), (status = 400, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub async fn upload(
    State(state): State<ApiState>,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<Uploaded>)> {
    let mut form = form.map_err(|e| {
        ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", e.body_text())
    })?;
    let mut file: Option<(tempfile::NamedTempFile, String)> = None;
    let mut alt = None;
    while let Some(mut field) = form.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("file") => {
                let name = field.file_name().unwrap_or("upload").to_owned();
                let mut temp = tempfile::NamedTempFile::new().map_err(io_error)?;
                let mut size = 0u64;
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    size += chunk.len() as u64;
                    if size > MAX_FILE_BYTES {
                        return Err(ApiError::new(
                            StatusCode::PAYLOAD_TOO_LARGE,
                            "too_large",
                            "Files can be at most 1 GB.",
                        )
                        .with_param("file"));
                    }
                    temp.write_all(&chunk).map_err(io_error)?;
                }
                file = Some((temp, name));
            }
            Some("alt") => alt = Some(field.text().await.map_err(multipart_error)?),
            _ => {}
        }
    }
    let (temp, name) = file
        .ok_or_else(|| ApiError::invalid("file", "Send the file in a multipart field 'file'."))?;
    let alt = alt.map(|a| a.trim().to_owned()).filter(|a| !a.is_empty());
    let media = state.ops.upload_media_file(temp.path(), &name, alt).await?;
    Ok((StatusCode::CREATED, Json(Uploaded::from(media))))
}

/// Downloads a media file from a public http(s) address (never this machine or its network,
/// also after redirects).
#[utoipa::path(post, path = "/upload-from-url", tag = "Uploads", request_body = UploadFromUrl,
    responses((status = 201, body = Uploaded), (status = 400, body = ErrorBody),
        (status = 413, body = ErrorBody)))]
pub async fn upload_from_url(
    State(state): State<ApiState>,
    ApiJson(body): ApiJson<UploadFromUrl>,
) -> ApiResult<(StatusCode, Json<Uploaded>)> {
    let alt = body.alt.map(|a| a.trim().to_owned()).filter(|a| !a.is_empty());
    let media = state.ops.import_media_from_url(&body.url, alt).await?;
    Ok((StatusCode::CREATED, Json(Uploaded::from(media))))
}
