//! A recording reverse proxy on `127.0.0.1` in front of a third-party fake: every request is
//! kept (method, path, query, content type, headers, body) for contract checks, then forwarded
//! unchanged and carried through even when the client stops waiting. On demand it answers
//! media uploads the way a busy Mastodon server does (202, `url: null`, still processing) to
//! exercise the provider's wait, or loses the answer to a request the server carried out (it
//! never reaches the client).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// One request as the proxy saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Recorded {
    pub fn content_type(&self) -> &str {
        self.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_default()
    }
}

struct Shared {
    upstream: String,
    client: reqwest::Client,
    log: Mutex<Vec<Recorded>>,
    media_processing: AtomicBool,
    /// `(method, path)` of requests whose answer is to be lost, once each.
    lose_answers: Mutex<Vec<(String, String)>>,
}

/// How long a lost answer keeps the client waiting (longer than any client's timeout here).
const LOST_ANSWER_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

#[derive(Clone)]
pub struct RecordingProxy {
    shared: Arc<Shared>,
    base_url: String,
}

impl RecordingProxy {
    pub async fn start(upstream: &str) -> Self {
        let shared = Arc::new(Shared {
            upstream: upstream.trim_end_matches('/').to_owned(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            log: Mutex::new(Vec::new()),
            media_processing: AtomicBool::new(false),
            lose_answers: Mutex::new(Vec::new()),
        });
        let app = Router::new().fallback(forward).with_state(shared.clone());
        let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("free port");
        let base_url = format!("http://{}", socket.local_addr().expect("bound"));
        tokio::spawn(async move { axum::serve(socket, app).await });
        Self { shared, base_url }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.log.lock().expect("log").clone()
    }

    /// Forwards the next `method path` request to the server but never answers it: the
    /// server carries it out, the client gives up waiting.
    pub fn lose_next_answer(&self, method: &str, path: &str) {
        self.shared.lose_answers.lock().expect("lost answers").push((method.into(), path.into()));
    }

    /// Answer `POST …/media` uploads with 202 and no `url` (the server still processing).
    pub fn set_media_processing(&self, on: bool) {
        self.shared.media_processing.store(on, Ordering::SeqCst);
    }
}

const KEPT_RESPONSE_HEADERS: &[&str] =
    &["content-type", "location", "link", "retry-after", "x-ratelimit-reset"];

async fn forward(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 256 * 1024 * 1024).await.unwrap_or_default();
    let recorded = Recorded {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers.clone(),
        body: body.clone(),
    };
    shared.log.lock().expect("log").push(recorded.clone());
    let url = match &recorded.query {
        Some(q) => format!("{}{}?{q}", shared.upstream, recorded.path),
        None => format!("{}{}", shared.upstream, recorded.path),
    };
    let mut outgoing = shared.client.request(parts.method.clone(), url).body(body);
    for (name, value) in &parts.headers {
        // `Host` is kept so the upstream writes the proxy's address into its links.
        if name != "content-length" {
            outgoing = outgoing.header(name, value);
        }
    }
    // Carried through even when the client stops waiting, as a server carries out a request
    // whose client went away.
    let exchange = tokio::spawn(async move {
        let answer = outgoing.send().await?;
        let (status, headers) = (answer.status(), answer.headers().clone());
        Ok::<_, reqwest::Error>((status, headers, answer.bytes().await.unwrap_or_default()))
    });
    let (mut status, headers, mut bytes) = match exchange.await.expect("the forwarding task") {
        Ok(exchange) => exchange,
        Err(e) => return (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    };
    let lost = {
        let mut lose = shared.lose_answers.lock().expect("lost answers");
        let index = lose.iter().position(|(m, p)| *m == recorded.method && *p == recorded.path);
        index.map(|i| lose.remove(i)).is_some()
    };
    if lost {
        tokio::time::sleep(LOST_ANSWER_WAIT).await;
        return StatusCode::GATEWAY_TIMEOUT.into_response();
    }
    let media_upload = recorded.method == "POST" && recorded.path.ends_with("/media");
    if media_upload && status.is_success() && shared.media_processing.load(Ordering::SeqCst) {
        let mut json: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        json["url"] = serde_json::Value::Null;
        bytes = Bytes::from(serde_json::to_vec(&json).expect("json"));
        status = StatusCode::ACCEPTED;
    }
    let mut response = Response::builder().status(status.as_u16());
    for name in KEPT_RESPONSE_HEADERS {
        if let Some(value) = headers.get(*name) {
            response = response.header(*name, value);
        }
    }
    response.body(Body::from(bytes)).expect("response")
}
