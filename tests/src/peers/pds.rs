//! A real Bluesky PDS (`@atproto/pds` with an in-memory did:plc directory, see
//! `tests/peers/pds.cjs`), plus the calls tests make on it directly: creating accounts and app
//! passwords, and reading records and blobs back.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use sipstory_engine::model::Account;
use sipstory_engine::ops::Operations;
use tokio::process::Command;

use super::{Server, free_port, installed};

pub const INSTALL: &str = "atproto-pds-0.4.217";

pub struct Pds {
    pub url: String,
    server: Server,
    http: reqwest::Client,
    _data: tempfile::TempDir,
}

/// An account on the PDS with an app password for Sipstory.
#[derive(Debug, Clone)]
pub struct PdsAccount {
    pub handle: String,
    pub did: String,
    pub password: String,
    pub app_password: String,
}

impl Pds {
    pub async fn start() -> Self {
        let install = installed(INSTALL);
        let data = tempfile::tempdir().expect("PDS data dir");
        let port = free_port();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/peers/pds.cjs");
        let mut command = Command::new("node");
        command
            .arg(script)
            .env("NODE_PATH", install.join("node_modules"))
            .env("PLC_PORT", free_port().to_string())
            .env("PDS_PORT", port.to_string())
            .env("PDS_DATA", data.path());
        let log = data.path().join("pds.log");
        let server = Server::start(command, port, Some("ready"), &log).await;
        Self {
            url: format!("http://127.0.0.1:{port}"),
            server,
            http: reqwest::Client::new(),
            _data: data,
        }
    }

    /// The Accounts form for `account` on this PDS, as a user fills it in.
    pub fn form(&self, account: &PdsAccount, app_password: &str) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("identifier".to_owned(), format!("@{}", account.handle)),
            ("app_password".to_owned(), app_password.to_owned()),
            ("pds_url".to_owned(), format!("{}/", self.url)),
        ])
    }

    /// Connects `account` in Sipstory with its app password.
    pub async fn connect(&self, ops: &Operations, account: &PdsAccount) -> Account {
        ops.connect_account("bluesky", self.form(account, &account.app_password))
            .await
            .expect("the Bluesky account connects")
    }

    fn xrpc(&self, method: &str) -> String {
        format!("{}/xrpc/{method}", self.url)
    }

    async fn post(&self, method: &str, token: Option<&str>, body: Value) -> Value {
        let mut request = self.http.post(self.xrpc(method)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("PDS answers");
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{method}: {status} {body}");
        body
    }

    /// Creates `handle` (ending in `.test`) and an app password named `sipstory` for it.
    pub async fn create_account(&self, handle: &str) -> PdsAccount {
        let password = format!("main-{handle}-pass");
        let created = self
            .post(
                "com.atproto.server.createAccount",
                None,
                json!({ "handle": handle, "email": format!("{handle}@example.test"), "password": password }),
            )
            .await;
        let mut account = PdsAccount {
            handle: handle.to_owned(),
            did: created["did"].as_str().expect("did").to_owned(),
            password,
            app_password: String::new(),
        };
        account.app_password = self.create_app_password(&account, "sipstory").await;
        account
    }

    /// A session made with the account's main password (app passwords are managed with it).
    async fn main_session(&self, account: &PdsAccount) -> String {
        let session = self
            .post(
                "com.atproto.server.createSession",
                None,
                json!({ "identifier": account.handle, "password": account.password }),
            )
            .await;
        session["accessJwt"].as_str().expect("accessJwt").to_owned()
    }

    /// A new app password named `name`.
    pub async fn create_app_password(&self, account: &PdsAccount, name: &str) -> String {
        let token = self.main_session(account).await;
        let app = self
            .post("com.atproto.server.createAppPassword", Some(&token), json!({ "name": name }))
            .await;
        app["password"].as_str().expect("password").to_owned()
    }

    /// Revokes the account's `sipstory` app password (and every session made with it).
    pub async fn revoke_app_password(&self, account: &PdsAccount) {
        let token = self.main_session(account).await;
        self.post(
            "com.atproto.server.revokeAppPassword",
            Some(&token),
            json!({ "name": "sipstory" }),
        )
        .await;
    }

    /// A record by its `at://` URI, or `None` once it is deleted.
    pub async fn record(&self, uri: &str) -> Option<Value> {
        let parts: Vec<&str> = uri.trim_start_matches("at://").splitn(3, '/').collect();
        let response = self
            .http
            .get(self.xrpc("com.atproto.repo.getRecord"))
            .query(&[("repo", parts[0]), ("collection", parts[1]), ("rkey", parts[2])])
            .send()
            .await
            .expect("PDS answers");
        let status = response.status();
        let body: Value = response.json().await.expect("JSON");
        if status.is_success() {
            return Some(body);
        }
        assert_eq!(body["error"], "RecordNotFound", "getRecord {uri}: {status} {body}");
        None
    }

    /// Every post record of `did`, newest first.
    pub async fn posts(&self, did: &str) -> Vec<Value> {
        let response = self
            .http
            .get(self.xrpc("com.atproto.repo.listRecords"))
            .query(&[("repo", did), ("collection", "app.bsky.feed.post"), ("limit", "100")])
            .send()
            .await
            .expect("PDS answers");
        let body: Value = response.json().await.expect("JSON");
        body["records"].as_array().cloned().unwrap_or_default()
    }

    /// The bytes of a blob.
    pub async fn blob(&self, did: &str, cid: &str) -> Vec<u8> {
        let response = self
            .http
            .get(self.xrpc("com.atproto.sync.getBlob"))
            .query(&[("did", did), ("cid", cid)])
            .send()
            .await
            .expect("PDS answers");
        assert!(response.status().is_success(), "getBlob {cid}: {}", response.status());
        response.bytes().await.expect("blob bytes").to_vec()
    }

    /// Stops the PDS (to test a server that is down).
    pub async fn stop(&mut self) {
        self.server.stop().await;
    }
}
