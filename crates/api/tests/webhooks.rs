//! Outbound webhooks end to end: a post created through the API is announced to a receiver on
//! 127.0.0.1 (scheduled, then published), each delivery signed with the webhook's secret;
//! a receiver error is retried with backoff; the delivery log records status, response time
//! and attempts; an account needing reconnection is announced; deleting a webhook forgets it
//! and its secret.

mod common;

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;
use sipstory_engine::model::PostStatus;
use sipstory_engine::webhooks::{SIGNATURE_HEADER, TIMESTAMP_HEADER, signature};
use sipstory_tests::harness::wait_for;

use common::{Api, WAIT};

type Received = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A receiver that answers 500 to its first `failures` requests, then 200.
async fn receiver(failures: usize) -> (String, Received) {
    let received: Received = Arc::default();
    let log = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let log = log.clone();
            async move {
                let mut log = log.lock().unwrap();
                log.push((headers, body));
                if log.len() <= failures {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_are_delivered_signed_retried_and_logged() {
    let api = Api::start().await;
    let dispatcher = api.engine.engine.start_webhooks();
    let (url, received) = receiver(1).await;
    let (other_url, other_received) = receiver(0).await;
    let events = ["post.scheduled".to_owned(), "post.published".to_owned()];
    let hook = api.engine.ops.create_webhook(&url, &events).unwrap();
    assert!(hook.secret.starts_with("whsec_"));
    api.engine.ops.create_webhook(&other_url, &["account.disconnected".to_owned()]).unwrap();

    let id = api.create(api.post_body("now", None, "tell the hooks")).await;
    api.wait_status(&id, PostStatus::Published).await;
    let log = wait_for("both events delivered", WAIT, || async {
        let log = api.engine.ops.webhook_deliveries(&hook.webhook.id).unwrap();
        (log.len() == 2 && log.iter().all(|d| d.state == "delivered")).then_some(log)
    })
    .await;

    let scheduled = log.iter().find(|d| d.event == "post.scheduled").unwrap();
    assert_eq!(scheduled.attempts, 2, "the receiver's 500 was retried");
    let published = log.iter().find(|d| d.event == "post.published").unwrap();
    assert_eq!((published.attempts, published.status), (1, Some(200)));
    assert!(published.response_ms.is_some());
    assert_eq!(published.payload["post"]["status"], "published");

    let received = received.lock().unwrap().clone();
    assert_eq!(received.len(), 3);
    for (headers, body) in &received {
        let timestamp: i64 = headers[TIMESTAMP_HEADER].to_str().unwrap().parse().unwrap();
        let expected = signature(&hook.secret, timestamp, body.as_bytes());
        assert_eq!(headers[SIGNATURE_HEADER], expected.as_str());
        let parsed: Value = serde_json::from_str(body).unwrap();
        assert!(events.contains(&parsed["event"].as_str().unwrap().to_owned()));
    }
    assert!(other_received.lock().unwrap().is_empty(), "only subscribed events are sent");

    api.fake.expire_all_tokens();
    api.fake.revoke_refresh_tokens();
    api.create(api.post_body("now", None, "nobody hears this")).await;
    let disconnected = wait_for("account.disconnected", WAIT, || async {
        other_received.lock().unwrap().first().map(|(_, body)| body.clone())
    })
    .await;
    let disconnected: Value = serde_json::from_str(&disconnected).unwrap();
    assert_eq!(disconnected["event"], "account.disconnected");
    assert_eq!(disconnected["data"]["account"]["id"], api.account.id);

    api.engine.ops.delete_webhook(&hook.webhook.id).unwrap();
    assert_eq!(api.engine.ops.webhooks().unwrap().len(), 1);
    assert!(api.engine.ops.webhook_deliveries(&hook.webhook.id).unwrap().is_empty());
    dispatcher.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_needs_an_http_address_and_known_events() {
    let api = Api::start().await;
    let ops = &api.engine.ops;
    let field = |r: Result<_, sipstory_engine::ops::OpsError>| r.unwrap_err().field;
    let scheduled = ["post.scheduled".to_owned()];
    assert_eq!(field(ops.create_webhook("ftp://example.com", &scheduled)).as_deref(), Some("url"));
    assert_eq!(field(ops.create_webhook("not a url", &scheduled)).as_deref(), Some("url"));
    assert_eq!(field(ops.create_webhook("https://example.com", &[])).as_deref(), Some("events"));
    let unknown = ["post.liked".to_owned()];
    assert_eq!(
        field(ops.create_webhook("https://example.com", &unknown)).as_deref(),
        Some("events")
    );
    assert!(ops.webhooks().unwrap().is_empty());
}
