//! Sipstory's integration test harness: fakes the engine's tests run against.

pub mod fake_platform;
pub mod fake_provider;
pub mod harness;
pub mod mastodon_mock;
pub mod oauth_fake;
pub mod oauth_provider;
pub mod openapi_contract;
pub mod recording_proxy;
