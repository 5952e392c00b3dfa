//! Runs PyPI `mastodon-mock` (installed by `scripts/peers/mastodon-mock.sh`) for a test: a
//! fresh in-memory server with its demo accounts on a free `127.0.0.1` port, stopped when the
//! handle drops. Also the calls tests make as a person would: signing in through the browser
//! and reading an account's statuses back from its server.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::harness::{TestEngine, fast_config};
use crate::openapi_contract::OpenApiContract;
use crate::recording_proxy::RecordingProxy;
use sipstory_engine::engine::Core;
use sipstory_engine::model::Account;
use sipstory_engine::ops::Operations;
use sipstory_engine::provider::Provider;
use sipstory_platforms::mastodon::MastodonProvider;
use tokio::process::{Child, Command};

/// The pinned version the setup script installs.
pub const VERSION: &str = "0.6.1";

pub struct MastodonMock {
    pub base_url: String,
    _child: Child,
    clock: Option<ServerClock>,
}

/// The clock of a mock started with [`MastodonMock::start_with_clock`]: libfaketime reads its
/// offset from a file on every call, so the server's time can move ahead while it runs.
pub struct ServerClock {
    dir: tempfile::TempDir,
}

/// libfaketime, from Debian's `faketime` package (installed by `scripts/setup.sh`).
pub const LIBFAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

impl ServerClock {
    fn file(&self) -> PathBuf {
        self.dir.path().join("offset")
    }

    /// Sets the server's clock `ahead` of the real one (written whole, then renamed in).
    pub fn set_ahead(&self, ahead: Duration) {
        let next = self.dir.path().join("offset.next");
        std::fs::write(&next, format!("+{}\n", ahead.as_secs())).expect("clock file written");
        std::fs::rename(next, self.file()).expect("clock file replaced");
    }
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
        Self::start_on(None).await
    }

    /// Starts the mock behind a recording proxy, and an engine whose Mastodon provider is the
    /// app's: the engine reaches the server through the proxy.
    pub async fn start_behind_proxy() -> (Self, RecordingProxy, TestEngine) {
        let mock = Self::start().await;
        let proxy = RecordingProxy::start(&mock.base_url).await;
        let t = TestEngine::start_with_providers(
            fast_config,
            [Arc::new(MastodonProvider::default()) as Arc<dyn Provider>],
        );
        (mock, proxy, t)
    }

    /// Starts the mock with a clock the test can move ahead ([`Self::clock`]).
    pub async fn start_with_clock() -> Self {
        assert!(
            std::path::Path::new(LIBFAKETIME).exists(),
            "{LIBFAKETIME} is missing: run scripts/setup.sh"
        );
        let clock = ServerClock { dir: tempfile::tempdir().expect("clock dir") };
        clock.set_ahead(Duration::ZERO);
        Self::start_on(Some(clock)).await
    }

    /// The server's clock, when started with one.
    pub fn clock(&self) -> &ServerClock {
        self.clock.as_ref().expect("started with start_with_clock")
    }

    async fn start_on(clock: Option<ServerClock>) -> Self {
        let exe = executable();
        assert!(exe.exists(), "{} is missing: run scripts/setup.sh", exe.display());
        let port = free_port();
        let port_text = port.to_string();
        let mut command = Command::new(&exe);
        command
            .args(["serve", "--host", "127.0.0.1", "--port", &port_text])
            .args(["--in-memory", "--demo", "--log-level", "warning"])
            .kill_on_drop(true);
        if let Some(clock) = &clock {
            command
                .env("LD_PRELOAD", LIBFAKETIME)
                .env("FAKETIME_TIMESTAMP_FILE", clock.file())
                .env("FAKETIME_NO_CACHE", "1");
        }
        let child = command.spawn().expect("mastodon_mock starts");
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
        Self { base_url, _child: child, clock }
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

fn param(url: &str, name: &str) -> String {
    let url = reqwest::Url::parse(url).expect("an absolute URL");
    url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned()).unwrap_or_default()
}

/// Signs in as `username` on the server at `base_url` the way a user does in the browser:
/// opens the authorize page, picks the account (the mock's form), and the browser follows the
/// redirect to Sipstory's listener.
pub async fn sign_in(ops: &Operations, base_url: &str, username: &str) -> Account {
    let fields = BTreeMap::from([("instance".to_owned(), base_url.to_owned())]);
    let start = ops.begin_oauth("mastodon", fields).await.expect("the sign-in starts");
    assert_eq!(param(&start.authorize_url, "code_challenge_method"), "S256");
    assert_eq!(param(&start.authorize_url, "redirect_uri"), start.redirect_uri);
    let finishing = ops.clone();
    let flow = start.flow_id.clone();
    let finish = tokio::spawn(async move { finishing.finish_oauth(&flow).await });
    let browser =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = browser.get(&start.authorize_url).send().await.unwrap();
    assert!(page.status().is_success());
    assert!(page.text().await.unwrap().contains(username), "the picker lists {username}");
    let form = [
        ("username", username.to_owned()),
        ("client_id", param(&start.authorize_url, "client_id")),
        ("redirect_uri", start.redirect_uri.clone()),
        ("scope", param(&start.authorize_url, "scope")),
        ("state", param(&start.authorize_url, "state")),
    ];
    let chosen =
        browser.post(format!("{base_url}/oauth/authorize")).form(&form).send().await.unwrap();
    let location = chosen.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&start.redirect_uri), "{location}");
    let done = browser.get(&location).send().await.unwrap().text().await.unwrap();
    assert!(done.contains("You can close this tab and go back to Sipstory"), "{done}");
    finish.await.unwrap().expect("the Mastodon account connects")
}

/// Removes the app registration of the server at `base_url` from the test keychain.
pub fn forget_app(core: &Core, base_url: &str) {
    let key = format!("mastodon:{}", base_url.trim_start_matches("http://"));
    core.oauth_apps().delete(&key).expect("the app registration is removed");
}

/// `GET <base_url><path>` as the holder of `token`: the JSON answer, which must be a success.
pub async fn get_as(base_url: &str, path: &str, token: &str) -> Value {
    let answer = reqwest::Client::new()
        .get(format!("{base_url}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("the server answers");
    assert!(answer.status().is_success(), "{path}: {}", answer.status());
    answer.json().await.expect("a JSON answer")
}

/// Every status of `account`, newest first, read from its server as anyone can
/// (`GET /api/v1/accounts/:id/statuses`, paging back with `max_id`).
pub async fn statuses(account: &Account) -> Vec<Value> {
    let base = account.settings["instance"].as_str().expect("the account's server");
    let id = account.settings["account_id"].as_str().expect("the account's id on it");
    let client = reqwest::Client::new();
    let mut all: Vec<Value> = Vec::new();
    loop {
        let mut request =
            client.get(format!("{base}/api/v1/accounts/{id}/statuses")).query(&[("limit", "40")]);
        if let Some(last) = all.last() {
            request = request.query(&[("max_id", last["id"].as_str().unwrap())]);
        }
        let answer = request.send().await.expect("the server answers");
        assert!(answer.status().is_success(), "statuses: {}", answer.status());
        let page: Vec<Value> = answer.json().await.expect("a list of statuses");
        let done = page.len() < 40;
        all.extend(page);
        if done {
            return all;
        }
    }
}

/// The statuses of `account` created since `since` (not the demo accounts' own), newest first.
pub async fn statuses_since(account: &Account, since: chrono::DateTime<chrono::Utc>) -> Vec<Value> {
    let mut all = statuses(account).await;
    all.retain(|s| {
        let at: chrono::DateTime<chrono::Utc> = s["created_at"].as_str().unwrap().parse().unwrap();
        at >= since
    });
    all
}

/// The plain text of a status read back from the server.
pub fn text_of(status: &Value) -> String {
    sipstory_platforms::mastodon::html_to_text(status["content"].as_str().expect("content"))
}

/// The plain texts of `account`'s statuses created since `since`, newest first.
pub async fn texts_since(account: &Account, since: chrono::DateTime<chrono::Utc>) -> Vec<String> {
    statuses_since(account, since).await.iter().map(text_of).collect()
}

/// Checks every request the proxy saw against the Mastodon OpenAPI description (the mock's
/// control plane and the form of its sign-in page, the browser's, left out).
pub fn assert_follows_the_description(proxy: &RecordingProxy) {
    let contract = OpenApiContract::load("mastodon-openapi.json");
    let requests: Vec<_> = proxy
        .requests()
        .into_iter()
        .filter(|r| !r.path.starts_with("/api/v1/_mock"))
        .filter(|r| !(r.method == "POST" && r.path == "/oauth/authorize"))
        .collect();
    assert!(!requests.is_empty());
    let problems = contract.problems(&requests);
    assert!(problems.is_empty(), "requests that break the description:\n{}", problems.join("\n"));
}
