//! The desktop benchmark: Sipstory's window against a minimal Tauri window built the same way
//! (`tests/minimal-window`, same Tauri, same profile). For each, in one run and alternating:
//! the time from launch to an interactive page (Sipstory: the calendar showing posts from a
//! database of 10,000; the minimal window: its one heading), and the memory of the app with
//! its WebKit processes (the sum of their PSS) once loaded. Then, for Sipstory, how long a
//! heavy screen (the week view) takes to show, so a memory saving that slows the page's
//! scripts shows. Prints figures and their ratios next to the targets (start ≤ 1.5×,
//! memory ≤ 1.2×); never fails on them.
//!
//! ```text
//! cargo build --release -p sipstory-desktop -p sipstory-minimal-window
//! scripts/with-desktop.sh cargo bench -p sipstory-tests --bench desktop
//! ```
//!
//! Launch time is measured the same way for both: from asking tauri-driver for a session (it
//! starts the app) until the page element appears, polled every 10 ms.

#[path = "../tests/desktop/driver.rs"]
mod driver;
#[path = "engine/report.rs"]
#[allow(dead_code)] // The engine benchmark's table helpers; this one uses some of them.
mod report;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Duration as Span, Utc};
use fantoccini::Locator;
use sipstory_engine::model::PostStatus;
use sipstory_engine::notify::DesktopNotifier;
use sipstory_engine::ops::{PostInput, Schedule, TargetInputDto};
use sipstory_engine::provider::ProviderRegistry;
use sipstory_engine::secrets::KeyringSecrets;
use sipstory_engine::store::Store;
use sipstory_engine::{Engine, EngineConfig};

use driver::Driver;
use report::{Summary, Table, heading, verdict};

const POSTS: usize = 10_000;
const RUNS: usize = 5;
/// How long a loaded page is left before its memory is read.
const SETTLE: Duration = Duration::from_secs(3);
const START_RATIO: f64 = 1.5;
const MEMORY_RATIO: f64 = 1.2;

/// One app under measurement: its binary, what shows it is ready, and for Sipstory a step
/// timed once its memory is read.
struct Subject {
    name: &'static str,
    binary: PathBuf,
    ready: &'static str,
    step: Option<Step>,
}

/// A click and what shows it is done: how fast the page's scripts run a heavy screen.
struct Step {
    label: &'static str,
    click: &'static str,
    done: &'static str,
}

/// The week view of the seeded calendar: its script chunk loads, the week's posts (about 80 a
/// day) come over IPC and the calendar library lays them out.
const WEEK_VIEW: Step = Step {
    label: "to week view",
    click: "//button[normalize-space(.)='Week']",
    done: ".fc-timegrid-event",
};

/// One launch: how long until ready, how much of that the page took, and the memory once
/// loaded, in all and per process.
struct Sample {
    start: Duration,
    /// From the page's navigation start to ready (the rest is the process and the webview
    /// starting).
    page: Duration,
    pss_kib: u64,
    by_process: Vec<(String, u64)>,
    /// How long the subject's step took, after the memory was read.
    step: Option<Duration>,
    /// The page's own timeline at ready: `(kind, name, start ms, duration ms)` of each
    /// performance entry (the navigation, each script and stylesheet, each IPC call).
    timeline: Vec<(String, String, f64, f64)>,
}

/// Reads the page's performance entries (see [`Sample::timeline`]).
const TIMELINE_JS: &str = "return performance.getEntries().map(e => \
    [e.entryType, e.name, e.startTime, e.entryType === 'navigation' ? e.domContentLoadedEventEnd : e.duration])";

fn main() {
    if std::env::var_os("SIPSTORY_DESKTOP_SESSION").is_none() {
        println!("desktop: skipped (run it through scripts/with-desktop.sh)");
        return;
    }
    let release = target_dir().join("release");
    let subjects = [
        Subject {
            name: "minimal Tauri window",
            binary: release.join("minimal-window"),
            ready: "#ready",
            step: None,
        },
        Subject {
            name: "Sipstory",
            binary: release.join("sipstory"),
            ready: ".sp-event",
            step: Some(WEEK_VIEW),
        },
    ];
    for subject in &subjects {
        assert!(
            subject.binary.exists(),
            "{} is not built: cargo build --release -p sipstory-desktop -p sipstory-minimal-window",
            subject.binary.display()
        );
    }
    heading(&format!("desktop: launch and memory, Sipstory with {POSTS} posts"));
    let data = tempfile::tempdir().expect("temp dir");
    let seeded = Instant::now();
    seed(data.path());
    println!("database: {POSTS} posts seeded in {:.1} s", seeded.elapsed().as_secs_f64());

    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let mut samples: [Vec<Sample>; 2] = [Vec::new(), Vec::new()];
    for _ in 0..RUNS {
        for (subject, samples) in subjects.iter().zip(samples.iter_mut()) {
            samples.push(runtime.block_on(launch(subject, data.path())));
        }
    }
    report(&subjects, &samples);
}

/// A data folder holding `POSTS` scheduled posts over the next four months on three accounts,
/// made through the operations layer, as the composer would.
fn seed(dir: &Path) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let engine = Engine::open(
            EngineConfig::new(dir),
            ProviderRegistry::new(),
            Arc::new(KeyringSecrets::new("sipstory-bench")),
            Arc::new(DesktopNotifier::new("Sipstory bench")),
        )
        .expect("the engine opens");
        let store = &engine.core().store;
        let accounts: Vec<String> =
            [("bluesky", "bench.bsky"), ("mastodon", "bench@social"), ("threads", "bench")]
                .iter()
                .map(|(platform, handle)| {
                    store
                        .upsert_account(&Store::new_account(platform, handle, handle))
                        .expect("account")
                        .id
                })
                .collect();
        let ops = engine.ops();
        let first = Utc::now() + Span::hours(2);
        let spacing = Span::days(120) / POSTS as i32;
        for i in 0..POSTS {
            let account = &accounts[i % accounts.len()];
            let input = PostInput {
                items: vec![sipstory_engine::model::ThreadItem {
                    text: format!("Post {i}: fresh beans, new roast, come by the shop"),
                    media: Vec::new(),
                    delay_secs: 0,
                }],
                tags: Vec::new(),
                targets: vec![TargetInputDto {
                    account_id: account.clone(),
                    custom_items: None,
                    settings: serde_json::json!({}),
                }],
                schedule: Schedule::At { at: first + spacing * i as i32 },
                time_zone: Some("UTC".into()),
            };
            let saved = ops.create_post(input).expect("post");
            assert_eq!(saved.post.status, PostStatus::Scheduled);
        }
    });
}

/// Launches `subject` on the data folder, waits for its page, and reads its memory.
async fn launch(subject: &Subject, data_dir: &Path) -> Sample {
    let driver = Driver::start(data_dir);
    let binary = subject.binary.to_string_lossy();
    let launched = Instant::now();
    let client = driver.session(&binary).await;
    let start = time_until_shown(&client, subject.ready, launched, subject.name).await;
    let page = client.execute("return performance.now()", vec![]).await.expect("page time");
    let page = Duration::from_secs_f64(page.as_f64().unwrap_or_default() / 1e3);
    let entries = client.execute(TIMELINE_JS, vec![]).await.expect("page timeline");
    let timeline = serde_json::from_value(entries).unwrap_or_default();
    tokio::time::sleep(SETTLE).await;
    let by_process = tree_pss_kib(&subject.binary);
    let pss_kib = by_process.iter().map(|(_, kib)| kib).sum();
    let step = match &subject.step {
        Some(step) => Some(time_step(&client, step).await),
        None => None,
    };
    let _ = client.close().await;
    Sample { start, page, pss_kib, by_process, timeline, step }
}

/// Clicks `step.click` and times until `step.done` shows.
async fn time_step(client: &fantoccini::Client, step: &Step) -> Duration {
    let button = client.find(Locator::XPath(step.click)).await.expect("the step's button");
    let clicked = Instant::now();
    button.click().await.expect("the step's click");
    time_until_shown(client, step.done, clicked, step.label).await
}

/// The time from `since` until an element matching `css` is on the page, polled every 10 ms;
/// panics naming `what` after a minute.
async fn time_until_shown(
    client: &fantoccini::Client,
    css: &str,
    since: Instant,
    what: &str,
) -> Duration {
    while client.find(Locator::Css(css)).await.is_err() {
        assert!(since.elapsed() < Duration::from_secs(60), "{what}: {css} never showed");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    since.elapsed()
}

/// The PSS (KiB) of the running `binary` and of every process under it (WebKit's web and
/// network processes), by process name.
fn tree_pss_kib(binary: &Path) -> Vec<(String, u64)> {
    let processes: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| Some((pid, parent_of(pid)?)))
        .collect();
    let app = processes
        .iter()
        .map(|(pid, _)| *pid)
        .find(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == binary))
        .unwrap_or_else(|| panic!("{} is not running", binary.display()));
    let mut tree = vec![app];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(processes.iter().filter(|(_, p)| *p == parent).map(|(pid, _)| *pid));
        i += 1;
    }
    tree.iter().map(|pid| (process_name(*pid), pss_kib(*pid))).collect()
}

fn process_name(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default().trim().to_owned()
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: read after it.
    stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()
}

fn pss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|rollup| {
            rollup.lines().find_map(|l| {
                l.strip_prefix("Pss:")?.trim().strip_suffix("kB")?.trim().parse().ok()
            })
        })
        .unwrap_or(0)
}

fn report(subjects: &[Subject], samples: &[Vec<Sample>; 2]) {
    let start =
        |s: &Vec<Sample>| Summary::of_durations(&s.iter().map(|x| x.start).collect::<Vec<_>>());
    let memory =
        |s: &Vec<Sample>| Summary::of_ms(s.iter().map(|x| x.pss_kib as f64 / 1024.0).collect());
    let page =
        |s: &Vec<Sample>| Summary::of_durations(&s.iter().map(|x| x.page).collect::<Vec<_>>());
    let mut table = Table::new(&[
        "app",
        "runs",
        "start p50 ms",
        "start max ms",
        "of which page p50 ms",
        "PSS p50 MiB",
        "PSS max MiB",
    ]);
    for (subject, samples) in subjects.iter().zip(samples) {
        let (s, p, m) = (start(samples), page(samples), memory(samples));
        table.row(vec![
            subject.name.to_owned(),
            s.count.to_string(),
            format!("{:.0}", s.p50),
            format!("{:.0}", s.max),
            format!("{:.0}", p.p50),
            format!("{:.1}", m.p50),
            format!("{:.1}", m.max),
        ]);
    }
    table.print();
    for (subject, samples) in subjects.iter().zip(samples) {
        let Some(step) = &subject.step else { continue };
        let took: Vec<Duration> = samples.iter().filter_map(|x| x.step).collect();
        let s = Summary::of_durations(&took);
        println!(
            "{}, {}: p50 {:.0} ms, max {:.0} ms ({} runs)",
            subject.name, step.label, s.p50, s.max, s.count
        );
    }
    let mut processes = Table::new(&["app (last run)", "process", "PSS MiB"]);
    for (subject, samples) in subjects.iter().zip(samples) {
        for (name, kib) in &samples.last().expect("runs").by_process {
            processes.row(vec![
                subject.name.to_owned(),
                name.clone(),
                format!("{:.1}", *kib as f64 / 1024.0),
            ]);
        }
    }
    processes.print();
    print_timeline(&samples[1].last().expect("runs").timeline);
    let start_ratio = start(&samples[1]).p50 / start(&samples[0]).p50;
    let memory_ratio = memory(&samples[1]).p50 / memory(&samples[0]).p50;
    let mut ratios = Table::new(&["Sipstory ÷ minimal (p50)", "ratio", "target", "verdict"]);
    ratios.row(vec![
        "start".into(),
        format!("{start_ratio:.2}×"),
        format!("≤ {START_RATIO}×"),
        verdict(start_ratio, START_RATIO).to_owned(),
    ]);
    ratios.row(vec![
        "memory".into(),
        format!("{memory_ratio:.2}×"),
        format!("≤ {MEMORY_RATIO}×"),
        verdict(memory_ratio, MEMORY_RATIO).to_owned(),
    ]);
    ratios.print();
}

/// Where Sipstory's page spent its time in the last run, in the order things started; for
/// the navigation, the duration is when its DOMContentLoaded ended.
fn print_timeline(timeline: &[(String, String, f64, f64)]) {
    let mut table = Table::new(&["Sipstory page (last run)", "what", "start ms", "took ms"]);
    let mut entries: Vec<_> = timeline.iter().collect();
    entries.sort_by(|a, b| a.2.total_cmp(&b.2));
    for (kind, name, start, took) in entries {
        let what = name.rsplit('/').next().unwrap_or(name);
        table.row(vec![kind.clone(), what.to_owned(), format!("{start:.0}"), format!("{took:.0}")]);
    }
    table.print();
}

fn target_dir() -> PathBuf {
    PathBuf::from(std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into()))
}
