//! Keeps the API server in line with the settings (on/off, port) for an app that runs it:
//! starts, stops or moves it when they change, and remembers why it could not start (a busy
//! port) so Settings can say so next to the field.

use serde::Serialize;
use sipstory_engine::model::LocalApiSettings;
use sipstory_engine::ops::Operations;
use tokio::sync::Mutex;

use crate::server::ApiServer;

/// What Settings shows about the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalApiStatus {
    pub running: bool,
    /// The port it listens on, or was asked to.
    pub port: u16,
    /// Why it is not running although it is turned on.
    pub error: Option<String>,
}

struct Current {
    server: Option<ApiServer>,
    status: LocalApiStatus,
}

pub struct LocalApi {
    ops: Operations,
    current: Mutex<Current>,
}

impl LocalApi {
    pub fn new(ops: Operations) -> Self {
        let status = LocalApiStatus { running: false, port: 0, error: None };
        Self { ops, current: Mutex::new(Current { server: None, status }) }
    }

    /// Starts, stops or moves the server to match `settings`.
    pub async fn apply(&self, settings: &LocalApiSettings) -> LocalApiStatus {
        let mut current = self.current.lock().await;
        let same_port = current.server.as_ref().is_some_and(|s| s.addr().port() == settings.port);
        if settings.enabled && same_port {
            return current.status.clone();
        }
        if let Some(server) = current.server.take() {
            server.stop().await;
        }
        current.status = LocalApiStatus { running: false, port: settings.port, error: None };
        if settings.enabled {
            match ApiServer::start(self.ops.clone(), settings.port).await {
                Ok(server) => {
                    current.status.running = true;
                    current.server = Some(server);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "the local API did not start");
                    current.status.error = Some(e.to_string());
                }
            }
        }
        current.status.clone()
    }

    pub async fn status(&self) -> LocalApiStatus {
        self.current.lock().await.status.clone()
    }

    /// Stops the server (on quit).
    pub async fn stop(&self) {
        if let Some(server) = self.current.lock().await.server.take() {
            server.stop().await;
        }
    }
}
