//! A bring-your-own-app OAuth provider for [`crate::oauth_fake`], to test the engine's
//! browser sign-in end to end (platform id `oauth-test`). It signs in, reads the profile and
//! refreshes; it has no posts, so publishing and deleting answer that plainly.

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;
use sipstory_engine::model::ItemResult;
use sipstory_engine::oauth::{OAuthClient, OAuthTokens, oauth_http, refresh_credentials};
use sipstory_engine::provider::http::GenericErrorBody;
use sipstory_engine::provider::{
    ConnectMethod, Connected, ConnectionSpec, CredentialField, ErrorKind, OAuthSetup, OutgoingItem,
    PlatformInfo, Provider, ProviderError, PublishContext, PublishHttp, PublishedItem,
};
use sipstory_engine::validation::builtin_rules;

pub const PLATFORM: &str = "oauth-test";

pub struct OAuthTestProvider {
    info: PlatformInfo,
}

impl Default for OAuthTestProvider {
    fn default() -> Self {
        let mut rules = builtin_rules("mastodon").expect("built-in rules");
        rules.platform = PLATFORM.into();
        Self {
            info: PlatformInfo {
                id: PLATFORM.into(),
                name: "OAuth test".into(),
                rules,
                connection: ConnectionSpec {
                    method: ConnectMethod::ByoOAuth2,
                    fields: vec![
                        CredentialField::required("server", "Server URL", false),
                        CredentialField::required("client_id", "Client ID", false),
                        CredentialField::required("client_secret", "Client secret", true),
                    ],
                },
            },
        }
    }
}

#[derive(Deserialize)]
struct Me {
    handle: String,
    display_name: String,
}

fn client(server: &str, client_id: &str, client_secret: &str) -> OAuthClient {
    OAuthClient {
        authorize_url: format!("{server}/oauth/authorize"),
        token_url: format!("{server}/oauth/token"),
        client_id: client_id.into(),
        client_secret: Some(client_secret.into()),
        scopes: vec!["write".into(), "read".into()],
        pkce: true,
        secret_in_body: false,
        extra_params: Vec::new(),
        context: json!({ "server": server }),
        registration: None,
    }
}

fn no_posts() -> ProviderError {
    ProviderError::new(ErrorKind::Permanent, "the OAuth test platform only signs in")
}

#[async_trait]
impl Provider for OAuthTestProvider {
    fn info(&self) -> &PlatformInfo {
        &self.info
    }

    async fn oauth_client(&self, setup: &OAuthSetup<'_>) -> Result<OAuthClient, ProviderError> {
        let f = |k: &str| setup.fields[k].trim().to_owned();
        Ok(client(f("server").trim_end_matches('/'), &f("client_id"), &f("client_secret")))
    }

    async fn oauth_connected(
        &self,
        http: &PublishHttp,
        client: &OAuthClient,
        tokens: &OAuthTokens,
    ) -> Result<Connected, ProviderError> {
        let server = client.context["server"].as_str().unwrap_or_default();
        let request =
            http.inner().get(format!("{server}/api/me")).bearer_auth(&tokens.access_token);
        let me: Me = http.json("verify", request, true, &GenericErrorBody).await?;
        Ok(Connected {
            handle: me.handle,
            display_name: me.display_name,
            avatar_url: None,
            settings: json!({ "server": server }),
            secrets: client.app_secrets(),
        })
    }

    async fn publish(
        &self,
        _cx: &PublishContext<'_>,
        _item: &OutgoingItem<'_>,
    ) -> Result<PublishedItem, ProviderError> {
        Err(no_posts())
    }

    async fn delete(
        &self,
        _cx: &PublishContext<'_>,
        _item: &ItemResult,
    ) -> Result<(), ProviderError> {
        Err(no_posts())
    }

    async fn refresh(&self, cx: &PublishContext<'_>) -> Result<(), ProviderError> {
        let server = cx.account.settings["server"].as_str().unwrap_or_default();
        let spec = client(
            server,
            &cx.credentials.require("client_id")?,
            &cx.credentials.require("client_secret")?,
        );
        refresh_credentials(&oauth_http(std::time::Duration::from_secs(10)), &spec, cx.credentials)
            .await
            .map(|_| ())
    }
}
