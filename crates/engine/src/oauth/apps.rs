//! App registrations kept in the keychain: the client id and secret a platform issued to this
//! install (a Mastodon instance's registered app) or that the user pasted once (bring your own
//! app), under one entry per key so reconnecting reuses them.

use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::secrets::{SecretError, SecretStore};

#[derive(Clone)]
pub struct AppRegistrations {
    store: Arc<dyn SecretStore>,
}

impl AppRegistrations {
    pub fn new(store: Arc<dyn SecretStore>) -> Self {
        Self { store }
    }

    fn entry_key(key: &str) -> String {
        format!("oauth-app:{key}")
    }

    /// The registration under `key`; an unreadable one counts as none (it is registered anew).
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, SecretError> {
        let Some(json) = self.store.get(&Self::entry_key(key))? else {
            return Ok(None);
        };
        Ok(serde_json::from_str(&json).ok())
    }

    pub fn set<T: Serialize>(&self, key: &str, registration: &T) -> Result<(), SecretError> {
        let json = serde_json::to_string(registration)
            .map_err(|e| SecretError::Rejected(e.to_string()))?;
        self.store.set(&Self::entry_key(key), &json)
    }

    pub fn delete(&self, key: &str) -> Result<(), SecretError> {
        self.store.delete(&Self::entry_key(key))
    }
}
