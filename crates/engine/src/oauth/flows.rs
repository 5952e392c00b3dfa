//! The sign-ins in progress: each flow keeps its listener, PKCE verifier and client between
//! `begin_oauth` and `finish_oauth`; finishing waits for the browser's answer until the flow's
//! deadline, and a cancel wakes the waiter at once. Flows nobody finishes expire.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use oauth2::PkceCodeVerifier;
use tokio::sync::Notify;
use tokio::time::Instant;

use super::{Callback, Listener, OAuthClient, OAuthError};

/// One sign-in waiting for the browser.
pub struct Pending {
    pub platform: String,
    /// The connect form's fields (without secrets the client already holds).
    pub fields: BTreeMap<String, String>,
    pub client: OAuthClient,
    pub redirect_uri: String,
    pub verifier: Option<PkceCodeVerifier>,
    pub listener: Listener,
    pub deadline: Instant,
}

struct Entry {
    cancel: Arc<Notify>,
    /// `None` while a `finish` is waiting on it.
    pending: Option<Pending>,
}

pub struct OAuthFlows {
    flows: Mutex<HashMap<String, Entry>>,
    /// How long a user has to answer in the browser.
    pub timeout: Duration,
    /// The client for token requests (no redirects).
    pub http: reqwest::Client,
}

impl OAuthFlows {
    pub fn new(timeout: Duration, http_timeout: Duration) -> Self {
        Self { flows: Mutex::new(HashMap::new()), timeout, http: super::oauth_http(http_timeout) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.flows.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a flow and returns its id; expired flows nobody finished are dropped (which
    /// stops their listeners).
    pub fn insert(&self, pending: Pending) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        let now = Instant::now();
        let mut flows = self.lock();
        flows.retain(|_, e| e.pending.as_ref().is_none_or(|p| p.deadline > now));
        flows.insert(id.clone(), Entry { cancel: Arc::new(Notify::new()), pending: Some(pending) });
        id
    }

    /// The platform flow `id` signs in to.
    pub fn platform(&self, id: &str) -> Option<String> {
        self.lock().get(id).and_then(|e| e.pending.as_ref()).map(|p| p.platform.clone())
    }

    /// Waits for the browser's answer to flow `id`: the flow and its authorization code, or
    /// why there is none (refused, cancelled, timed out). The flow is over either way.
    pub async fn wait(&self, id: &str) -> Result<(Pending, String), OAuthError> {
        let (mut pending, cancel) = {
            let mut flows = self.lock();
            let entry = flows.get_mut(id).ok_or(OAuthError::UnknownFlow)?;
            let pending = entry.pending.take().ok_or(OAuthError::AlreadyWaiting)?;
            (pending, entry.cancel.clone())
        };
        let outcome = tokio::select! {
            answer = &mut pending.listener.outcome => match answer {
                Ok(Callback::Code(code)) => Ok(code),
                Ok(Callback::Refused { error, description }) => {
                    Err(OAuthError::Refused { error, description })
                }
                // The listener stopped at its deadline just before we looked.
                Err(_) => Err(OAuthError::TimedOut(self.timeout)),
            },
            () = cancel.notified() => Err(OAuthError::Cancelled),
            () = tokio::time::sleep_until(pending.deadline) => Err(OAuthError::TimedOut(self.timeout)),
        };
        self.lock().remove(id);
        outcome.map(|code| (pending, code))
    }

    /// Cancels flow `id`: a waiting `finish` returns at once and the listener stops.
    pub fn cancel(&self, id: &str) -> Result<(), OAuthError> {
        let entry = self.lock().remove(id).ok_or(OAuthError::UnknownFlow)?;
        entry.cancel.notify_one();
        Ok(())
    }

    /// Flows begun and not yet over.
    pub fn in_progress(&self) -> usize {
        self.lock().len()
    }
}
