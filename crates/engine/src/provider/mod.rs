//! The contract between the engine and a platform: how an account connects, what its rules
//! are, and how one thread item is published, deleted, refreshed or found again. Platform
//! implementations keep only their specifics; the shared HTTP mechanism lives in [`http`].

mod credentials;
mod error;
pub mod http;
mod registry;

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use credentials::Credentials;
pub use error::{ErrorKind, ProviderError};
pub use http::PublishHttp;
pub use registry::ProviderRegistry;

use crate::model::{Account, ItemResult};
use crate::oauth::{AppRegistrations, OAuthClient, OAuthTokens};
use crate::validation::PlatformRules;

/// How a user connects an account of this platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectMethod {
    AppPassword,
    OAuth2Pkce,
    ByoOAuth2,
    Token,
    Key,
    WebhookUrl,
    PasswordToToken,
}

/// One field of a credential form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialField {
    pub key: String,
    pub label: String,
    /// Kept in the keychain, never in SQLite.
    pub secret: bool,
    pub required: bool,
    pub placeholder: Option<String>,
    pub help: Option<String>,
}

impl CredentialField {
    /// A required field with no placeholder or help.
    pub fn required(key: &str, label: &str, secret: bool) -> Self {
        Self {
            key: key.into(),
            label: label.into(),
            secret,
            required: true,
            placeholder: None,
            help: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionSpec {
    pub method: ConnectMethod,
    pub fields: Vec<CredentialField>,
}

/// What a platform is: its identifier, name, rules and how to connect to it.
#[derive(Debug, Clone, Serialize)]
pub struct PlatformInfo {
    pub id: String,
    pub name: String,
    pub rules: PlatformRules,
    pub connection: ConnectionSpec,
}

/// The result of a successful connection check.
#[derive(Debug, Clone)]
pub struct Connected {
    pub handle: String,
    pub display_name: String,
    pub avatar_url: Option<String>,
    /// Public per-account settings kept in SQLite.
    pub settings: serde_json::Value,
    /// Secrets kept in the keychain.
    pub secrets: BTreeMap<String, String>,
}

/// A media file ready to upload.
#[derive(Debug, Clone)]
pub struct OutgoingMedia {
    pub media_id: String,
    pub path: std::path::PathBuf,
    pub mime: String,
    pub size_bytes: u64,
    pub alt: Option<String>,
}

/// One thread item to publish.
#[derive(Debug, Clone)]
pub struct OutgoingItem<'a> {
    pub position: u32,
    pub text: &'a str,
    pub media: Vec<OutgoingMedia>,
    /// The first item of the thread, once published (for platforms that need the root).
    pub root: Option<&'a ItemResult>,
    /// The previous item, once published: this item replies to it.
    pub reply_to: Option<&'a ItemResult>,
    pub settings: &'a serde_json::Value,
    /// Stable for this target and position across attempts: platforms that honour an
    /// idempotency key get it.
    pub idempotency_key: String,
}

/// The platform's answer for one published item.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedItem {
    pub remote_id: String,
    pub url: Option<String>,
    pub extra: serde_json::Value,
}

/// A recent post read back from the platform, to reconcile an unconfirmed publish.
#[derive(Debug, Clone, PartialEq)]
pub struct RemotePost {
    pub remote_id: String,
    pub url: Option<String>,
    pub text: String,
    pub created_at: Option<DateTime<Utc>>,
    pub extra: serde_json::Value,
}

/// What a platform did with a post handed to it to hold (server-side scheduling).
#[derive(Debug, Clone, PartialEq)]
pub enum HandOffAnswer {
    /// It holds the post under `remote_id` and publishes it at `at`.
    Held { remote_id: String, at: DateTime<Utc> },
    /// It published the post at once (its time was too close for it to hold).
    Published(PublishedItem),
}

/// A post the platform holds for later, read back to reconcile a lost answer.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldPost {
    pub remote_id: String,
    pub at: DateTime<Utc>,
    pub text: String,
}

/// What a provider sees of the account it works for.
pub struct PublishContext<'a> {
    pub account: &'a Account,
    pub credentials: &'a Credentials,
    pub http: &'a PublishHttp,
}

/// What an OAuth platform gets to prepare a sign-in.
pub struct OAuthSetup<'a> {
    pub http: &'a PublishHttp,
    /// The connect form (an instance URL, a BYO app's client id and secret...).
    pub fields: &'a BTreeMap<String, String>,
    /// The loopback listener's address, to register and to send in the authorize request.
    pub redirect_uri: &'a str,
    /// App registrations kept in the keychain (per instance, per BYO platform).
    pub apps: &'a AppRegistrations,
}

fn no_hand_off() -> ProviderError {
    ProviderError::new(ErrorKind::Permanent, "this platform cannot hold scheduled posts")
}

fn not_oauth() -> ProviderError {
    ProviderError::new(ErrorKind::Permanent, "this platform does not connect through OAuth")
}

#[async_trait]
pub trait Provider: Send + Sync + 'static {
    fn info(&self) -> &PlatformInfo;

    /// How many publishes may run at once for this platform.
    fn concurrency(&self) -> usize {
        2
    }

    /// Checks the credential form with a cheap authenticated call; returns the profile and
    /// the secrets to keep. Platforms that connect only through the browser keep the default.
    async fn connect(
        &self,
        _http: &PublishHttp,
        _fields: &BTreeMap<String, String>,
    ) -> Result<Connected, ProviderError> {
        Err(ProviderError::new(
            ErrorKind::Permanent,
            format!("{} accounts connect through the browser.", self.info().name),
        ))
    }

    /// OAuth platforms: the client to send the user's browser to for `setup.redirect_uri`,
    /// registering an app with the platform first when it needs one.
    async fn oauth_client(&self, _setup: &OAuthSetup<'_>) -> Result<OAuthClient, ProviderError> {
        Err(not_oauth())
    }

    /// OAuth platforms: the account that just authorized (profile, settings, extra secrets);
    /// the engine adds the tokens to its secrets.
    async fn oauth_connected(
        &self,
        _http: &PublishHttp,
        _client: &OAuthClient,
        _tokens: &OAuthTokens,
    ) -> Result<Connected, ProviderError> {
        Err(not_oauth())
    }

    /// OAuth platforms whose registered redirect must match exactly: the fixed loopback port.
    /// `None` = any free port (RFC 8252 §7.3).
    fn oauth_loopback_port(&self) -> Option<u16> {
        None
    }

    /// The rules for one account: the platform's, unless the account's own server sets its
    /// own limits (a Mastodon instance's character limit).
    fn account_rules(&self, _account: &Account) -> PlatformRules {
        self.info().rules.clone()
    }

    /// Publishes one thread item (replying to `item.reply_to` when set).
    async fn publish(
        &self,
        cx: &PublishContext<'_>,
        item: &OutgoingItem<'_>,
    ) -> Result<PublishedItem, ProviderError>;

    async fn delete(&self, cx: &PublishContext<'_>, item: &ItemResult)
    -> Result<(), ProviderError>;

    /// Refreshes the account's credentials (storing rotated tokens through
    /// `cx.credentials`). Platforms whose credentials never expire keep the default.
    async fn refresh(&self, _cx: &PublishContext<'_>) -> Result<(), ProviderError> {
        Err(ProviderError::new(
            ErrorKind::Auth,
            "this platform's credentials cannot be refreshed; reconnect the account",
        ))
    }

    /// Platforms that can hold a scheduled post and publish it at its time themselves
    /// (server-side scheduling): how far ahead of its time a post must be handed to them.
    /// `None`: they cannot, and the engine publishes every post itself.
    fn hand_off_lead(&self) -> Option<std::time::Duration> {
        None
    }

    /// Gives the platform a one-item post to publish at `at` (whole seconds), sending
    /// `item.idempotency_key` where the platform honours one.
    async fn hand_off(
        &self,
        _cx: &PublishContext<'_>,
        _item: &OutgoingItem<'_>,
        _at: DateTime<Utc>,
    ) -> Result<HandOffAnswer, ProviderError> {
        Err(no_hand_off())
    }

    /// Moves a held post to `at`; `false` when the platform no longer holds it.
    async fn move_hand_off(
        &self,
        _cx: &PublishContext<'_>,
        _remote_id: &str,
        _at: DateTime<Utc>,
    ) -> Result<bool, ProviderError> {
        Err(no_hand_off())
    }

    /// Takes a held post back; `false` when the platform no longer holds it.
    async fn cancel_hand_off(
        &self,
        _cx: &PublishContext<'_>,
        _remote_id: &str,
    ) -> Result<bool, ProviderError> {
        Err(no_hand_off())
    }

    /// Every post the platform holds for the account (once their time has come, they are
    /// among its posts instead: see `recent_posts`).
    async fn held_posts(&self, _cx: &PublishContext<'_>) -> Result<Vec<HeldPost>, ProviderError> {
        Err(no_hand_off())
    }

    /// The account's posts since `since`, newest first, or `None` when the platform cannot
    /// list them.
    async fn recent_posts(
        &self,
        _cx: &PublishContext<'_>,
        _since: DateTime<Utc>,
    ) -> Result<Option<Vec<RemotePost>>, ProviderError> {
        Ok(None)
    }
}
