//! The platform providers Sipstory publishes with. Each platform is one module that keeps only
//! that platform's specifics (endpoints, payloads, error codes); HTTP, retries, media upload
//! helpers and error mapping are the engine's shared `provider::http`.

pub mod mastodon;

use std::sync::Arc;

use sipstory_engine::provider::ProviderRegistry;

/// Every platform provider of this build.
pub fn registry() -> ProviderRegistry {
    let mut registry = ProviderRegistry::new();
    registry.register(Arc::new(mastodon::MastodonProvider::default()));
    registry
}
