//! Real servers for provider tests, started per test on 127.0.0.1 with free ports and stopped
//! when dropped: a Bluesky PDS ([`pds`]) and a Nostr relay ([`relay`]). Their installs are
//! cached by `scripts/peers/bluesky-nostr.sh` (run by `scripts/setup.sh`).

pub mod pds;
pub mod relay;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How long a server may take to come up on a loaded 2-core machine.
const START_TIMEOUT: Duration = Duration::from_secs(90);

/// How long a server may take to stop.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// The cached install of a peer, or a panic saying how to install it.
fn installed(name: &str) -> PathBuf {
    let home = std::env::var_os("HOME").expect("HOME is set");
    let dir = PathBuf::from(home).join(".cache/sipstory/peers").join(name);
    assert!(
        dir.join(".installed").exists(),
        "{} is not installed: run scripts/peers/bluesky-nostr.sh (scripts/setup.sh does)",
        dir.display()
    );
    dir
}

/// A server process in a process group of its own (a relay's workers included), all killed
/// when dropped.
pub struct Server {
    child: Child,
    port: u16,
}

impl Server {
    /// Starts `command` with its stderr in `log` and waits until it is ready: until `ready`
    /// says so of a stdout line, or, with no `ready`, until `port` accepts connections.
    async fn start(mut command: Command, port: u16, ready: Option<&str>, log: &Path) -> Self {
        let stdout = if ready.is_some() { Stdio::piped() } else { Stdio::null() };
        let stderr = std::fs::File::create(log).expect("server log file");
        command.stdin(Stdio::null()).stdout(stdout).stderr(stderr);
        command.kill_on_drop(true).process_group(0);
        let mut child = command.spawn().expect("the peer server starts");
        let mut lines = child.stdout.take().map(|stdout| BufReader::new(stdout).lines());
        let deadline = tokio::time::Instant::now() + START_TIMEOUT;
        loop {
            let log_text = || std::fs::read_to_string(log).unwrap_or_default();
            assert!(
                tokio::time::Instant::now() < deadline,
                "the peer server did not come up: {}",
                log_text()
            );
            if let Some(status) = child.try_wait().expect("peer status") {
                panic!("the peer server exited at start ({status}): {}", log_text());
            }
            match ready {
                Some(marker) => {
                    let lines = lines.as_mut().expect("piped stdout");
                    let line = tokio::time::timeout_at(deadline, lines.next_line()).await;
                    if let Ok(Ok(Some(line))) = line
                        && line.contains(marker)
                    {
                        break;
                    }
                }
                None => {
                    if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        // Keep draining stdout so the server never blocks on a full pipe.
        if let Some(mut lines) = lines {
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        }
        Self { child, port }
    }

    /// Stops the server the way a service manager does (SIGTERM, then SIGKILL after a grace)
    /// and waits until its port refuses connections (to test a peer that is down).
    pub async fn stop(&mut self) {
        if let Some(pid) = self.child.id() {
            let _ = Command::new("kill").args(["-TERM", "--", &format!("-{pid}")]).status().await;
        }
        if tokio::time::timeout(STOP_GRACE, self.child.wait()).await.is_err() {
            let _ = self.child.kill().await;
        }
        let deadline = tokio::time::Instant::now() + STOP_GRACE;
        while tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.is_ok() {
            assert!(tokio::time::Instant::now() < deadline, "port {} still open", self.port);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .status();
        }
    }
}
