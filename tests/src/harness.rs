//! Shared set-up for the engine's integration tests: an engine on a temp data folder with the
//! real keychain (a service name of its own), the real notification daemon and the loopback
//! provider, plus polling helpers that wait on state, never on fixed sleeps.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use sipstory_engine::model::{Account, Post, PostStatus, TargetState, ThreadItem};
use sipstory_engine::notify::DesktopNotifier;
use sipstory_engine::ops::{Operations, PostInput, Schedule, TargetInputDto};
use sipstory_engine::provider::{Credentials, Provider};
use sipstory_engine::scheduler::SchedulerHandle;
use sipstory_engine::secrets::KeyringSecrets;
use sipstory_engine::{Engine, EngineConfig};

use crate::fake_platform::FakePlatform;
use crate::fake_provider::LoopbackProvider;

/// Fails fast, with directions, outside the private session of `scripts/with-desktop.sh`
/// (tests must never touch the developer's own keychain or desktop).
pub fn require_desktop_session() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
            && std::env::var_os("SIPSTORY_DESKTOP_SESSION").is_some(),
        "run through scripts/test.sh (needs its private D-Bus session with gnome-keyring and dunst)"
    );
}

/// A keychain service name no other test uses.
pub fn unique_service() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!("sipstory-test-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Engine settings for tests: quick retries and reconciles.
pub fn fast_config(data_dir: &Path) -> EngineConfig {
    EngineConfig {
        max_attempts: 8,
        backoff_base: Duration::from_millis(100),
        backoff_max: Duration::from_secs(2),
        reconcile_delay: Duration::from_millis(200),
        http_timeout: Duration::from_secs(3),
        shutdown_grace: Duration::from_secs(2),
        hand_off_check: Duration::from_millis(200),
        ..EngineConfig::new(data_dir)
    }
}

/// Opens an engine on `data_dir` with the platform providers of this build plus the loopback
/// provider, the OS keychain under `service` and desktop notifications.
pub fn open_engine(config: EngineConfig, service: &str, concurrency: usize) -> Engine {
    open_engine_with(
        config,
        service,
        [Arc::new(LoopbackProvider::with_concurrency(concurrency)) as _],
    )
}

/// Opens an engine on `data_dir` with every platform provider of the app, plus (or instead of
/// the app's own, for the same platform) `providers`, the OS keychain under `service` and
/// desktop notifications.
pub fn open_engine_with(
    config: EngineConfig,
    service: &str,
    providers: impl IntoIterator<Item = Arc<dyn Provider>>,
) -> Engine {
    let mut registry = sipstory_platforms::registry();
    for provider in providers {
        registry.register(provider);
    }
    Engine::open(
        config,
        registry,
        Arc::new(KeyringSecrets::new(service)),
        Arc::new(DesktopNotifier::new("Sipstory tests")),
    )
    .expect("engine opens on a fresh data folder")
}

/// A running engine on a temp folder, removed (with its keychain entries) on drop.
pub struct TestEngine {
    pub engine: Engine,
    pub ops: Operations,
    pub scheduler: Option<SchedulerHandle>,
    pub service: String,
    pub dir: tempfile::TempDir,
}

impl TestEngine {
    pub fn start() -> Self {
        Self::start_with(fast_config)
    }

    pub fn start_with(config: impl FnOnce(&Path) -> EngineConfig) -> Self {
        Self::start_with_providers(config, [Arc::new(LoopbackProvider::new()) as _])
    }

    /// A running engine with `providers` instead of the loopback one.
    pub fn start_with_providers(
        config: impl FnOnce(&Path) -> EngineConfig,
        providers: impl IntoIterator<Item = Arc<dyn Provider>>,
    ) -> Self {
        require_desktop_session();
        let dir = tempfile::tempdir().expect("temp dir");
        let service = unique_service();
        let engine = open_engine_with(config(dir.path()), &service, providers);
        let ops = engine.ops();
        let scheduler = Some(engine.start_scheduler());
        Self { engine, ops, scheduler, service, dir }
    }

    /// Stops the scheduler the way Quit does.
    pub async fn stop(&mut self) {
        if let Some(scheduler) = self.scheduler.take() {
            scheduler.shutdown().await;
        }
    }

    pub async fn connect(&self, fake: &FakePlatform, handle: &str) -> Account {
        connect_account(&self.ops, fake, handle).await
    }
}

impl Drop for TestEngine {
    /// The temp folder goes with the engine; the accounts' keychain entries are removed here.
    fn drop(&mut self) {
        let secrets = &self.engine.core().secrets;
        for account in self.ops.accounts().unwrap_or_default() {
            let _ = secrets.delete(&Credentials::entry_key(&account.id));
        }
    }
}

/// Creates an account on the fake and connects it in Sipstory.
pub async fn connect_account(ops: &Operations, fake: &FakePlatform, handle: &str) -> Account {
    let credentials = fake.add_account(handle);
    let fields = BTreeMap::from([
        ("base_url".to_owned(), fake.base_url()),
        ("access_token".to_owned(), credentials.access_token),
        ("refresh_token".to_owned(), credentials.refresh_token),
    ]);
    ops.connect_account(crate::fake_provider::PLATFORM, fields).await.expect("account connects")
}

/// Polls `check` until it returns `Some`, or panics with `what` after `timeout`.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A thread item with text only.
pub fn item(text: &str) -> ThreadItem {
    ThreadItem { text: text.into(), ..Default::default() }
}

/// A post to publish now on `account_ids`, sharing `items`.
pub fn post_now(account_ids: &[&str], items: Vec<ThreadItem>) -> PostInput {
    PostInput {
        items,
        tags: vec![],
        targets: account_ids
            .iter()
            .map(|id| TargetInputDto {
                account_id: (*id).into(),
                custom_items: None,
                settings: serde_json::Value::Null,
            })
            .collect(),
        schedule: Schedule::Now,
        time_zone: None,
    }
}

/// Waits until post `id` has `status`.
pub async fn wait_status(
    ops: &Operations,
    id: &str,
    status: PostStatus,
    timeout: Duration,
) -> Post {
    wait_for(&format!("post {id} to be {status:?}"), timeout, || async {
        ops.post(id).ok().filter(|p| p.status == status)
    })
    .await
}

/// Waits until the first target of post `id` failed an attempt and waits for a retry.
pub async fn wait_retry(ops: &Operations, id: &str, timeout: Duration) {
    wait_for(&format!("post {id} to wait for a retry"), timeout, || async {
        let post = ops.post(id).ok()?;
        let target = &post.targets[0];
        (target.state == TargetState::Scheduled && target.last_error.is_some()).then_some(())
    })
    .await
}

/// A valid 1×1 RGBA PNG (checksums included).
pub fn tiny_png() -> Vec<u8> {
    vec![
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f,
        0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8,
        0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00,
        0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ]
}
