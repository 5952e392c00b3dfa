//! The listener's lifecycle: an accept loop serving each connection with hyper
//! on the caller's runtime, so the fake can go down (refusing and cutting
//! connections), come back up on the same port, and drop single connections.

use std::io;
use std::net::Ipv4Addr;

use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_service::Service;

/// Lets a handler close the connection its request came on, without answering.
#[derive(Clone)]
pub(super) struct ConnectionKill(CancellationToken);

impl ConnectionKill {
    pub(super) fn drop_connection(&self) {
        self.0.cancel();
    }
}

/// Binds a listener on the loopback interface; port 0 picks a free port.
pub(super) async fn bind(port: u16) -> io::Result<TcpListener> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await
}

/// The fake's HTTP server: a router and, while up, the tasks serving it.
pub(super) struct Server {
    port: u16,
    router: Router,
    running: Mutex<Option<Running>>,
}

impl Server {
    pub(super) fn serve(port: u16, listener: TcpListener, router: Router) -> Server {
        let running = Running::spawn(listener, router.clone());
        Server { port, router, running: Mutex::new(Some(running)) }
    }

    pub(super) fn port(&self) -> u16 {
        self.port
    }

    /// Stops listening and closes every open connection; idempotent.
    pub(super) async fn stop(&self) {
        let mut running = self.running.lock().await;
        if let Some(running) = running.take() {
            running.stop().await;
        }
    }

    /// Listens again on the same port; idempotent.
    pub(super) async fn resume(&self) -> io::Result<()> {
        let mut running = self.running.lock().await;
        if running.is_none() {
            let listener = bind(self.port).await?;
            *running = Some(Running::spawn(listener, self.router.clone()));
        }
        Ok(())
    }
}

/// The tasks of one up period: the accept loop and its connections.
struct Running {
    shutdown: CancellationToken,
    connections: TaskTracker,
    accept_loop: JoinHandle<()>,
}

impl Running {
    fn spawn(listener: TcpListener, router: Router) -> Running {
        let shutdown = CancellationToken::new();
        let connections = TaskTracker::new();
        let accept_loop =
            tokio::spawn(accept_loop(listener, router, shutdown.clone(), connections.clone()));
        Running { shutdown, connections, accept_loop }
    }

    async fn stop(self) {
        self.shutdown.cancel();
        // The loop only ends by cancellation; its listener is dropped when it does.
        let _ = self.accept_loop.await;
        self.connections.close();
        self.connections.wait().await;
    }
}

async fn accept_loop(
    listener: TcpListener,
    router: Router,
    shutdown: CancellationToken,
    connections: TaskTracker,
) {
    loop {
        let accepted = tokio::select! {
            () = shutdown.cancelled() => return,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, _)) => {
                connections.spawn(serve_connection(stream, router.clone(), shutdown.child_token()));
            }
            Err(error) => tracing::warn!(%error, "fake platform failed to accept a connection"),
        }
    }
}

/// Serves one HTTP/1.1 connection until it ends or is killed (shutdown or a dropping fault).
async fn serve_connection(stream: TcpStream, router: Router, kill: CancellationToken) {
    let handle = ConnectionKill(kill.clone());
    let service = service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(handle.clone());
        router.clone().call(request)
    });
    let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = connection => {}
        () = kill.cancelled() => {}
    }
}
