//! Part `queries`: the store's hot queries on the 1,000,000-target data set, through the
//! engine's own `Store` on a scratch copy of the cached file (synchronous = FULL, as in the
//! app). "Now" is the data set's anchor.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{Connection, OpenFlags};
use sipstory_engine::store::{Claimed, Store};
use sipstory_engine::time::{Zone, day_bounds};

use crate::dataset::{self, ANCHOR_MS};
use crate::report::{Summary, Table, heading, ms, thousands, verdict};

/// Every query's target, in milliseconds at p99.
const LIMIT_MS: f64 = 5.0;
const MAX_RUNS: usize = 1_000;
/// A slow query stops after this long (but runs at least [`MIN_RUNS`] times).
const BUDGET: Duration = Duration::from_secs(15);
const MIN_RUNS: usize = 20;
const WARM_UP: usize = 3;
/// What the scheduler claims at once (`EngineConfig::claim_batch`).
const BATCH: u32 = 64;
/// How far ahead the scheduler claims (`EngineConfig::prefetch`).
const PREFETCH_MS: i64 = 500;
const OWNER: &str = "bench-scheduler";

pub fn run() {
    heading("queries: the store on 1,000,000 targets");
    let cached = dataset::prepare();
    describe(&cached);
    let scratch = ScratchCopy::of(&cached);
    let store = Store::open(&scratch.path).expect("the scratch copy opens");
    let mut table = Table::new(&[
        "query",
        "runs",
        "p50 ms",
        "p99 ms",
        "max ms",
        "target",
        "verdict (p99)",
        "result",
    ]);
    table.row(next_due(&store));
    table.row(claim_idle(&store));
    table.row(month_view(&store));
    table.row(calendar(&store, "calendar(month: Jan 2026)", utc(2026, 1, 1), utc(2026, 2, 1)));
    table.row(calendar(
        &store,
        "calendar(week: 12–19 Jan 2026)",
        utc(2026, 1, 12),
        utc(2026, 1, 19),
    ));
    table.row(claim_due(&store, &scratch.path));
    table.print();
}

/// Prints the data set's size and shape.
fn describe(path: &Path) {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("the data set opens");
    let count = |sql: &str| -> u64 { conn.query_row(sql, [], |r| r.get(0)).expect("a count") };
    let bytes = std::fs::metadata(path).expect("the data set exists").len();
    println!(
        "data set: {:.1} MiB; {} posts, {} targets, {} item results, {} log lines, {} accounts; now = {}",
        bytes as f64 / (1024.0 * 1024.0),
        thousands(count("SELECT count(*) FROM posts")),
        thousands(count("SELECT count(*) FROM targets")),
        thousands(count("SELECT count(*) FROM item_results")),
        thousands(count("SELECT count(*) FROM publish_log")),
        count("SELECT count(*) FROM accounts"),
        anchor().format("%Y-%m-%d %H:%M UTC"),
    );
    let mut stmt = conn
        .prepare("SELECT state, count(*) FROM targets GROUP BY state ORDER BY 2 DESC")
        .expect("states");
    let states: Vec<String> = stmt
        .query_map([], |r| Ok(format!("{} {}", r.get::<_, String>(0)?, thousands(r.get(1)?))))
        .expect("states")
        .collect::<rusqlite::Result<_>>()
        .expect("states");
    println!("targets by state: {}", states.join(", "));
}

/// A copy of the cached database in a temp folder next to it (same disk), removed on drop.
struct ScratchCopy {
    path: PathBuf,
    _dir: tempfile::TempDir,
}

impl ScratchCopy {
    fn of(cached: &Path) -> Self {
        let parent = cached.parent().expect("the cache file has a folder");
        let dir = tempfile::tempdir_in(parent).expect("a scratch folder");
        let path = dir.path().join("sipstory.db");
        std::fs::copy(cached, &path).expect("the data set is copied");
        Self { path, _dir: dir }
    }
}

fn next_due(store: &Store) -> Vec<String> {
    let (samples, due) = time_runs(MAX_RUNS, || store.next_due().expect("next_due"), |_| {});
    let due = due.map_or("none".into(), |at| format!("{}", at.format("%Y-%m-%d %H:%M")));
    row("Store::next_due()", &samples, due)
}

/// The common case: nothing is due within the prefetch window.
fn claim_idle(store: &Store) -> Vec<String> {
    let horizon = anchor() + chrono::Duration::milliseconds(PREFETCH_MS);
    let (samples, claimed) = time_runs(
        MAX_RUNS,
        || store.claim_due(horizon, BATCH, OWNER).expect("claim_due").len(),
        |_| {},
    );
    row("Store::claim_due(now+500ms, 64): none due", &samples, format!("claimed {claimed}"))
}

fn calendar(store: &Store, label: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<String> {
    let (samples, posts) =
        time_runs(MAX_RUNS, || store.calendar(from, to).expect("calendar"), |_| {});
    let targets: usize = posts.iter().map(|p| p.targets.len()).sum();
    let shape =
        format!("{} posts, {} targets", thousands(posts.len() as u64), thousands(targets as u64));
    row(&format!("Store::{label}"), &samples, shape)
}

/// What the month view asks: the five weeks FullCalendar shows for January 2026 (Monday
/// 29 December to Sunday 1 February), day by day in UTC, three posts a day and each day's total.
fn month_view(store: &Store) -> Vec<String> {
    let bounds = day_bounds(utc(2025, 12, 29), utc(2026, 2, 2), &Zone::UTC).expect("in range");
    let (samples, days) =
        time_runs(MAX_RUNS, || store.calendar_days(&bounds, 3).expect("calendar_days"), |_| {});
    let shown: usize = days.iter().map(|d| d.posts.len()).sum();
    let total: u64 = days.iter().map(|d| u64::from(d.total)).sum();
    let shape = format!("{} days, {shown} posts shown of {}", days.len(), thousands(total));
    row("Store::calendar_days(month view, 3 a day)", &samples, shape)
}

/// A burst: the first 64 publishable targets (a claim batch) are due. Each run claims them, then (untimed)
/// puts them back in the queue through a second connection, so every run sees the same queue.
fn claim_due(store: &Store, path: &Path) -> Vec<String> {
    let horizon = burst_horizon(path);
    let queue = Connection::open(path).expect("the scratch copy opens");
    let (samples, claimed) = time_runs(
        MAX_RUNS,
        || store.claim_due(horizon, BATCH, OWNER).expect("claim_due"),
        |claimed| release(&queue, claimed),
    );
    let result = format!("claimed {}, released after each run", claimed.len());
    row("Store::claim_due(…, 64): 64 due (commits)", &samples, result)
}

/// When the 64th publishable scheduled target is due.
fn burst_horizon(path: &Path) -> DateTime<Utc> {
    let conn = Connection::open(path).expect("the scratch copy opens");
    let due: i64 = conn
        .query_row(
            "SELECT t.next_attempt_at FROM targets t JOIN accounts a ON a.id = t.account_id
             WHERE t.state = 'scheduled' AND a.status = 'connected' AND a.paused = 0
             ORDER BY t.next_attempt_at LIMIT 1 OFFSET ?1",
            [BATCH - 1],
            |r| r.get(0),
        )
        .expect("a batch of targets is scheduled");
    from_ms(due)
}

/// Undoes a claim: the targets are scheduled again, with no lease.
fn release(conn: &Connection, claimed: &[Claimed]) {
    let tx = conn.unchecked_transaction().expect("a transaction");
    {
        let mut stmt = tx
            .prepare_cached(
                "UPDATE targets SET state = 'scheduled', lease_owner = NULL WHERE id = ?1",
            )
            .expect("the release prepares");
        for c in claimed {
            stmt.execute([&c.target_id]).expect("a target is released");
        }
    }
    tx.commit().expect("the release commits");
}

/// Runs `run` [`WARM_UP`] times, then times it up to `max_runs` times or for [`BUDGET`]
/// (at least [`MIN_RUNS`]), calling `reset` untimed after each run. Returns the timings and
/// the last run's output.
fn time_runs<T>(
    max_runs: usize,
    mut run: impl FnMut() -> T,
    mut reset: impl FnMut(&T),
) -> (Vec<Duration>, T) {
    for _ in 0..WARM_UP {
        reset(&run());
    }
    let started = Instant::now();
    let mut samples = Vec::with_capacity(max_runs);
    loop {
        let begun = Instant::now();
        let output = run();
        samples.push(begun.elapsed());
        reset(&output);
        let enough = samples.len() >= MIN_RUNS && started.elapsed() >= BUDGET;
        if samples.len() >= max_runs || enough {
            return (samples, output);
        }
    }
}

fn row(label: &str, samples: &[Duration], result: String) -> Vec<String> {
    let s = Summary::of_durations(samples);
    vec![
        label.into(),
        s.count.to_string(),
        ms(s.p50),
        ms(s.p99),
        ms(s.max),
        format!("< {LIMIT_MS} ms"),
        verdict(s.p99, LIMIT_MS).into(),
        result,
    ]
}

fn anchor() -> DateTime<Utc> {
    from_ms(ANCHOR_MS)
}

fn from_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().expect("a valid instant")
}

fn utc(year: i32, month: u32, day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, 0, 0, 0).single().expect("a valid date")
}
