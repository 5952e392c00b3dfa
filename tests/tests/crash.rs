//! The crash tests: an engine in a child process publishes 200 posts (some of them threads) to
//! the loopback fake and is killed with SIGKILL at random moments, again and again, then left
//! to finish. The fake's record must show every item exactly once: nothing lost, nothing
//! doubled, threads intact. The same with a real Bluesky PDS, a real Nostr relay and
//! mastodon-mock.

use std::collections::BTreeSet;
use std::process::{Child, Command};
use std::time::Duration;

use chrono::Utc;
use nostr::prelude::{Keys, Kind};
use rand::Rng;
use sipstory_engine::model::{PostStatus, ThreadItem};
use sipstory_engine::ops::{PostInput, Schedule, TargetInputDto};
use sipstory_engine::store::{LogFilter, PostFilter};
use sipstory_tests::fake_platform::FakePlatform;
use sipstory_tests::harness::{
    connect_account, fast_config, item, open_engine, post_now, require_desktop_session,
    unique_service, wait_for,
};
use sipstory_tests::mastodon_mock::{self, MastodonMock};
use sipstory_tests::peers::pds::Pds;
use sipstory_tests::peers::relay::{self, Relay};

const POSTS: usize = 200;
const KILLS: usize = 25;

fn thread_for(i: usize) -> Vec<ThreadItem> {
    let item = |text: String| ThreadItem { text, ..Default::default() };
    if i.is_multiple_of(10) {
        (1..=3).map(|n| item(format!("crash post {i} part {n}/3"))).collect()
    } else {
        vec![item(format!("crash post {i}"))]
    }
}

fn spawn_child(dir: &std::path::Path, service: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_engine-child"))
        .arg(dir)
        .arg(service)
        .env("RUST_LOG", "warn")
        .spawn()
        .expect("the engine child starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_engine_never_loses_or_doubles_a_post() {
    require_desktop_session();
    let fake = FakePlatform::start().await;
    fake.set_latency(Duration::from_millis(15));
    let dir = tempfile::tempdir().unwrap();
    let service = unique_service();

    let mut expected = Vec::new();
    {
        let engine = open_engine(fast_config(dir.path()), &service, 4);
        let ops = engine.ops();
        let account = connect_account(&ops, &fake, "crash").await;
        let start = Utc::now() + chrono::Duration::milliseconds(300);
        for i in 0..POSTS {
            let items = thread_for(i);
            expected.extend(items.iter().map(|item| item.text.clone()));
            ops.create_post(PostInput {
                items,
                tags: vec![],
                targets: vec![TargetInputDto {
                    account_id: account.id.clone(),
                    custom_items: None,
                    settings: serde_json::Value::Null,
                }],
                schedule: Schedule::At {
                    at: start + chrono::Duration::milliseconds(15 * i as i64),
                },
                time_zone: None,
            })
            .expect("post scheduled");
        }
    }

    let mut kills = 0;
    let mut killed_with_work_left = 0;
    while kills < KILLS {
        let mut child = spawn_child(dir.path(), &service);
        let run = rand::rng().random_range(40..350);
        tokio::time::sleep(Duration::from_millis(run)).await;
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        kills += 1;
        if fake.posts().len() < expected.len() {
            killed_with_work_left += 1;
        }
    }
    assert!(
        killed_with_work_left >= 20,
        "only {killed_with_work_left} kills hit an engine with work left"
    );

    let mut child = spawn_child(dir.path(), &service);
    let accepted = fake.wait_for_posts(expected.len(), Duration::from_secs(120)).await;
    // Let the engine record its last answers, then stop it the way Quit does.
    tokio::time::sleep(Duration::from_millis(500)).await;
    sigterm(&child);
    child.wait().unwrap();

    assert!(fake.duplicates().is_empty(), "duplicates on the platform: {:?}", fake.duplicates());
    let got: BTreeSet<&str> = accepted.iter().map(|p| p.text.as_str()).collect();
    let want: BTreeSet<&str> = expected.iter().map(String::as_str).collect();
    assert_eq!(got, want, "every item exactly once");
    assert_eq!(accepted.len(), expected.len());

    let engine = open_engine(fast_config(dir.path()), &service, 4);
    let ops = engine.ops();
    let posts = ops.posts(&PostFilter::default()).unwrap();
    assert_eq!(posts.len(), POSTS);
    for post in &posts {
        assert_eq!(
            post.status,
            PostStatus::Published,
            "post {:?} ended {:?}",
            post.items[0].text,
            post.status
        );
        let results = &post.targets[0].results;
        assert_eq!(results.len(), post.items.len());
        for (item, result) in post.items.iter().zip(results) {
            let remote = accepted
                .iter()
                .find(|p| p.id == result.remote_id)
                .expect("the stored id is the platform's");
            assert_eq!(remote.text, item.text);
        }
        for pair in results.windows(2) {
            let reply = accepted.iter().find(|p| p.id == pair[1].remote_id).unwrap();
            assert_eq!(
                reply.reply_to.as_deref(),
                Some(pair[0].remote_id.as_str()),
                "thread order kept"
            );
        }
    }
    for account in ops.accounts().unwrap() {
        ops.remove_account(&account.id, false).await.unwrap();
    }
    println!(
        "crash test: {kills} kills ({killed_with_work_left} with work left), {} items published once each",
        accepted.len()
    );
}

/// Asks the child to stop cleanly.
fn sigterm(child: &Child) {
    let status = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_engine_never_doubles_on_bluesky_nostr_or_mastodon() {
    require_desktop_session();
    const REAL_POSTS: usize = 20;
    const REAL_KILLS: usize = 8;
    let pds = Pds::start().await;
    let relay = Relay::start().await;
    let mock = MastodonMock::start().await;
    let since = Utc::now();
    let fay = pds.create_account("fay.test").await;
    let keys = Keys::generate();
    let dir = tempfile::tempdir().unwrap();
    let service = unique_service();

    let mut expected = Vec::new();
    let mastodon = {
        let engine = open_engine(fast_config(dir.path()), &service, 4);
        let ops = engine.ops();
        let bluesky = pds.connect(&ops, &fay).await;
        let nostr = relay::connect(&ops, &keys, &[&relay.url], "").await;
        let mastodon = mastodon_mock::sign_in(&ops, &mock.base_url, "ada").await;
        let start = Utc::now() + chrono::Duration::milliseconds(500);
        for i in 0..REAL_POSTS {
            let items: Vec<ThreadItem> = if i % 4 == 0 {
                vec![
                    item(&format!("real crash {i} part 1/2")),
                    item(&format!("real crash {i} part 2/2")),
                ]
            } else {
                vec![item(&format!("real crash {i}"))]
            };
            expected.extend(items.iter().map(|item| item.text.clone()));
            let mut input = post_now(&[&bluesky.id, &nostr.id, &mastodon.id], items);
            input.schedule =
                Schedule::At { at: start + chrono::Duration::milliseconds(300 * i as i64) };
            ops.create_post(input).expect("post scheduled");
        }
        mastodon
    };
    expected.sort();

    let bluesky_texts = || async {
        let mut texts: Vec<String> = pds
            .posts(&fay.did)
            .await
            .iter()
            .map(|r| r["value"]["text"].as_str().unwrap().to_owned())
            .collect();
        texts.sort();
        texts
    };
    let nostr_texts = || async {
        let mut texts: Vec<String> = relay::events(&relay.url, &keys, Kind::TextNote)
            .await
            .into_iter()
            .map(|e| e.content)
            .collect();
        texts.sort();
        texts
    };

    let mastodon_texts = || async {
        let mut texts = mastodon_mock::texts_since(&mastodon, since).await;
        texts.sort();
        texts
    };

    // Posts come due over 6 s; the kills happen within about 5 s of it.
    let mut killed_with_work_left = 0;
    for _ in 0..REAL_KILLS {
        let mut child = spawn_child(dir.path(), &service);
        let run = rand::rng().random_range(150..900);
        tokio::time::sleep(Duration::from_millis(run)).await;
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        if bluesky_texts().await.len() < expected.len()
            || nostr_texts().await.len() < expected.len()
            || mastodon_texts().await.len() < expected.len()
        {
            killed_with_work_left += 1;
        }
    }
    assert!(killed_with_work_left >= 4, "only {killed_with_work_left} kills left work to finish");

    // The running child holds the data folder: its progress is read from the database.
    let mut child = spawn_child(dir.path(), &service);
    let db = rusqlite::Connection::open_with_flags(
        dir.path().join("sipstory.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    wait_for("every target published", Duration::from_secs(120), || async {
        let left: i64 = db
            .query_row("SELECT count(*) FROM targets WHERE state != 'published'", [], |r| r.get(0))
            .ok()?;
        (left == 0).then_some(())
    })
    .await;
    sigterm(&child);
    child.wait().unwrap();
    assert_eq!(bluesky_texts().await, expected, "every item once on Bluesky");
    assert_eq!(nostr_texts().await, expected, "every item once on Nostr");
    assert_eq!(mastodon_texts().await, expected, "every item once on Mastodon");

    let engine = open_engine(fast_config(dir.path()), &service, 4);
    let ops = engine.ops();
    let posts = ops.posts(&PostFilter::default()).unwrap();
    assert_eq!(posts.len(), REAL_POSTS);
    assert!(posts.iter().all(|p| p.status == PostStatus::Published));
    let on_mastodon = mastodon_mock::statuses_since(&mastodon, since).await;
    for target in posts.iter().flat_map(|p| &p.targets).filter(|t| t.platform == "mastodon") {
        for pair in target.results.windows(2) {
            let reply = on_mastodon.iter().find(|s| s["id"] == pair[1].remote_id.as_str());
            let reply = reply.expect("the stored id is the server's");
            assert_eq!(reply["in_reply_to_id"], pair[0].remote_id.as_str(), "thread order kept");
        }
    }
    let log = ops.activity(&LogFilter { limit: Some(10_000), ..Default::default() }).unwrap();
    let reconciles = log.iter().filter(|e| e.action == "list_recent").count();
    println!(
        "real-server crash test: {REAL_KILLS} kills ({killed_with_work_left} with work left), {} items once on each of Bluesky, Nostr and Mastodon, {reconciles} \
         recent-posts reads while reconciling",
        expected.len()
    );
    for account in ops.accounts().unwrap() {
        ops.remove_account(&account.id, false).await.unwrap();
    }
    mastodon_mock::forget_app(engine.core(), &mock.base_url);
}
