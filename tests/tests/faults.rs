//! The publisher against a misbehaving platform: down then up, 429 with Retry-After, expired
//! tokens refreshed, refresh refused (account needs reconnecting, posts wait), permanent
//! errors, lost answers reconciled, and threads resuming without repeating items.

use std::time::Duration;

use sipstory_engine::model::{AccountStatus, Post, PostStatus, TargetState, ThreadItem};
use sipstory_engine::notify::NoticeKind;
use sipstory_engine::ops::{Operations, PostInput, TargetInputDto};
use sipstory_engine::provider::Credentials;
use sipstory_tests::fake_platform::{FakePlatform, Fault, FaultScope};
use sipstory_tests::harness::{TestEngine, item, post_now, wait_for};

const WAIT: Duration = Duration::from_secs(20);

fn now_post(account_id: &str, items: Vec<ThreadItem>) -> PostInput {
    post_now(&[account_id], items)
}

async fn wait_status(ops: &Operations, id: &str, status: PostStatus) -> Post {
    sipstory_tests::harness::wait_status(ops, id, status, WAIT).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn platform_down_then_up_publishes_everything() {
    let fake = FakePlatform::start().await;
    let t = TestEngine::start();
    let account = t.connect(&fake, "alice").await;
    fake.go_down().await;
    let ids: Vec<String> = (0..5)
        .map(|i| {
            t.ops
                .create_post(now_post(&account.id, vec![item(&format!("while down {i}"))]))
                .unwrap()
                .post
                .id
        })
        .collect();
    wait_for("retries to be scheduled", WAIT, || async {
        let retrying = ids
            .iter()
            .filter_map(|id| t.ops.post(id).ok())
            .filter(|p| p.targets[0].last_error.is_some())
            .count();
        (retrying == ids.len()).then_some(())
    })
    .await;
    fake.come_up().await.unwrap();
    for id in &ids {
        wait_status(&t.ops, id, PostStatus::Published).await;
    }
    assert_eq!(fake.posts().len(), 5);
    assert!(fake.duplicates().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_honours_retry_after() {
    let fake = FakePlatform::start().await;
    let t = TestEngine::start();
    let account = t.connect(&fake, "bob").await;
    fake.push_fault(Fault::status(429, "rate_limited", Some("2")));
    let id = t.ops.create_post(now_post(&account.id, vec![item("patience")])).unwrap().post.id;
    wait_status(&t.ops, &id, PostStatus::Published).await;
    let attempts: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/api/posts")
        .collect();
    assert_eq!(attempts.len(), 2, "one refused, one accepted: {attempts:?}");
    assert_eq!(attempts[0].status, Some(429));
    let waited = attempts[1].at - attempts[0].at;
    assert!(
        waited >= chrono::Duration::seconds(2),
        "retried after {waited} despite Retry-After: 2"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_token_is_refreshed_and_rotation_saved() {
    let fake = FakePlatform::start().await;
    let t = TestEngine::start();
    let account = t.connect(&fake, "carol").await;
    let credentials = Credentials::new(t.engine.core().secrets.clone(), &account.id);
    let before = credentials.load().unwrap();
    fake.expire_all_tokens();
    let id = t.ops.create_post(now_post(&account.id, vec![item("after refresh")])).unwrap().post.id;
    wait_status(&t.ops, &id, PostStatus::Published).await;
    assert_eq!(fake.request_count("/oauth/token"), 1);
    let after = Credentials::new(t.engine.core().secrets.clone(), &account.id).load().unwrap();
    assert_ne!(before["access_token"], after["access_token"]);
    assert_ne!(
        before["refresh_token"], after["refresh_token"],
        "the rotated refresh token is kept"
    );
    assert_eq!(fake.posts().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_about_to_expire_is_refreshed_before_publishing() {
    let fake = FakePlatform::start().await;
    let t = TestEngine::start();
    let account = t.connect(&fake, "erin").await;
    let credentials = t.engine.core().credentials(&account.id);
    let soon = chrono::Utc::now() + chrono::Duration::seconds(60);
    credentials.update([(Credentials::EXPIRES_AT.to_owned(), soon.to_rfc3339())].into()).unwrap();
    let id = t.ops.create_post(now_post(&account.id, vec![item("fresh token")])).unwrap().post.id;
    wait_status(&t.ops, &id, PostStatus::Published).await;
    assert_eq!(fake.request_count("/oauth/token"), 1, "refreshed ahead of expiry");
    assert_eq!(fake.request_count("/api/posts"), 1, "no request was sent with the old token");
    let stored = Credentials::new(t.engine.core().secrets.clone(), &account.id);
    let expires = stored.expires_at().unwrap().expect("the new expiry is stored");
    assert!(expires > soon, "the refreshed token's expiry replaces the old one");
    // Far from expiry now: the next post goes out without refreshing.
    let id = t.ops.create_post(now_post(&account.id, vec![item("no refresh")])).unwrap().post.id;
    wait_status(&t.ops, &id, PostStatus::Published).await;
    assert_eq!(fake.request_count("/oauth/token"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_refresh_waits_for_reconnect_then_publishes() {
    let fake = FakePlatform::start().await;
    let t = TestEngine::start();
    let account = t.connect(&fake, "dave").await;
    fake.expire_all_tokens();
    fake.revoke_refresh_tokens();
    let id = t.ops.create_post(now_post(&account.id, vec![item("waits for me")])).unwrap().post.id;
    wait_for("the account to need reconnecting", WAIT, || async {
        t.ops.account(&account.id).ok().filter(|a| a.status == AccountStatus::NeedsReconnect)
    })
    .await;
    let post = t.ops.post(&id).unwrap();
    assert_eq!(post.targets[0].state, TargetState::Scheduled, "the post waits, it does not fail");
    wait_for("the reconnect notice", WAIT, || async {
        let (notices, _) = t.ops.notifications(0, 50).unwrap();
        notices
            .iter()
            .any(|n| {
                n.kind == NoticeKind::NeedsReconnect && n.account_id.as_deref() == Some(&account.id)
            })
            .then_some(())
    })
    .await;
    assert!(fake.posts().is_empty());

    let reconnected = t.connect(&fake, "dave").await;
    assert_eq!(reconnected.id, account.id, "reconnecting keeps the account and its posts");
    wait_status(&t.ops, &id, PostStatus::Published).await;
    assert_eq!(fake.posts().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permanent_error_fails_with_the_platforms_message() {
    let fake = FakePlatform::start().await;
    let t = TestEngine::start();
    let account = t.connect(&fake, "erin").await;
    fake.push_fault(Fault::Status {
        status: 422,
        code: "text_too_long".into(),
        message: "Text is 612 characters; the limit is 500".into(),
        retry_after: None,
    });
    let id = t
        .ops
        .create_post(now_post(&account.id, vec![item("refused by the platform")]))
        .unwrap()
        .post
        .id;
    let post = wait_status(&t.ops, &id, PostStatus::Failed).await;
    let error = post.targets[0].last_error.clone().expect("the error is kept");
    assert_eq!(error.http_status, Some(422));
    assert_eq!(error.code.as_deref(), Some("text_too_long"));
    assert_eq!(
        error.message, "Text is 612 characters; the limit is 500",
        "the platform's own message"
    );
    assert_eq!(post.targets[0].attempts, 1, "a permanent error is not retried");
    let log = t.ops.activity(&Default::default()).unwrap();
    assert!(log.iter().any(|e| e.http_status == Some(422) && e.post_id.as_deref() == Some(&id)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_failed_reruns_only_failed_targets() {
    let fake = FakePlatform::start().await;
    let t = TestEngine::start();
    let good = t.connect(&fake, "good").await;
    let bad = t.connect(&fake, "bad").await;
    let mut input = now_post(&good.id, vec![item("to both")]);
    input.targets.push(TargetInputDto {
        account_id: bad.id.clone(),
        custom_items: None,
        settings: serde_json::Value::Null,
    });
    fake.push_fault(Fault::status(400, "bad_request", None));
    let id = t.ops.create_post(input).unwrap().post.id;
    wait_status(&t.ops, &id, PostStatus::Partial).await;
    t.ops.retry_failed(&id).unwrap();
    wait_status(&t.ops, &id, PostStatus::Published).await;
    let posts = fake.posts();
    assert_eq!(posts.len(), 2, "one per account, the published one not repeated: {posts:?}");
    assert!(fake.duplicates().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_answer_is_reconciled_not_reposted() {
    let fake = FakePlatform::start().await;
    let t = TestEngine::start();
    let account = t.connect(&fake, "frank").await;
    fake.push_fault(Fault::DropAfterRecord);
    let id = t.ops.create_post(now_post(&account.id, vec![item("did it land?")])).unwrap().post.id;
    let post = wait_status(&t.ops, &id, PostStatus::Published).await;
    assert_eq!(fake.posts().len(), 1, "never posted twice");
    assert_eq!(
        post.targets[0].results[0].remote_id,
        fake.posts()[0].id,
        "the platform's id was found"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeout_after_create_is_reconciled() {
    let fake = FakePlatform::start().await;
    let t = TestEngine::start();
    let account = t.connect(&fake, "gina").await;
    fake.push_fault(Fault::HangAfterRecord);
    let id = t.ops.create_post(now_post(&account.id, vec![item("slow platform")])).unwrap().post.id;
    wait_status(&t.ops, &id, PostStatus::Published).await;
    assert_eq!(fake.posts().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thread_resumes_at_the_next_item() {
    let fake = FakePlatform::start().await;
    let t = TestEngine::start();
    let account = t.connect(&fake, "hana").await;
    // The second item's answer is lost, then the third item meets a 503: each item must still
    // land exactly once, replying to the one before.
    fake.push_fault(Fault::status(503, "unavailable", None));
    let items = vec![
        item("1/3 first"),
        ThreadItem { delay_secs: 1, ..item("2/3 second") },
        item("3/3 third"),
    ];
    let id = t.ops.create_post(now_post(&account.id, items)).unwrap().post.id;
    wait_for("the first item", WAIT, || async { (fake.posts().len() == 1).then_some(()) }).await;
    fake.push_fault(Fault::DropAfterRecord);
    fake.push_fault(Fault::status(503, "unavailable", None));
    let post = wait_status(&t.ops, &id, PostStatus::Published).await;
    let posts = fake.posts();
    let texts: Vec<&str> = posts.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(texts, ["1/3 first", "2/3 second", "3/3 third"]);
    assert_eq!(posts[1].reply_to.as_deref(), Some(posts[0].id.as_str()));
    assert_eq!(posts[2].reply_to.as_deref(), Some(posts[1].id.as_str()));
    let ids: Vec<&str> = post.targets[0].results.iter().map(|r| r.remote_id.as_str()).collect();
    assert_eq!(ids, posts.iter().map(|p| p.id.as_str()).collect::<Vec<_>>());
    let gap = posts[1].received_at - posts[0].received_at;
    assert!(gap >= chrono::Duration::seconds(1), "the thread item's delay was kept ({gap})");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn published_notification_reaches_the_store() {
    let fake = FakePlatform::start().await;
    let t = TestEngine::start();
    let account = t.connect(&fake, "ivy").await;
    let id = t
        .ops
        .create_post(now_post(&account.id, vec![item("hello notifications")]))
        .unwrap()
        .post
        .id;
    let post = wait_status(&t.ops, &id, PostStatus::Published).await;
    let notice = wait_for("the published notice", WAIT, || async {
        let (notices, _) = t.ops.notifications(0, 10).unwrap();
        notices.into_iter().find(|n| n.kind == NoticeKind::Published)
    })
    .await;
    assert_eq!(notice.post_id.as_deref(), Some(id.as_str()));
    assert_eq!(notice.link, post.targets[0].results[0].url);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_is_uploaded_with_alt_text() {
    let fake = FakePlatform::start().await;
    let t = TestEngine::start();
    let account = t.connect(&fake, "jo").await;
    let png = t.dir.path().join("pixel.png");
    std::fs::write(&png, sipstory_tests::harness::tiny_png()).unwrap();
    let media = t.ops.import_media(&png, Some("a single pixel".into())).await.unwrap();
    let mut input = now_post(&account.id, vec![item("with a picture")]);
    input.items[0].media =
        vec![sipstory_engine::model::MediaRef { media_id: media.id.clone(), alt: None }];
    let id = t.ops.create_post(input).unwrap().post.id;
    wait_status(&t.ops, &id, PostStatus::Published).await;
    let uploaded = fake.media();
    assert_eq!(uploaded.len(), 1);
    assert_eq!(uploaded[0].alt.as_deref(), Some("a single pixel"));
    assert_eq!(uploaded[0].mime, "image/png");
    assert_eq!(fake.posts()[0].media_ids, vec![uploaded[0].id.clone()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_on_media_upload_is_retried() {
    let fake = FakePlatform::start().await;
    let t = TestEngine::start();
    let account = t.connect(&fake, "kai").await;
    let png = t.dir.path().join("pixel.png");
    std::fs::write(&png, sipstory_tests::harness::tiny_png()).unwrap();
    let media = t.ops.import_media(&png, None).await.unwrap();
    fake.push_fault_on(FaultScope::Media, Fault::status(500, "internal", None));
    let mut input = now_post(&account.id, vec![item("media retry")]);
    input.items[0].media = vec![sipstory_engine::model::MediaRef { media_id: media.id, alt: None }];
    let id = t.ops.create_post(input).unwrap().post.id;
    wait_status(&t.ops, &id, PostStatus::Published).await;
    assert_eq!(fake.posts().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_everywhere_removes_the_thread_from_the_platform() {
    let fake = FakePlatform::start().await;
    let t = TestEngine::start();
    let account = t.connect(&fake, "lea").await;
    let id = t.ops.create_post(now_post(&account.id, vec![item("a"), item("b")])).unwrap().post.id;
    wait_status(&t.ops, &id, PostStatus::Published).await;
    fake.push_fault_on(FaultScope::Any, Fault::status(500, "internal", None));
    let refused = t.ops.delete_post_everywhere(&id).await.unwrap_err();
    assert!(refused.message.contains("refused"), "{}", refused.message);
    assert_eq!(
        t.ops.post(&id).unwrap().targets[0].results.len(),
        2,
        "nothing forgotten after a refusal"
    );
    t.ops.delete_post_everywhere(&id).await.unwrap();
    assert!(fake.posts().iter().all(|p| p.deleted));
    assert!(t.ops.post(&id).is_err());
    let deletes: Vec<_> = fake.requests().into_iter().filter(|r| r.method == "DELETE").collect();
    assert_eq!(deletes.len(), 3, "the refused one, then the reply before the root: {deletes:?}");
    assert!(deletes[1].path.ends_with(&fake.posts()[1].id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_publisher_checks_the_rules_again_before_sending() {
    let fake = FakePlatform::start().await;
    let t = TestEngine::start();
    let account = t.connect(&fake, "mia").await;
    let png = t.dir.path().join("pixel.png");
    std::fs::write(&png, sipstory_tests::harness::tiny_png()).unwrap();
    let media = t.ops.import_media(&png, None).await.unwrap();
    // Written straight to the store, as an older version or a changed rule would leave it.
    let items = [ThreadItem {
        text: "five pictures".into(),
        media: vec![sipstory_engine::model::MediaRef { media_id: media.id, alt: None }; 5],
        delay_secs: 0,
    }];
    let targets = [sipstory_engine::store::TargetInput {
        account_id: account.id.clone(),
        custom_items: None,
        settings: serde_json::json!({}),
    }];
    let id = sipstory_engine::model::new_id();
    t.engine
        .core()
        .store
        .insert_post(&sipstory_engine::store::PostWrite {
            id: &id,
            items: &items,
            tags: &[],
            scheduled_at: Some(chrono::Utc::now()),
            time_zone: "UTC",
            is_draft: false,
            targets: &targets,
        })
        .unwrap();
    t.engine.core().queue_changed();
    let post = wait_status(&t.ops, &id, PostStatus::Failed).await;
    let error = post.targets[0].last_error.clone().unwrap();
    assert_eq!(error.code.as_deref(), Some("rules:too_many_media"));
    assert!(error.message.contains('4'), "{}", error.message);
    assert_eq!(fake.request_count("/api/"), 1, "only the connection check reached the platform");
}
