//! The reference API's limit on post creation: each key may create so many posts per hour
//! (Settings, default 30). Answers carry `X-RateLimit-Limit/Remaining/Reset`; beyond the limit,
//! 429 with `Retry-After`. Counted in memory per key, in one-hour windows from a key's first
//! post of the window.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use sipstory_engine::model::ApiKey;

use crate::ApiState;
use crate::error::{ApiError, ApiResult};

const WINDOW_SECS: i64 = 3600;

/// Counts per key in the current window.
#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, (DateTime<Utc>, u32)>>,
}

/// What the limiter decided for one request.
struct Decision {
    allowed: bool,
    limit: u32,
    remaining: u32,
    reset: DateTime<Utc>,
}

impl RateLimiter {
    fn take(&self, key_id: &str, limit: u32, now: DateTime<Utc>) -> Decision {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let window = windows.entry(key_id.to_owned()).or_insert((now, 0));
        if now >= window.0 + Duration::seconds(WINDOW_SECS) {
            *window = (now, 0);
        }
        let allowed = window.1 < limit;
        if allowed {
            window.1 += 1;
        }
        Decision {
            allowed,
            limit,
            remaining: limit.saturating_sub(window.1),
            reset: window.0 + Duration::seconds(WINDOW_SECS),
        }
    }
}

fn set_headers(headers: &mut HeaderMap, decision: &Decision) {
    let mut set = |name: &'static str, value: String| {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    };
    set("x-ratelimit-limit", decision.limit.to_string());
    set("x-ratelimit-remaining", decision.remaining.to_string());
    set("x-ratelimit-reset", decision.reset.timestamp().to_string());
}

/// Counts a post creation (`POST /posts`) against the request's key; other requests pass.
pub async fn limit_post_creation(
    State(state): State<ApiState>,
    request: Request,
    next: Next,
) -> ApiResult<Response> {
    let creates = request.method() == Method::POST
        && request
            .extensions()
            .get::<MatchedPath>()
            .is_some_and(|p| p.as_str().ends_with("/posts"));
    if !creates {
        return Ok(next.run(request).await);
    }
    let key_id = request
        .extensions()
        .get::<ApiKey>()
        .map(|k| k.id.clone())
        .ok_or_else(|| ApiError::unauthorized("No API Key found"))?;
    let limit = state.ops.settings()?.local_api.posts_per_hour;
    let now = Utc::now();
    let decision = state.limiter.take(&key_id, limit, now);
    let mut response = if decision.allowed {
        next.run(request).await
    } else {
        let wait = (decision.reset - now).num_seconds().max(1);
        let mut response = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("This key may create {limit} posts per hour; try again in {wait} seconds."),
        )
        .into_response();
        response.headers_mut().insert("retry-after", HeaderValue::from(wait));
        response
    };
    set_headers(response.headers_mut(), &decision);
    Ok(response)
}
