//! Every endpoint, collected with its OpenAPI description.

mod integrations;
mod misc;
mod posts;
mod uploads;

use axum::extract::DefaultBodyLimit;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::ApiState;

/// The largest body `/upload` accepts (the media library's limit plus the form's overhead).
const UPLOAD_BODY_BYTES: usize =
    sipstory_engine::media_library::MAX_FILE_BYTES as usize + 1024 * 1024;

pub fn router() -> OpenApiRouter<ApiState> {
    let uploads = OpenApiRouter::new()
        .routes(routes!(uploads::upload))
        .layer(DefaultBodyLimit::max(UPLOAD_BODY_BYTES));
    OpenApiRouter::new()
        .routes(routes!(misc::is_connected))
        .routes(routes!(integrations::list_integrations))
        .routes(routes!(integrations::delete_integration))
        .routes(routes!(integrations::integration_settings))
        .routes(routes!(integrations::find_slot))
        .routes(routes!(posts::list_posts, posts::create_post))
        .routes(routes!(posts::get_post, posts::update_post, posts::delete_post))
        .routes(routes!(posts::validate_post))
        .routes(routes!(posts::put_settings))
        .routes(routes!(posts::put_status))
        .routes(routes!(posts::retry_post))
        .routes(routes!(posts::missing_content))
        .routes(routes!(posts::put_release_id))
        .merge(uploads)
        .routes(routes!(uploads::upload_from_url))
        .routes(routes!(misc::notifications))
        .routes(routes!(misc::channel_analytics))
        .routes(routes!(misc::post_analytics))
}
