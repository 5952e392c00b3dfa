//! API keys on every request: `Authorization: <key>` as the reference API sends it, or
//! `Bearer <key>`. The key found is put in the request's extensions for later layers.

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::Response;

use crate::ApiState;
use crate::error::{ApiError, ApiResult};

/// Checks the request's key, answering 401 without one.
pub async fn require_key(
    State(state): State<ApiState>,
    mut request: Request,
    next: Next,
) -> ApiResult<Response> {
    let header = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::unauthorized("No API Key found"))?;
    let secret = header.strip_prefix("Bearer ").map(str::trim).unwrap_or(header);
    let key = state.ops.authenticate_api_key(secret)?;
    request.extensions_mut().insert(key);
    Ok(next.run(request).await)
}
