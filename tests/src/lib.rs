//! Sipstory's integration test harness: fakes the engine's tests run against.

pub mod fake_platform;
