//! The platform providers this build publishes with. Platform issues add theirs here; the
//! `loopback-platform` feature adds the loopback fake's provider for end-to-end tests.

use sipstory_engine::provider::ProviderRegistry;

pub fn registry() -> ProviderRegistry {
    #[allow(unused_mut)]
    let mut registry = ProviderRegistry::new();
    #[cfg(feature = "loopback-platform")]
    registry.register(std::sync::Arc::new(sipstory_tests::fake_provider::LoopbackProvider::new()));
    registry
}
