//! Sipstory's engine: stores posts, decides when they are due, publishes them through platform
//! providers, and never loses or doubles a post. The desktop shell and the local API are thin
//! adapters over [`ops::Operations`].

pub mod model;
pub mod notify;
pub mod provider;
pub mod secrets;
pub mod validation;
