//! Mastodon, on any server: Sipstory registers its app per server and signs in through the
//! browser (OAuth, with PKCE where the server supports it); each account is checked against
//! its own server's limits; statuses carry visibility, content warning, language and
//! sensitivity, media are uploaded with their alt text and awaited while the server processes
//! them, threads are replies, and a lost answer is reconciled from the account's statuses. A
//! single post can be handed to the server to hold and publish at its time (`scheduled_at`).

mod api;
mod app;
mod instance;
mod media;
mod scheduled;
mod statuses;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::json;
use sipstory_engine::model::{Account, ItemResult};
use sipstory_engine::oauth::{OAuthClient, OAuthTokens, oauth_http, refresh_credentials};
use sipstory_engine::provider::{
    ConnectMethod, Connected, ConnectionSpec, CredentialField, ErrorKind, HandOffAnswer, HeldPost,
    OAuthSetup, OutgoingItem, PlatformInfo, Provider, ProviderError, PublishContext, PublishHttp,
    PublishedItem, RemotePost,
};
use sipstory_engine::validation::{PlatformRules, builtin_rules};

use api::{CredentialAccount, MastodonErrors};
use app::AppCredentials;
use instance::{Instance, InstanceLimits, OAuthEndpoints};

pub use app::SCOPES;
pub use statuses::html_to_text;

pub const PLATFORM: &str = "mastodon";

pub struct MastodonProvider {
    info: PlatformInfo,
}

impl Default for MastodonProvider {
    fn default() -> Self {
        let instance = CredentialField {
            placeholder: Some("mastodon.social".into()),
            help: Some("The address of your Mastodon server.".into()),
            ..CredentialField::required("instance", "Server", false)
        };
        Self {
            info: PlatformInfo {
                id: PLATFORM.into(),
                name: "Mastodon".into(),
                rules: builtin_rules(PLATFORM).expect("Mastodon has built-in rules"),
                connection: ConnectionSpec {
                    method: ConnectMethod::OAuth2Pkce,
                    fields: vec![instance],
                },
            },
        }
    }
}

/// The server an account lives on.
fn account_instance(account: &Account) -> Result<Instance, ProviderError> {
    let base = account.settings["instance"].as_str().ok_or_else(|| {
        ProviderError::new(ErrorKind::Auth, "the account has no Mastodon server; reconnect it")
    })?;
    Instance::parse(base)
}

/// The account's server and access token.
fn session(cx: &PublishContext<'_>) -> Result<(Instance, String), ProviderError> {
    Ok((account_instance(cx.account)?, cx.credentials.require("access_token")?))
}

/// The body of `POST /api/v1/statuses` for one item, its media uploaded first.
async fn status_request(
    cx: &PublishContext<'_>,
    instance: &Instance,
    token: &str,
    item: &OutgoingItem<'_>,
) -> Result<serde_json::Value, ProviderError> {
    // Refuse unusable settings before uploading anything.
    statuses::PostSettings::of(item.settings)?;
    let mut media_ids = Vec::new();
    for file in &item.media {
        media_ids.push(media::upload(cx.http, instance, token, file).await?);
    }
    statuses::status_body(item, &media_ids)
}

fn account_id(account: &Account) -> Result<&str, ProviderError> {
    account.settings["account_id"].as_str().ok_or_else(|| {
        ProviderError::new(ErrorKind::Auth, "the account has no Mastodon id; reconnect it")
    })
}

#[async_trait]
impl Provider for MastodonProvider {
    fn info(&self) -> &PlatformInfo {
        &self.info
    }

    async fn oauth_client(&self, setup: &OAuthSetup<'_>) -> Result<OAuthClient, ProviderError> {
        let instance = Instance::parse(setup.fields.get("instance").map_or("", String::as_str))?;
        let limits = instance.limits(setup.http).await?;
        let app = app::app_for(setup.http, setup.apps, &instance, setup.redirect_uri).await?;
        Ok(app::client(setup.http, &instance, &limits, &app).await)
    }

    async fn oauth_connected(
        &self,
        http: &PublishHttp,
        client: &OAuthClient,
        tokens: &OAuthTokens,
    ) -> Result<Connected, ProviderError> {
        let instance = Instance::parse(client.context["instance"].as_str().unwrap_or_default())?;
        let request = http
            .inner()
            .get(instance.url("/api/v1/accounts/verify_credentials"))
            .bearer_auth(&tokens.access_token);
        let me: CredentialAccount = http.json("verify", request, true, &MastodonErrors).await?;
        Ok(Connected {
            handle: format!("@{}@{}", me.username, instance.authority),
            display_name: if me.display_name.is_empty() { me.username } else { me.display_name },
            avatar_url: me.avatar,
            settings: json!({
                "instance": instance.base,
                "account_id": me.id,
                "token_url": client.token_url,
                "limits": client.context["limits"],
            }),
            secrets: client.app_secrets(),
        })
    }

    fn account_rules(&self, account: &Account) -> PlatformRules {
        let rules = self.info.rules.clone();
        match serde_json::from_value::<InstanceLimits>(account.settings["limits"].clone()) {
            Ok(limits) => limits.apply(rules),
            Err(_) => rules,
        }
    }

    async fn publish(
        &self,
        cx: &PublishContext<'_>,
        item: &OutgoingItem<'_>,
    ) -> Result<PublishedItem, ProviderError> {
        let (instance, token) = session(cx)?;
        let body = status_request(cx, &instance, &token, item).await?;
        statuses::create(cx.http, &instance, &token, &body, &item.idempotency_key).await
    }

    fn hand_off_lead(&self) -> Option<std::time::Duration> {
        Some(scheduled::LEAD)
    }

    async fn hand_off(
        &self,
        cx: &PublishContext<'_>,
        item: &OutgoingItem<'_>,
        at: DateTime<Utc>,
    ) -> Result<HandOffAnswer, ProviderError> {
        let (instance, token) = session(cx)?;
        let body = status_request(cx, &instance, &token, item).await?;
        scheduled::create(cx.http, &instance, &token, body, at, &item.idempotency_key).await
    }

    async fn move_hand_off(
        &self,
        cx: &PublishContext<'_>,
        remote_id: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, ProviderError> {
        let (instance, token) = session(cx)?;
        scheduled::reschedule(cx.http, &instance, &token, remote_id, at).await
    }

    async fn cancel_hand_off(
        &self,
        cx: &PublishContext<'_>,
        remote_id: &str,
    ) -> Result<bool, ProviderError> {
        let (instance, token) = session(cx)?;
        scheduled::delete(cx.http, &instance, &token, remote_id).await
    }

    async fn held_posts(&self, cx: &PublishContext<'_>) -> Result<Vec<HeldPost>, ProviderError> {
        let (instance, token) = session(cx)?;
        scheduled::list(cx.http, &instance, &token).await
    }

    async fn delete(
        &self,
        cx: &PublishContext<'_>,
        item: &ItemResult,
    ) -> Result<(), ProviderError> {
        let instance = account_instance(cx.account)?;
        let token = cx.credentials.require("access_token")?;
        statuses::delete(cx.http, &instance, &token, &item.remote_id).await
    }

    /// Mastodon tokens normally never expire; servers that issue refresh tokens get them used.
    async fn refresh(&self, cx: &PublishContext<'_>) -> Result<(), ProviderError> {
        let instance = account_instance(cx.account)?;
        if cx.credentials.get("refresh_token")?.is_none() {
            return Err(ProviderError::new(
                ErrorKind::Auth,
                format!(
                    "{} no longer accepts this account's sign-in; reconnect it",
                    instance.authority
                ),
            ));
        }
        let app = AppCredentials {
            client_id: cx.credentials.require("client_id")?,
            client_secret: cx.credentials.require("client_secret")?,
        };
        let endpoints = OAuthEndpoints {
            authorize_url: instance.url("/oauth/authorize"),
            token_url: cx.account.settings["token_url"]
                .as_str()
                .map_or_else(|| instance.url("/oauth/token"), str::to_owned),
            pkce: false,
        };
        let client = app::oauth_client(&app, endpoints, serde_json::Value::Null);
        let http = oauth_http(std::time::Duration::from_secs(30));
        refresh_credentials(&http, &client, cx.credentials).await.map(|_| ())
    }

    async fn recent_posts(
        &self,
        cx: &PublishContext<'_>,
        since: DateTime<Utc>,
    ) -> Result<Option<Vec<RemotePost>>, ProviderError> {
        let instance = account_instance(cx.account)?;
        let token = cx.credentials.require("access_token")?;
        let id = account_id(cx.account)?;
        statuses::recent(cx.http, &instance, &token, id, since).await.map(Some)
    }
}
