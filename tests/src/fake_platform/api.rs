//! The platform's route table and its account routes: token refresh, the
//! caller's profile, avatars, and JSON answers for unknown routes.

use axum::extract::rejection::FormRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::{Form, Json, Router, middleware};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::Caller;
use super::error::ApiError;
use super::gate::gate;
use super::media::upload_media;
use super::posts::{create_post, delete_post, list_posts};
use super::state::{ACCESS_TOKEN_LIFETIME, Shared};

/// A 1×1 transparent PNG, served for every avatar.
const AVATAR_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0b, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0x00, 0x02, 0x00,
    0x00, 0x05, 0x00, 0x01, 0x7a, 0x5e, 0xab, 0x3f, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44,
    0xae, 0x42, 0x60, 0x82,
];

pub(super) fn router(shared: Shared) -> Router {
    Router::new()
        .route("/oauth/token", post(refresh_token))
        .route("/api/me", get(me))
        .route("/api/media", post(upload_media).layer(DefaultBodyLimit::disable()))
        .route("/api/posts", post(create_post).get(list_posts))
        .route("/api/posts/{id}", delete(delete_post))
        .route("/avatars/{file}", get(avatar))
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(shared.clone(), gate))
        .with_state(shared)
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: String,
    refresh_token: Option<String>,
}

async fn refresh_token(
    State(shared): State<Shared>,
    form: Result<Form<TokenForm>, FormRejection>,
) -> Result<Json<Value>, ApiError> {
    let Form(form) = form.map_err(|rejection| ApiError::invalid_request(rejection.body_text()))?;
    if form.grant_type != "refresh_token" {
        let message = format!("Unsupported grant_type {:?}", form.grant_type);
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "unsupported_grant_type", message));
    }
    let presented =
        form.refresh_token.ok_or_else(|| ApiError::invalid_request("refresh_token is required"))?;
    let credentials = shared.with(|state| state.refresh(&presented)).ok_or_else(|| {
        let message = "The refresh token is invalid, revoked or already used";
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_grant", message)
    })?;
    Ok(Json(json!({
        "access_token": credentials.access_token,
        "refresh_token": credentials.refresh_token,
        "token_type": "Bearer",
        "expires_in": ACCESS_TOKEN_LIFETIME.as_secs(),
    })))
}

async fn me(State(shared): State<Shared>, caller: Caller) -> Result<Json<Value>, ApiError> {
    shared.with(|state| {
        let profile = state
            .profile(&caller.handle)
            .ok_or_else(|| ApiError::not_found("The account no longer exists"))?;
        Ok(Json(json!({
            "id": profile.id,
            "handle": profile.handle,
            "display_name": profile.display_name,
            "avatar_url": profile.avatar_url,
        })))
    })
}

async fn avatar() -> impl IntoResponse {
    ([(CONTENT_TYPE, "image/png")], AVATAR_PNG)
}

async fn unknown_route() -> ApiError {
    ApiError::not_found("No such route")
}

async fn method_not_allowed() -> ApiError {
    let message = "This route does not accept that method";
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", message)
}
