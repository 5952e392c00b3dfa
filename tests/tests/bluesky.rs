//! The Bluesky provider against a real PDS (`@atproto/pds` on 127.0.0.1): connecting with an
//! app password (and the form's errors), posts read back with their facets' byte ranges,
//! images with alt text, link cards, reply threads, deletion, the size limit checked before
//! upload, and the session's lifecycle (refresh ahead of expiry with rotation, a refused
//! session leading to reconnect, which keeps the account's posts).

use std::time::Duration;

use axum::Router;
use axum::routing::get;
use serde_json::Value;
use sipstory_engine::model::{AccountStatus, MediaRef, PostStatus, TargetState};
use sipstory_engine::ops::{Operations, OpsError};
use sipstory_engine::provider::Credentials;
use sipstory_engine::store::{LogEntry, LogFilter};
use sipstory_platforms::bluesky::PLATFORM;
use sipstory_tests::harness::{
    TestEngine, item, post_now, tiny_png, wait_for, wait_retry, wait_status,
};
use sipstory_tests::peers::free_port;
use sipstory_tests::peers::pds::Pds;

const WAIT: Duration = Duration::from_secs(60);

/// The text a facet covers, by its UTF-8 byte range.
fn covered<'a>(text: &'a str, facet: &Value) -> &'a str {
    let start = facet["index"]["byteStart"].as_u64().unwrap() as usize;
    let end = facet["index"]["byteEnd"].as_u64().unwrap() as usize;
    text.get(start..end).expect("a facet covers whole characters")
}

/// The publish log of a post, oldest first.
fn log_of(ops: &Operations, post_id: &str) -> Vec<LogEntry> {
    let filter = LogFilter { post_id: Some(post_id.to_owned()), ..Default::default() };
    let mut log = ops.activity(&filter).unwrap();
    log.reverse();
    log
}

fn blob_cid(blob: &Value) -> &str {
    blob["ref"]["$link"].as_str().expect("a blob ref")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thread_with_facets_and_images_is_published_read_back_and_deleted() {
    let pds = Pds::start().await;
    let alice = pds.create_account("alice.test").await;
    let bob = pds.create_account("bob.test").await;
    let t = TestEngine::start();
    let account = pds.connect(&t.ops, &alice).await;
    assert_eq!(account.handle, "alice.test");
    assert_eq!(account.settings["did"], alice.did.as_str());
    assert_eq!(account.settings["pds_url"], pds.url.as_str());
    assert_eq!(account.settings["identifier"], "alice.test", "fills in the reconnect form");

    let png = t.dir.path().join("pixel.png");
    std::fs::write(&png, tiny_png()).unwrap();
    let media = t.ops.import_media(&png, Some("a single pixel".into())).await.unwrap();
    let first = "Grüße ☕ 👩‍👩‍👧 from @bob.test and @nobody.test: https://example.com/ü?x=1 #café";
    let mut items = vec![item(first), item("second #zwei"), item("third, the end")];
    items[0].media = vec![MediaRef { media_id: media.id.clone(), alt: None }];
    let id = t.ops.create_post(post_now(&[&account.id], items)).unwrap().post.id;
    let post = wait_status(&t.ops, &id, PostStatus::Published, WAIT).await;
    let results = &post.targets[0].results;
    assert_eq!(results.len(), 3);

    // The first post: text, facets at the right byte ranges, the image with its alt text.
    let record = pds.record(&results[0].remote_id).await.expect("the first post exists");
    let value = &record["value"];
    assert_eq!(value["text"], first);
    let facets = value["facets"].as_array().expect("facets");
    let seen: Vec<(&str, &str)> = facets
        .iter()
        .map(|f| (covered(first, f), f["features"][0]["$type"].as_str().unwrap()))
        .collect();
    assert_eq!(
        seen,
        vec![
            ("@bob.test", "app.bsky.richtext.facet#mention"),
            ("https://example.com/ü?x=1", "app.bsky.richtext.facet#link"),
            ("#café", "app.bsky.richtext.facet#tag"),
        ],
        "an unresolvable handle stays plain text"
    );
    assert_eq!(facets[0]["features"][0]["did"], bob.did.as_str());
    assert_eq!(facets[1]["features"][0]["uri"], "https://example.com/ü?x=1");
    assert_eq!(facets[2]["features"][0]["tag"], "café");
    let images = value["embed"]["images"].as_array().expect("an images embed");
    assert_eq!(images.len(), 1);
    assert_eq!(images[0]["alt"], "a single pixel");
    assert_eq!(images[0]["image"]["mimeType"], "image/png");
    assert_eq!(pds.blob(&alice.did, blob_cid(&images[0]["image"])).await, tiny_png());
    let rkey = results[0].remote_id.rsplit('/').next().unwrap();
    assert_eq!(
        results[0].url.as_deref(),
        Some(format!("https://bsky.app/profile/alice.test/post/{rkey}").as_str())
    );

    // The thread: each reply names the root and its parent, by URI and CID.
    let second = pds.record(&results[1].remote_id).await.unwrap();
    let third = pds.record(&results[2].remote_id).await.unwrap();
    assert_eq!(second["value"]["reply"]["root"]["uri"], results[0].remote_id.as_str());
    assert_eq!(second["value"]["reply"]["root"]["cid"], record["cid"]);
    assert_eq!(second["value"]["reply"]["parent"]["uri"], results[0].remote_id.as_str());
    assert_eq!(third["value"]["reply"]["root"]["uri"], results[0].remote_id.as_str());
    assert_eq!(third["value"]["reply"]["parent"]["uri"], results[1].remote_id.as_str());
    assert_eq!(third["value"]["reply"]["parent"]["cid"], second["cid"]);
    assert_eq!(pds.posts(&alice.did).await.len(), 3);

    t.ops.delete_post_everywhere(&id).await.expect("deleted on Bluesky");
    for result in results {
        assert!(pds.record(&result.remote_id).await.is_none(), "{} is gone", result.remote_id);
    }
    assert!(pds.posts(&alice.did).await.is_empty());
}

/// A page with Open Graph tags and its image, on a loopback port.
async fn serve_page() -> String {
    let port = free_port();
    let page = format!(
        r#"<html><head><title>Fallback</title>
        <meta property="og:title" content="Sipstory news">
        <meta property="og:description" content="Scheduling, locally.">
        <meta property="og:image" content="http://127.0.0.1:{port}/card.png"></head></html>"#
    );
    let app = Router::new()
        .route("/article", get(move || async move { axum::response::Html(page) }))
        .route("/card.png", get(|| async { ([("content-type", "image/png")], tiny_png()) }));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://127.0.0.1:{port}/article")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_card_and_size_limit_before_upload() {
    let pds = Pds::start().await;
    let carol = pds.create_account("carol.test").await;
    let t = TestEngine::start();
    let account = pds.connect(&t.ops, &carol).await;

    let link = serve_page().await;
    let text = format!("Worth a read: {link}");
    let id = t.ops.create_post(post_now(&[&account.id], vec![item(&text)])).unwrap().post.id;
    let post = wait_status(&t.ops, &id, PostStatus::Published, WAIT).await;
    let record = pds.record(&post.targets[0].results[0].remote_id).await.unwrap();
    let external = &record["value"]["embed"]["external"];
    assert_eq!(record["value"]["embed"]["$type"], "app.bsky.embed.external");
    assert_eq!(external["uri"], link.as_str());
    assert_eq!(external["title"], "Sipstory news");
    assert_eq!(external["description"], "Scheduling, locally.");
    assert_eq!(pds.blob(&carol.did, blob_cid(&external["thumb"])).await, tiny_png());

    // An image that grew past Bluesky's limit after it was scheduled: refused before upload.
    let png = t.dir.path().join("grows.png");
    std::fs::write(&png, tiny_png()).unwrap();
    let media = t.ops.import_media(&png, None).await.unwrap();
    let mut items = vec![item("too big by now")];
    items[0].media = vec![MediaRef { media_id: media.id.clone(), alt: None }];
    let mut input = post_now(&[&account.id], items);
    input.schedule = sipstory_engine::ops::Schedule::At {
        at: chrono::Utc::now() + chrono::Duration::seconds(3),
    };
    let id = t.ops.create_post(input).unwrap().post.id;
    let mut big = tiny_png();
    big.resize(1_200_000, 0);
    std::fs::write(t.ops.media(&media.id).unwrap().path, big).unwrap();
    let post = wait_status(&t.ops, &id, PostStatus::Failed, WAIT).await;
    let error = post.targets[0].last_error.as_ref().unwrap();
    assert_eq!(error.code.as_deref(), Some("media_too_large"), "{error:?}");
    let log = log_of(&t.ops, &id);
    assert!(log.iter().all(|entry| entry.action != "upload_blob"), "nothing was uploaded: {log:?}");
    assert_eq!(pds.posts(&carol.did).await.len(), 1);
}

fn field_of(error: OpsError) -> (Option<String>, String) {
    (error.field, error.message)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_lifecycle_refresh_ahead_reconnect_and_form_errors() {
    let mut pds = Pds::start().await;
    let dan = pds.create_account("dan.test").await;
    let t = TestEngine::start();

    // The form's errors land next to their field.
    let wrong = t.ops.connect_account(PLATFORM, pds.form(&dan, "aaaa-bbbb-cccc-dddd")).await;
    let (field, message) = field_of(wrong.unwrap_err());
    assert_eq!(field.as_deref(), Some("fields.app_password"));
    assert!(message.contains("rejected by 127.0.0.1"), "{message}");
    let mut nowhere = pds.form(&dan, &dan.app_password);
    nowhere.insert("pds_url".into(), format!("http://127.0.0.1:{}", free_port()));
    let (field, _) = field_of(t.ops.connect_account(PLATFORM, nowhere).await.unwrap_err());
    assert_eq!(field.as_deref(), Some("fields.pds_url"));
    let mut bad_url = pds.form(&dan, &dan.app_password);
    bad_url.insert("pds_url".into(), "bsky.social".into());
    let (field, _) = field_of(t.ops.connect_account(PLATFORM, bad_url).await.unwrap_err());
    assert_eq!(field.as_deref(), Some("fields.pds_url"));
    assert!(t.ops.accounts().unwrap().is_empty(), "a refused form connects nothing");

    // Connected: the keychain holds the tokens, their expiry and the app password.
    let account = pds.connect(&t.ops, &dan).await;
    // The engine's own (cached) credentials of the account, as the publisher sees them.
    let credentials = t.engine.core().credentials(&account.id);
    let before = credentials.load().unwrap();
    assert!(credentials.expires_at().unwrap().expect("expiry stored") > chrono::Utc::now());
    assert_eq!(before["app_password"], dan.app_password);

    // About to expire: refreshed before publishing, the rotated refresh token saved.
    let soon = chrono::Utc::now() + chrono::Duration::seconds(30);
    credentials.update([(Credentials::EXPIRES_AT.to_owned(), soon.to_rfc3339())].into()).unwrap();
    let id = t.ops.create_post(post_now(&[&account.id], vec![item("fresh session")])).unwrap();
    wait_status(&t.ops, &id.post.id, PostStatus::Published, WAIT).await;
    let after = Credentials::new(t.engine.core().secrets.clone(), &account.id).load().unwrap();
    assert_ne!(before["refresh_jwt"], after["refresh_jwt"], "the rotated refresh token is kept");
    let log = log_of(&t.ops, &id.post.id);
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions.first(), Some(&"refresh_session"), "refreshed first: {actions:?}");
    assert!(log.iter().all(|e| e.http_status.is_none_or(|s| s < 400)), "{log:?}");

    // The app password is revoked and the token broken: the account needs reconnecting, its
    // post waits; reconnecting with a new app password publishes it on the same account.
    pds.revoke_app_password(&dan).await;
    credentials.update([("access_jwt".to_owned(), "not-a-token".to_owned())].into()).unwrap();
    let waiting =
        t.ops.create_post(post_now(&[&account.id], vec![item("after reconnect")])).unwrap();
    wait_for("the account to need reconnecting", WAIT, || async {
        t.ops.account(&account.id).ok().filter(|a| a.status == AccountStatus::NeedsReconnect)
    })
    .await;
    let post = t.ops.post(&waiting.post.id).unwrap();
    assert_eq!(post.targets[0].state, TargetState::Scheduled, "the post waits");
    let new_password = pds.create_app_password(&dan, "sipstory-2").await;
    let again =
        t.ops.connect_account(PLATFORM, pds.form(&dan, &new_password)).await.expect("reconnects");
    assert_eq!(again.id, account.id, "reconnecting keeps the account and its posts");
    wait_status(&t.ops, &waiting.post.id, PostStatus::Published, WAIT).await;
    assert_eq!(pds.posts(&dan.did).await.len(), 2);

    // A PDS that is down is a transient failure: the post is retried, not failed.
    pds.stop().await;
    let down = t.ops.create_post(post_now(&[&account.id], vec![item("while down")])).unwrap();
    wait_retry(&t.ops, &down.post.id, WAIT).await;
}
