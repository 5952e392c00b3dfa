//! A contract fake of an OAuth 2.0 authorization server, strict where RFC 6749 and RFC 7636
//! are: registered clients (confidential, id + secret by HTTP Basic or in the body), redirect
//! URIs matched exactly except a loopback IP's port (RFC 8252 §7.3), `response_type=code`,
//! PKCE S256 (`plain` refused), single-use codes bound to their client, redirect URI and
//! challenge, refresh tokens that rotate. `mastodon-mock` accepts any code verifier, so the
//! engine's OAuth flow is tested against this instead.
//!
//! Routes: `GET /oauth/authorize` (the "user" answers as [`OAuthFake::set_decision`] says, by
//! a 302 to the redirect URI), `POST /oauth/token` (`authorization_code`, `refresh_token`),
//! `GET /api/me` (Bearer) → `{handle, display_name}`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Form;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::json;
use sha2::{Digest, Sha256};

/// What the user does on the authorize page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny,
}

struct Client {
    secret: String,
    redirect_uri: String,
}

struct Grant {
    client_id: String,
    redirect_uri: String,
    challenge: String,
}

#[derive(Default)]
struct Fake {
    clients: HashMap<String, Client>,
    codes: HashMap<String, Grant>,
    /// access token → handle
    access: HashMap<String, String>,
    /// refresh token → (client id, handle)
    refresh: HashMap<String, (String, String)>,
    handle: String,
    decision: Option<Decision>,
    /// Token requests whose PKCE verifier matched.
    verified_exchanges: u32,
    next: u64,
}

impl Fake {
    fn token(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}-{}-{}", self.next, uuid::Uuid::new_v4().simple())
    }
}

/// A running fake authorization server on a free `127.0.0.1` port.
#[derive(Clone)]
pub struct OAuthFake {
    state: Arc<Mutex<Fake>>,
    base_url: String,
}

impl OAuthFake {
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(Fake {
            handle: "ada".into(),
            decision: Some(Decision::Allow),
            ..Fake::default()
        }));
        let app = Router::new()
            .route("/oauth/authorize", get(authorize))
            .route("/oauth/token", post(token))
            .route("/api/me", get(me))
            .with_state(state.clone());
        let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("free port");
        let base_url = format!("http://{}", socket.local_addr().expect("bound"));
        tokio::spawn(async move { axum::serve(socket, app).await });
        Self { state, base_url }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Fake> {
        self.state.lock().expect("fake lock")
    }

    /// Registers a confidential client whose redirect URI is `redirect_uri`.
    pub fn register_client(&self, client_id: &str, secret: &str, redirect_uri: &str) {
        let client = Client { secret: secret.into(), redirect_uri: redirect_uri.into() };
        self.lock().clients.insert(client_id.into(), client);
    }

    pub fn set_decision(&self, decision: Decision) {
        self.lock().decision = Some(decision);
    }

    /// The account the "user" signs in as.
    pub fn set_handle(&self, handle: &str) {
        self.lock().handle = handle.into();
    }

    pub fn verified_exchanges(&self) -> u32 {
        self.lock().verified_exchanges
    }

    /// Whether `token` is a live access token.
    pub fn access_token_valid(&self, token: &str) -> bool {
        self.lock().access.contains_key(token)
    }
}

/// Loopback redirect URIs match whatever their port (RFC 8252 §7.3); others exactly.
fn redirect_matches(registered: &str, given: &str) -> bool {
    let (Ok(mut a), Ok(mut b)) = (reqwest::Url::parse(registered), reqwest::Url::parse(given))
    else {
        return false;
    };
    if a.host_str() == Some("127.0.0.1") && b.host_str() == Some("127.0.0.1") {
        let _ = a.set_port(None);
        let _ = b.set_port(None);
    }
    a == b
}

fn bad_page(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, format!("authorization request refused: {message}")).into_response()
}

async fn authorize(
    State(state): State<Arc<Mutex<Fake>>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut fake = state.lock().expect("fake lock");
    let param = |k: &str| q.get(k).cloned().unwrap_or_default();
    let redirect_uri = param("redirect_uri");
    // Errors about the client or redirect URI are never redirected (RFC 6749 §4.1.2.1).
    let Some(client) = fake.clients.get(&param("client_id")) else {
        return bad_page("unknown client_id");
    };
    if !redirect_matches(&client.redirect_uri, &redirect_uri) {
        return bad_page("redirect_uri does not match the registered one");
    }
    let mut target = reqwest::Url::parse(&redirect_uri).expect("checked above");
    let refuse = |target: &mut reqwest::Url, error: &str, description: &str| {
        target
            .query_pairs_mut()
            .append_pair("error", error)
            .append_pair("error_description", description)
            .append_pair("state", &param("state"));
    };
    if param("response_type") != "code" {
        refuse(&mut target, "unsupported_response_type", "only code is supported");
    } else if param("code_challenge_method") != "S256" || param("code_challenge").len() != 43 {
        refuse(&mut target, "invalid_request", "PKCE with S256 is required");
    } else if fake.decision == Some(Decision::Deny) {
        refuse(&mut target, "access_denied", "The resource owner denied the request.");
    } else {
        let code = fake.token("code");
        let grant = Grant {
            client_id: param("client_id"),
            redirect_uri: redirect_uri.clone(),
            challenge: param("code_challenge"),
        };
        fake.codes.insert(code.clone(), grant);
        target.query_pairs_mut().append_pair("code", &code).append_pair("state", &param("state"));
    }
    // RFC 6749 §4.1.2: a 302 to the redirect URI.
    (StatusCode::FOUND, [(header::LOCATION, target.to_string())]).into_response()
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (status, axum::Json(json!({ "error": error, "error_description": description })))
        .into_response()
}

/// The client's id and secret, from HTTP Basic (RFC 6749 §2.3.1) or the body.
fn client_credentials(
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Option<(String, String)> {
    if let Some(basic) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    {
        let decoded = String::from_utf8(STANDARD.decode(basic).ok()?).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        let unescape = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        };
        return Some((unescape(id)?, unescape(secret)?));
    }
    Some((form.get("client_id")?.clone(), form.get("client_secret")?.clone()))
}

async fn token(
    State(state): State<Arc<Mutex<Fake>>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mut fake = state.lock().expect("fake lock");
    let Some((client_id, secret)) = client_credentials(&headers, &form) else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "no client authentication");
    };
    if fake.clients.get(&client_id).is_none_or(|c| c.secret != secret) {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "unknown client");
    }
    let field = |k: &str| form.get(k).cloned().unwrap_or_default();
    let handle = match field("grant_type").as_str() {
        "authorization_code" => {
            // A code is used once, whatever happens next.
            let Some(grant) = fake.codes.remove(&field("code")) else {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "unknown code");
            };
            if grant.client_id != client_id || grant.redirect_uri != field("redirect_uri") {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "code issued to another client or redirect_uri",
                );
            }
            let computed =
                URL_SAFE_NO_PAD.encode(Sha256::digest(field("code_verifier").as_bytes()));
            if computed != grant.challenge {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "PKCE verification failed",
                );
            }
            fake.verified_exchanges += 1;
            fake.handle.clone()
        }
        "refresh_token" => match fake.refresh.remove(&field("refresh_token")) {
            Some((owner, handle)) if owner == client_id => handle,
            _ => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "unknown refresh token",
                );
            }
        },
        _ => {
            return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "not supported");
        }
    };
    let access = fake.token("access");
    let refresh = fake.token("refresh");
    fake.access.insert(access.clone(), handle.clone());
    fake.refresh.insert(refresh.clone(), (client_id, handle));
    axum::Json(json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": 3600,
        "refresh_token": refresh,
        "scope": "write read",
    }))
    .into_response()
}

async fn me(State(state): State<Arc<Mutex<Fake>>>, headers: HeaderMap) -> Response {
    let fake = state.lock().expect("fake lock");
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match token.and_then(|t| fake.access.get(t)) {
        Some(handle) => {
            axum::Json(json!({ "handle": handle, "display_name": handle.to_uppercase() }))
                .into_response()
        }
        None => oauth_error(StatusCode::UNAUTHORIZED, "invalid_token", "bad token"),
    }
}
