//! Sipstory's engine: stores posts, decides when they are due, publishes them through platform
//! providers, and never loses or doubles a post. The desktop shell and the local API are thin
//! adapters over [`ops::Operations`].
//!
//! Data flow: compose ([`ops`]) → store ([`store`]) → scheduler ([`scheduler`]) → provider
//! ([`provider`]) → platform.

pub mod engine;
pub mod media_library;
pub mod model;
pub mod notify;
pub mod oauth;
pub mod ops;
pub mod paths;
pub mod provider;
pub mod remote_media;
pub mod scheduler;
pub mod secrets;
pub mod store;
pub mod time;
pub mod validation;
pub mod webhooks;

pub use engine::{Core, Engine, EngineConfig, EngineError, EngineEvent};
