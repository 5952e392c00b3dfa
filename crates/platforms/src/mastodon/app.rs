//! Sipstory's app on each Mastodon server: registered once per server (`POST /api/v1/apps`)
//! and kept in the keychain under that server's name, so a reconnect reuses it. Mastodon
//! accepts any port on a loopback redirect URI (RFC 8252 §7.3), so one registration serves
//! every sign-in's ephemeral port.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sipstory_engine::oauth::{AppRegistrations, OAuthClient};
use sipstory_engine::provider::{ErrorKind, ProviderError, PublishHttp};

use super::api::{MastodonErrors, RegisteredApp};
use super::instance::{Instance, InstanceLimits, OAuthEndpoints};

/// What Sipstory asks for: post statuses and media, read the profile and its own statuses
/// (to reconcile). Nothing else.
pub const SCOPES: &[&str] = &["read:accounts", "read:statuses", "write:statuses", "write:media"];

/// The app as the keychain keeps it.
#[derive(Clone, Serialize, Deserialize)]
pub struct AppCredentials {
    pub client_id: String,
    pub client_secret: String,
}

pub fn registration_key(instance: &Instance) -> String {
    format!("mastodon:{}", instance.authority)
}

/// The server's registration for Sipstory: the kept one, else a new one (then kept).
pub async fn app_for(
    http: &PublishHttp,
    apps: &AppRegistrations,
    instance: &Instance,
    redirect_uri: &str,
) -> Result<AppCredentials, ProviderError> {
    let key = registration_key(instance);
    let keychain = |e: sipstory_engine::secrets::SecretError| {
        ProviderError::new(ErrorKind::Transient, e.to_string()).with_code("keychain")
    };
    if let Some(app) = apps.get::<AppCredentials>(&key).map_err(keychain)? {
        return Ok(app);
    }
    let body = json!({
        "client_name": "Sipstory",
        "redirect_uris": [redirect_uri],
        "scopes": SCOPES.join(" "),
        "website": "https://github.com/sipstory",
    });
    let request = http.inner().post(instance.url("/api/v1/apps")).json(&body);
    let registered: RegisteredApp =
        http.json("register_app", request, false, &MastodonErrors).await.map_err(|e| {
            ProviderError::new(
                e.kind,
                format!("{} refused to register Sipstory: {}", instance.authority, e.message),
            )
            .with_code("field:instance")
        })?;
    let app =
        AppCredentials { client_id: registered.client_id, client_secret: registered.client_secret };
    apps.set(&key, &app).map_err(keychain)?;
    Ok(app)
}

/// The OAuth client for one server, carrying the server and its limits to the profile step.
pub async fn client(
    http: &PublishHttp,
    instance: &Instance,
    limits: &InstanceLimits,
    app: &AppCredentials,
) -> OAuthClient {
    let endpoints = instance.oauth_endpoints(http).await;
    let context = json!({ "instance": instance.base, "limits": limits });
    OAuthClient {
        registration: Some(registration_key(instance)),
        ..oauth_client(app, endpoints, context)
    }
}

/// The OAuth client of a registered app at known endpoints.
pub fn oauth_client(
    app: &AppCredentials,
    endpoints: OAuthEndpoints,
    context: Value,
) -> OAuthClient {
    OAuthClient {
        authorize_url: endpoints.authorize_url,
        token_url: endpoints.token_url,
        client_id: app.client_id.clone(),
        client_secret: Some(app.client_secret.clone()),
        scopes: SCOPES.iter().map(|s| (*s).to_owned()).collect(),
        pkce: endpoints.pkce,
        secret_in_body: true,
        extra_params: Vec::new(),
        context,
        registration: None,
    }
}
