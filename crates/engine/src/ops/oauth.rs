//! Connecting an account through the browser (OAuth): `begin_oauth` starts the loopback
//! listener and returns the authorize URL for the shell to open, `finish_oauth` waits for the
//! browser's answer and connects the account, `cancel_oauth` gives up. Bring-your-own-app
//! platforms have their client id and secret remembered in the keychain once they worked.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::accounts::{check_required, platform_error};
use super::{ErrorCode, Operations, OpsError, OpsResult};
use crate::model::Account;
use crate::oauth::{self, OAuthError, OAuthStart, Pending};
use crate::provider::{ConnectMethod, OAuthSetup, Provider, PublishHttp};

/// The form fields of a bring-your-own app.
const BYO_FIELDS: [&str; 2] = ["client_id", "client_secret"];

/// A bring-your-own app as the keychain keeps it.
#[derive(Serialize, Deserialize)]
struct ByoApp {
    client_id: String,
    client_secret: String,
}

fn byo_key(platform: &str) -> String {
    format!("byo:{platform}")
}

impl Operations {
    /// Starts a browser sign-in for `platform`: listens on the loopback address and asks the
    /// provider for its client (registering an app when needed). The shell opens
    /// `authorize_url` in the system browser, then calls [`Operations::finish_oauth`].
    pub async fn begin_oauth(
        &self,
        platform: &str,
        mut fields: BTreeMap<String, String>,
    ) -> OpsResult<OAuthStart> {
        let provider = self.provider(platform)?;
        let method = provider.info().connection.method;
        if !matches!(method, ConnectMethod::OAuth2Pkce | ConnectMethod::ByoOAuth2) {
            return Err(OpsError::invalid(
                "platform",
                format!("{} does not connect through the browser.", provider.info().name),
            ));
        }
        if method == ConnectMethod::ByoOAuth2 {
            self.fill_byo_app(platform, &mut fields)?;
        }
        check_required(provider.as_ref(), &fields)?;
        let state = oauth::new_state();
        let timeout = self.core.oauth.timeout;
        let port = provider.oauth_loopback_port().unwrap_or(0);
        let listener = oauth::listen(port, state.clone(), timeout).await.map_err(oauth_error)?;
        let http = PublishHttp::new(self.core.http.clone());
        let apps = self.core.oauth_apps();
        let setup = OAuthSetup {
            http: &http,
            fields: &fields,
            redirect_uri: &listener.redirect_uri,
            apps: &apps,
        };
        let client = provider.oauth_client(&setup).await.map_err(platform_error)?;
        let authorization = oauth::authorization(&client, &listener.redirect_uri, &state)
            .map_err(|e| OpsError::new(ErrorCode::PlatformError, e.to_string()))?;
        let redirect_uri = listener.redirect_uri.clone();
        let flow_id = self.core.oauth.insert(Pending {
            platform: platform.to_owned(),
            fields,
            client,
            redirect_uri: redirect_uri.clone(),
            verifier: authorization.verifier,
            listener,
            deadline: tokio::time::Instant::now() + timeout,
        });
        tracing::info!(platform, flow_id, "browser sign-in started");
        Ok(OAuthStart { flow_id, authorize_url: authorization.url, redirect_uri })
    }

    /// Waits for the browser's answer to flow `flow_id` (until the sign-in timeout), exchanges
    /// the code and connects (or reconnects) the account.
    pub async fn finish_oauth(&self, flow_id: &str) -> OpsResult<Account> {
        let platform = self.core.oauth.platform(flow_id);
        let provider = platform.as_deref().map(|p| self.provider(p)).transpose()?;
        let first_field = provider.as_deref().and_then(first_field);
        let on_field = |e: OpsError| OpsError { field: e.field.or(first_field.clone()), ..e };
        let (mut pending, code) =
            self.core.oauth.wait(flow_id).await.map_err(|e| on_field(oauth_error(e)))?;
        let provider = self.provider(&pending.platform)?;
        let tokens = oauth::exchange_code(
            &self.core.oauth.http,
            &pending.client,
            &pending.redirect_uri,
            code,
            pending.verifier.take(),
        )
        .await;
        let tokens = match tokens {
            Ok(tokens) => tokens,
            Err(e) if e.code.as_deref() == Some("invalid_client") => {
                self.forget_app(&pending, provider.info().connection.method)?;
                let message = format!(
                    "{} The app Sipstory signed in with is no longer valid and was forgotten; \
                     connect again.",
                    e.message
                );
                return Err(on_field(OpsError::new(ErrorCode::PlatformError, message)));
            }
            Err(e) => return Err(on_field(platform_error(e))),
        };
        let http = PublishHttp::new(self.core.http.clone());
        let mut connected = provider
            .oauth_connected(&http, &pending.client, &tokens)
            .await
            .map_err(|e| on_field(platform_error(e)))?;
        connected.secrets.extend(tokens.secrets());
        if provider.info().connection.method == ConnectMethod::ByoOAuth2 {
            self.keep_byo_app(&pending.platform, &pending.fields)?;
        }
        let account = self.save_connected(&pending.platform, connected).await?;
        tracing::info!(platform = pending.platform, account = account.id, "browser sign-in done");
        Ok(account)
    }

    /// Gives up a browser sign-in: a waiting `finish_oauth` returns at once.
    pub fn cancel_oauth(&self, flow_id: &str) -> OpsResult<()> {
        self.core.oauth.cancel(flow_id).map_err(oauth_error)
    }

    /// Fills a BYO app's id and secret the user left empty from the keychain.
    fn fill_byo_app(&self, platform: &str, fields: &mut BTreeMap<String, String>) -> OpsResult<()> {
        let blank =
            |f: &BTreeMap<String, String>, k: &str| f.get(k).is_none_or(|v| v.trim().is_empty());
        if !BYO_FIELDS.iter().any(|k| blank(fields, k)) {
            return Ok(());
        }
        if let Some(app) = self.core.oauth_apps().get::<ByoApp>(&byo_key(platform))? {
            for (key, value) in [("client_id", app.client_id), ("client_secret", app.client_secret)]
            {
                if blank(fields, key) {
                    fields.insert(key.to_owned(), value);
                }
            }
        }
        Ok(())
    }

    /// Remembers a BYO app's id and secret once a sign-in with them worked.
    fn keep_byo_app(&self, platform: &str, fields: &BTreeMap<String, String>) -> OpsResult<()> {
        let value = |k: &str| fields.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
        let app = ByoApp { client_id: value("client_id"), client_secret: value("client_secret") };
        Ok(self.core.oauth_apps().set(&byo_key(platform), &app)?)
    }

    /// Forgets the app registration a refused client came from (a server's app, a BYO app).
    fn forget_app(&self, pending: &Pending, method: ConnectMethod) -> OpsResult<()> {
        let apps = self.core.oauth_apps();
        if let Some(key) = &pending.client.registration {
            apps.delete(key)?;
        }
        if method == ConnectMethod::ByoOAuth2 {
            apps.delete(&byo_key(&pending.platform))?;
        }
        Ok(())
    }

    /// Whether a BYO app's id and secret are remembered for `platform`.
    pub fn byo_app_saved(&self, platform: &str) -> OpsResult<bool> {
        Ok(self.core.oauth_apps().get::<ByoApp>(&byo_key(platform))?.is_some())
    }
}

/// The connect form's first field (the instance URL...), where a sign-in's error is shown.
fn first_field(provider: &dyn Provider) -> Option<String> {
    provider.info().connection.fields.first().map(|f| format!("fields.{}", f.key))
}

fn oauth_error(e: OAuthError) -> OpsError {
    let code = match &e {
        OAuthError::UnknownFlow => ErrorCode::NotFound,
        OAuthError::AlreadyWaiting | OAuthError::Cancelled => ErrorCode::Conflict,
        OAuthError::Listener(_) => ErrorCode::Internal,
        OAuthError::TimedOut(_) | OAuthError::Refused { .. } | OAuthError::InvalidClient(_) => {
            ErrorCode::PlatformError
        }
    };
    OpsError::new(code, e.to_string())
}
