//! The running engine: opens the data folder (taking its single-instance lock), the store and
//! the media library, and holds what the scheduler and the operations layer share.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{Notify, broadcast};

use crate::notify::{Notice, Notifier};
use crate::oauth::{AppRegistrations, OAuthFlows};
use crate::ops::Operations;
use crate::provider::{Credentials, ProviderRegistry};
use crate::scheduler::SchedulerHandle;
use crate::secrets::SecretStore;
use crate::store::{Store, StoreError, Tx};

/// Tunables of the scheduler and publisher; the defaults suit a desktop app.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub data_dir: PathBuf,
    /// Attempts (requests that may have reached the platform) before a target fails.
    pub max_attempts: u32,
    /// First retry delay; doubles per attempt up to `backoff_max`.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// How long to wait before asking the platform whether an unanswered request landed.
    pub reconcile_delay: Duration,
    /// Targets due this soon are claimed ahead and fired at their exact time.
    pub prefetch: Duration,
    /// Targets claimed per transaction; a full batch is followed at once by the next. Each
    /// claim writes one lease per target, so smaller batches keep each claim short.
    pub claim_batch: u32,
    pub http_timeout: Duration,
    /// The longest the scheduler sleeps, to notice a wall-clock jump (sleep/wake).
    pub idle_check: Duration,
    /// How long a stop waits for in-flight publishes.
    pub shutdown_grace: Duration,
    /// How often a post its platform holds is checked once its time has come, until the
    /// server has published it.
    pub hand_off_check: Duration,
    /// How long a browser sign-in (OAuth) may take before it is given up.
    pub oauth_timeout: Duration,
    /// Which addresses media downloads (upload-from-url) may reach: public ones only, unless
    /// tests list more.
    pub remote_media: crate::remote_media::AddressPolicy,
}

impl EngineConfig {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            max_attempts: 5,
            backoff_base: Duration::from_secs(30),
            backoff_max: Duration::from_secs(3600),
            reconcile_delay: Duration::from_secs(10),
            prefetch: Duration::from_millis(500),
            claim_batch: 64,
            http_timeout: Duration::from_secs(60),
            idle_check: Duration::from_secs(60),
            shutdown_grace: Duration::from_secs(10),
            hand_off_check: Duration::from_secs(60),
            oauth_timeout: Duration::from_secs(300),
            remote_media: crate::remote_media::AddressPolicy::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("Sipstory is already running with the data folder {0}")]
    AlreadyRunning(PathBuf),
    #[error("could not use the data folder {path}: {source}")]
    DataDir { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What changed in the engine, for windows and trays that show it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EngineEvent {
    /// Posts, targets, accounts or settings changed: views should refresh.
    QueueChanged,
    /// A notification was recorded (and shown on the desktop if enabled).
    Notified(crate::store::StoredNotification),
}

/// What the scheduler and the operations layer share.
pub struct Core {
    pub store: Store,
    pub registry: ProviderRegistry,
    pub secrets: Arc<dyn SecretStore>,
    pub notifier: Arc<dyn Notifier>,
    pub config: EngineConfig,
    pub http: reqwest::Client,
    /// Browser sign-ins in progress.
    pub oauth: OAuthFlows,
    /// Woken whenever the queue changes, so the scheduler never polls.
    pub wake: Notify,
    /// Woken whenever the queue changes, for the hand-off worker.
    pub hand_off_wake: Notify,
    /// Held by the hand-off worker for each pass and by whoever takes an account's held
    /// posts back: steps on a server's held posts never run side by side.
    pub hand_off_steps: tokio::sync::Mutex<()>,
    /// Woken when a webhook event is queued.
    pub webhook_wake: Notify,
    events: broadcast::Sender<EngineEvent>,
    /// One keychain reader per account, so publishing reads each account's secrets once.
    credentials: Mutex<HashMap<String, Arc<Credentials>>>,
    media_dir: PathBuf,
    _lock: File,
}

impl Core {
    pub fn media_dir(&self) -> &Path {
        &self.media_dir
    }

    /// The account's secrets, read from the keychain on first use.
    pub fn credentials(&self, account_id: &str) -> Arc<Credentials> {
        let mut all = self.credentials.lock().unwrap_or_else(|p| p.into_inner());
        all.entry(account_id.to_owned())
            .or_insert_with(|| Arc::new(Credentials::new(self.secrets.clone(), account_id)))
            .clone()
    }

    /// App registrations (OAuth client ids and secrets) kept in the keychain.
    pub fn oauth_apps(&self) -> AppRegistrations {
        AppRegistrations::new(self.secrets.clone())
    }

    /// Drops the cached secrets of an account whose keychain entry was replaced or removed.
    pub fn forget_credentials(&self, account_id: &str) {
        self.credentials.lock().unwrap_or_else(|p| p.into_inner()).remove(account_id);
    }

    /// Tells the scheduler, and anyone watching, that the queue changed.
    pub fn queue_changed(&self) {
        self.wake.notify_one();
        self.hand_off_wake.notify_one();
        self.views_changed();
    }

    /// Tells anyone watching that the queue changed (the scheduler already knows).
    pub fn views_changed(&self) {
        let _ = self.events.send(EngineEvent::QueueChanged);
    }

    /// Events from now on. A slow receiver skips old events rather than holding the engine.
    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.events.subscribe()
    }

    /// Queues a webhook event for every webhook subscribed to it.
    pub fn webhook_event(&self, event: &str, payload: &serde_json::Value) {
        match self.store.enqueue_webhook_event(event, payload, Utc::now()) {
            Ok(0) => {}
            Ok(_) => self.webhook_wake.notify_one(),
            Err(e) => tracing::error!(error = %e, event, "could not queue a webhook event"),
        }
    }

    /// Records a notification (and the webhook event it means) and shows it on the desktop
    /// when the setting allows.
    pub async fn announce(self: &Arc<Self>, notice: Notice) {
        if let Err(e) = self.announce_with(notice, |_| Ok(())).await {
            tracing::error!(error = %e, "could not store a notification");
        }
    }

    /// As [`Core::announce`], committing `change` (what the notification is about) in the same
    /// transaction: nothing is announced unless the change is on disk.
    pub async fn announce_with(
        self: &Arc<Self>,
        notice: Notice,
        change: impl FnOnce(&Tx<'_>) -> Result<(), StoreError> + Send + 'static,
    ) -> Result<(), StoreError> {
        let at = Utc::now();
        let record = notice.clone();
        let id = self
            .store
            .write_together(move |w| {
                change(w)?;
                w.insert_notification(&record, at)
            })
            .await?;
        // Describing the event reads the post: only worth it when a webhook may want it.
        if self.store.has_webhooks().unwrap_or(true)
            && let Some((event, payload)) = crate::webhooks::event_for(self, &notice)
        {
            self.webhook_event(event, &payload);
        }
        let stored = crate::store::StoredNotification {
            id,
            created_at: at,
            kind: notice.kind,
            title: notice.title.clone(),
            body: notice.body.clone(),
            post_id: notice.post_id.clone(),
            account_id: notice.account_id.clone(),
            link: notice.link.clone(),
            read: false,
        };
        let _ = self.events.send(EngineEvent::Notified(stored));
        let enabled = self.store.settings().map(|s| s.notifications_enabled).unwrap_or(true);
        if enabled {
            let notifier = self.notifier.clone();
            let shown = tokio::task::spawn_blocking(move || notifier.show(&notice)).await;
            if let Ok(Err(e)) = shown {
                tracing::warn!(error = %e, "desktop notification not shown");
            }
        }
        Ok(())
    }
}

/// An open engine. Cloning is cheap.
#[derive(Clone)]
pub struct Engine {
    core: Arc<Core>,
}

impl Engine {
    /// Opens the data folder: takes its lock (one engine per folder), opens the database and
    /// the media library.
    pub fn open(
        config: EngineConfig,
        registry: ProviderRegistry,
        secrets: Arc<dyn SecretStore>,
        notifier: Arc<dyn Notifier>,
    ) -> Result<Self, EngineError> {
        let dir = config.data_dir.clone();
        let io = |source| EngineError::DataDir { path: dir.clone(), source };
        std::fs::create_dir_all(&dir).map_err(io)?;
        let lock = File::create(dir.join("sipstory.lock")).map_err(io)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(EngineError::AlreadyRunning(dir)),
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        let media_dir = dir.join("media");
        std::fs::create_dir_all(&media_dir).map_err(io)?;
        let store = Store::open(&dir.join("sipstory.db"))?;
        let http = crate::provider::PublishHttp::client(config.http_timeout);
        let oauth = OAuthFlows::new(config.oauth_timeout, config.http_timeout);
        Ok(Self {
            core: Arc::new(Core {
                store,
                registry,
                secrets,
                notifier,
                config,
                http,
                oauth,
                wake: Notify::new(),
                hand_off_wake: Notify::new(),
                hand_off_steps: tokio::sync::Mutex::new(()),
                webhook_wake: Notify::new(),
                events: broadcast::channel(256).0,
                credentials: Mutex::new(HashMap::new()),
                media_dir,
                _lock: lock,
            }),
        })
    }

    /// Starts the webhook deliveries on the current tokio runtime.
    pub fn start_webhooks(&self) -> crate::webhooks::WebhookDispatcher {
        crate::webhooks::WebhookDispatcher::spawn(self.core.clone())
    }

    /// Starts the background publisher on the current tokio runtime.
    pub fn start_scheduler(&self) -> SchedulerHandle {
        crate::scheduler::spawn(self.core.clone())
    }

    /// The operations every adapter (desktop commands, local API) calls.
    pub fn ops(&self) -> Operations {
        Operations::new(self.core.clone())
    }

    pub fn core(&self) -> &Arc<Core> {
        &self.core
    }
}
