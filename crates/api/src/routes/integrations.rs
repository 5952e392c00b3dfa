//! `/integrations`, `/integration-settings` and `/find-slot`: the connected channels, their
//! rules and their next free posting slot.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::ApiState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::shapes::{
    Deleted, DisconnectQuery, Integration, IntegrationRules, IntegrationSettings, Slot,
};

/// The connected channels.
#[utoipa::path(get, path = "/integrations", tag = "Integrations",
    responses((status = 200, body = Vec<Integration>)))]
pub async fn list_integrations(State(state): State<ApiState>) -> ApiResult<Json<Vec<Integration>>> {
    Ok(Json(state.ops.accounts()?.into_iter().map(Integration::from).collect()))
}

/// Disconnects a channel: takes back what its server holds, forgets its secrets and posts.
#[utoipa::path(delete, path = "/integrations/{id}", tag = "Integrations",
    params(("id" = String, Path, description = "An integration id"), DisconnectQuery),
    responses((status = 200, body = Deleted), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_integration(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<DisconnectQuery>,
) -> ApiResult<Json<Deleted>> {
    state.ops.remove_account(&id, query.leave_held).await?;
    Ok(Json(Deleted { deleted: true }))
}

/// A channel's rules: text length, media, and the JSON Schema of its per-post settings.
#[utoipa::path(get, path = "/integration-settings/{id}", tag = "Integrations",
    params(("id" = String, Path, description = "An integration id")),
    responses((status = 200, body = IntegrationSettings), (status = 404, body = ErrorBody)))]
pub async fn integration_settings(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> ApiResult<Json<IntegrationSettings>> {
    let account = state.ops.account(&id)?;
    let rules = state.ops.rules(&account.platform).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unsupported_platform",
            format!("Sipstory does not know the platform '{}'.", account.platform),
        )
    })?;
    let settings = if rules.settings_schema.is_null() {
        serde_json::Value::from("No additional settings required")
    } else {
        rules.settings_schema.clone()
    };
    let mut summary = match rules.max_length {
        Some(max) => format!("{}: up to {max} characters per post", rules.platform_name),
        None => format!("{}: no length limit", rules.platform_name),
    };
    summary.push_str(&format!("; up to {} media files per post", rules.media.max_items));
    if rules.requires_media {
        summary.push_str("; every post needs at least one media file");
    }
    summary.push('.');
    Ok(Json(IntegrationSettings {
        output: IntegrationRules {
            rules: summary,
            max_length: rules.max_length,
            settings,
            tools: Vec::new(),
            media: serde_json::to_value(&rules.media).unwrap_or_default(),
        },
    }))
}

/// The channel's next free posting slot (from its time slots, within 60 days).
#[utoipa::path(get, path = "/find-slot/{id}", tag = "Integrations",
    params(("id" = String, Path, description = "An integration id")),
    responses((status = 200, body = Slot), (status = 404, body = ErrorBody)))]
pub async fn find_slot(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Slot>> {
    let at = state.ops.next_free_slot(&id, None)?.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "no_free_slot",
            "This channel has no free time slot in the next 60 days; add time slots in its settings.",
        )
    })?;
    Ok(Json(Slot { date: at.format("%Y-%m-%dT%H:%M:00").to_string() }))
}
