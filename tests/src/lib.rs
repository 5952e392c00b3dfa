//! Sipstory's integration test harness: fakes the engine's tests run against, and the real
//! servers (`peers`) the platform providers are proven against.

pub mod fake_platform;
pub mod fake_provider;
pub mod harness;
pub mod mastodon_mock;
pub mod oauth_fake;
pub mod oauth_provider;
pub mod openapi_contract;
pub mod peers;
pub mod recording_proxy;
