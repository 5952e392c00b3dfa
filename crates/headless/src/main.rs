//! Runs the Sipstory engine without a window: opens the data folder (the OS app-data dir, or
//! `--data-dir` / `SIPSTORY_DATA_DIR`), reports the queue, and publishes due posts until
//! Ctrl-C or SIGTERM, when in-flight publishes finish before it exits.

use std::path::PathBuf;
use std::sync::Arc;

use sipstory_engine::notify::DesktopNotifier;
use sipstory_engine::paths::default_data_dir;
use sipstory_engine::secrets::KeyringSecrets;
use sipstory_engine::{Engine, EngineConfig};

const USAGE: &str = "usage: sipstory-headless [--data-dir PATH]";

fn data_dir() -> Result<PathBuf, String> {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next()) {
        (None, _) => default_data_dir().ok_or_else(|| "no home folder: pass --data-dir".to_owned()),
        (Some("--data-dir"), Some(dir)) => Ok(PathBuf::from(dir)),
        _ => Err(USAGE.to_owned()),
    }
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let dir = data_dir().unwrap_or_else(|message| {
        eprintln!("{message}");
        std::process::exit(2);
    });
    let engine = Engine::open(
        EngineConfig::new(&dir),
        sipstory_platforms::registry(),
        Arc::new(KeyringSecrets::new("sipstory")),
        Arc::new(DesktopNotifier::new("Sipstory")),
    )
    .unwrap_or_else(|e| {
        eprintln!("Sipstory could not start: {e}");
        std::process::exit(1);
    });
    report(&engine, &dir);
    let scheduler = engine.start_scheduler();
    wait_for_stop().await;
    tracing::info!("stopping: letting in-flight publishes finish");
    scheduler.shutdown().await;
}

/// Prints what the engine holds and what it will do next.
fn report(engine: &Engine, dir: &std::path::Path) {
    let ops = engine.ops();
    let accounts = ops.accounts().map(|a| a.len()).unwrap_or_default();
    let queued = ops.queue().map(|q| q.len()).unwrap_or_default();
    let next = engine.core().store.next_due().ok().flatten();
    tracing::info!(
        data = %dir.display(),
        accounts,
        queued,
        next_due = next.map(|t| t.to_rfc3339()).unwrap_or_else(|| "nothing scheduled".into()),
        "Sipstory engine running headless; Ctrl-C stops it"
    );
}

async fn wait_for_stop() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
