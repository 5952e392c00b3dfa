//! A running API over a test engine with the loopback fake platform and one connected account.

#![allow(dead_code)] // each test file uses its own part of this

use std::time::Duration;

use reqwest::{Client, RequestBuilder, Response};
use serde_json::{Value, json};
use sipstory_api::ApiServer;
use sipstory_engine::EngineConfig;
use sipstory_engine::model::{Account, PostStatus};
use sipstory_tests::fake_platform::FakePlatform;
use sipstory_tests::harness::{TestEngine, fast_config, wait_for};

pub const WAIT: Duration = Duration::from_secs(15);

pub struct Api {
    pub fake: FakePlatform,
    pub engine: TestEngine,
    pub account: Account,
    pub server: Option<ApiServer>,
    pub key: String,
    pub http: Client,
}

impl Api {
    pub async fn start() -> Self {
        Self::start_with(fast_config).await
    }

    pub async fn start_with(config: impl FnOnce(&std::path::Path) -> EngineConfig) -> Self {
        let fake = FakePlatform::start().await;
        let engine = TestEngine::start_with(config);
        let account = engine.connect(&fake, "api").await;
        let key = engine.ops.create_api_key("tests").unwrap().secret;
        let server = ApiServer::start(engine.ops.clone(), 0).await.expect("API starts");
        Self { fake, engine, account, server: Some(server), key, http: Client::new() }
    }

    /// Stops the server and starts a new one over the same engine (nothing kept in memory).
    pub async fn restart(&mut self) {
        self.server.take().expect("running").stop().await;
        self.server = Some(ApiServer::start(self.engine.ops.clone(), 0).await.unwrap());
    }

    pub fn url(&self, path: &str) -> String {
        let addr = self.server.as_ref().expect("running").addr();
        format!("http://{addr}{}{path}", sipstory_api::BASE_PATH)
    }

    /// A request with the key as the reference API sends it.
    pub fn req(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.http.request(method, self.url(path)).header("Authorization", &self.key)
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        read(self.req(reqwest::Method::GET, path).send().await.unwrap()).await
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        read(self.req(method, path).json(&body).send().await.unwrap()).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, body).await
    }

    /// A one-channel `POST /posts` body.
    pub fn post_body(&self, kind: &str, date: Option<String>, text: &str) -> Value {
        json!({
            "type": kind,
            "date": date,
            "tags": [{"value": "api", "label": "api"}],
            "posts": [{
                "integration": {"id": self.account.id},
                "settings": {"__type": "loopback"},
                "value": [{"content": text, "image": []}]
            }]
        })
    }

    /// Creates a post and returns its channel post id.
    pub async fn create(&self, body: Value) -> String {
        let (status, created) = self.post("/posts", body).await;
        assert_eq!(status, 201, "{created}");
        created[0]["postId"].as_str().unwrap().to_owned()
    }

    pub async fn wait_status(&self, channel_post: &str, status: PostStatus) {
        wait_for("the post's status", WAIT, || async {
            let (post, _) = self.engine.ops.channel_post(channel_post).ok()?;
            (post.status == status).then_some(())
        })
        .await;
    }
}

pub async fn read(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// An RFC 3339 time `minutes` from now.
pub fn in_minutes(minutes: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::minutes(minutes)).to_rfc3339()
}
