//! Bearer-token authentication for `/api/*`: the [`Caller`] extractor answers
//! 401 `invalid_token` unless the request carries a live access token.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::error::ApiError;
use super::state::Shared;

/// The account an authenticated request acts for.
pub(super) struct Caller {
    pub(super) handle: String,
}

impl FromRequestParts<Shared> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, shared: &Shared) -> Result<Caller, ApiError> {
        let token = bearer_token(&parts.headers).ok_or_else(ApiError::invalid_token)?;
        let handle = shared.with(|state| state.account_for_access(&token));
        handle.map(|handle| Caller { handle }).ok_or_else(ApiError::invalid_token)
    }
}

/// The token of an `Authorization: Bearer <token>` header, if well formed.
pub(super) fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}
