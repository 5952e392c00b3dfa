//! Sipstory's local Public API: the reference API's endpoints on 127.0.0.1, as a thin HTTP
//! layer over the engine's operations ([`sipstory_engine::ops::Operations`]). Every request
//! needs a key from Settings; POSTs honour `Idempotency-Key`; creating posts is rate limited.
//! The OpenAPI description is generated from the handlers and served at
//! `/api/public/v1/openapi.json`.

mod auth;
mod error;
mod extract;
mod idempotency;
mod openapi;
mod rate_limit;
mod routes;
mod server;
mod shapes;
mod supervisor;

use std::sync::Arc;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use sipstory_engine::ops::Operations;
use utoipa_axum::router::OpenApiRouter;

pub use error::ErrorBody;
pub use server::{ApiServer, StartError};
pub use supervisor::{LocalApi, LocalApiStatus};

/// Where every endpoint lives.
pub const BASE_PATH: &str = "/api/public/v1";
/// The port the reference API's self-hosted form uses.
pub const DEFAULT_PORT: u16 = 5000;

/// What every handler shares.
#[derive(Clone)]
pub struct ApiState {
    ops: Operations,
    limiter: Arc<rate_limit::RateLimiter>,
}

fn parts() -> (Router<ApiState>, utoipa::openapi::OpenApi) {
    let (router, mut spec) = OpenApiRouter::with_openapi(openapi::base())
        .nest(BASE_PATH, routes::router())
        .split_for_parts();
    openapi::add_common_errors(&mut spec);
    (router, spec)
}

/// The OpenAPI 3.1 description of the API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    parts().1
}

/// The API's router over `ops`: keys checked first, then idempotency, then the rate limit;
/// the OpenAPI description is public.
pub fn app(ops: Operations) -> Router {
    let state = ApiState { ops, limiter: Arc::default() };
    let (routes, spec) = parts();
    let spec = Arc::new(spec);
    routes
        .route_layer(from_fn_with_state(state.clone(), rate_limit::limit_post_creation))
        .route_layer(from_fn_with_state(state.clone(), idempotency::idempotent))
        .route_layer(from_fn_with_state(state.clone(), auth::require_key))
        .route(
            &format!("{BASE_PATH}/openapi.json"),
            get(move || {
                let spec = spec.clone();
                async move { axum::Json(spec.as_ref().clone()) }
            }),
        )
        .with_state(state)
}
