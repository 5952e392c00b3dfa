//! The Mastodon provider against PyPI `mastodon-mock` behind a recording proxy: sign-in through
//! the browser (per-server app registered once, PKCE), the server's own limits, a thread with
//! media (alt text, processing wait), visibility, content warning, language and sensitivity,
//! statuses read back from the server, reconciling from the account's statuses, deletion, the
//! instance-field errors, and every request checked against the Mastodon OpenAPI description.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};
use sipstory_engine::model::{Account, AccountStatus, MediaRef, PostStatus, ThreadItem};
use sipstory_engine::ops::{ErrorCode, PostInput, Schedule, TargetInputDto};
use sipstory_engine::provider::{Provider, PublishContext, PublishHttp};
use sipstory_platforms::mastodon::{MastodonProvider, PLATFORM};
use sipstory_tests::harness::{TestEngine, tiny_png, wait_for};
use sipstory_tests::mastodon_mock::{self, MastodonMock};
use sipstory_tests::recording_proxy::RecordingProxy;

const WAIT: Duration = Duration::from_secs(30);

struct Setup {
    _mock: MastodonMock,
    proxy: RecordingProxy,
    t: TestEngine,
}

async fn setup() -> Setup {
    let (mock, proxy, t) = MastodonMock::start_behind_proxy().await;
    Setup { _mock: mock, proxy, t }
}

impl Setup {
    /// `127.0.0.1:<port>` of the server as Sipstory sees it (the proxy).
    fn authority(&self) -> String {
        self.proxy.base_url().trim_start_matches("http://").to_owned()
    }

    /// Removes the server's app registration from the test keychain.
    fn forget_app(&self) {
        mastodon_mock::forget_app(self.t.engine.core(), self.proxy.base_url());
    }
}

fn instance_field(url: &str) -> BTreeMap<String, String> {
    BTreeMap::from([("instance".to_owned(), url.to_owned())])
}

/// Signs in as `username` through the proxy, as a user does in the browser.
async fn sign_in(s: &Setup, username: &str) -> Account {
    mastodon_mock::sign_in(&s.t.ops, s.proxy.base_url(), username).await
}

async fn read_status(s: &Setup, account: &Account, id: &str) -> Value {
    let token = s.t.engine.core().credentials(&account.id).require("access_token").unwrap();
    mastodon_mock::get_as(s.proxy.base_url(), &format!("/api/v1/statuses/{id}"), &token).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_registers_the_app_once_and_reads_the_server_limits() {
    let s = setup().await;
    let account = sign_in(&s, "ada").await;
    assert_eq!(account.handle, format!("@ada@{}", s.authority()));
    assert_eq!(account.settings["instance"], s.proxy.base_url());
    let rules = s.t.ops.account_rules(&account).unwrap();
    assert_eq!(rules.max_length, Some(500));
    assert_eq!(rules.media.max_image_bytes, Some(10_485_760), "the server's own image limit");
    assert_eq!(rules.media.max_video_bytes, Some(41_943_040));

    // Reconnecting reuses the registered app and keeps the same account.
    let again = sign_in(&s, "ada").await;
    assert_eq!(again.id, account.id);
    let registrations = s.proxy.requests().iter().filter(|r| r.path == "/api/v1/apps").count();
    assert_eq!(registrations, 1, "one app registration per server");
    // Another person on the same server is another account.
    let grace = sign_in(&s, "grace").await;
    assert_ne!(grace.id, account.id);
    assert_eq!(s.t.ops.accounts().unwrap().len(), 2);
    let token_requests: Vec<_> =
        s.proxy.requests().into_iter().filter(|r| r.path == "/oauth/token").collect();
    assert_eq!(token_requests.len(), 3);
    for request in &token_requests {
        let body = String::from_utf8_lossy(&request.body).into_owned();
        assert!(body.contains("code_verifier="), "PKCE verifier sent: {body}");
    }
    mastodon_mock::assert_follows_the_description(&s.proxy);
    s.forget_app();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_instance_field_says_what_is_wrong() {
    let s = setup().await;
    let closed = {
        let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        socket.local_addr().unwrap().port()
    };
    let unreachable =
        s.t.ops.begin_oauth(PLATFORM, instance_field(&format!("http://127.0.0.1:{closed}"))).await;
    let e = unreachable.expect_err("nothing listens there");
    assert_eq!(e.field.as_deref(), Some("fields.instance"));
    assert!(e.message.contains("could not reach"), "{}", e.message);

    // A web server that is not Mastodon (the proxy's own upstream answers /oauth only).
    let other = sipstory_tests::oauth_fake::OAuthFake::start().await;
    let e = s.t.ops.begin_oauth(PLATFORM, instance_field(other.base_url())).await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("fields.instance"));
    assert!(e.message.contains("does not answer like a Mastodon server"), "{}", e.message);

    let e = s.t.ops.begin_oauth(PLATFORM, instance_field("not a server")).await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("fields.instance"));
    let e = s.t.ops.begin_oauth(PLATFORM, instance_field("  ")).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidInput, Some("fields.instance")));
    // Mastodon connects only through the browser.
    let e = s.t.ops.connect_account(PLATFORM, instance_field(s.proxy.base_url())).await;
    assert!(e.unwrap_err().message.contains("connect through the browser"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_with_media_and_settings_is_published_read_back_and_deleted() {
    let s = setup().await;
    let account = sign_in(&s, "ada").await;
    s.proxy.set_media_processing(true);
    s._mock
        .add_fault(json!({
            "match": {"methods": ["GET"], "path": "/api/v1/media/*"},
            "effect": {"type": "status", "status": 206, "body": {"error": "processing"}},
            "count": 2,
        }))
        .await;
    let media = s.t.ops.upload_media(tiny_png(), "pixel.png", None).await.unwrap();
    let first = ThreadItem {
        text: "Hello from Sipstory & friends #test".into(),
        media: vec![MediaRef { media_id: media.id.clone(), alt: Some("one red pixel".into()) }],
        delay_secs: 0,
    };
    let second = ThreadItem { text: "and a reply".into(), ..Default::default() };
    let settings = json!({
        "visibility": "unlisted",
        "spoiler_text": "test post",
        "language": "en",
        "sensitive": true,
    });
    let saved =
        s.t.ops
            .create_post(PostInput {
                items: vec![first, second],
                tags: vec![],
                targets: vec![TargetInputDto {
                    account_id: account.id.clone(),
                    custom_items: None,
                    settings,
                }],
                schedule: Schedule::Now,
                time_zone: None,
            })
            .unwrap();
    let post = wait_for("the thread to be published", WAIT, || async {
        s.t.ops.post(&saved.post.id).ok().filter(|p| p.status == PostStatus::Published)
    })
    .await;
    let results = &post.targets[0].results;
    assert_eq!(results.len(), 2);

    let status = read_status(&s, &account, &results[0].remote_id).await;
    assert_eq!(status["visibility"], "unlisted");
    assert_eq!(status["spoiler_text"], "test post");
    assert_eq!(status["language"], "en");
    assert_eq!(status["sensitive"], true);
    assert!(status["content"].as_str().unwrap().contains("Hello from Sipstory &amp; friends"));
    assert_eq!(status["media_attachments"][0]["description"], "one red pixel");
    let reply = read_status(&s, &account, &results[1].remote_id).await;
    assert_eq!(reply["in_reply_to_id"], results[0].remote_id.as_str());
    assert!(results[0].url.as_deref().is_some_and(|u| u.starts_with("http")));

    let requests = s.proxy.requests();
    let polls = requests
        .iter()
        .filter(|r| r.method == "GET" && r.path.starts_with("/api/v1/media/"))
        .count();
    assert!(polls >= 3, "the processing media was polled until ready ({polls} polls)");
    let creates: Vec<_> =
        requests.iter().filter(|r| r.method == "POST" && r.path == "/api/v1/statuses").collect();
    assert_eq!(creates.len(), 2);
    let keys: Vec<_> = creates.iter().map(|r| r.header("idempotency-key").unwrap()).collect();
    assert_ne!(keys[0], keys[1], "one idempotency key per item");

    // Reconciling reads the account's statuses back as the text that was sent.
    let provider = MastodonProvider::default();
    let credentials = s.t.engine.core().credentials(&account.id);
    let http = PublishHttp::new(s.t.engine.core().http.clone());
    let cx = PublishContext { account: &account, credentials: &credentials, http: &http };
    let since = chrono::Utc::now() - chrono::Duration::minutes(5);
    let recent = provider.recent_posts(&cx, since).await.unwrap().expect("Mastodon lists");
    let texts: Vec<_> = recent.iter().map(|p| p.text.as_str()).collect();
    assert!(texts.contains(&"Hello from Sipstory & friends #test"), "{texts:?}");
    assert!(texts.contains(&"and a reply"), "{texts:?}");

    s.t.ops.delete_post_everywhere(&post.id).await.expect("deleted on the server");
    for result in results {
        let token = credentials.require("access_token").unwrap();
        let gone = reqwest::Client::new()
            .get(format!("{}/api/v1/statuses/{}", s.proxy.base_url(), result.remote_id))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(gone.status(), 404);
    }
    mastodon_mock::assert_follows_the_description(&s.proxy);
    s.forget_app();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_limits_and_the_settings_schema_are_checked_before_saving() {
    let s = setup().await;
    let account = sign_in(&s, "ada").await;
    let post = |text: String, settings: Value| PostInput {
        items: vec![ThreadItem { text, ..Default::default() }],
        tags: vec![],
        targets: vec![TargetInputDto {
            account_id: account.id.clone(),
            custom_items: None,
            settings,
        }],
        schedule: Schedule::At { at: "2099-01-01T10:00:00Z".parse().unwrap() },
        time_zone: None,
    };
    let e = s.t.ops.create_post(post("x".repeat(501), Value::Null)).unwrap_err();
    assert_eq!(e.code, ErrorCode::ValidationFailed);
    assert!(e.violations.iter().any(|v| v.limit == Some(500)), "{:?}", e.violations);
    let e = s.t.ops.create_post(post("hi".into(), json!({"visibility": "everyone"}))).unwrap_err();
    assert_eq!(e.code, ErrorCode::ValidationFailed);
    assert!(e.violations.iter().any(|v| v.field.contains("visibility")), "{:?}", e.violations);
    s.forget_app();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_sign_in_asks_for_a_reconnect_and_the_post_goes_out_after_it() {
    let s = setup().await;
    let account = sign_in(&s, "ada").await;
    let token = s.t.engine.core().credentials(&account.id).require("access_token").unwrap();
    let revoked = reqwest::Client::new()
        .post(format!("{}/oauth/revoke", s.proxy.base_url()))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert!(revoked.status().is_success());
    let saved = s
        .t
        .ops
        .create_post(PostInput {
            items: vec![ThreadItem { text: "after the reconnect".into(), ..Default::default() }],
            tags: vec![],
            targets: vec![TargetInputDto {
                account_id: account.id.clone(),
                custom_items: None,
                settings: Value::Null,
            }],
            schedule: Schedule::Now,
            time_zone: None,
        })
        .unwrap();
    wait_for("the account to need a reconnect", WAIT, || async {
        s.t.ops.account(&account.id).ok().filter(|a| a.status == AccountStatus::NeedsReconnect)
    })
    .await;
    assert_ne!(s.t.ops.post(&saved.post.id).unwrap().status, PostStatus::Published);

    let reconnected = sign_in(&s, "ada").await;
    assert_eq!(reconnected.id, account.id, "the same account, with its posts");
    assert_eq!(reconnected.status, AccountStatus::Connected);
    let post = wait_for("the waiting post to go out", WAIT, || async {
        s.t.ops.post(&saved.post.id).ok().filter(|p| p.status == PostStatus::Published)
    })
    .await;
    let status = read_status(&s, &reconnected, &post.targets[0].results[0].remote_id).await;
    assert_eq!(status["content"], "<p>after the reconnect</p>");
    s.forget_app();
}
