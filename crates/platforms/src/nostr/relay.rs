//! Talking to one Nostr relay over a websocket (NIP-01): sending an event and reading the
//! relay's `OK`, and reading stored events until `EOSE`. Every step has a deadline, so a relay
//! that hangs costs at most [`RELAY_TIMEOUT`] and never holds up the others.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use nostr::prelude::{ClientMessage, Event, Filter, RelayMessage, SubscriptionId};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long one relay may take to connect and answer.
pub const RELAY_TIMEOUT: Duration = Duration::from_secs(10);

/// What one relay did with an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `OK true`, or a `duplicate:` answer whatever its flag: the relay has the event
    /// (some relays, `nostr-relay` among them, answer `OK false "duplicate: exists"`).
    Accepted,
    /// `OK false` with the relay's reason (`invalid:`, `blocked:`, `rate-limited:`...).
    Rejected(String),
    /// The event never left: the relay could not be reached.
    Unreachable(String),
    /// The event was sent but no `OK` came back in time.
    NoAnswer(String),
}

impl Outcome {
    /// How the publish log and the post's record describe it.
    pub fn describe(&self) -> String {
        match self {
            Self::Accepted => "accepted".to_owned(),
            Self::Rejected(why) => format!("rejected: {why}"),
            Self::Unreachable(why) => format!("unreachable: {why}"),
            Self::NoAnswer(why) => format!("no answer: {why}"),
        }
    }
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

async fn connect(url: &str, deadline: Instant) -> Result<Socket, String> {
    match timeout_at(deadline, tokio_tungstenite::connect_async(url)).await {
        Ok(Ok((socket, _))) => Ok(socket),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("timed out connecting".to_owned()),
    }
}

/// Checks that `url` accepts a websocket connection.
pub async fn reachable(url: &str) -> Result<(), String> {
    let mut socket = connect(url, Instant::now() + RELAY_TIMEOUT).await?;
    let _ = socket.close(None).await;
    Ok(())
}

/// Sends `event` to the relay at `url` and waits for its `OK`.
pub async fn send(url: &str, event: &Event) -> Outcome {
    let deadline = Instant::now() + RELAY_TIMEOUT;
    let mut socket = match connect(url, deadline).await {
        Ok(socket) => socket,
        Err(e) => return Outcome::Unreachable(e),
    };
    let message = ClientMessage::event(event.clone()).as_json();
    if let Err(e) = socket.send(Message::text(message)).await {
        return Outcome::Unreachable(e.to_string());
    }
    let outcome = loop {
        match next_message(&mut socket, deadline).await {
            Ok(RelayMessage::Ok { event_id, status, message }) if event_id == event.id => {
                break if status || message.starts_with("duplicate:") {
                    Outcome::Accepted
                } else {
                    Outcome::Rejected(message.into())
                };
            }
            Ok(_) => {}
            Err(e) => break Outcome::NoAnswer(e),
        }
    };
    let _ = socket.close(None).await;
    outcome
}

/// The relay's stored events matching `filter`, read until `EOSE`.
pub async fn query(url: &str, filter: Filter) -> Result<Vec<Event>, String> {
    let deadline = Instant::now() + RELAY_TIMEOUT;
    let mut socket = connect(url, deadline).await?;
    let id = SubscriptionId::new("sipstory");
    let request = ClientMessage::req(id.clone(), vec![filter]).as_json();
    socket.send(Message::text(request)).await.map_err(|e| e.to_string())?;
    let mut events = Vec::new();
    loop {
        match next_message(&mut socket, deadline).await? {
            RelayMessage::Event { subscription_id, event } if *subscription_id == id => {
                events.push(event.into_owned());
            }
            RelayMessage::EndOfStoredEvents(sub) if *sub == id => break,
            RelayMessage::Closed { message, .. } => return Err(format!("closed: {message}")),
            _ => {}
        }
    }
    let _ = socket.send(Message::text(ClientMessage::close(id).as_json())).await;
    let _ = socket.close(None).await;
    Ok(events)
}

/// The next relay message, skipping pings and frames that are not relay messages.
async fn next_message(
    socket: &mut Socket,
    deadline: Instant,
) -> Result<RelayMessage<'static>, String> {
    loop {
        let frame = match timeout_at(deadline, socket.next()).await {
            Err(_) => return Err("timed out waiting for the relay".to_owned()),
            Ok(None) => return Err("the relay closed the connection".to_owned()),
            Ok(Some(Err(e))) => return Err(e.to_string()),
            Ok(Some(Ok(frame))) => frame,
        };
        if let Message::Text(text) = frame
            && let Ok(message) = RelayMessage::from_json(text.as_str())
        {
            return Ok(message);
        }
    }
}
