//! Linux: the store behind `keyring::Entry`, the Secret Service (gnome-keyring, KWallet,
//! KeePassXC) reached over one D-Bus connection and encryption session for the whole process.
//!
//! `keyring`'s own Secret Service store opens a connection for every call. gnome-keyring (42
//! to at least 50) now and then aborts when a client connects while another one leaves
//! (GNOME/gnome-keyring#190, #196), and the daemon the bus starts in its place has the user's
//! keyring locked, so every app asks for the password again. One connection makes no such
//! churn, and one call at a time over it. Items are those `keyring` writes (same attributes,
//! default collection), so either finds the other's.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Mutex, Once, PoisonError};

use dbus_secret_service::{EncryptionType, Error as ServiceError, Item, SecretService};
use keyring::credential::{Credential, CredentialApi, CredentialBuilderApi};

/// The process's connection, opened by the first call and again after a failure.
static CONNECTION: Mutex<Option<SecretService>> = Mutex::new(None);

/// Makes this store the one behind every `keyring::Entry` of the process.
pub(super) fn install() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| keyring::set_default_credential_builder(Box::new(Builder)));
}

struct Builder;

impl CredentialBuilderApi for Builder {
    fn build(
        &self,
        target: Option<&str>,
        service: &str,
        user: &str,
    ) -> keyring::Result<Box<Credential>> {
        Ok(Box::new(Entry {
            target: target.unwrap_or("default").to_owned(),
            service: service.to_owned(),
            user: user.to_owned(),
        }))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// One keychain entry: the items whose `target`, `service` and `username` attributes match.
#[derive(Debug, Clone)]
struct Entry {
    target: String,
    service: String,
    user: String,
}

impl Entry {
    fn search_attributes(&self) -> HashMap<&str, &str> {
        HashMap::from([
            ("target", self.target.as_str()),
            ("service", self.service.as_str()),
            ("username", self.user.as_str()),
        ])
    }

    /// The entry's items, unlocked (which may prompt the user). When there is none, the
    /// default collection must still be there and unlocked: a missing or locked keyring is
    /// an error, never "no such secret".
    fn items<'a>(&self, service: &'a SecretService) -> Result<Vec<Item<'a>>, Failure> {
        let found = service.search_items(self.search_attributes())?;
        if !found.locked.is_empty() {
            service.unlock_all(&found.locked.iter().collect::<Vec<_>>())?;
        }
        let items: Vec<Item<'a>> = found.unlocked.into_iter().chain(found.locked).collect();
        if items.is_empty() {
            service.get_default_collection()?.ensure_unlocked()?;
        }
        Ok(items)
    }

    /// The entry's one item: none or several are the entry's errors.
    fn item<'a>(&self, service: &'a SecretService) -> Result<Item<'a>, Failure> {
        let mut items = self.items(service)?;
        match items.len() {
            0 => Err(Failure::Entry(keyring::Error::NoEntry)),
            1 => Ok(items.remove(0)),
            n => Err(Failure::Entry(keyring::Error::Ambiguous(
                (0..n).map(|_| Box::new(self.clone()) as Box<Credential>).collect(),
            ))),
        }
    }
}

impl CredentialApi for Entry {
    fn set_secret(&self, secret: &[u8]) -> keyring::Result<()> {
        with_connection(|service| {
            let items = self.items(service)?;
            if items.is_empty() {
                let mut attributes = self.search_attributes();
                attributes.insert("application", "rust-keyring");
                let label = format!("{}@{}:{} (Sipstory)", self.user, self.service, self.target);
                service.get_default_collection()?.create_item(
                    &label,
                    attributes,
                    secret,
                    true,
                    "text/plain",
                )?;
            }
            for item in items {
                item.set_secret(secret, "text/plain")?;
            }
            Ok(())
        })
    }

    fn get_secret(&self) -> keyring::Result<Vec<u8>> {
        with_connection(|service| Ok(self.item(service)?.get_secret()?))
    }

    fn delete_credential(&self) -> keyring::Result<()> {
        with_connection(|service| {
            let items = self.items(service)?;
            if items.is_empty() {
                return Err(Failure::Entry(keyring::Error::NoEntry));
            }
            for item in items {
                item.delete()?;
            }
            Ok(())
        })
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Why a call failed: the Secret Service (or the connection to it) failed, or it answered
/// and the entry has no item or several.
enum Failure {
    Service(ServiceError),
    Entry(keyring::Error),
}

impl From<ServiceError> for Failure {
    fn from(e: ServiceError) -> Self {
        Self::Service(e)
    }
}

/// Runs `call` over the process's connection, opening it when there is none, while no other
/// call runs. A failure other than a locked keyring drops the connection (a restarted daemon
/// ends every session it had) and the call is made once more over a new one: every call here
/// may run twice.
fn with_connection<T>(call: impl Fn(&SecretService) -> Result<T, Failure>) -> keyring::Result<T> {
    let mut connection = CONNECTION.lock().unwrap_or_else(PoisonError::into_inner);
    let mut retried = false;
    loop {
        let service = match connection.as_ref() {
            Some(service) => service,
            None => connection
                .insert(SecretService::connect(EncryptionType::Dh).map_err(platform_failure)?),
        };
        match call(service) {
            Ok(value) => return Ok(value),
            Err(Failure::Entry(e)) => return Err(e),
            Err(Failure::Service(e)) if is_access(&e) => {
                return Err(keyring::Error::NoStorageAccess(Box::new(e)));
            }
            Err(Failure::Service(e)) => {
                *connection = None;
                if retried {
                    return Err(platform_failure(e));
                }
                tracing::debug!(error = %e, "the Secret Service call failed; reconnecting");
                retried = true;
            }
        }
    }
}

/// A keyring that is locked, missing, or whose unlock prompt was dismissed.
fn is_access(e: &ServiceError) -> bool {
    matches!(e, ServiceError::Locked | ServiceError::NoResult | ServiceError::Prompt)
}

fn platform_failure(e: ServiceError) -> keyring::Error {
    keyring::Error::PlatformFailure(Box::new(e))
}
