//! `Idempotency-Key` on POST requests: the first response to a key (per API key, for 24 hours,
//! kept in SQLite so it survives a restart) is answered again to a retry of the same request,
//! which creates nothing new. The same key with a different request is refused (422); a retry
//! while the first is still being answered gets 409. Errors worth retrying (429, 5xx) are
//! not kept, so the retry runs.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};
use sipstory_engine::model::{ApiKey, IdempotencyClaim};

use crate::ApiState;
use crate::error::{ApiError, ApiResult};

pub const HEADER: &str = "idempotency-key";
/// Set on a response that repeats the first answer to a key.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
/// The largest JSON body of an idempotent request, and of a kept response.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

fn too_large() -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "The request body is too large.")
}

/// Answers a repeated POST from its first response, or runs it and keeps the response.
/// Uploads are left alone: the media library stores identical files once anyway.
pub async fn idempotent(
    State(state): State<ApiState>,
    request: Request,
    next: Next,
) -> ApiResult<Response> {
    let multipart = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/"));
    let key = match request.headers().get(HEADER) {
        Some(key) if request.method() == Method::POST && !multipart => key,
        _ => return Ok(next.run(request).await),
    };
    let key = key
        .to_str()
        .map_err(|_| ApiError::invalid("Idempotency-Key", "The Idempotency-Key must be ASCII."))?
        .to_owned();
    let api_key = request
        .extensions()
        .get::<ApiKey>()
        .cloned()
        .ok_or_else(|| ApiError::unauthorized("No API Key found"))?;
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| too_large())?;
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str());
    hasher.update(parts.uri.path());
    hasher.update(&bytes);
    let hash = hex::encode(hasher.finalize());
    match state.ops.claim_idempotency_key(&api_key.id, &key, &hash)? {
        IdempotencyClaim::Claimed => {}
        IdempotencyClaim::Replay { status, body } => return Ok(replay(status, body)),
        IdempotencyClaim::InProgress => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "idempotency_in_progress",
                "A request with this Idempotency-Key is still being answered.",
            )
            .with_param("Idempotency-Key"));
        }
        IdempotencyClaim::Mismatch => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_mismatch",
                "This Idempotency-Key was used for a different request in the last 24 hours.",
            )
            .with_param("Idempotency-Key"));
        }
    }
    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let status = response.status();
    if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        state.ops.release_idempotency_key(&api_key.id, &key)?;
        return Ok(response);
    }
    let (parts, body) = response.into_parts();
    let bytes = to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| too_large())?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    state.ops.record_idempotent_response(&api_key.id, &key, status.as_u16(), &text)?;
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

fn replay(status: u16, body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    response
}
