//! The platform providers this build publishes with: every provider of `sipstory-platforms`,
//! and with the `loopback-platform` feature the loopback fake's provider for end-to-end tests.

use sipstory_engine::provider::ProviderRegistry;

pub fn registry() -> ProviderRegistry {
    #[allow(unused_mut)]
    let mut registry = sipstory_platforms::registry();
    #[cfg(feature = "loopback-platform")]
    registry.register(std::sync::Arc::new(sipstory_tests::fake_provider::LoopbackProvider::new()));
    registry
}
