//! tauri-driver (which starts WebKitWebDriver, which starts the app) on a free port, and W3C
//! WebDriver sessions on it: what the end-to-end tests and the desktop benchmark open apps with.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use serde_json::json;

pub fn required_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run through scripts/test.sh (it builds the app with the loopback platform and installs tauri-driver)")
    })
}

/// How long an app may take to start and open its WebDriver session.
const SESSION_TIMEOUT: Duration = Duration::from_secs(90);

/// How many times a driver is started before giving up (see [`Driver::start`]).
const START_ATTEMPTS: usize = 3;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Whether something accepts connections on `port` within 5 s.
fn listens(port: u16) -> bool {
    (0..200).any(|_| {
        let open = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok();
        if !open {
            std::thread::sleep(Duration::from_millis(25));
        }
        open
    })
}

/// tauri-driver (which starts WebKitWebDriver, which starts the app) for one data folder. It
/// goes away with the value, and takes every process it started with it.
pub struct Driver {
    url: String,
    process: Child,
}

impl Driver {
    /// Starts tauri-driver and waits until it and the WebKitWebDriver it starts accept
    /// connections. A port found free can be taken before the driver binds it (the driver then
    /// exits at once): that start is abandoned and another made on new ports.
    pub fn start(data_dir: &Path) -> Self {
        sipstory_tests::harness::require_desktop_session();
        for _ in 0..START_ATTEMPTS {
            let (port, native_port) = (free_port(), free_port());
            let process = Command::new(required_env("TAURI_DRIVER"))
                .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
                .env("SIPSTORY_DATA_DIR", data_dir)
                // The webview's own storage (the calendar's last zone and week start) per data
                // folder too, so no window starts from what another test's window kept.
                .env("XDG_DATA_HOME", data_dir.join("webview"))
                .env("RUST_LOG", "warn")
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .process_group(0)
                .spawn()
                .expect("tauri-driver starts");
            let driver = Self { url: format!("http://127.0.0.1:{port}"), process };
            if listens(port) && listens(native_port) {
                return driver;
            }
            eprintln!(
                "tauri-driver or WebKitWebDriver did not listen on ports {port}/{native_port}: starting again"
            );
        }
        panic!("tauri-driver never started in {START_ATTEMPTS} attempts");
    }

    /// Opens a WebDriver session on the app at `app` (which starts it), trying again while
    /// the driver behind tauri-driver is still starting.
    pub async fn session(&self, app: &str) -> Client {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("wry"));
        capabilities.insert("tauri:options".into(), json!({ "application": app }));
        let mut last_error = None;
        for _ in 0..100 {
            let mut builder = ClientBuilder::native();
            let connect = builder.capabilities(capabilities.clone()).connect(&self.url);
            // WebKitWebDriver waits for the app without a limit: an app that exits at start
            // would hang the test instead of failing it.
            match tokio::time::timeout(SESSION_TIMEOUT, connect).await {
                Ok(Ok(client)) => return client,
                Ok(Err(e)) => last_error = Some(e),
                Err(_) => panic!(
                    "{app} did not open a WebDriver session within {SESSION_TIMEOUT:?}: it exited or hung at start"
                ),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no WebDriver session on {app}: {last_error:?}");
    }
}

impl Drop for Driver {
    /// tauri-driver, WebKitWebDriver and the app share one process group: all of it goes, even
    /// when a test fails half-way.
    /// It waits until every process of the group is gone: an app still dying would otherwise
    /// meet the next test's app, whose single-instance check would hand over to it and exit.
    fn drop(&mut self) {
        let group = self.process.id() as libc::pid_t;
        // SAFETY: signals a process group this test created; no memory is involved.
        unsafe { libc::killpg(group, libc::SIGKILL) };
        let _ = self.process.wait();
        for _ in 0..400 {
            // SAFETY: signal 0 only asks whether any process of the group is left.
            if unsafe { libc::killpg(group, 0) } != 0 {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        eprintln!("processes of tauri-driver's group {group} outlived SIGKILL for 10 s");
    }
}
