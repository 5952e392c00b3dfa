//! Calling a PDS's XRPC methods through the shared publish mechanism: method URLs, the
//! account's PDS and DID, and Bluesky's error codes that mean "refresh the session".

use serde::de::DeserializeOwned;
use sipstory_engine::model::Account;
use sipstory_engine::provider::http::GenericErrorBody;
use sipstory_engine::provider::{ErrorKind, ProviderError, PublishHttp};

/// The entryway most accounts live behind; it forwards to the account's own PDS.
pub const DEFAULT_PDS: &str = "https://bsky.social";

pub fn url(pds: &str, method: &str) -> String {
    format!("{pds}/xrpc/{method}")
}

/// Sends an XRPC request and decodes its JSON answer. An expired or invalid access token is
/// answered with HTTP 400 and `ExpiredToken`/`InvalidToken`: an auth error, so the engine
/// refreshes the session.
pub async fn call<T: DeserializeOwned>(
    http: &PublishHttp,
    action: &str,
    request: reqwest::RequestBuilder,
    idempotent: bool,
) -> Result<T, ProviderError> {
    http.json(action, request, idempotent, &GenericErrorBody).await.map_err(auth_codes)
}

/// Like [`call`] for methods whose answer carries nothing we need.
pub async fn call_unit(
    http: &PublishHttp,
    action: &str,
    request: reqwest::RequestBuilder,
    idempotent: bool,
) -> Result<(), ProviderError> {
    http.checked(action, request, idempotent, &GenericErrorBody).await.map_err(auth_codes)?;
    Ok(())
}

fn auth_codes(e: ProviderError) -> ProviderError {
    match e.code.as_deref() {
        Some("ExpiredToken" | "InvalidToken") => ProviderError { kind: ErrorKind::Auth, ..e },
        _ => e,
    }
}

/// The account's PDS (settings `pds_url`).
pub fn pds(account: &Account) -> Result<&str, ProviderError> {
    setting(account, "pds_url")
}

/// The account's DID (settings `did`).
pub fn did(account: &Account) -> Result<&str, ProviderError> {
    setting(account, "did")
}

fn setting<'a>(account: &'a Account, key: &str) -> Result<&'a str, ProviderError> {
    account.settings[key].as_str().ok_or_else(|| {
        ProviderError::new(
            ErrorKind::Auth,
            format!("the account's settings have no '{key}'; reconnect it"),
        )
    })
}

/// `pds_url` as the user typed it, checked and without a trailing slash; empty means the
/// default.
pub fn normalize_pds(input: Option<&str>) -> Result<String, String> {
    let input = input.map(str::trim).filter(|s| !s.is_empty()).unwrap_or(DEFAULT_PDS);
    let parsed = url::Url::parse(input)
        .map_err(|_| format!("'{input}' is not a URL; use the form https://bsky.social"))?;
    if !matches!(parsed.scheme(), "https" | "http") || parsed.host_str().is_none() {
        return Err(format!("'{input}' is not an http(s) server address"));
    }
    Ok(input.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pds_defaults_and_checks() {
        assert_eq!(normalize_pds(None).unwrap(), DEFAULT_PDS);
        assert_eq!(normalize_pds(Some(" ")).unwrap(), DEFAULT_PDS);
        assert_eq!(normalize_pds(Some("http://127.0.0.1:2583/")).unwrap(), "http://127.0.0.1:2583");
        assert!(normalize_pds(Some("bsky.social")).is_err());
        assert!(normalize_pds(Some("ftp://bsky.social")).is_err());
    }

    #[test]
    fn expired_tokens_are_auth_errors() {
        let e = ProviderError::from_status(400, "Token has expired").with_code("ExpiredToken");
        assert_eq!(auth_codes(e).kind, ErrorKind::Auth);
        let e = ProviderError::from_status(400, "bad").with_code("InvalidRequest");
        assert_eq!(auth_codes(e).kind, ErrorKind::Permanent);
    }
}
