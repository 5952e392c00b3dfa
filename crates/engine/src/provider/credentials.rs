//! An account's secrets as a provider sees them: one keychain entry per account holding every
//! secret of that account, so rotated tokens are saved together, atomically.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use crate::secrets::{SecretError, SecretStore};

use super::{ErrorKind, ProviderError};

pub struct Credentials {
    store: Arc<dyn SecretStore>,
    account_id: String,
    cache: Mutex<Option<BTreeMap<String, String>>>,
}

impl Credentials {
    /// The secret a provider keeps its access token's expiry under (RFC 3339), saved in the
    /// same keychain write as the token; the publisher refreshes ahead of it.
    pub const EXPIRES_AT: &str = "expires_at";

    pub fn new(store: Arc<dyn SecretStore>, account_id: impl Into<String>) -> Self {
        Self { store, account_id: account_id.into(), cache: Mutex::new(None) }
    }

    /// The keychain entry name of an account's secrets.
    pub fn entry_key(account_id: &str) -> String {
        format!("account:{account_id}")
    }

    /// Whether the secrets were read already (reading them again costs nothing).
    pub fn is_loaded(&self) -> bool {
        self.cache.lock().expect("credentials cache poisoned").is_some()
    }

    /// Reads every secret of the account.
    pub fn load(&self) -> Result<BTreeMap<String, String>, SecretError> {
        let mut cache = self.cache.lock().expect("credentials cache poisoned");
        if let Some(map) = cache.as_ref() {
            return Ok(map.clone());
        }
        let map = match self.store.get(&Self::entry_key(&self.account_id))? {
            Some(json) => {
                serde_json::from_str(&json).map_err(|e| SecretError::Corrupt(e.to_string()))?
            }
            None => BTreeMap::new(),
        };
        *cache = Some(map.clone());
        Ok(map)
    }

    /// Replaces every secret of the account in one keychain write.
    pub fn save(&self, secrets: &BTreeMap<String, String>) -> Result<(), SecretError> {
        let json = serde_json::to_string(secrets).expect("a string map always serializes");
        self.store.set(&Self::entry_key(&self.account_id), &json)?;
        *self.cache.lock().expect("credentials cache poisoned") = Some(secrets.clone());
        Ok(())
    }

    /// Merges `changes` into the stored secrets (rotated tokens) in one keychain write.
    pub fn update(&self, changes: BTreeMap<String, String>) -> Result<(), ProviderError> {
        self.replace(changes, &[])
    }

    /// Merges `changes` and drops the `stale` secrets in one keychain write.
    pub fn replace(
        &self,
        changes: BTreeMap<String, String>,
        stale: &[&str],
    ) -> Result<(), ProviderError> {
        let mut secrets = self.load().map_err(keychain_error)?;
        secrets.retain(|name, _| !stale.contains(&name.as_str()));
        secrets.extend(changes);
        self.save(&secrets).map_err(keychain_error)
    }

    /// One secret, or an auth error telling the user to reconnect when it is missing.
    pub fn require(&self, name: &str) -> Result<String, ProviderError> {
        self.load().map_err(keychain_error)?.remove(name).ok_or_else(|| {
            ProviderError::new(
                ErrorKind::Auth,
                format!("the keychain holds no '{name}' for this account; reconnect it"),
            )
        })
    }

    pub fn get(&self, name: &str) -> Result<Option<String>, ProviderError> {
        Ok(self.load().map_err(keychain_error)?.remove(name))
    }

    /// When the access token expires, if the provider recorded it under [`Self::EXPIRES_AT`].
    pub fn expires_at(&self) -> Result<Option<DateTime<Utc>>, ProviderError> {
        Ok(self
            .get(Self::EXPIRES_AT)?
            .and_then(|at| DateTime::parse_from_rfc3339(&at).ok())
            .map(|at| at.with_timezone(&Utc)))
    }
}

/// A keychain that cannot be read is worth retrying later (it may be unlocked), never a
/// reason to fail the post.
fn keychain_error(e: SecretError) -> ProviderError {
    ProviderError::new(ErrorKind::Transient, e.to_string()).with_code("keychain")
}
