//! The one publish mechanism every provider shares: a `reqwest` client with timeouts, the
//! mapping of network failures and HTTP statuses to [`ProviderError`]s (honouring
//! `Retry-After`), JSON and multipart helpers, and a record of every exchange for the publish
//! log. Nothing here sees a header's value, so no token can reach the log.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;

use super::{ErrorKind, ProviderError};

/// One request as the publish log keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    pub action: String,
    pub endpoint: String,
    pub http_status: Option<u16>,
    pub duration_ms: u64,
    pub error: Option<String>,
}

/// How a platform writes its error bodies: turns a failed response into its code and message.
pub trait ErrorBody: Send + Sync {
    fn parse(&self, status: StatusCode, body: &str) -> (Option<String>, String);

    /// How long the platform asks to wait when it says so in a header of its own (read when
    /// there is no `Retry-After`).
    fn retry_after(&self, _headers: &HeaderMap) -> Option<Duration> {
        None
    }
}

/// Error bodies of the `{"error": {"code", "message"}}` / `{"error": "...", "message"}` kinds,
/// falling back to the status text.
pub struct GenericErrorBody;

impl ErrorBody for GenericErrorBody {
    fn parse(&self, status: StatusCode, body: &str) -> (Option<String>, String) {
        let fallback = || {
            let reason = status.canonical_reason().unwrap_or("error");
            format!("HTTP {} {reason}", status.as_u16())
        };
        let Ok(json) = serde_json::from_str::<serde_json::Value>(body) else {
            return (None, fallback());
        };
        let text = |v: &serde_json::Value| v.as_str().map(str::to_owned);
        let error = &json["error"];
        let code = text(&error["code"]).or_else(|| text(&json["code"])).or_else(|| text(error));
        let message = text(&error["message"])
            .or_else(|| text(&json["message"]))
            .or_else(|| text(&json["error_description"]))
            .or_else(|| text(&json["detail"]))
            .or_else(|| text(error))
            .unwrap_or_else(fallback);
        (code, message)
    }
}

/// A shared HTTP client plus the exchanges of the attempt it serves.
pub struct PublishHttp {
    client: reqwest::Client,
    exchanges: Mutex<Vec<Exchange>>,
}

impl PublishHttp {
    /// Builds the client every provider uses: connect and overall timeouts, no cookies.
    pub fn client(timeout: Duration) -> reqwest::Client {
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10).min(timeout))
            .timeout(timeout)
            .user_agent(concat!("Sipstory/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the HTTP client's TLS backend initialises")
    }

    pub fn new(client: reqwest::Client) -> Self {
        Self { client, exchanges: Mutex::new(Vec::new()) }
    }

    pub fn inner(&self) -> &reqwest::Client {
        &self.client
    }

    /// Everything sent through this value so far, oldest first.
    pub fn take_exchanges(&self) -> Vec<Exchange> {
        std::mem::take(&mut *self.exchanges.lock().expect("exchange log poisoned"))
    }

    /// Sends a request and returns the response whatever its status. A request that surely
    /// never reached the platform (connection refused) is `Transient`; one whose answer was
    /// lost is `Unknown` unless `idempotent`, when repeating it is harmless.
    pub async fn send(
        &self,
        action: &str,
        request: RequestBuilder,
        idempotent: bool,
    ) -> Result<Response, ProviderError> {
        let (client, request) = request.build_split();
        let request = request.map_err(|e| {
            ProviderError::new(ErrorKind::Permanent, format!("invalid request: {e}"))
        })?;
        let endpoint = format!("{} {}", request.method(), redact_query(request.url()));
        let started = Instant::now();
        let result = client.execute(request).await;
        let duration_ms = started.elapsed().as_millis() as u64;
        match result {
            Ok(response) => {
                self.record(action, endpoint, Some(response.status().as_u16()), duration_ms, None);
                Ok(response)
            }
            Err(e) => {
                let error = network_error(&e, idempotent);
                self.record(action, endpoint, None, duration_ms, Some(error.message.clone()));
                Err(error)
            }
        }
    }

    /// Sends a request and decodes a successful JSON answer; a failed one becomes a
    /// [`ProviderError`] with the platform's code and message read by `errors`.
    pub async fn json<T: DeserializeOwned>(
        &self,
        action: &str,
        request: RequestBuilder,
        idempotent: bool,
        errors: &dyn ErrorBody,
    ) -> Result<T, ProviderError> {
        let response = self.checked(action, request, idempotent, errors).await?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(|e| body_error(e, idempotent))?;
        serde_json::from_slice(&body).map_err(|e| {
            // The platform acted but answered in a shape we cannot read: never retry blindly.
            let kind = if idempotent { ErrorKind::Permanent } else { ErrorKind::Unknown };
            ProviderError::new(kind, format!("unexpected answer from the platform: {e}"))
                .with_status(status)
        })
    }

    /// Sends a request and turns any non-success status into a [`ProviderError`].
    pub async fn checked(
        &self,
        action: &str,
        request: RequestBuilder,
        idempotent: bool,
        errors: &dyn ErrorBody,
    ) -> Result<Response, ProviderError> {
        let response = self.send(action, request, idempotent).await?;
        if response.status().is_success() {
            return Ok(response);
        }
        Err(error_from_response(response, errors).await)
    }

    fn record(
        &self,
        action: &str,
        endpoint: String,
        http_status: Option<u16>,
        duration_ms: u64,
        error: Option<String>,
    ) {
        self.record_exchange(Exchange {
            action: action.to_owned(),
            endpoint,
            http_status,
            duration_ms,
            error,
        });
    }

    /// Records an exchange made over another transport (a Nostr relay's websocket) so the
    /// publish log shows it like an HTTP request.
    pub fn record_exchange(&self, exchange: Exchange) {
        self.exchanges.lock().expect("exchange log poisoned").push(exchange);
    }
}

/// A media file as a multipart part named `file_name`, with its MIME type.
pub async fn file_part(
    media: &super::OutgoingMedia,
    file_name: &str,
) -> Result<reqwest::multipart::Part, ProviderError> {
    let bytes = tokio::fs::read(&media.path).await.map_err(|e| {
        ProviderError::new(ErrorKind::Permanent, format!("could not read the media file: {e}"))
    })?;
    reqwest::multipart::Part::bytes(bytes)
        .file_name(file_name.to_owned())
        .mime_str(&media.mime)
        .map_err(|e| ProviderError::new(ErrorKind::Permanent, e.to_string()))
}

/// Turns a failed response into a typed error with the platform's code, message and wait.
pub async fn error_from_response(response: Response, errors: &dyn ErrorBody) -> ProviderError {
    let status = response.status();
    let retry_after =
        retry_after(response.headers()).or_else(|| errors.retry_after(response.headers()));
    let body = response.text().await.unwrap_or_default();
    let (code, message) = errors.parse(status, &body);
    let mut error = ProviderError::from_status(status.as_u16(), message);
    error.code = code;
    error.retry_after = retry_after;
    error
}

/// Reads `Retry-After` as seconds or as an HTTP date.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.signed_duration_since(chrono::Utc::now()).to_std().unwrap_or_default();
    Some(wait)
}

fn network_error(e: &reqwest::Error, idempotent: bool) -> ProviderError {
    let kind = if e.is_connect() || e.is_builder() || idempotent {
        ErrorKind::Transient
    } else {
        ErrorKind::Unknown
    };
    let what = if e.is_timeout() {
        "the platform did not answer in time"
    } else if e.is_connect() {
        "could not connect to the platform"
    } else {
        "the connection to the platform was lost"
    };
    ProviderError::new(kind, format!("{what}: {}", root_cause(e))).with_code("network")
}

fn body_error(e: reqwest::Error, idempotent: bool) -> ProviderError {
    let kind = if idempotent { ErrorKind::Transient } else { ErrorKind::Unknown };
    ProviderError::new(kind, format!("the platform's answer was cut off: {}", root_cause(&e)))
        .with_code("network")
}

/// The innermost error of a chain, which says what actually went wrong.
pub fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// The URL without its query, which may carry a token on some platforms.
fn redact_query(url: &reqwest::Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.to_string()
}
