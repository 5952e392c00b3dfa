//! Running the API: bound to 127.0.0.1 only, stopped gracefully.

use std::net::{Ipv4Addr, SocketAddr};

use sipstory_engine::ops::Operations;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("Port {0} is already in use by another program. Choose another port.")]
    PortBusy(u16),
    #[error("Could not listen on 127.0.0.1:{port}: {source}")]
    Listen { port: u16, source: std::io::Error },
}

/// A running API server.
pub struct ApiServer {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl ApiServer {
    /// Listens on `127.0.0.1:port` (0 picks a free port) and serves the API over `ops`.
    pub async fn start(ops: Operations, port: u16) -> Result<Self, StartError> {
        let listener =
            tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await.map_err(|e| {
                if e.kind() == std::io::ErrorKind::AddrInUse {
                    StartError::PortBusy(port)
                } else {
                    StartError::Listen { port, source: e }
                }
            })?;
        let addr = listener.local_addr().map_err(|source| StartError::Listen { port, source })?;
        let (stop, stopped) = oneshot::channel::<()>();
        let app = crate::app(ops);
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "the local API stopped");
            }
        });
        tracing::info!(%addr, "local API listening");
        Ok(Self { addr, stop, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting requests and waits for the ones in progress.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}
