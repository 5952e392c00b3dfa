//! The one-shot loopback listener of RFC 8252 §7.3: an HTTP server on `127.0.0.1` (an
//! ephemeral port unless the platform needs a fixed one) that waits for the browser's redirect
//! to `/callback`, checks its `state`, answers the tab with a page in words and hands the
//! outcome over exactly once, then stops.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use tokio::sync::{Notify, oneshot};

use super::OAuthError;

/// The path the platform redirects the browser to.
pub const CALLBACK_PATH: &str = "/callback";

/// What the browser brought back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    /// The user allowed access: the authorization code to exchange.
    Code(String),
    /// The platform answered with an error (`access_denied` when the user said no).
    Refused { error: String, description: Option<String> },
}

/// A listening callback server; dropping it stops the server.
pub struct Listener {
    pub redirect_uri: String,
    pub outcome: oneshot::Receiver<Callback>,
    stop: Arc<Notify>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.notify_one();
    }
}

struct Shared {
    expected_state: String,
    outcome: Mutex<Option<oneshot::Sender<Callback>>>,
    stop: Arc<Notify>,
}

/// Binds `127.0.0.1:port` (`0` = any free port) and serves until one valid callback arrived,
/// the listener is dropped, or `lifetime` passed.
pub async fn listen(
    port: u16,
    expected_state: String,
    lifetime: Duration,
) -> Result<Listener, OAuthError> {
    let socket = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        .await
        .map_err(|e| OAuthError::Listener(format!("could not listen on 127.0.0.1:{port}: {e}")))?;
    let bound = socket.local_addr().map_err(|e| OAuthError::Listener(e.to_string()))?;
    let (sender, outcome) = oneshot::channel();
    let stop = Arc::new(Notify::new());
    let shared =
        Arc::new(Shared { expected_state, outcome: Mutex::new(Some(sender)), stop: stop.clone() });
    let app = Router::new().route(CALLBACK_PATH, get(callback)).with_state(shared);
    let stopped = stop.clone();
    tokio::spawn(async move {
        let shutdown = async move {
            tokio::select! {
                () = stopped.notified() => {}
                () = tokio::time::sleep(lifetime) => {}
            }
        };
        if let Err(e) = axum::serve(socket, app).with_graceful_shutdown(shutdown).await {
            tracing::warn!(error = %e, "the OAuth callback listener stopped with an error");
        }
    });
    Ok(Listener {
        redirect_uri: format!("http://127.0.0.1:{}{CALLBACK_PATH}", bound.port()),
        outcome,
        stop,
    })
}

async fn callback(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if query.get("state") != Some(&shared.expected_state) {
        // Not the answer to our request (a stale tab or a forged link): refuse it and keep
        // waiting for the real one.
        tracing::warn!("OAuth callback with a wrong or missing state refused");
        return page(
            StatusCode::BAD_REQUEST,
            "This sign-in link is not the one Sipstory is waiting for",
            "Start connecting the account again from Sipstory.",
        );
    }
    let outcome = match (query.get("code"), query.get("error")) {
        (_, Some(error)) => Callback::Refused {
            error: error.clone(),
            description: query.get("error_description").cloned(),
        },
        (Some(code), None) if !code.is_empty() => Callback::Code(code.clone()),
        _ => {
            return page(
                StatusCode::BAD_REQUEST,
                "The platform sent no authorization code",
                "Go back to Sipstory and try connecting the account again.",
            );
        }
    };
    let Some(sender) = shared.outcome.lock().expect("callback lock poisoned").take() else {
        return page(
            StatusCode::CONFLICT,
            "Sipstory already got an answer",
            "You can close this tab and go back to Sipstory.",
        );
    };
    let response = match &outcome {
        Callback::Code(_) => page(
            StatusCode::OK,
            "Sipstory is connected",
            "You can close this tab and go back to Sipstory.",
        ),
        Callback::Refused { error, description } => page(
            StatusCode::OK,
            "Sipstory was not given access",
            &format!(
                "{} You can close this tab and go back to Sipstory.",
                refusal_message(error, description.as_deref())
            ),
        ),
    };
    let _ = sender.send(outcome);
    shared.stop.notify_one();
    response
}

/// The platform's refusal in words.
pub fn refusal_message(error: &str, description: Option<&str>) -> String {
    let what = match error {
        "access_denied" => "Access was denied.",
        "invalid_scope" => "The platform refused the permissions Sipstory asked for.",
        "unauthorized_client" => "The platform does not allow this app to sign in this way.",
        "server_error" | "temporarily_unavailable" => "The platform had a problem; try again.",
        _ => "The platform refused the sign-in.",
    };
    match description.filter(|d| !d.trim().is_empty()) {
        Some(d) => format!("{what} ({d})"),
        None => format!("{what} ({error})"),
    }
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Sipstory</title></head>\
         <body style=\"font-family:sans-serif;max-width:32rem;margin:4rem auto\">\
         <h1>{}</h1><p>{}</p></body></html>",
        escape(title),
        escape(body)
    );
    (status, [(header::CONNECTION, "close")], Html(html)).into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
