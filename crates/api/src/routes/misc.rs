//! `/is-connected`, `/notifications` and the analytics endpoints (no platform Sipstory
//! publishes to reports analytics yet: they answer 501, never invented numbers).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::ApiState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::shapes::{Connected, Notification, NotificationPage, PageQuery};

const NOTIFICATIONS_PER_PAGE: u32 = 100;

/// Whether the key works.
#[utoipa::path(get, path = "/is-connected", tag = "Integrations",
    responses((status = 200, body = Connected), (status = 401, body = ErrorBody)))]
pub async fn is_connected() -> Json<Connected> {
    Json(Connected { connected: true })
}

/// Notifications, newest first, 100 per page.
#[utoipa::path(get, path = "/notifications", tag = "Notifications", params(PageQuery),
    responses((status = 200, body = NotificationPage), (status = 400, body = ErrorBody)))]
pub async fn notifications(
    State(state): State<ApiState>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<NotificationPage>> {
    let (found, total) = state.ops.notifications(query.page, NOTIFICATIONS_PER_PAGE)?;
    let shown = u64::from(query.page) * u64::from(NOTIFICATIONS_PER_PAGE) + found.len() as u64;
    Ok(Json(NotificationPage {
        notifications: found
            .into_iter()
            .map(|n| Notification {
                id: n.id,
                content: format!("{}: {}", n.title, n.body),
                link: n.link,
                created_at: n.created_at,
            })
            .collect(),
        total,
        page: query.page,
        limit: NOTIFICATIONS_PER_PAGE,
        has_more: shown < total,
    }))
}

fn analytics_unsupported() -> ApiError {
    ApiError::new(
        StatusCode::NOT_IMPLEMENTED,
        "not_supported",
        "Analytics are not supported yet for this platform.",
    )
}

/// A channel's analytics: not supported yet.
#[utoipa::path(get, path = "/analytics/{id}", tag = "Analytics",
    params(("id" = String, Path, description = "An integration id")),
    responses((status = 404, body = ErrorBody), (status = 501, body = ErrorBody)))]
pub async fn channel_analytics(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> ApiResult<Json<()>> {
    state.ops.account(&id)?;
    Err(analytics_unsupported())
}

/// A post's analytics: not supported yet.
#[utoipa::path(get, path = "/analytics/post/{id}", tag = "Analytics",
    params(("id" = String, Path, description = "A channel post id")),
    responses((status = 404, body = ErrorBody), (status = 501, body = ErrorBody)))]
pub async fn post_analytics(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> ApiResult<Json<()>> {
    state.ops.channel_post(&id)?;
    Err(analytics_unsupported())
}
