//! A running engine for the `lateness` and `idle` parts: the app's default configuration on a
//! temp data folder, the OS keychain, the loopback provider, accounts on a fake platform,
//! desktop notifications switched off in the settings, and the scheduler running. The fake
//! platform runs on a runtime of its own, as a remote platform would: the time it records a
//! request's arrival does not wait for the engine's busy workers.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sipstory_engine::model::{Account, AppSettings, ThreadItem};
use sipstory_engine::notify::DesktopNotifier;
use sipstory_engine::ops::{Operations, PostInput, Schedule, TargetInputDto};
use sipstory_engine::provider::ProviderRegistry;
use sipstory_engine::scheduler::SchedulerHandle;
use sipstory_engine::secrets::{KeyringSecrets, SecretError, SecretStore};
use sipstory_engine::{Engine, EngineConfig};
use sipstory_tests::fake_platform::FakePlatform;
use sipstory_tests::fake_provider::LoopbackProvider;
use sipstory_tests::harness;

/// Whether the desktop services the keychain needs are there (`scripts/with-desktop.sh`).
fn desktop_session() -> bool {
    std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
}

pub fn skip_without_desktop() -> bool {
    if desktop_session() {
        return false;
    }
    println!("skipped: needs the keychain's D-Bus session; run it through scripts/with-desktop.sh");
    true
}

/// A tokio runtime of the app's shape: one worker per core.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime")
}

/// The fake platform on its own one-worker runtime. Create and drop it outside any runtime.
pub struct FakeHost {
    pub fake: FakePlatform,
    _runtime: tokio::runtime::Runtime,
}

impl FakeHost {
    pub fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a tokio runtime for the fake platform");
        let fake = runtime.block_on(FakePlatform::start());
        Self { fake, _runtime: runtime }
    }
}

/// Where the engine reads account secrets.
#[derive(Clone, Copy, PartialEq)]
pub enum Secrets {
    /// The OS keychain, as the app does.
    Keychain,
    /// The OS keychain behind an in-memory cache: a what-if, not the app.
    CachedKeychain,
}

pub struct Live {
    pub engine: Engine,
    pub ops: Operations,
    pub fake: FakePlatform,
    pub accounts: Vec<Account>,
    scheduler: Option<SchedulerHandle>,
    _dir: tempfile::TempDir,
}

impl Live {
    /// An engine whose loopback platform publishes `concurrency` targets at once, with
    /// `accounts` accounts connected on `fake`.
    pub async fn start(
        fake: &FakePlatform,
        secrets: Secrets,
        concurrency: usize,
        accounts: usize,
    ) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let engine = open_engine(dir.path(), secrets, concurrency);
        let ops = engine.ops();
        disable_notifications(&ops).await;
        let mut connected = Vec::with_capacity(accounts);
        for i in 0..accounts {
            connected.push(harness::connect_account(&ops, fake, &format!("bench{i}")).await);
        }
        let scheduler = Some(engine.start_scheduler());
        Self { engine, ops, fake: fake.clone(), accounts: connected, scheduler, _dir: dir }
    }

    /// A post to every account at `at`.
    pub fn schedule(&self, text: String, at: DateTime<Utc>) {
        let targets = self
            .accounts
            .iter()
            .map(|a| TargetInputDto {
                account_id: a.id.clone(),
                custom_items: None,
                settings: serde_json::Value::Null,
            })
            .collect();
        let input = PostInput {
            items: vec![ThreadItem { text, ..Default::default() }],
            tags: vec![],
            targets,
            schedule: Schedule::At { at },
            time_zone: None,
        };
        self.ops.create_post(input).expect("the post is scheduled");
    }

    /// Stops the scheduler and removes the accounts (and their keychain entries).
    pub async fn stop(mut self) {
        if let Some(scheduler) = self.scheduler.take() {
            scheduler.shutdown().await;
        }
        for account in &self.accounts {
            let _ = self.ops.remove_account(&account.id, false).await;
        }
    }
}

fn open_engine(dir: &Path, secrets: Secrets, concurrency: usize) -> Engine {
    let mut registry = ProviderRegistry::new();
    registry.register(Arc::new(LoopbackProvider::with_concurrency(concurrency)));
    let keychain: Arc<dyn SecretStore> = Arc::new(KeyringSecrets::new(harness::unique_service()));
    let secrets = match secrets {
        Secrets::Keychain => keychain,
        Secrets::CachedKeychain => {
            Arc::new(CachedSecrets { inner: keychain, cache: Mutex::default() })
        }
    };
    let notifier = Arc::new(DesktopNotifier::new("Sipstory benchmarks"));
    Engine::open(EngineConfig::new(dir), registry, secrets, notifier).expect("the engine opens")
}

/// So a thousand desktop pop-ups do not distort the figures.
async fn disable_notifications(ops: &Operations) {
    let settings =
        AppSettings { notifications_enabled: false, ..ops.settings().expect("settings read") };
    ops.update_settings(settings).await.expect("settings saved");
}

/// A secret store that reads each key from `inner` once and writes through.
struct CachedSecrets {
    inner: Arc<dyn SecretStore>,
    cache: Mutex<HashMap<String, Option<String>>>,
}

impl CachedSecrets {
    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<String, Option<String>>> {
        self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl SecretStore for CachedSecrets {
    fn get(&self, key: &str) -> Result<Option<String>, SecretError> {
        if let Some(value) = self.cache().get(key) {
            return Ok(value.clone());
        }
        let value = self.inner.get(key)?;
        self.cache().insert(key.to_owned(), value.clone());
        Ok(value)
    }

    fn set(&self, key: &str, value: &str) -> Result<(), SecretError> {
        self.inner.set(key, value)?;
        self.cache().insert(key.to_owned(), Some(value.to_owned()));
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), SecretError> {
        self.inner.delete(key)?;
        self.cache().remove(key);
        Ok(())
    }
}

/// Milliseconds from `from` to `to` (negative when `to` is earlier).
pub fn ms_between(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_microseconds().expect("a short span") as f64 / 1e3
}

pub fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}
