//! Part `lateness`: 1,000 targets due in the same instant (250 posts to 4 accounts, scheduled
//! ~3 s ahead through `create_post`), published to the loopback platform with a concurrency
//! of 64. A target's lateness is when the fake received the request's headers minus the
//! instant it was due.
//!
//! It runs twice: as the app is (secrets read from the OS keychain), then as a what-if with
//! the keychain behind an in-memory cache. The table's last row is the floor under both: the
//! same 1,000 requests from a bare loop through the engine's HTTP client, with no engine at
//! all. Then the unit costs behind the figures: one keychain read and one durable store
//! commit, each timed alone.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, DurationRound, Utc};
use sipstory_engine::model::{AppSettings, WeekStart};
use sipstory_engine::provider::{Credentials, PublishHttp};
use sipstory_tests::fake_platform::FakePlatform;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::live::{self, FakeHost, Live, Secrets, ms_between};
use crate::report::{Summary, Table, heading, ms, verdict};

const TARGETS: usize = 1_000;
const ACCOUNTS: usize = 4;
const CONCURRENCY: usize = 64;
/// How far ahead the burst is scheduled (then rounded up to a whole second).
const LEAD: chrono::Duration = chrono::Duration::seconds(3);
const WAIT: Duration = Duration::from_secs(300);
const LIMIT_MS: f64 = 50.0;
const UNIT_RUNS: usize = 100;

pub fn run() {
    heading("lateness: 1,000 targets due in the same instant");
    if live::skip_without_desktop() {
        return;
    }
    let runtime = live::runtime();
    let mut table = Table::new(&[
        "lateness (received − due)",
        "n",
        "min ms",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
        "target",
        "verdict (p99)",
    ]);
    for (label, secrets) in [
        ("as the app is (keychain)", Secrets::Keychain),
        ("what-if: keychain cached", Secrets::CachedKeychain),
    ] {
        let host = FakeHost::start();
        table.row(runtime.block_on(burst(&host.fake, label, secrets)));
    }
    let host = FakeHost::start();
    table.row(runtime.block_on(bare_client_burst(&host.fake)));
    table.print();
    let host = FakeHost::start();
    runtime.block_on(print_unit_costs(&host.fake));
}

/// Schedules the burst, waits for it to arrive and returns its lateness row.
async fn burst(fake: &FakePlatform, label: &str, secrets: Secrets) -> Vec<String> {
    let live = Live::start(fake, secrets, CONCURRENCY, ACCOUNTS).await;
    let due = next_whole_second(Utc::now() + LEAD);
    let setup = Instant::now();
    for i in 0..TARGETS / ACCOUNTS {
        live.schedule(format!("burst post {i}"), due);
    }
    println!(
        "{label}: {} posts × {ACCOUNTS} accounts scheduled in {}, {:.0} ms before they were due",
        TARGETS / ACCOUNTS,
        live::secs(setup.elapsed()),
        ms_between(Utc::now(), due),
    );
    let received = live.fake.wait_for_posts(TARGETS, WAIT).await;
    if received.len() < TARGETS {
        println!(
            "{label}: only {} of {TARGETS} requests arrived within {}",
            received.len(),
            live::secs(WAIT)
        );
    }
    live.stop().await;
    lateness_row(label, due, &received.iter().map(|p| p.received_at).collect::<Vec<_>>())
}

/// The floor under the engine's figure: the same 1,000 requests (same body, headers and
/// concurrency, through the engine's HTTP client) sent by a bare loop that stores nothing, on
/// the same two cores beside the same fake platform.
async fn bare_client_burst(fake: &FakePlatform) -> Vec<String> {
    let label = "floor: the requests alone";
    let client = Arc::new(PublishHttp::client(Duration::from_secs(60)));
    let tokens: Vec<String> =
        (0..ACCOUNTS).map(|i| fake.add_account(&format!("floor{i}")).access_token).collect();
    let url = format!("{}/api/posts", fake.base_url());
    let limit = Arc::new(Semaphore::new(CONCURRENCY));
    let due = next_whole_second(Utc::now() + LEAD);
    let wait = (due - Utc::now()).to_std().expect("the burst is ahead");
    let mut requests = JoinSet::new();
    for i in 0..TARGETS {
        let (client, limit, url) = (client.clone(), limit.clone(), url.clone());
        let token = tokens[i % ACCOUNTS].clone();
        requests.spawn(async move {
            tokio::time::sleep(wait).await;
            let _permit = limit.acquire_owned().await.expect("the limit is never closed");
            let body = serde_json::json!({ "text": format!("floor post {i}"), "media_ids": [] });
            let sent = client
                .post(&url)
                .bearer_auth(&token)
                .header("Idempotency-Key", format!("floor-{i}"))
                .json(&body)
                .send()
                .await
                .and_then(reqwest::Response::error_for_status);
            sent.expect("the fake platform accepts the post").bytes().await.ok();
        });
    }
    requests.join_all().await;
    let received = fake.wait_for_posts(TARGETS, WAIT).await;
    lateness_row(label, due, &received.iter().map(|p| p.received_at).collect::<Vec<_>>())
}

fn next_whole_second(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(chrono::Duration::seconds(1)).expect("an instant rounds to the second")
        + chrono::Duration::seconds(1)
}

fn lateness_row(label: &str, due: DateTime<Utc>, received: &[DateTime<Utc>]) -> Vec<String> {
    if received.is_empty() {
        return vec![label.into(), "0".into()];
    }
    let s = Summary::of_ms(received.iter().map(|at| ms_between(due, *at)).collect());
    vec![
        label.into(),
        s.count.to_string(),
        ms(s.min),
        ms(s.p50),
        ms(s.p90),
        ms(s.p99),
        ms(s.max),
        format!("p99 < {LIMIT_MS} ms"),
        verdict(s.p99, LIMIT_MS).into(),
    ]
}

/// What the publisher pays per target, each timed alone on an idle engine: reading an
/// account's secrets from the keychain (through a fresh `Credentials`, as every publish
/// makes one) and one durable commit that changes a row (synchronous = FULL).
async fn print_unit_costs(fake: &FakePlatform) {
    let live = Live::start(fake, Secrets::Keychain, CONCURRENCY, 1).await;
    let core = live.engine.core();
    let account = live.accounts[0].id.as_str();
    let keychain = time_each(|_| {
        Credentials::new(core.secrets.clone(), account).load().expect("the keychain reads");
    });
    let settings = core.store.settings().expect("settings read");
    let commit = time_each(|i| {
        let week_start = if i % 2 == 0 { WeekStart::Sunday } else { WeekStart::Monday };
        let changed = AppSettings { week_start, ..settings.clone() };
        core.store.save_settings(&changed).expect("settings saved");
    });
    let mut table = Table::new(&["unit cost, alone", "n", "p50 ms", "p99 ms", "max ms"]);
    for (label, s) in
        [("keychain read (Secret Service)", keychain), ("store commit (FULL sync)", commit)]
    {
        table.row(vec![label.into(), s.count.to_string(), ms(s.p50), ms(s.p99), ms(s.max)]);
    }
    table.print();
    live.stop().await;
}

fn time_each(mut f: impl FnMut(usize)) -> Summary {
    let samples: Vec<Duration> = (0..UNIT_RUNS)
        .map(|i| {
            let started = Instant::now();
            f(i);
            started.elapsed()
        })
        .collect();
    Summary::of_durations(&samples)
}
