//! One Mastodon server: its address as the user types it, whether it really is a Mastodon
//! server, its own limits (`GET /api/v2/instance`) and its OAuth endpoints and PKCE support
//! (`/.well-known/oauth-authorization-server`, absent on servers older than 4.3).

use reqwest::Url;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sipstory_engine::provider::{ErrorKind, ProviderError, PublishHttp};
use sipstory_engine::validation::PlatformRules;

use super::api::MastodonErrors;

/// Items per page when listing (Mastodon's maximum is 40).
pub const PAGE: usize = 40;

/// A Mastodon server's base URL (`https://host[:port]`, no trailing slash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub base: String,
    /// `host[:port]`, which names the server in handles and in the keychain.
    pub authority: String,
}

/// An error about what the user typed in the instance field.
pub fn field_error(kind: ErrorKind, message: String) -> ProviderError {
    ProviderError::new(kind, message).with_code("field:instance")
}

impl Instance {
    /// Reads an address like `mastodon.social`, `https://mastodon.social/` or
    /// `http://127.0.0.1:3000` (https unless a scheme is given).
    pub fn parse(input: &str) -> Result<Self, ProviderError> {
        let trimmed = input.trim().trim_end_matches('/');
        let with_scheme =
            if trimmed.contains("://") { trimmed.to_owned() } else { format!("https://{trimmed}") };
        let invalid = || {
            field_error(
                ErrorKind::Permanent,
                format!("'{}' is not a server address (like mastodon.social).", input.trim()),
            )
        };
        let url = Url::parse(&with_scheme).map_err(|_| invalid())?;
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(invalid)?;
        if !matches!(url.scheme(), "https" | "http") || url.path().len() > 1 {
            return Err(invalid());
        }
        let authority = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        Ok(Self { base: format!("{}://{authority}", url.scheme()), authority })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `GET <path>` for one page of a list endpoint, older than `max_id` when given.
    pub fn page(
        &self,
        http: &PublishHttp,
        path: &str,
        token: &str,
        max_id: Option<String>,
    ) -> reqwest::RequestBuilder {
        let mut query = vec![("limit", PAGE.to_string())];
        query.extend(max_id.map(|id| ("max_id", id)));
        http.inner().get(self.url(path)).query(&query).bearer_auth(token)
    }

    /// Checks that the server answers as Mastodon does and reads its limits.
    pub async fn limits(&self, http: &PublishHttp) -> Result<InstanceLimits, ProviderError> {
        let request = http.inner().get(self.url("/api/v2/instance"));
        let answer: Value =
            http.json("instance", request, true, &MastodonErrors).await.map_err(|e| {
                if e.code.as_deref() == Some("network") {
                    field_error(
                        ErrorKind::Transient,
                        format!("Sipstory could not reach {}: {}", self.authority, e.message),
                    )
                } else {
                    self.not_mastodon()
                }
            })?;
        InstanceLimits::read(&answer).ok_or_else(|| self.not_mastodon())
    }

    fn not_mastodon(&self) -> ProviderError {
        field_error(
            ErrorKind::Permanent,
            format!("{} does not answer like a Mastodon server.", self.authority),
        )
    }

    /// The server's OAuth endpoints and whether it takes PKCE S256.
    pub async fn oauth_endpoints(&self, http: &PublishHttp) -> OAuthEndpoints {
        let request = http.inner().get(self.url("/.well-known/oauth-authorization-server"));
        let metadata: Option<Value> =
            http.json("oauth_metadata", request, true, &MastodonErrors).await.ok();
        let text = |key: &str| metadata.as_ref().and_then(|m| m[key].as_str()).map(str::to_owned);
        let pkce = metadata.as_ref().is_some_and(|m| {
            m["code_challenge_methods_supported"]
                .as_array()
                .is_some_and(|methods| methods.iter().any(|v| v == "S256"))
        });
        OAuthEndpoints {
            authorize_url: text("authorization_endpoint")
                .unwrap_or_else(|| self.url("/oauth/authorize")),
            token_url: text("token_endpoint").unwrap_or_else(|| self.url("/oauth/token")),
            pkce,
        }
    }
}

pub struct OAuthEndpoints {
    pub authorize_url: String,
    pub token_url: String,
    pub pkce: bool,
}

/// What one server allows (`configuration` of `GET /api/v2/instance`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceLimits {
    pub max_characters: u32,
    pub max_media_attachments: u32,
    pub characters_reserved_per_url: u32,
    pub image_size_limit: Option<u64>,
    pub video_size_limit: Option<u64>,
    pub supported_mime_types: Vec<String>,
}

impl InstanceLimits {
    /// The limits in an instance answer, or `None` when it is not one.
    pub fn read(instance: &Value) -> Option<Self> {
        let config = instance.get("configuration")?.as_object()?;
        let statuses = &config.get("statuses")?;
        let media = config.get("media_attachments").cloned().unwrap_or_default();
        let number = |v: &Value| v.as_u64();
        Some(Self {
            max_characters: number(&statuses["max_characters"]).unwrap_or(500) as u32,
            max_media_attachments: number(&statuses["max_media_attachments"]).unwrap_or(4) as u32,
            characters_reserved_per_url: number(&statuses["characters_reserved_per_url"])
                .unwrap_or(23) as u32,
            image_size_limit: number(&media["image_size_limit"]),
            video_size_limit: number(&media["video_size_limit"]),
            supported_mime_types: media["supported_mime_types"]
                .as_array()
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                .unwrap_or_default(),
        })
    }

    /// The platform's rules with this server's limits.
    pub fn apply(&self, mut rules: PlatformRules) -> PlatformRules {
        rules.max_length = Some(self.max_characters);
        rules.media.max_items = self.max_media_attachments;
        if let Some(image) = self.image_size_limit {
            rules.media.max_image_bytes = Some(image);
            rules.media.max_gif_bytes = Some(image);
        }
        if let Some(video) = self.video_size_limit {
            rules.media.max_video_bytes = Some(video);
        }
        if !self.supported_mime_types.is_empty() {
            let takes =
                |prefix: &str| self.supported_mime_types.iter().any(|m| m.starts_with(prefix));
            rules.media.images &= takes("image/");
            rules.media.gifs &= self.supported_mime_types.iter().any(|m| m == "image/gif");
            rules.media.videos &= takes("video/");
        }
        rules
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn addresses_are_read_the_way_people_type_them() {
        let i = Instance::parse(" mastodon.social/ ").unwrap();
        assert_eq!(
            (i.base.as_str(), i.authority.as_str()),
            ("https://mastodon.social", "mastodon.social")
        );
        let local = Instance::parse("http://127.0.0.1:3000").unwrap();
        assert_eq!(local.base, "http://127.0.0.1:3000");
        assert_eq!(local.authority, "127.0.0.1:3000");
        for bad in ["", "ftp://x.org", "https://x.org/some/path", "not a url"] {
            let e = Instance::parse(bad).unwrap_err();
            assert_eq!(e.code.as_deref(), Some("field:instance"), "{bad}");
        }
    }

    #[test]
    fn limits_come_from_the_configuration() {
        let answer = json!({"configuration": {
            "statuses": {"max_characters": 5000, "max_media_attachments": 8, "characters_reserved_per_url": 23},
            "media_attachments": {"image_size_limit": 10_485_760, "video_size_limit": 41_943_040,
                "supported_mime_types": ["image/png", "image/jpeg", "video/mp4"]}
        }});
        let limits = InstanceLimits::read(&answer).unwrap();
        let rules = limits.apply(sipstory_engine::validation::builtin_rules("mastodon").unwrap());
        assert_eq!(rules.max_length, Some(5000));
        assert_eq!(rules.media.max_items, 8);
        assert_eq!(rules.media.max_image_bytes, Some(10_485_760));
        assert_eq!(rules.media.max_video_bytes, Some(41_943_040));
        assert!(!rules.media.gifs, "this server takes no GIFs");
        assert!(InstanceLimits::read(&json!({"title": "not mastodon"})).is_none());
    }
}
