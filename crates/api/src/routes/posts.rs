//! `/posts`: list, read, create, edit, validate, delete and settle channel posts. An `{id}` is
//! a channel post's id (one account of a post), as `POST /posts` answers it.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use sipstory_engine::model::TargetState;

use crate::ApiState;
use crate::error::{ApiError, ApiResult, ErrorBody, ViolationBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::shapes::{
    ChannelPost, CreatePost, Created, Deleted, PostDetail, PostList, PostsQuery, ReleaseIdBody,
    RemoteCandidate, SettingsBody, SettingsSaved, StatusBody, StatusChange, StatusSaved,
    Validation,
};

/// Channel posts due in a window.
#[utoipa::path(get, path = "/posts", tag = "Posts", params(PostsQuery),
    responses((status = 200, body = PostList), (status = 400, body = ErrorBody)))]
pub async fn list_posts(
    State(state): State<ApiState>,
    ApiQuery(query): ApiQuery<PostsQuery>,
) -> ApiResult<Json<PostList>> {
    let status = query
        .status
        .as_deref()
        .map(|s| {
            TargetState::parse(s).ok_or_else(|| {
                ApiError::invalid(
                    "status",
                    "status is one of draft, scheduled, publishing, unconfirmed, published, failed, missed.",
                )
            })
        })
        .transpose()?;
    let found = state.ops.channel_posts(
        query.start_date,
        query.end_date,
        status,
        query.integration.as_deref(),
    )?;
    Ok(Json(PostList { posts: found.iter().map(|(p, t)| ChannelPost::of(p, t)).collect() }))
}

/// A channel post's whole post: every channel with its status, error and links.
#[utoipa::path(get, path = "/posts/{id}", tag = "Posts",
    params(("id" = String, Path, description = "A channel post id")),
    responses((status = 200, body = PostDetail), (status = 404, body = ErrorBody)))]
pub async fn get_post(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> ApiResult<Json<PostDetail>> {
    let (post, _) = state.ops.channel_post(&id)?;
    Ok(Json(PostDetail::from(&post)))
}

/// Creates a post for one or more channels (a draft, scheduled, or published now).
#[utoipa::path(post, path = "/posts", tag = "Posts", request_body = CreatePost,
    params(("Idempotency-Key" = Option<String>, Header,
        description = "Repeats the first answer to this key for 24 hours")),
    responses((status = 201, body = Vec<Created>), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn create_post(
    State(state): State<ApiState>,
    ApiJson(body): ApiJson<CreatePost>,
) -> ApiResult<(StatusCode, Json<Vec<Created>>)> {
    let saved = state.ops.create_post(body.to_input()?)?;
    Ok((StatusCode::CREATED, Json(Created::all(&saved.post))))
}

/// Replaces the content, channels and time of a channel post's whole post.
#[utoipa::path(put, path = "/posts/{id}", tag = "Posts", request_body = CreatePost,
    params(("id" = String, Path, description = "A channel post id")),
    responses((status = 200, body = PostDetail), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_post(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CreatePost>,
) -> ApiResult<Json<PostDetail>> {
    let (post, _) = state.ops.channel_post(&id)?;
    let saved = state.ops.update_post(&post.id, body.to_input()?)?;
    Ok(Json(PostDetail::from(&saved.post)))
}

/// Checks a post against every channel's rules like the composer does, saving nothing.
#[utoipa::path(post, path = "/posts/validate", tag = "Posts", request_body = CreatePost,
    responses((status = 200, body = Validation), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn validate_post(
    State(state): State<ApiState>,
    ApiJson(body): ApiJson<CreatePost>,
) -> ApiResult<Json<Validation>> {
    let violations = state.ops.validate_post(&body.to_input()?)?;
    Ok(Json(Validation {
        valid: violations.is_empty(),
        errors: violations.into_iter().map(ViolationBody::from).collect(),
    }))
}

/// Removes a channel from its post (the post goes with its last channel). Nothing is deleted
/// from the platform.
#[utoipa::path(delete, path = "/posts/{id}", tag = "Posts",
    params(("id" = String, Path, description = "A channel post id")),
    responses((status = 200, body = Deleted), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn delete_post(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Deleted>> {
    state.ops.remove_channel_post(&id)?;
    Ok(Json(Deleted { deleted: true }))
}

/// Replaces a channel post's per-platform settings.
#[utoipa::path(put, path = "/posts/{id}/settings", tag = "Posts", request_body = SettingsBody,
    params(("id" = String, Path, description = "A channel post id")),
    responses((status = 200, body = SettingsSaved), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn put_settings(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SettingsBody>,
) -> ApiResult<Json<SettingsSaved>> {
    let mut settings = body.settings;
    settings.remove("__type");
    let (post, target) =
        state.ops.set_channel_settings(&id, serde_json::Value::Object(settings))?;
    Ok(Json(SettingsSaved { post_id: target.id, publish_date: post.scheduled_at }))
}

/// Turns a post into a draft, or schedules a draft at its planned time.
#[utoipa::path(put, path = "/posts/{id}/status", tag = "Posts", request_body = StatusBody,
    params(("id" = String, Path, description = "A channel post id")),
    responses((status = 200, body = StatusSaved), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn put_status(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<StatusBody>,
) -> ApiResult<Json<StatusSaved>> {
    let (post, _) = state.ops.channel_post(&id)?;
    state.ops.set_draft(&post.id, matches!(body.status, StatusChange::Draft))?;
    let (post, target) = state.ops.channel_post(&id)?;
    Ok(Json(StatusSaved { state: ChannelPost::of(&post, &target).state, id }))
}

/// Publishes the post's failed channels again (only those).
#[utoipa::path(post, path = "/posts/{id}/retry", tag = "Posts",
    params(("id" = String, Path, description = "A channel post id")),
    responses((status = 200, body = PostDetail), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn retry_post(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> ApiResult<Json<PostDetail>> {
    let (post, _) = state.ops.channel_post(&id)?;
    let post = state.ops.retry_failed(&post.id)?;
    Ok(Json(PostDetail::from(&post)))
}

/// The platform's recent posts, to find the id of a post whose `releaseId` is `"missing"`;
/// empty when the platform cannot list them.
#[utoipa::path(get, path = "/posts/{id}/missing", tag = "Posts",
    params(("id" = String, Path, description = "A channel post id")),
    responses((status = 200, body = Vec<RemoteCandidate>), (status = 404, body = ErrorBody),
        (status = 502, body = ErrorBody)))]
pub async fn missing_content(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<RemoteCandidate>>> {
    let found = state.ops.missing_candidates(&id).await?;
    Ok(Json(found.into_iter().map(|r| RemoteCandidate { id: r.remote_id, url: r.url }).collect()))
}

/// Records the platform's id of a post whose `releaseId` is `"missing"`.
#[utoipa::path(put, path = "/posts/{id}/release-id", tag = "Posts", request_body = ReleaseIdBody,
    params(("id" = String, Path, description = "A channel post id")),
    responses((status = 200, body = ChannelPost), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn put_release_id(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReleaseIdBody>,
) -> ApiResult<Json<ChannelPost>> {
    let release_id = body.release_id.trim();
    if release_id.is_empty() {
        return Err(ApiError::invalid("releaseId", "releaseId is required."));
    }
    let post = state.ops.confirm_published(&id, release_id, body.release_url)?;
    let target =
        post.targets.iter().find(|t| t.id == id).ok_or_else(|| {
            ApiError::new(StatusCode::NOT_FOUND, "not_found", "post does not exist")
        })?;
    Ok(Json(ChannelPost::of(&post, target)))
}
