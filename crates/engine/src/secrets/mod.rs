//! Secrets behind a small trait, kept in the OS keychain through `keyring` (Secret Service on
//! Linux, Keychain on macOS, Credential Manager on Windows). A locked or missing keychain is a
//! clear error; there is no plaintext fallback. On Linux the store behind `keyring` is ours
//! (`secret_service`): one connection to the Secret Service for the whole process.

#[cfg(target_os = "linux")]
mod secret_service;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("Your system keychain is locked or unavailable ({0}). Unlock it and try again.")]
    Unavailable(String),
    #[error("The keychain refused the secret: {0}")]
    Rejected(String),
    #[error("A secret in the keychain is unreadable: {0}")]
    Corrupt(String),
}

/// Where secrets live. Keys are names like `account:<id>`; values are opaque strings.
pub trait SecretStore: Send + Sync {
    fn get(&self, key: &str) -> Result<Option<String>, SecretError>;
    fn set(&self, key: &str, value: &str) -> Result<(), SecretError>;
    /// Deleting a missing secret is not an error.
    fn delete(&self, key: &str) -> Result<(), SecretError>;
}

/// The OS keychain, with every entry under one service name.
pub struct KeyringSecrets {
    service: String,
}

impl KeyringSecrets {
    pub fn new(service: impl Into<String>) -> Self {
        #[cfg(target_os = "linux")]
        secret_service::install();
        Self { service: service.into() }
    }

    fn entry(&self, key: &str) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&self.service, key).map_err(map_error)
    }
}

impl SecretStore for KeyringSecrets {
    fn get(&self, key: &str) -> Result<Option<String>, SecretError> {
        match self.entry(key)?.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_error(e)),
        }
    }

    fn set(&self, key: &str, value: &str) -> Result<(), SecretError> {
        self.entry(key)?.set_password(value).map_err(map_error)
    }

    fn delete(&self, key: &str) -> Result<(), SecretError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_error(e)),
        }
    }
}

fn map_error(e: keyring::Error) -> SecretError {
    match e {
        keyring::Error::NoStorageAccess(inner) => SecretError::Unavailable(inner.to_string()),
        keyring::Error::PlatformFailure(inner) => SecretError::Unavailable(inner.to_string()),
        keyring::Error::BadEncoding(_) => SecretError::Corrupt("not valid UTF-8".into()),
        keyring::Error::Ambiguous(entries) => SecretError::Corrupt(format!(
            "{} keychain entries have this name; delete all but one",
            entries.len()
        )),
        other => SecretError::Rejected(other.to_string()),
    }
}
