//! The post routes: create (`POST /api/posts`, strict JSON), list
//! (`GET /api/posts?since=&limit=&max_id=`, newest first, paged Mastodon-style: `max_id` returns only older posts) and delete.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::Caller;
use super::error::ApiError;
use super::gate::ReceivedAt;
use super::model::AcceptedPost;
use super::state::{PostRequest, Shared};

/// The longest text a post may have, in Unicode scalar values.
pub const MAX_TEXT_CHARS: usize = 500;

const DEFAULT_LIST_LIMIT: usize = 50;
const MAX_LIST_LIMIT: usize = 100;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewPost {
    text: String,
    #[serde(default)]
    media_ids: Option<Vec<String>>,
    #[serde(default)]
    reply_to: Option<String>,
}

pub(super) async fn create_post(
    State(shared): State<Shared>,
    caller: Caller,
    Extension(ReceivedAt(received_at)): Extension<ReceivedAt>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let post = parse_new_post(&headers, &body)?;
    let media_ids = post.media_ids.unwrap_or_default();
    check_content(&post.text, &media_ids)?;
    let request = PostRequest {
        text: post.text,
        media_ids,
        reply_to: post.reply_to,
        idempotency_key: idempotency_key(&headers)?,
        received_at,
    };
    let accepted = shared.with(|state| state.accept_post(&caller.handle, request))?;
    let body = json!({"id": accepted.id, "url": accepted.url});
    Ok((StatusCode::CREATED, Json(body)))
}

fn parse_new_post(headers: &HeaderMap, body: &[u8]) -> Result<NewPost, ApiError> {
    let content_type = headers.get(CONTENT_TYPE).and_then(|value| value.to_str().ok());
    if !content_type.is_some_and(|value| value.starts_with("application/json")) {
        return Err(ApiError::invalid_request("Content-Type must be application/json"));
    }
    serde_json::from_slice(body)
        .map_err(|error| ApiError::invalid_request(format!("Invalid post JSON: {error}")))
}

fn check_content(text: &str, media_ids: &[String]) -> Result<(), ApiError> {
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    if text.trim().is_empty() && media_ids.is_empty() {
        return Err(ApiError::new(status, "empty_post", "A post needs text or media"));
    }
    let length = text.chars().count();
    if length > MAX_TEXT_CHARS {
        let message = format!("Text is {length} characters; the limit is {MAX_TEXT_CHARS}");
        return Err(ApiError::new(status, "text_too_long", message));
    }
    Ok(())
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    headers
        .get("idempotency-key")
        .map(|value| value.to_str().map(str::to_owned))
        .transpose()
        .map_err(|_| ApiError::invalid_request("Idempotency-Key must be visible ASCII"))
}

#[derive(Deserialize)]
pub(super) struct ListQuery {
    since: Option<String>,
    limit: Option<usize>,
    max_id: Option<String>,
}

pub(super) async fn list_posts(
    State(shared): State<Shared>,
    caller: Caller,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(query) =
        query.map_err(|rejection| ApiError::invalid_request(rejection.body_text()))?;
    let since = query.since.as_deref().map(parse_since).transpose()?;
    let limit = list_limit(query.limit)?;
    let max_id = query.max_id.as_deref().map(parse_id).transpose()?;
    let posts = shared.with(|state| state.list_posts(&caller.handle, since, max_id, limit));
    let posts: Vec<Value> = posts.iter().map(post_view).collect();
    Ok(Json(json!({ "posts": posts })))
}

fn parse_id(id: &str) -> Result<u64, ApiError> {
    id.parse().map_err(|_| ApiError::invalid_request(format!("`max_id` is not a post id: {id}")))
}

fn parse_since(since: &str) -> Result<DateTime<Utc>, ApiError> {
    DateTime::parse_from_rfc3339(since)
        .map(|since| since.with_timezone(&Utc))
        .map_err(|error| ApiError::invalid_request(format!("`since` is not RFC 3339: {error}")))
}

fn list_limit(limit: Option<usize>) -> Result<usize, ApiError> {
    match limit.unwrap_or(DEFAULT_LIST_LIMIT) {
        limit @ 1..=MAX_LIST_LIMIT => Ok(limit),
        other => {
            let message = format!("`limit` must be between 1 and {MAX_LIST_LIMIT}, not {other}");
            Err(ApiError::invalid_request(message))
        }
    }
}

fn post_view(post: &AcceptedPost) -> Value {
    json!({
        "id": post.id,
        "url": post.url,
        "text": post.text,
        "reply_to": post.reply_to,
        "media_ids": post.media_ids,
        "created_at": post.created_at,
    })
}

pub(super) async fn delete_post(
    State(shared): State<Shared>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if shared.with(|state| state.delete_post(&caller.handle, &id)) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!("Post {id} does not exist")))
    }
}
