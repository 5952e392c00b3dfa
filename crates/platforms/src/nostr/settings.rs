//! A Nostr account's public settings: the relays it publishes to and how many of them must
//! accept a note for it to count as published. Kept in SQLite (never the key).

use serde::{Deserialize, Serialize};
use sipstory_engine::model::Account;
use sipstory_engine::provider::{ErrorKind, ProviderError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelaySettings {
    pub relays: Vec<String>,
    pub min_ok: usize,
}

impl RelaySettings {
    /// Reads the settings of the form: `relays` separated by spaces, commas or lines;
    /// `min_ok` empty for 1. Errors name the field.
    pub fn from_form(relays: &str, min_ok: Option<&str>) -> Result<Self, (&'static str, String)> {
        let mut list: Vec<String> = Vec::new();
        for relay in relays.split(|c: char| c.is_whitespace() || c == ',').filter(|s| !s.is_empty())
        {
            let url = url::Url::parse(relay)
                .ok()
                .filter(|u| matches!(u.scheme(), "wss" | "ws") && u.host_str().is_some())
                .ok_or_else(|| {
                    ("relays", format!("'{relay}' is not a relay address (wss://relay.example)"))
                })?;
            let url = url.to_string();
            if !list.contains(&url) {
                list.push(url);
            }
        }
        if list.is_empty() {
            return Err(("relays", "Add at least one relay (wss://…).".to_owned()));
        }
        let min_ok = match min_ok.map(str::trim).filter(|s| !s.is_empty()) {
            None => 1,
            Some(n) => {
                n.parse::<usize>().ok().filter(|n| (1..=list.len()).contains(n)).ok_or_else(
                    || {
                        (
                            "min_ok",
                            format!("Enter a number from 1 to {} (the relays listed).", list.len()),
                        )
                    },
                )?
            }
        };
        Ok(Self { relays: list, min_ok })
    }

    pub fn of(account: &Account) -> Result<Self, ProviderError> {
        serde_json::from_value(account.settings.clone()).map_err(|_| {
            ProviderError::new(
                ErrorKind::Permanent,
                "the account's relay settings are unreadable; reconnect it",
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_relay_lists() {
        let s = RelaySettings::from_form(
            "wss://a.example, ws://127.0.0.1:7000\nwss://a.example",
            Some("2"),
        )
        .unwrap();
        assert_eq!(s.relays, vec!["wss://a.example/", "ws://127.0.0.1:7000/"]);
        assert_eq!(s.min_ok, 2);
        assert_eq!(RelaySettings::from_form("wss://a.example", None).unwrap().min_ok, 1);
    }

    #[test]
    fn names_the_wrong_field() {
        assert_eq!(RelaySettings::from_form("https://a.example", None).unwrap_err().0, "relays");
        assert_eq!(RelaySettings::from_form(" ", None).unwrap_err().0, "relays");
        assert_eq!(RelaySettings::from_form("wss://a.example", Some("2")).unwrap_err().0, "min_ok");
    }
}
