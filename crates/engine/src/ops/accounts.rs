//! Account operations: the platforms this build knows, connecting (secrets to the keychain,
//! profile to the store), pausing, reconnecting and removing accounts.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use super::{ErrorCode, Operations, OpsError, OpsResult};
use crate::model::{Account, AccountStatus};
use crate::provider::{
    ConnectMethod, Connected, ConnectionSpec, Credentials, Provider, ProviderError, PublishHttp,
};
use crate::store::Store;
use crate::validation::{BUILTIN_PLATFORMS, PlatformRules, builtin_rules};

/// A platform as the Accounts screen and the API list it.
#[derive(Debug, Clone, Serialize)]
pub struct PlatformSummary {
    pub id: String,
    pub name: String,
    /// Whether this build can connect and publish to it.
    pub available: bool,
    pub connection: Option<ConnectionSpec>,
    pub rules: Option<PlatformRules>,
    /// Browser sign-in platforms: the redirect URI to register with the platform's app.
    pub redirect_uri: Option<String>,
}

/// The loopback redirect URI a browser sign-in to `provider` uses (any port when the
/// platform allows it, RFC 8252 §7.3).
fn redirect_uri(provider: &dyn Provider) -> Option<String> {
    let method = provider.info().connection.method;
    if !matches!(method, ConnectMethod::OAuth2Pkce | ConnectMethod::ByoOAuth2) {
        return None;
    }
    let host = match provider.oauth_loopback_port() {
        Some(port) => format!("127.0.0.1:{port}"),
        None => "127.0.0.1".to_owned(),
    };
    Some(format!("http://{host}{}", crate::oauth::CALLBACK_PATH))
}

impl Operations {
    /// Every platform Sipstory knows, with the ones this build can publish to marked.
    pub fn platforms(&self) -> Vec<PlatformSummary> {
        let registry = &self.core.registry;
        let mut out: Vec<PlatformSummary> = BUILTIN_PLATFORMS
            .iter()
            .map(|(id, name)| {
                let provider = registry.get(id);
                PlatformSummary {
                    id: (*id).to_owned(),
                    name: (*name).to_owned(),
                    available: provider.is_some(),
                    connection: provider.map(|p| p.info().connection.clone()),
                    rules: self.rules(id),
                    redirect_uri: provider.and_then(|p| redirect_uri(p.as_ref())),
                }
            })
            .collect();
        for provider in registry.iter() {
            let info = provider.info();
            if !out.iter().any(|p| p.id == info.id) {
                out.push(PlatformSummary {
                    id: info.id.clone(),
                    name: info.name.clone(),
                    available: true,
                    connection: Some(info.connection.clone()),
                    rules: Some(info.rules.clone()),
                    redirect_uri: redirect_uri(provider.as_ref()),
                });
            }
        }
        out
    }

    /// A platform's rules: its provider's, else the built-in table's.
    pub fn rules(&self, platform: &str) -> Option<PlatformRules> {
        match self.core.registry.get(platform) {
            Some(provider) => Some(provider.info().rules.clone()),
            None => builtin_rules(platform),
        }
    }

    /// The rules one account's posts are checked against (its own server's limits where the
    /// platform has them).
    pub fn account_rules(&self, account: &Account) -> Option<PlatformRules> {
        match self.core.registry.get(&account.platform) {
            Some(provider) => Some(provider.account_rules(account)),
            None => builtin_rules(&account.platform),
        }
    }

    /// The length of `text` as `platform` counts it (the composer's live counter).
    pub fn count_text(&self, platform: &str, text: &str) -> OpsResult<(usize, Option<u32>)> {
        let rules = self.rules(platform).ok_or_else(|| {
            OpsError::invalid(
                "platform",
                format!("Sipstory does not know the platform '{platform}'."),
            )
        })?;
        Ok((rules.count(text), rules.max_length))
    }

    pub fn accounts(&self) -> OpsResult<Vec<Account>> {
        Ok(self.core.store.accounts()?)
    }

    pub fn account(&self, id: &str) -> OpsResult<Account> {
        Ok(self.core.store.account(id)?)
    }

    /// Connects (or reconnects) an account: checks the credential form live with the platform,
    /// keeps the secrets in the keychain and the profile in the store.
    pub async fn connect_account(
        &self,
        platform: &str,
        fields: BTreeMap<String, String>,
    ) -> OpsResult<Account> {
        let provider = self.provider(platform)?;
        check_required(provider.as_ref(), &fields)?;
        let http = PublishHttp::new(self.core.http.clone());
        let connected = provider.connect(&http, &fields).await.map_err(platform_error)?;
        self.save_connected(platform, connected).await
    }

    /// The provider of `platform`, or why this build has none.
    pub(super) fn provider(&self, platform: &str) -> OpsResult<Arc<dyn Provider>> {
        self.core.registry.get(platform).cloned().ok_or_else(|| {
            OpsError::new(
                ErrorCode::UnsupportedPlatform,
                format!("This version of Sipstory cannot connect to '{platform}' yet."),
            )
        })
    }

    /// Keeps a connected account: the profile in the store (matched by platform and handle,
    /// so a reconnect keeps the account's posts) and its secrets in the keychain.
    pub(super) async fn save_connected(
        &self,
        platform: &str,
        connected: Connected,
    ) -> OpsResult<Account> {
        let existed = self
            .core
            .store
            .accounts()?
            .into_iter()
            .find(|a| a.platform == platform && a.handle == connected.handle);
        if let Some(existing) = &existed {
            // A reconnect: posts that came due while it was disconnected are missed, not late.
            crate::scheduler::mark_missed(&self.core, Some(&existing.id)).await;
        }
        let mut account = Store::new_account(platform, &connected.handle, &connected.display_name);
        account.avatar_url = connected.avatar_url;
        account.settings = connected.settings;
        if let Some(existing) = &existed {
            account.paused = existing.paused;
        }
        let account = self.core.store.upsert_account(&account)?;
        self.core.forget_credentials(&account.id);
        if let Err(e) = self.core.credentials(&account.id).save(&connected.secrets) {
            if existed.is_none() {
                self.core.store.delete_account(&account.id)?;
            }
            return Err(e.into());
        }
        self.core.queue_changed();
        Ok(account)
    }

    /// Pauses or resumes publishing to one account. On resume, posts overdue by more than the
    /// grace become missed rather than going out late.
    pub async fn pause_account(&self, id: &str, paused: bool) -> OpsResult<Account> {
        self.core.store.account(id)?;
        if !paused {
            // Before the pause lifts, so the scheduler never sees them as merely due.
            crate::scheduler::mark_missed(&self.core, Some(id)).await;
        }
        self.core.store.set_account_paused(id, paused)?;
        self.core.queue_changed();
        Ok(self.core.store.account(id)?)
    }

    /// Turns an account off (`disabled`) or back on (`connected`) without forgetting it.
    pub fn set_account_enabled(&self, id: &str, enabled: bool) -> OpsResult<Account> {
        let status = if enabled { AccountStatus::Connected } else { AccountStatus::Disabled };
        self.core.store.set_account_status(id, status)?;
        self.core.queue_changed();
        Ok(self.core.store.account(id)?)
    }

    /// Forgets an account: its keychain secrets, its targets, and posts left with no account.
    /// Posts its server holds are taken back first, while its credentials are still there;
    /// when some cannot be (offline, or a server's answer still on its way) the account stays
    /// and the error (field `leave_held`) says how many, unless `leave_held`: then they stay
    /// on the server, which publishes them at their time without Sipstory.
    pub async fn remove_account(&self, id: &str, leave_held: bool) -> OpsResult<()> {
        let account = self.core.store.account(id)?;
        let _steps = self.core.hand_off_steps.lock().await;
        let held = crate::scheduler::let_go_of_account(&self.core, id).await?;
        if held > 0 && !leave_held {
            return Err(OpsError {
                field: Some("leave_held".into()),
                ..OpsError::conflict(format!(
                    "{held} post(s) of {} are held by its server and could not be taken back \
                     now (Sipstory cannot reach the server, or is still waiting for its answer). \
                     Try again in a moment, or remove the account anyway and leave them there: \
                     the server will publish them at their time.",
                    account.handle
                ))
            });
        }
        if held > 0 {
            tracing::warn!(account = %id, held, "removing an account whose server still holds posts, as asked");
        }
        self.core.secrets.delete(&Credentials::entry_key(id))?;
        self.core.forget_credentials(id);
        self.core.store.delete_account(id)?;
        self.core.queue_changed();
        Ok(())
    }
}

/// Refuses a connect form with a required field left empty, naming the field.
pub(super) fn check_required(
    provider: &dyn Provider,
    fields: &BTreeMap<String, String>,
) -> OpsResult<()> {
    for field in provider.info().connection.fields.iter().filter(|f| f.required) {
        if fields.get(&field.key).is_none_or(|v| v.trim().is_empty()) {
            return Err(OpsError::invalid(
                &format!("fields.{}", field.key),
                format!("{} is required.", field.label),
            ));
        }
    }
    Ok(())
}

/// A platform's refusal while connecting; a provider names the form field it concerns with
/// the code `field:<key>`.
pub(super) fn platform_error(e: ProviderError) -> OpsError {
    OpsError {
        field: e
            .code
            .as_ref()
            .and_then(|c| c.strip_prefix("field:"))
            .map(|f| format!("fields.{f}")),
        ..OpsError::new(ErrorCode::PlatformError, e.message)
    }
}
