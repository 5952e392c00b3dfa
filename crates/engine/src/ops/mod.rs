//! The operations layer: every action a user or script can take (posts, accounts, media,
//! slots, settings, activity), in one UI-agnostic API that the Tauri commands and the local
//! HTTP API both call. Adapters only translate; all checks and rules live here.

mod accounts;
mod error;
mod input;
mod library;
mod local_api;
mod oauth;
mod posts;
mod preferences;
mod webhooks;

use std::sync::Arc;

use crate::engine::Core;

pub use accounts::PlatformSummary;
pub use error::{ErrorCode, OpsError, OpsResult};
pub use input::{PostInput, Schedule, TargetInputDto};
pub use local_api::NewApiKey;
pub use posts::Saved;
pub use webhooks::NewWebhook;

/// The engine's operations; cheap to clone.
#[derive(Clone)]
pub struct Operations {
    core: Arc<Core>,
}

impl Operations {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }
}
