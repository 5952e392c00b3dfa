//! Bluesky sessions made from an app password: creating one, refreshing it (each refresh
//! rotates the refresh token) and the secrets kept from it, with the access token's expiry
//! read from the token itself so the engine can refresh ahead of it.

use std::collections::BTreeMap;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use sipstory_engine::provider::{Credentials, ProviderError, PublishHttp};

use super::xrpc;

pub const APP_PASSWORD: &str = "app_password";
pub const ACCESS_JWT: &str = "access_jwt";
pub const REFRESH_JWT: &str = "refresh_jwt";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub access_jwt: String,
    pub refresh_jwt: String,
    pub did: String,
    pub handle: String,
}

impl Session {
    /// Both tokens and the access token's expiry, saved together in one keychain write.
    pub fn secrets(&self) -> BTreeMap<String, String> {
        let mut secrets = BTreeMap::from([
            (ACCESS_JWT.to_owned(), self.access_jwt.clone()),
            (REFRESH_JWT.to_owned(), self.refresh_jwt.clone()),
        ]);
        if let Some(at) = expiry(&self.access_jwt) {
            secrets.insert(Credentials::EXPIRES_AT.to_owned(), at.to_rfc3339());
        }
        secrets
    }
}

/// Logs in with a handle (or DID, or email) and an app password.
pub async fn create(
    http: &PublishHttp,
    pds: &str,
    identifier: &str,
    password: &str,
) -> Result<Session, ProviderError> {
    let request = http
        .inner()
        .post(xrpc::url(pds, "com.atproto.server.createSession"))
        .json(&json!({ "identifier": identifier, "password": password }));
    xrpc::call(http, "create_session", request, true).await
}

/// Trades the refresh token for a new pair; the old refresh token stops working. Sent again
/// when its answer is lost: a refused old token then falls back to a new session.
pub async fn refresh(
    http: &PublishHttp,
    pds: &str,
    refresh_jwt: &str,
) -> Result<Session, ProviderError> {
    let request = http
        .inner()
        .post(xrpc::url(pds, "com.atproto.server.refreshSession"))
        .bearer_auth(refresh_jwt);
    xrpc::call(http, "refresh_session", request, true).await
}

/// The `exp` claim of a JWT (the PDS signs its tokens; we only read when it expires).
fn expiry(jwt: &str) -> Option<DateTime<Utc>> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    DateTime::from_timestamp(claims["exp"].as_i64()?, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_expiry_of_a_jwt() {
        let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"scope":"com.atproto.appPass","exp":1700000000}"#);
        let jwt = format!("eyJhbGciOiJIUzI1NiJ9.{claims}.c2ln");
        assert_eq!(expiry(&jwt), DateTime::from_timestamp(1_700_000_000, 0));
        assert_eq!(expiry("not-a-jwt"), None);
    }
}
