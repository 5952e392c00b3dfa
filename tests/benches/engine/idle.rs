//! Part `idle`: the whole process's CPU time (user + system, `getrusage`) while an engine with
//! 10,000 posts scheduled days ahead waits, its scheduler running. `SIPSTORY_BENCH_IDLE_SECS`
//! shortens the 60 s window for a quick check.

use std::time::{Duration, Instant};

use chrono::Utc;

use sipstory_tests::fake_platform::FakePlatform;

use crate::live::{self, FakeHost, Live, Secrets};
use crate::report::{Table, heading, thousands, verdict};

const POSTS: usize = 10_000;
/// The loopback provider's default concurrency.
const CONCURRENCY: usize = 2;
/// The posts are spread over this many days, starting a day ahead.
const SPREAD_DAYS: i64 = 30;
const SETTLE: Duration = Duration::from_secs(2);
const DEFAULT_SECS: u64 = 60;
/// The target, in CPU seconds per minute of idling.
const LIMIT: f64 = 0.1;

pub fn run() {
    let window = window();
    heading(&format!(
        "idle: CPU of a waiting engine with 10,000 scheduled posts, over {}",
        live::secs(window)
    ));
    if live::skip_without_desktop() {
        return;
    }
    let host = FakeHost::start();
    live::runtime().block_on(measure(&host.fake, window));
}

/// `SIPSTORY_BENCH_IDLE_SECS`, else 60 s.
fn window() -> Duration {
    let secs = std::env::var("SIPSTORY_BENCH_IDLE_SECS").ok().and_then(|s| s.parse().ok());
    Duration::from_secs(secs.unwrap_or(DEFAULT_SECS).max(1))
}

async fn measure(fake: &FakePlatform, window: Duration) {
    let live = Live::start(fake, Secrets::Keychain, CONCURRENCY, 1).await;
    schedule_ahead(&live);
    tokio::time::sleep(SETTLE).await;
    let before = Usage::now();
    tokio::time::sleep(window).await;
    let spent = Usage::now().since(&before);
    print_usage(&spent, window);
    live.stop().await;
}

/// [`POSTS`] posts, evenly spread from one day ahead over [`SPREAD_DAYS`].
fn schedule_ahead(live: &Live) {
    let started = Instant::now();
    let first = Utc::now() + chrono::Duration::days(1);
    let step = chrono::Duration::days(SPREAD_DAYS) / POSTS as i32;
    for i in 0..POSTS {
        live.schedule(format!("later post {i}"), first + step * i as i32);
    }
    println!(
        "{} posts scheduled 1–{} days ahead in {}",
        thousands(POSTS as u64),
        SPREAD_DAYS + 1,
        live::secs(started.elapsed())
    );
}

fn print_usage(spent: &Usage, window: Duration) {
    let per_minute = spent.cpu().as_secs_f64() * 60.0 / window.as_secs_f64();
    let mut table = Table::new(&[
        "idle engine",
        "window s",
        "user ms",
        "sys ms",
        "CPU s/min",
        "target",
        "verdict",
        "voluntary switches",
    ]);
    table.row(vec![
        "10,000 posts ahead".into(),
        format!("{:.1}", window.as_secs_f64()),
        format!("{:.1}", spent.user.as_secs_f64() * 1e3),
        format!("{:.1}", spent.system.as_secs_f64() * 1e3),
        format!("{per_minute:.4}"),
        format!("< {LIMIT} s/min"),
        verdict(per_minute, LIMIT).into(),
        thousands(spent.voluntary_switches),
    ]);
    table.print();
}

/// The process's resource usage so far (all threads).
struct Usage {
    user: Duration,
    system: Duration,
    voluntary_switches: u64,
}

impl Usage {
    fn now() -> Self {
        // SAFETY: `getrusage` only writes the `rusage` it is given, which lives on this stack.
        let usage = unsafe {
            let mut usage: libc::rusage = std::mem::zeroed();
            assert_eq!(libc::getrusage(libc::RUSAGE_SELF, &mut usage), 0, "getrusage failed");
            usage
        };
        Self {
            user: timeval(usage.ru_utime),
            system: timeval(usage.ru_stime),
            voluntary_switches: usage.ru_nvcsw as u64,
        }
    }

    fn since(&self, earlier: &Usage) -> Usage {
        Usage {
            user: self.user.saturating_sub(earlier.user),
            system: self.system.saturating_sub(earlier.system),
            voluntary_switches: self.voluntary_switches.saturating_sub(earlier.voluntary_switches),
        }
    }

    fn cpu(&self) -> Duration {
        self.user + self.system
    }
}

fn timeval(t: libc::timeval) -> Duration {
    Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
}
