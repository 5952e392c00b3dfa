//! Sipstory's engine benchmarks. They print figures next to their targets and never fail on
//! them: timing depends on the machine, so nothing here is an assertion.
//!
//! ```text
//! cargo bench -p sipstory-tests --bench engine -- queries
//! scripts/with-desktop.sh cargo bench -p sipstory-tests --bench engine -- lateness
//! scripts/with-desktop.sh cargo bench -p sipstory-tests --bench engine -- idle
//! ```
//!
//! With no part named, every part runs. `lateness` and `idle` run a real engine with the OS
//! keychain, so they need the desktop session `scripts/with-desktop.sh` provides (they say so
//! and are skipped without it). See `docs/BENCHMARKS.md`. The parts live in `benches/engine/`
//! (named by `#[path]`, so cargo does not take them for benches of their own).

#[path = "engine/dataset.rs"]
mod dataset;
#[path = "engine/idle.rs"]
mod idle;
#[path = "engine/lateness.rs"]
mod lateness;
#[path = "engine/live.rs"]
mod live;
#[path = "engine/queries.rs"]
mod queries;
#[path = "engine/report.rs"]
mod report;

const PARTS: [&str; 3] = ["queries", "lateness", "idle"];

fn main() {
    init_logging();
    for part in selected_parts() {
        match part.as_str() {
            "queries" => queries::run(),
            "lateness" => lateness::run(),
            "idle" => idle::run(),
            _ => unreachable!("selected_parts only returns known parts"),
        }
    }
}

/// The parts named on the command line (all when none is), skipping the flags cargo adds
/// (`--bench`). Exits with usage on an unknown name.
fn selected_parts() -> Vec<String> {
    let named: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    if let Some(unknown) = named.iter().find(|n| !PARTS.contains(&n.as_str())) {
        eprintln!("unknown part '{unknown}'; choose from: {}", PARTS.join(", "));
        std::process::exit(2);
    }
    if named.is_empty() { PARTS.iter().map(|p| p.to_string()).collect() } else { named }
}

/// Engine warnings and errors go to stderr (`RUST_LOG` overrides the level).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
