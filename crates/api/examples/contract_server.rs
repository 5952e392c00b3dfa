//! Serves the local API for the contract suite (`scripts/api-contract.sh`): an engine on a
//! temp data folder with the loopback fake platform, one connected account and a fresh key.
//! Prints `<base url> <key>` on one line, then serves until SIGTERM or Ctrl-C and cleans up
//! (the account's keychain entry, the data folder). Run inside `scripts/with-desktop.sh`.

use sipstory_api::ApiServer;
use sipstory_tests::fake_platform::FakePlatform;
use sipstory_tests::harness::TestEngine;
use tokio::signal::unix::{SignalKind, signal};

#[tokio::main]
async fn main() {
    let fake = FakePlatform::start().await;
    let engine = TestEngine::start();
    engine.connect(&fake, "contract").await;
    let key = engine.ops.create_api_key("contract suite").expect("key").secret;
    let server = ApiServer::start(engine.ops.clone(), 0).await.expect("API starts");
    println!("http://{} {key}", server.addr());
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    server.stop().await;
}
