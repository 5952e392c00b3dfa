//! Server-side scheduling on Mastodon, against mastodon-mock behind a recording proxy (every
//! request checked against the Mastodon OpenAPI description): a post given to the server is
//! held there exactly once for its time, moved when rescheduled, given again when edited and
//! taken back when deleted; a post too close to its time is published by Sipstory itself;
//! a lost answer never holds it twice; and the server publishing it while Sipstory is closed
//! (its clock moved ahead with libfaketime) ends with the target published under the real
//! status id and URL.

use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use serde_json::{Value, json};
use sipstory_engine::model::{Account, PostStatus, TargetState};
use sipstory_engine::ops::{ErrorCode, Operations, PostInput, Schedule, TargetInputDto};
use sipstory_tests::harness::{
    TestEngine, fast_config, item, open_engine, unique_service, wait_for,
};
use sipstory_tests::mastodon_mock::{self, LIBFAKETIME, MastodonMock};
use sipstory_tests::recording_proxy::RecordingProxy;

const WAIT: Duration = Duration::from_secs(30);

struct Setup {
    mock: MastodonMock,
    proxy: RecordingProxy,
    t: TestEngine,
    account: Account,
    token: String,
    /// Statuses older than this are the mock's demo ones.
    since: DateTime<Utc>,
}

async fn setup() -> Setup {
    let (mock, proxy, t) = MastodonMock::start_behind_proxy().await;
    let account = mastodon_mock::sign_in(&t.ops, proxy.base_url(), "ada").await;
    let token = t.engine.core().credentials(&account.id).require("access_token").unwrap();
    Setup { mock, proxy, t, account, token, since: Utc::now() }
}

impl Drop for Setup {
    fn drop(&mut self) {
        mastodon_mock::forget_app(self.t.engine.core(), self.proxy.base_url());
    }
}

fn post(account: &Account, text: &str, schedule: Schedule) -> PostInput {
    PostInput {
        items: vec![item(text)],
        tags: vec![],
        targets: vec![TargetInputDto {
            account_id: account.id.clone(),
            custom_items: None,
            settings: json!({ "schedule_on_server": true, "visibility": "unlisted" }),
        }],
        schedule,
        time_zone: None,
    }
}

/// A time `minutes` ahead, in whole seconds (what the server is given).
fn ahead(minutes: i64) -> DateTime<Utc> {
    (Utc::now() + chrono::Duration::minutes(minutes)).trunc_subsecs(0)
}

/// The statuses the server holds for the account, read as the account.
async fn held(base_url: &str, token: &str) -> Vec<Value> {
    let list = mastodon_mock::get_as(base_url, "/api/v1/scheduled_statuses", token).await;
    serde_json::from_value(list).expect("a list of scheduled statuses")
}

fn held_at(status: &Value) -> DateTime<Utc> {
    status["scheduled_at"].as_str().unwrap().parse().unwrap()
}

/// Waits until the server holds exactly one status, for `at`, with `text`; returns it.
async fn wait_held(base_url: &str, token: &str, text: &str, at: DateTime<Utc>) -> Value {
    wait_for(&format!("the server to hold {text:?} for {at}"), WAIT, || async {
        let mut all = held(base_url, token).await;
        let one = all.len() == 1 && all[0]["params"]["text"] == text && held_at(&all[0]) == at;
        one.then(|| all.remove(0))
    })
    .await
}

async fn wait_target(ops: &Operations, id: &str, state: TargetState) {
    wait_for(&format!("the target to be {state:?}"), WAIT, || async {
        ops.post(id).ok().filter(|p| p.targets[0].state == state)
    })
    .await;
}

/// The server answers the next `method path` request with `effect` (a mastodon-mock fault).
async fn fault_once(mock: &MastodonMock, method: &str, path: &str, effect: Value) {
    let rule =
        json!({ "match": {"methods": [method], "path": path}, "effect": effect, "count": 1 });
    mock.add_fault(rule).await;
}

fn requests(proxy: &RecordingProxy, method: &str, path: &str) -> usize {
    proxy.requests().iter().filter(|r| r.method == method && r.path.starts_with(path)).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_post_is_moved_given_again_when_edited_and_taken_back_when_deleted() {
    let s = setup().await;
    let base = s.proxy.base_url();
    let due = ahead(30);
    let saved =
        s.t.ops.create_post(post(&s.account, "Held by the server", Schedule::At { at: due }));
    let id = saved.unwrap().post.id;

    let first = wait_held(base, &s.token, "Held by the server", due).await;
    wait_target(&s.t.ops, &id, TargetState::HandedOff).await;
    assert_eq!(first["params"]["visibility"], "unlisted", "the post's settings go with it");
    assert_eq!(s.t.ops.post(&id).unwrap().status, PostStatus::Scheduled);
    let creates: Vec<_> = s
        .proxy
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/api/v1/statuses")
        .collect();
    assert_eq!(creates.len(), 1, "one scheduled status");
    assert_eq!(
        creates[0].json()["scheduled_at"],
        due.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    assert!(creates[0].header("idempotency-key").is_some());

    // Rescheduled: the held status moves (same id, no new one).
    let later = ahead(60);
    s.t.ops.reschedule(&id, later).unwrap();
    let moved = wait_held(base, &s.token, "Held by the server", later).await;
    assert_eq!(moved["id"], first["id"]);
    assert_eq!(requests(&s.proxy, "PUT", "/api/v1/scheduled_statuses/"), 1);
    assert_eq!(requests(&s.proxy, "POST", "/api/v1/statuses"), 1);

    // Edited: the old one is taken back and the new content given instead.
    s.t.ops.update_post(&id, post(&s.account, "Held, edited", Schedule::At { at: later })).unwrap();
    let edited = wait_held(base, &s.token, "Held, edited", later).await;
    assert_ne!(edited["id"], first["id"]);
    wait_target(&s.t.ops, &id, TargetState::HandedOff).await;
    assert_eq!(requests(&s.proxy, "DELETE", "/api/v1/scheduled_statuses/"), 1);

    // Deleted: taken back from the server; nothing was ever published.
    s.t.ops.delete_post(&id).unwrap();
    wait_for("the server to let go of it", WAIT, || async {
        held(base, &s.token).await.is_empty().then_some(())
    })
    .await;
    assert!(mastodon_mock::statuses_since(&s.account, s.since).await.is_empty());
    mastodon_mock::assert_follows_the_description(&s.proxy);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_too_close_to_its_time_is_published_by_sipstory_and_bad_uses_name_the_field() {
    let s = setup().await;
    let e = s.t.ops.create_post(post(&s.account, "now", Schedule::Now)).unwrap_err();
    assert_eq!(e.code, ErrorCode::ValidationFailed);
    let field = |e: &sipstory_engine::ops::OpsError, code: &str| {
        e.violations.iter().any(|v| v.field == "settings.schedule_on_server" && v.code == code)
    };
    assert!(field(&e, "hand_off_now"), "{:?}", e.violations);
    let mut thread = post(&s.account, "one", Schedule::At { at: ahead(30) });
    thread.items.push(item("two"));
    let e = s.t.ops.create_post(thread).unwrap_err();
    assert!(field(&e, "hand_off_thread"), "{:?}", e.violations);

    let due = Utc::now() + chrono::Duration::seconds(3);
    let saved =
        s.t.ops.create_post(post(&s.account, "Too close to hold", Schedule::At { at: due }));
    let id = saved.unwrap().post.id;
    let published = wait_for("Sipstory to publish it", WAIT, || async {
        s.t.ops.post(&id).ok().filter(|p| p.status == PostStatus::Published)
    })
    .await;
    assert!(published.targets[0].results[0].published_at >= due, "at its time");
    assert_eq!(mastodon_mock::texts_since(&s.account, s.since).await, vec!["Too close to hold"]);
    let sent = s.proxy.requests().into_iter().filter(|r| r.path == "/api/v1/statuses");
    assert!(sent.into_iter().all(|r| r.json().get("scheduled_at").is_none()));
    assert!(held(s.proxy.base_url(), &s.token).await.is_empty());
    mastodon_mock::assert_follows_the_description(&s.proxy);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_or_refused_hand_off_is_held_exactly_once() {
    let s = setup().await;
    let base = s.proxy.base_url();
    // The server holds it, but its answer never reaches Sipstory (which gives up after 3 s).
    s.proxy.lose_next_answer("POST", "/api/v1/statuses");
    let due = ahead(30);
    let id = s.t.ops.create_post(post(&s.account, "Lost answer", Schedule::At { at: due }));
    let id = id.unwrap().post.id;
    let lost = wait_held(base, &s.token, "Lost answer", due).await;
    wait_for("the lost answer to be reconciled", WAIT, || async {
        let log = s.t.ops.activity(&Default::default()).ok()?;
        let checked = log.iter().any(|e| e.action == "list_held");
        let post = s.t.ops.post(&id).ok()?;
        (checked && post.targets[0].state == TargetState::HandedOff).then_some(())
    })
    .await;
    // Its id was recorded: a reschedule moves that one.
    let later = ahead(45);
    s.t.ops.reschedule(&id, later).unwrap();
    let moved = wait_held(base, &s.token, "Lost answer", later).await;
    assert_eq!(moved["id"], lost["id"]);
    assert_eq!(requests(&s.proxy, "POST", "/api/v1/statuses"), 1, "never sent twice");

    // Refused (503): checked against the held posts, then given once.
    fault_once(&s.mock, "POST", "/api/v1/statuses", json!({"type": "status", "status": 503})).await;
    let other = s.t.ops.create_post(post(&s.account, "Refused once", Schedule::At { at: due }));
    let other = other.unwrap().post.id;
    wait_target(&s.t.ops, &other, TargetState::HandedOff).await;
    wait_for("both held, once each", WAIT, || async {
        let all = held(base, &s.token).await;
        let texts: Vec<_> = all.iter().map(|h| h["params"]["text"].as_str().unwrap()).collect();
        (texts.len() == 2 && texts.contains(&"Refused once")).then_some(())
    })
    .await;
    wait_for("the hand-off to be recorded", WAIT, || async {
        let post = s.t.ops.post(&other).ok()?;
        let log = s.t.ops.activity(&Default::default()).ok()?;
        let refused = log.iter().any(|e| e.action == "hand_off_failed");
        (refused && post.targets[0].state == TargetState::HandedOff).then_some(())
    })
    .await;
    assert_eq!(held(base, &s.token).await.len(), 2);
    mastodon_mock::assert_follows_the_description(&s.proxy);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_publishes_a_held_post_while_sipstory_is_closed() {
    let mock = MastodonMock::start_with_clock().await;
    let since = Utc::now();
    let dir = tempfile::tempdir().unwrap();
    let service = unique_service();
    let text = "Published while the laptop slept";
    let (account, token, id) = {
        let engine = open_engine(fast_config(dir.path()), &service, 4);
        let scheduler = engine.start_scheduler();
        let ops = engine.ops();
        let account = mastodon_mock::sign_in(&ops, &mock.base_url, "ada").await;
        let token = engine.core().credentials(&account.id).require("access_token").unwrap();
        let due = ahead(10);
        let id = ops.create_post(post(&account, text, Schedule::At { at: due })).unwrap().post.id;
        wait_held(&mock.base_url, &token, text, due).await;
        wait_target(&ops, &id, TargetState::HandedOff).await;
        scheduler.shutdown().await;
        (account, token, id)
    };

    // Eleven minutes pass, on the server and for Sipstory when it opens again.
    mock.clock().set_ahead(Duration::from_secs(11 * 60));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_engine-child"))
        .args([dir.path().as_os_str(), service.as_ref()])
        .env("RUST_LOG", "warn")
        .env("LD_PRELOAD", LIBFAKETIME)
        .env("FAKETIME", "+11m")
        .spawn()
        .expect("the engine child starts");
    let db = rusqlite::Connection::open_with_flags(
        dir.path().join("sipstory.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    wait_for("the held post to be recorded as published", Duration::from_secs(60), || async {
        let state: String = db
            .query_row("SELECT state FROM targets WHERE post_id = ?1", [&id], |r| r.get(0))
            .ok()?;
        (state == "published").then_some(())
    })
    .await;
    let stopped = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    child.wait().unwrap();

    let engine = open_engine(fast_config(dir.path()), &service, 4);
    let ops = engine.ops();
    let post = ops.post(&id).unwrap();
    assert_eq!(post.status, PostStatus::Published);
    let on_server = mastodon_mock::statuses_since(&account, since).await;
    assert_eq!(on_server.len(), 1, "published once");
    assert_eq!(mastodon_mock::text_of(&on_server[0]), text);
    let result = &post.targets[0].results[0];
    assert_eq!(on_server[0]["id"], result.remote_id.as_str(), "the real status id");
    assert_eq!(on_server[0]["url"].as_str(), result.url.as_deref(), "and its URL");
    assert!(held(&mock.base_url, &token).await.is_empty());
    for account in ops.accounts().unwrap() {
        ops.remove_account(&account.id, false).await.unwrap();
    }
    mastodon_mock::forget_app(engine.core(), &mock.base_url);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_first_send_never_leaves_the_post_held_twice() {
    let s = setup().await;
    let base = s.proxy.base_url();
    // The first create reaches the server only after Sipstory gave up on it (3 s) and found
    // nothing held, so Sipstory sends it again; mastodon-mock (unlike Mastodon) keeps no
    // Idempotency-Key for scheduled statuses, so the late one is held as a second copy.
    fault_once(&s.mock, "POST", "/api/v1/statuses", json!({"type": "latency", "delay_ms": 5000}))
        .await;
    let due = ahead(30);
    let id = s.t.ops.create_post(post(&s.account, "Sent twice", Schedule::At { at: due }));
    let id = id.unwrap().post.id;
    wait_for("the late copy to be taken back", WAIT, || async {
        (requests(&s.proxy, "DELETE", "/api/v1/scheduled_statuses/") == 1).then_some(())
    })
    .await;
    let kept = wait_held(base, &s.token, "Sent twice", due).await;
    assert_eq!(requests(&s.proxy, "POST", "/api/v1/statuses"), 2, "sent again once");
    wait_target(&s.t.ops, &id, TargetState::HandedOff).await;
    // The one kept is the one Sipstory knows: a reschedule moves it.
    let later = ahead(45);
    s.t.ops.reschedule(&id, later).unwrap();
    let moved = wait_held(base, &s.token, "Sent twice", later).await;
    assert_eq!(moved["id"], kept["id"]);
    mastodon_mock::assert_follows_the_description(&s.proxy);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pausing_publishing_takes_held_posts_back_and_resuming_gives_them_again() {
    let s = setup().await;
    let base = s.proxy.base_url();
    let due = ahead(30);
    let id = s.t.ops.create_post(post(&s.account, "Paused", Schedule::At { at: due }));
    let id = id.unwrap().post.id;
    let first = wait_held(base, &s.token, "Paused", due).await;
    wait_target(&s.t.ops, &id, TargetState::HandedOff).await;

    // Paused: nothing may go out, so the server must not hold it either.
    s.t.ops.set_publishing_paused(true).await.unwrap();
    wait_for("the server to let go of it", WAIT, || async {
        held(base, &s.token).await.is_empty().then_some(())
    })
    .await;
    wait_target(&s.t.ops, &id, TargetState::Scheduled).await;
    assert_eq!(s.t.ops.post(&id).unwrap().status, PostStatus::Scheduled, "still planned");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(held(base, &s.token).await.is_empty(), "not handed off again while paused");

    // Resumed: handed to the server again, once.
    s.t.ops.set_publishing_paused(false).await.unwrap();
    let again = wait_held(base, &s.token, "Paused", due).await;
    assert_ne!(again["id"], first["id"]);
    wait_target(&s.t.ops, &id, TargetState::HandedOff).await;
    assert_eq!(requests(&s.proxy, "POST", "/api/v1/statuses"), 2);
    assert!(mastodon_mock::statuses_since(&s.account, s.since).await.is_empty());
    mastodon_mock::assert_follows_the_description(&s.proxy);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_an_account_takes_its_held_posts_back_first_or_says_why_not() {
    let s = setup().await;
    let base = s.proxy.base_url();
    for (text, minutes) in [("First held", 30), ("Second held", 40)] {
        let id = s.t.ops.create_post(post(&s.account, text, Schedule::At { at: ahead(minutes) }));
        wait_target(&s.t.ops, &id.unwrap().post.id, TargetState::HandedOff).await;
    }
    wait_for("both held", WAIT, || async { (held(base, &s.token).await.len() == 2).then_some(()) })
        .await;

    // The server cannot be reached for one of them: the account stays, and the error says so.
    fault_once(
        &s.mock,
        "DELETE",
        "/api/v1/scheduled_statuses/*",
        json!({"type": "status", "status": 503}),
    )
    .await;
    let e = s.t.ops.remove_account(&s.account.id, false).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    assert_eq!(e.field.as_deref(), Some("leave_held"));
    let one = format!("1 post(s) of {} are held by its server", s.account.handle);
    assert!(e.message.starts_with(&one), "{}", e.message);
    assert!(s.t.ops.accounts().unwrap().iter().any(|a| a.id == s.account.id), "kept");
    assert_eq!(held(base, &s.token).await.len(), 1, "the other one was taken back");

    // Once it can be reached, both are gone from the server before the account goes.
    s.t.ops.remove_account(&s.account.id, false).await.unwrap();
    assert!(held(base, &s.token).await.is_empty());
    assert!(s.t.ops.accounts().unwrap().is_empty());
    assert!(mastodon_mock::statuses_since(&s.account, s.since).await.is_empty());
    mastodon_mock::assert_follows_the_description(&s.proxy);
}
