//! OAuth 2.0 for a desktop app as RFC 8252 describes it, shared by every platform: the system
//! browser opens the platform's authorize URL, a one-shot loopback listener on `127.0.0.1`
//! receives the redirect, PKCE (S256) and `state` protect the exchange, and the code becomes
//! tokens through the `oauth2` crate. Providers only describe their client ([`OAuthClient`])
//! and read the profile; the operations layer drives a flow (`begin_oauth`, `finish_oauth`,
//! `cancel_oauth`).

mod apps;
mod exchange;
mod flows;
mod listener;

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use apps::AppRegistrations;
pub use exchange::{Authorization, authorization, exchange_code, oauth_http, refresh_credentials};
pub use flows::{OAuthFlows, Pending};
pub use listener::{CALLBACK_PATH, Callback, Listener, listen, refusal_message};

/// The keychain names under which an OAuth account keeps its tokens.
pub const ACCESS_TOKEN: &str = "access_token";
pub const REFRESH_TOKEN: &str = "refresh_token";
/// When the access token expires (RFC 3339), when the platform said.
pub const EXPIRES_AT: &str = "expires_at";

/// A fresh, unguessable `state` for one authorization request.
pub fn new_state() -> String {
    oauth2::CsrfToken::new_random().secret().clone()
}

/// How a platform's OAuth client is reached: endpoints, credentials and what to ask for.
#[derive(Clone, Serialize, Deserialize)]
pub struct OAuthClient {
    pub authorize_url: String,
    pub token_url: String,
    pub client_id: String,
    /// `None` for a public client (PKCE alone protects the exchange).
    pub client_secret: Option<String>,
    pub scopes: Vec<String>,
    /// Whether to send a PKCE S256 challenge (every platform that supports it should).
    pub pkce: bool,
    /// Send the client's id and secret in the token request's body rather than HTTP Basic.
    pub secret_in_body: bool,
    /// Extra authorize-URL parameters a platform needs.
    pub extra_params: Vec<(String, String)>,
    /// What the provider needs again once authorized (an instance URL, ...).
    pub context: serde_json::Value,
    /// The [`AppRegistrations`] key this client came from, forgotten when the platform no
    /// longer knows the client (`invalid_client`) so the next sign-in registers anew.
    pub registration: Option<String>,
}

impl OAuthClient {
    /// The client's id and secret as account secrets (`client_id`, `client_secret`), for
    /// platforms that need them again to refresh.
    pub fn app_secrets(&self) -> BTreeMap<String, String> {
        let mut secrets = BTreeMap::from([("client_id".to_owned(), self.client_id.clone())]);
        if let Some(secret) = &self.client_secret {
            secrets.insert("client_secret".to_owned(), secret.clone());
        }
        secrets
    }
}

/// Tokens from a code exchange or a refresh.
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthTokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    /// The scopes the platform granted, when it said.
    pub scopes: Option<Vec<String>>,
}

impl OAuthTokens {
    /// The tokens as keychain entries of the account.
    pub fn secrets(&self) -> BTreeMap<String, String> {
        let mut secrets = BTreeMap::from([(ACCESS_TOKEN.to_owned(), self.access_token.clone())]);
        if let Some(refresh) = &self.refresh_token {
            secrets.insert(REFRESH_TOKEN.to_owned(), refresh.clone());
        }
        if let Some(at) = self.expires_at {
            secrets.insert(EXPIRES_AT.to_owned(), at.to_rfc3339());
        }
        secrets
    }
}

/// What the UI needs to send the user to the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OAuthStart {
    pub flow_id: String,
    pub authorize_url: String,
    /// The loopback address the platform redirects to (to register with BYO apps).
    pub redirect_uri: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthError {
    #[error("Sipstory could not wait for the browser's answer: {0}")]
    Listener(String),
    #[error("No sign-in with this id is in progress (it finished, was cancelled or timed out).")]
    UnknownFlow,
    #[error("This sign-in is already being finished.")]
    AlreadyWaiting,
    #[error("The sign-in was cancelled.")]
    Cancelled,
    #[error("No answer came from the browser within {} minutes; start again.", .0.as_secs().div_ceil(60))]
    TimedOut(Duration),
    #[error("{}", refusal_message(.error, .description.as_deref()))]
    Refused { error: String, description: Option<String> },
    #[error("The platform's sign-in address is not valid: {0}")]
    InvalidClient(String),
}
