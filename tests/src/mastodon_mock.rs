//! Runs PyPI `mastodon-mock` (installed by `scripts/peers/mastodon-mock.sh`) for a test: a
//! fresh in-memory server with its demo accounts on a free `127.0.0.1` port, stopped when the
//! handle drops.

use std::path::PathBuf;
use std::time::Duration;

use tokio::process::{Child, Command};

/// The pinned version the setup script installs.
pub const VERSION: &str = "0.6.1";

pub struct MastodonMock {
    pub base_url: String,
    _child: Child,
}

fn executable() -> PathBuf {
    let home = std::env::var_os("HOME").expect("HOME is set");
    PathBuf::from(home)
        .join(format!(".cache/sipstory/peers/mastodon-mock-{VERSION}/bin/mastodon_mock"))
}

fn free_port() -> u16 {
    let socket = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    socket.local_addr().expect("bound").port()
}

impl MastodonMock {
    /// Starts the mock and waits until it answers.
    pub async fn start() -> Self {
        let exe = executable();
        assert!(exe.exists(), "{} is missing: run scripts/setup.sh", exe.display());
        let port = free_port();
        let port_text = port.to_string();
        let child = Command::new(&exe)
            .args(["serve", "--host", "127.0.0.1", "--port", &port_text])
            .args(["--in-memory", "--demo", "--log-level", "warning"])
            .kill_on_drop(true)
            .spawn()
            .expect("mastodon_mock starts");
        let base_url = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let probe = client.get(format!("{base_url}/api/v2/instance")).send().await;
            if probe.is_ok_and(|r| r.status().is_success()) {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "mastodon_mock did not start in 60 s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Self { base_url, _child: child }
    }

    /// Adds a fault rule (`/api/v1/_mock/faults`), e.g. a forced status for the next calls.
    pub async fn add_fault(&self, rule: serde_json::Value) {
        let answer = reqwest::Client::new()
            .post(format!("{}/api/v1/_mock/faults", self.base_url))
            .json(&rule)
            .send()
            .await
            .expect("fault control plane answers");
        assert!(
            answer.status().is_success(),
            "fault rule refused: {}",
            answer.text().await.unwrap()
        );
    }
}
