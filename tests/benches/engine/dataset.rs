//! The queries part's data set: a database holding 1,000,000 targets shaped like a heavy
//! user's. 20 accounts (one paused, one waiting to be reconnected), posts every few minutes
//! over three years around [`ANCHOR_MS`] (two past, one ahead), 1–3 targets per post; the past
//! is published with a few failures and misses (and its results and publish log), the future
//! is scheduled with a few drafts. The disconnected account's posts of its last two days are
//! still scheduled: due, but not publishable.
//!
//! The engine creates the schema (`Store::open` runs the migrations); the rows then go in
//! through a second `rusqlite` connection, in one transaction with prepared statements. The
//! file is cached under `$CARGO_TARGET_DIR/bench-data/`, named by the schema version and
//! [`DATA_VERSION`], and the data is seeded, so every build of one version is the same.

use std::path::{Path, PathBuf};
use std::time::Instant;

use rand::rngs::StdRng;
use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use rusqlite::{Connection, Statement, Transaction, params};
use sipstory_engine::model::ThreadItem;
use sipstory_engine::store::Store;

/// "Now" for the data set and every query on it: 2026-01-15T00:00:00Z. Fixed, so a cached
/// file stays valid whenever it is used.
pub const ANCHOR_MS: i64 = 1_768_435_200_000;
pub const TARGETS: u64 = 1_000_000;
/// Bump whenever the generated rows change, so cached files are rebuilt.
const DATA_VERSION: u32 = 1;
const SEED: u64 = 0x5195_7041;

const ACCOUNTS: usize = 20;
const PAUSED_ACCOUNT: usize = 18;
const DISCONNECTED_ACCOUNT: usize = 19;
const PLATFORMS: [&str; 6] = ["x", "bluesky", "mastodon", "linkedin", "threads", "instagram"];
const ZONES: [&str; 4] = ["Europe/Paris", "America/New_York", "UTC", "Asia/Tokyo"];

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 86_400_000;
/// Posts fall on five-minute marks, as people schedule them.
const SLOT_MS: i64 = 5 * MINUTE_MS;
const PAST_DAYS: i64 = 730;
const FUTURE_DAYS: i64 = 365;
/// How long the disconnected account has been waiting to be reconnected.
const DISCONNECTED_FOR_MS: i64 = 2 * DAY_MS;

#[rustfmt::skip]
const WORDS: [&str; 24] = [
    "launch", "today", "our", "new", "release", "thanks", "everyone", "who", "joined", "the",
    "webinar", "read", "more", "on", "blog", "coffee", "tips", "for", "busy", "mornings",
    "community", "update", "weekly", "recap",
];

/// The cached database, built first when missing.
pub fn prepare() -> PathBuf {
    let path =
        cache_dir().join(format!("queries-1m-schema{}-data{DATA_VERSION}.db", schema_version()));
    if path.exists() {
        println!("data set: cached at {}", path.display());
        return path;
    }
    println!("data set: building {} (once; later runs reuse it)", path.display());
    let started = Instant::now();
    build(&path).expect("the data set is written");
    println!("data set: built in {:.1} s", started.elapsed().as_secs_f64());
    path
}

/// `$CARGO_TARGET_DIR/bench-data`, else the workspace's `target/bench-data`.
fn cache_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("bench-data")
}

/// The schema version the engine migrates a new database to.
fn schema_version() -> i64 {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("probe.db")).expect("the engine creates a database");
    store.schema_version().expect("the schema version reads")
}

/// Writes the data set to `path` (through a `.partial` file, renamed when complete).
fn build(path: &Path) -> rusqlite::Result<()> {
    let partial = path.with_extension("partial");
    remove_database(&partial);
    drop(Store::open(&partial).expect("the engine creates its schema"));
    let mut conn = Connection::open(&partial)?;
    conn.pragma_update(None, "journal_mode", "OFF")?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    conn.pragma_update(None, "cache_size", -1_048_576)?;
    let tx = conn.transaction()?;
    fill(&tx)?;
    tx.commit()?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    drop(conn);
    std::fs::rename(&partial, path).expect("the finished data set is renamed into place");
    Ok(())
}

fn remove_database(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::remove_file(file);
    }
}

/// Inserts the accounts, then posts until the targets reach [`TARGETS`].
fn fill(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let mut rng = StdRng::seed_from_u64(SEED);
    let accounts = insert_accounts(tx, &mut rng)?;
    let mut writer = Writer::new(tx)?;
    let mut written = 0;
    while written < TARGETS {
        let post = random_post(&mut rng, written, TARGETS - written);
        writer.post(&post, &accounts)?;
        written += post.targets.len() as u64;
    }
    Ok(())
}

struct AccountRow {
    id: String,
    platform: &'static str,
}

fn insert_accounts(tx: &Transaction<'_>, rng: &mut StdRng) -> rusqlite::Result<Vec<AccountRow>> {
    let mut stmt = tx.prepare(
        "INSERT INTO accounts (id, platform, handle, display_name, status, paused, settings, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, '{}', ?7)",
    )?;
    (0..ACCOUNTS)
        .map(|i| {
            let account =
                AccountRow { id: random_id(rng), platform: PLATFORMS[i % PLATFORMS.len()] };
            let status = if i == DISCONNECTED_ACCOUNT { "needs_reconnect" } else { "connected" };
            stmt.execute(params![
                account.id,
                account.platform,
                format!("brand{i}"),
                format!("Brand {i}"),
                status,
                i == PAUSED_ACCOUNT,
                ANCHOR_MS - (PAST_DAYS + 30) * DAY_MS,
            ])?;
            Ok(account)
        })
        .collect()
}

struct PostRow {
    id: String,
    items: Vec<ThreadItem>,
    tags: &'static str,
    at: i64,
    zone: &'static str,
    is_draft: bool,
    created_at: i64,
    targets: Vec<TargetRow>,
}

struct TargetRow {
    id: String,
    account: usize,
    state: &'static str,
    attempts: u32,
    next_attempt_at: Option<i64>,
}

/// A post with 1–3 targets (at most `room`), its `number` making its text unique.
fn random_post(rng: &mut StdRng, number: u64, room: u64) -> PostRow {
    let at = random_time(rng);
    let is_draft = at > ANCHOR_MS && rng.random_bool(0.02);
    let count = rng.random_range(1..=3).min(room as usize);
    let targets = sample(rng, ACCOUNTS, count)
        .into_iter()
        .map(|account| random_target(rng, account, at, is_draft))
        .collect();
    let items = (0..if rng.random_bool(0.1) { rng.random_range(2..=3) } else { 1 })
        .map(|position| ThreadItem {
            text: random_text(rng, number, position),
            ..Default::default()
        })
        .collect();
    PostRow {
        id: random_id(rng),
        items,
        tags: if rng.random_bool(0.3) { r#"["campaign"]"# } else { "[]" },
        at,
        zone: ZONES[rng.random_range(0..ZONES.len())],
        is_draft,
        created_at: at - rng.random_range(MINUTE_MS..30 * DAY_MS),
        targets,
    }
}

/// A five-minute mark between [`PAST_DAYS`] before the anchor and [`FUTURE_DAYS`] after it.
fn random_time(rng: &mut StdRng) -> i64 {
    let slot = rng.random_range(-(PAST_DAYS * DAY_MS / SLOT_MS)..=FUTURE_DAYS * DAY_MS / SLOT_MS);
    ANCHOR_MS + slot * SLOT_MS
}

/// The state a target due at `at` is in at the anchor.
fn random_target(rng: &mut StdRng, account: usize, at: i64, is_draft: bool) -> TargetRow {
    let waiting = account == DISCONNECTED_ACCOUNT && at > ANCHOR_MS - DISCONNECTED_FOR_MS;
    let (state, attempts, next_attempt_at) = match rng.random::<f64>() {
        _ if is_draft => ("draft", 0, None),
        _ if at > ANCHOR_MS || waiting => ("scheduled", 0, Some(at)),
        roll if roll < 0.02 => ("failed", 5, None),
        roll if roll < 0.03 => ("missed", 0, Some(at)),
        _ => ("published", 1, None),
    };
    TargetRow { id: random_id(rng), account, state, attempts, next_attempt_at }
}

fn random_text(rng: &mut StdRng, number: u64, position: usize) -> String {
    let words: Vec<&str> =
        (0..rng.random_range(12..36)).map(|_| WORDS[rng.random_range(0..WORDS.len())]).collect();
    format!("{} #{number}.{position}", words.join(" "))
}

fn random_id(rng: &mut StdRng) -> String {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid().to_string()
}

/// The prepared inserts of one post with its targets, results and publish log.
struct Writer<'t> {
    post: Statement<'t>,
    target: Statement<'t>,
    result: Statement<'t>,
    log: Statement<'t>,
}

impl<'t> Writer<'t> {
    fn new(tx: &'t Transaction<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            post: tx.prepare(
                "INSERT INTO posts (id, items, tags, scheduled_at, time_zone, is_draft, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            )?,
            target: tx.prepare(
                "INSERT INTO targets (id, post_id, account_id, settings, state, attempts, next_attempt_at,
                                      error_code, error_message, error_status, error_at, updated_at)
                 VALUES (?1, ?2, ?3, '{}', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?,
            result: tx.prepare(
                "INSERT INTO item_results (target_id, position, remote_id, url, extra, published_at)
                 VALUES (?1, ?2, ?3, ?4, 'null', ?5)",
            )?,
            log: tx.prepare(
                "INSERT INTO publish_log (at, post_id, target_id, account_id, platform, action, endpoint,
                                          http_status, error_code, error_message, duration_ms, attempt)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, '/api/posts', ?7, ?8, ?9, 180, ?10)",
            )?,
        })
    }

    fn post(&mut self, post: &PostRow, accounts: &[AccountRow]) -> rusqlite::Result<()> {
        let items = serde_json::to_string(&post.items).expect("thread items serialize");
        self.post.execute(params![
            post.id,
            items,
            post.tags,
            post.at,
            post.zone,
            post.is_draft,
            post.created_at
        ])?;
        for target in &post.targets {
            self.target_row(post, target, &accounts[target.account])?;
        }
        Ok(())
    }

    fn target_row(
        &mut self,
        post: &PostRow,
        target: &TargetRow,
        account: &AccountRow,
    ) -> rusqlite::Result<()> {
        let failed = target.state == "failed";
        let error = failed.then_some(("server_error", "The platform is unavailable (503).", 503));
        let settled_at = if post.at <= ANCHOR_MS { post.at + 2_000 } else { post.created_at };
        self.target.execute(params![
            target.id,
            post.id,
            account.id,
            target.state,
            target.attempts,
            target.next_attempt_at,
            error.map(|e| e.0),
            error.map(|e| e.1),
            error.map(|e| e.2),
            error.map(|_| settled_at),
            settled_at,
        ])?;
        match target.state {
            "published" => self.published(post, target, account),
            "failed" => self.log_row(post, target, account, "publish_failed", Some(503)),
            _ => Ok(()),
        }
    }

    /// One result and one log line per thread item.
    fn published(
        &mut self,
        post: &PostRow,
        target: &TargetRow,
        account: &AccountRow,
    ) -> rusqlite::Result<()> {
        for position in 0..post.items.len() {
            let remote_id = format!("{}-{position}", &target.id[..8]);
            let url = format!("https://{}.example/p/{remote_id}", account.platform);
            self.result.execute(params![target.id, position, remote_id, url, post.at + 1_000])?;
            self.log_row(post, target, account, "publish", Some(201))?;
        }
        Ok(())
    }

    fn log_row(
        &mut self,
        post: &PostRow,
        target: &TargetRow,
        account: &AccountRow,
        action: &str,
        status: Option<u16>,
    ) -> rusqlite::Result<()> {
        let failed = status.is_some_and(|s| s >= 400);
        self.log.execute(params![
            post.at + 1_000,
            post.id,
            target.id,
            account.id,
            account.platform,
            action,
            status,
            failed.then_some("server_error"),
            failed.then_some("The platform is unavailable (503)."),
            target.attempts,
        ])?;
        Ok(())
    }
}
