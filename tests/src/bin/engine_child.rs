//! The engine as a separate process, for the crash test: opens the data folder given as the
//! first argument with the keychain service given as the second, runs the scheduler with the
//! loopback provider, and stops cleanly on SIGTERM (SIGKILL is the test's business).

use sipstory_tests::harness::{fast_config, open_engine};

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(service)) = (args.next(), args.next()) else {
        eprintln!("usage: engine-child <data dir> <keychain service>");
        std::process::exit(2);
    };
    let engine = open_engine(fast_config(dir.as_ref()), &service, 4);
    let scheduler = engine.start_scheduler();
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    term.recv().await;
    scheduler.shutdown().await;
}
