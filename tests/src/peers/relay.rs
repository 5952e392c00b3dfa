//! A real Nostr relay (PyPI `nostr-relay`, cached by `scripts/peers/bluesky-nostr.sh`) on a
//! free loopback port with its own SQLite file.

use std::collections::BTreeMap;

use nostr::prelude::{Event, Filter, Keys, Kind, ToBech32};
use sipstory_engine::model::Account;
use sipstory_engine::ops::Operations;
use tokio::process::Command;

use super::{Server, free_port, installed};

pub const INSTALL: &str = "nostr-relay-1.14";

pub struct Relay {
    /// `ws://127.0.0.1:{port}/`
    pub url: String,
    port: u16,
    server: Option<Server>,
    data: tempfile::TempDir,
}

impl Relay {
    pub async fn start() -> Self {
        let data = tempfile::tempdir().expect("relay data dir");
        let port = free_port();
        let mut relay = Self { url: format!("ws://127.0.0.1:{port}/"), port, server: None, data };
        relay.resume().await;
        relay
    }

    /// Starts the relay again on its port with its stored events (after [`Self::stop`]).
    pub async fn resume(&mut self) {
        let install = installed(INSTALL);
        // The packaged configuration with our database file and port.
        let packaged = install.join("lib/python3.11/site-packages/nostr_relay/config.yaml");
        let packaged = std::fs::read_to_string(&packaged)
            .unwrap_or_else(|e| panic!("{}: {e}", packaged.display()));
        let database = self.data.path().join("relay.sqlite3");
        let config = packaged
            .replace(
                "sqlite+aiosqlite:///nostr.sqlite3",
                &format!("sqlite+aiosqlite:///{}", database.display()),
            )
            .replace("127.0.0.1:6969", &format!("127.0.0.1:{}", self.port))
            .replace("loglevel: info", "loglevel: warning");
        assert!(
            config.contains(&format!("127.0.0.1:{}", self.port)),
            "relay config layout changed"
        );
        let config_path = self.data.path().join("config.yaml");
        std::fs::write(&config_path, config).expect("relay config");
        let mut command = Command::new(install.join("bin/nostr-relay"));
        command.arg("-c").arg(&config_path).arg("serve").current_dir(self.data.path());
        let log = self.data.path().join("relay.log");
        self.server = Some(Server::start(command, self.port, None, &log).await);
    }

    /// Stops the relay (to test a relay that is down).
    pub async fn stop(&mut self) {
        if let Some(mut server) = self.server.take() {
            server.stop().await;
        }
    }
}

/// The Accounts form for a Nostr account, as a user fills it in.
pub fn form(secret: &str, relays: &[&str], min_ok: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("secret_key".to_owned(), secret.to_owned()),
        ("relays".to_owned(), relays.join("\n")),
        ("min_ok".to_owned(), min_ok.to_owned()),
    ])
}

/// Connects the Nostr account of `keys` (given as an nsec) in Sipstory.
pub async fn connect(ops: &Operations, keys: &Keys, relays: &[&str], min_ok: &str) -> Account {
    let nsec = keys.secret_key().to_bech32().expect("an nsec");
    ops.connect_account("nostr", form(&nsec, relays, min_ok))
        .await
        .expect("the Nostr account connects")
}

/// Every event of `kind` by `keys` on the relay at `url`, each id and signature checked.
pub async fn events(url: &str, keys: &Keys, kind: Kind) -> Vec<Event> {
    let filter = Filter::new().author(keys.public_key()).kind(kind);
    let events =
        sipstory_platforms::nostr::relay::query(url, filter).await.expect("the relay answers");
    for event in &events {
        event.verify().expect("a valid id and signature");
    }
    events
}
