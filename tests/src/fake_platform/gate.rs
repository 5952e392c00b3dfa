//! The middleware every request passes first: it logs the request, stamps its
//! arrival time, waits out the configured latency and applies pending faults.

use std::future::pending;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

use super::auth::bearer_token;
use super::error::ApiError;
use super::model::Fault;
use super::server::ConnectionKill;
use super::state::Shared;

/// When a request's headers arrived, for the handlers that record it.
#[derive(Debug, Clone, Copy)]
pub(super) struct ReceivedAt(pub(super) DateTime<Utc>);

pub(super) async fn gate(
    State(shared): State<Shared>,
    mut request: Request,
    next: Next,
) -> Response {
    let received_at = Utc::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let index = shared.with(|state| state.record_request(&method, &path, received_at));
    request.extensions_mut().insert(ReceivedAt(received_at));
    if path.starts_with("/api/") {
        let latency = shared.with(|state| state.latency());
        // Even a zero sleep waits for the timer's next tick: none unless a latency is set.
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
    }
    let response = match shared.with(|state| state.take_fault(&method, &path)) {
        Some(fault) => apply_fault(fault, &shared, request, next).await,
        None => next.run(request).await,
    };
    shared.with(|state| state.finish_request(index, response.status()));
    response
}

async fn apply_fault(fault: Fault, shared: &Shared, request: Request, next: Next) -> Response {
    match fault {
        Fault::Status { status, code, message, retry_after } => {
            injected_status(status, &code, message, retry_after)
        }
        Fault::Hang => pending().await,
        Fault::HangAfterRecord => {
            next.run(request).await;
            pending().await
        }
        Fault::DropAfterRecord => drop_after_handling(request, next).await,
        Fault::ExpireToken => {
            if let Some(token) = bearer_token(request.headers()) {
                shared.with(|state| state.expire_access(&token));
            }
            ApiError::invalid_token().into_response()
        }
    }
}

fn injected_status(
    status: u16,
    code: &str,
    message: String,
    retry_after: Option<String>,
) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    ApiError::new(status, code, message).with_retry_after(retry_after).into_response()
}

/// Handles the request, then has the connection closed before any response is written.
async fn drop_after_handling(request: Request, next: Next) -> Response {
    let kill = request
        .extensions()
        .get::<ConnectionKill>()
        .cloned()
        .expect("every connection is served by the fake's own accept loop");
    next.run(request).await;
    kill.drop_connection();
    pending().await
}
