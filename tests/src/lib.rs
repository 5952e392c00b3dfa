//! Sipstory's integration test harness: fakes the engine's tests run against.

pub mod fake_platform;
pub mod fake_provider;
pub mod harness;
pub mod oauth_fake;
pub mod oauth_provider;
