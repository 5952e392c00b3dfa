//! The protocol steps, done by the `oauth2` crate: the authorize URL with `state` and a PKCE
//! S256 challenge, the authorization-code exchange and the refresh-token grant, with the
//! platform's refusals turned into typed errors.

use std::time::Duration;

use chrono::Utc;
use oauth2::basic::{BasicClient, BasicErrorResponse, BasicErrorResponseType};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, HttpClientError, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken,
    RequestTokenError, Scope, TokenResponse, TokenUrl,
};

use super::{OAuthClient, OAuthError, OAuthTokens};
use crate::provider::{Credentials, ErrorKind, ProviderError};

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;
type TokenError = RequestTokenError<HttpClientError<reqwest::Error>, BasicErrorResponse>;

/// The HTTP client for token requests: it never follows redirects (a redirected token request
/// could leak the code or secret elsewhere).
pub fn oauth_http(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10).min(timeout))
        .timeout(timeout)
        .user_agent(concat!("Sipstory/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the HTTP client's TLS backend initialises")
}

fn client(spec: &OAuthClient, redirect_uri: Option<&str>) -> Result<Client, OAuthError> {
    let invalid =
        |what: &str, e: oauth2::url::ParseError| OAuthError::InvalidClient(format!("{what}: {e}"));
    let mut client = BasicClient::new(ClientId::new(spec.client_id.clone()))
        .set_auth_uri(
            AuthUrl::new(spec.authorize_url.clone()).map_err(|e| invalid("authorize URL", e))?,
        )
        .set_token_uri(TokenUrl::new(spec.token_url.clone()).map_err(|e| invalid("token URL", e))?)
        .set_auth_type(if spec.secret_in_body {
            AuthType::RequestBody
        } else {
            AuthType::BasicAuth
        });
    if let Some(secret) = &spec.client_secret {
        client = client.set_client_secret(ClientSecret::new(secret.clone()));
    }
    if let Some(uri) = redirect_uri {
        client = client.set_redirect_uri(
            RedirectUrl::new(uri.to_owned()).map_err(|e| invalid("redirect URI", e))?,
        );
    }
    Ok(client)
}

/// An authorize URL for the browser and what the exchange needs later.
pub struct Authorization {
    pub url: String,
    pub verifier: Option<PkceCodeVerifier>,
}

/// The authorize URL carrying `state`, the scopes and (when the platform takes it) a PKCE
/// S256 challenge.
pub fn authorization(
    spec: &OAuthClient,
    redirect_uri: &str,
    state: &str,
) -> Result<Authorization, OAuthError> {
    let client = client(spec, Some(redirect_uri))?;
    let mut request = client
        .authorize_url(|| CsrfToken::new(state.to_owned()))
        .add_scopes(spec.scopes.iter().cloned().map(Scope::new));
    for (name, value) in &spec.extra_params {
        request = request.add_extra_param(name.clone(), value.clone());
    }
    let mut verifier = None;
    if spec.pkce {
        let (challenge, secret) = PkceCodeChallenge::new_random_sha256();
        request = request.set_pkce_challenge(challenge);
        verifier = Some(secret);
    }
    let (url, _) = request.url();
    Ok(Authorization { url: url.to_string(), verifier })
}

/// Exchanges the authorization code (with the PKCE verifier) for tokens.
pub async fn exchange_code(
    http: &reqwest::Client,
    spec: &OAuthClient,
    redirect_uri: &str,
    code: String,
    verifier: Option<PkceCodeVerifier>,
) -> Result<OAuthTokens, ProviderError> {
    let client = client(spec, Some(redirect_uri))
        .map_err(|e| ProviderError::new(ErrorKind::Permanent, e.to_string()))?;
    let mut request = client.exchange_code(AuthorizationCode::new(code));
    if let Some(verifier) = verifier {
        request = request.set_pkce_verifier(verifier);
    }
    let response = request.request_async(http).await.map_err(token_error)?;
    Ok(tokens(&response, None))
}

/// Refreshes an account's tokens with its refresh token and saves them (a rotated refresh
/// token included) in one keychain write. A refused refresh is an auth error: the account
/// needs reconnecting.
pub async fn refresh_credentials(
    http: &reqwest::Client,
    spec: &OAuthClient,
    credentials: &Credentials,
) -> Result<OAuthTokens, ProviderError> {
    let refresh = credentials.require(super::REFRESH_TOKEN)?;
    let client =
        client(spec, None).map_err(|e| ProviderError::new(ErrorKind::Permanent, e.to_string()))?;
    let refresh_token = RefreshToken::new(refresh.clone());
    let response = client
        .exchange_refresh_token(&refresh_token)
        .request_async(http)
        .await
        .map_err(token_error)?;
    let fresh = tokens(&response, Some(refresh));
    // Without a new expiry the old one no longer applies.
    let stale: &[&str] = if fresh.expires_at.is_none() { &[super::EXPIRES_AT] } else { &[] };
    credentials.replace(fresh.secrets(), stale)?;
    Ok(fresh)
}

fn tokens(
    response: &oauth2::basic::BasicTokenResponse,
    kept_refresh: Option<String>,
) -> OAuthTokens {
    OAuthTokens {
        access_token: response.access_token().secret().clone(),
        refresh_token: response.refresh_token().map(|t| t.secret().clone()).or(kept_refresh),
        expires_at: response
            .expires_in()
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .map(|d| Utc::now() + d),
        scopes: response.scopes().map(|s| s.iter().map(|s| s.to_string()).collect()),
    }
}

fn token_error(e: TokenError) -> ProviderError {
    match e {
        RequestTokenError::ServerResponse(response) => {
            let code = response.error().as_ref().to_owned();
            let kind = match response.error() {
                BasicErrorResponseType::InvalidGrant
                | BasicErrorResponseType::InvalidClient
                | BasicErrorResponseType::UnauthorizedClient => ErrorKind::Auth,
                _ => ErrorKind::Permanent,
            };
            let message = match response.error_description() {
                Some(d) => format!("the platform refused the sign-in: {d} ({code})"),
                None => format!("the platform refused the sign-in ({code})"),
            };
            ProviderError::new(kind, message).with_code(code)
        }
        RequestTokenError::Request(e) => {
            let cause = crate::provider::http::root_cause(&e);
            ProviderError::new(
                ErrorKind::Transient,
                format!("could not reach the platform: {cause}"),
            )
            .with_code("network")
        }
        RequestTokenError::Parse(e, _) => ProviderError::new(
            ErrorKind::Permanent,
            format!("the platform's token answer is not readable: {e}"),
        ),
        RequestTokenError::Other(message) => ProviderError::new(
            ErrorKind::Permanent,
            format!("the platform's token answer is not usable: {message}"),
        ),
    }
}
