//! The platform providers Sipstory publishes with. Each platform is one module that keeps only
//! that platform's specifics (endpoints, payloads, error codes); HTTP, retries, media upload
//! helpers and error mapping are the engine's shared `provider::http`.

use std::sync::Arc;

use sipstory_engine::provider::ProviderRegistry;

pub mod bluesky;
pub mod mastodon;
pub mod nostr;

/// Every platform provider of this build.
pub fn registry() -> ProviderRegistry {
    let mut registry = ProviderRegistry::new();
    registry.register(Arc::new(bluesky::BlueskyProvider::new()));
    registry.register(Arc::new(mastodon::MastodonProvider::default()));
    registry.register(Arc::new(nostr::NostrProvider::new()));
    registry
}
