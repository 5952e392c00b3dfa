//! Scheduling through the operations layer with a running engine: rule checks block a
//! scheduled post but not a draft, local times across DST gaps, zone changes, the missed-post
//! grace at start-up, global and per-account pauses, and "Add to queue" slots.

use std::time::Duration;

use chrono::{NaiveDateTime, Utc};
use sipstory_engine::model::{MediaRef, PostStatus, TargetState, ThreadItem};
use sipstory_engine::notify::NoticeKind;
use sipstory_engine::ops::{ErrorCode, Operations, PostInput, Schedule, TargetInputDto};
use sipstory_engine::store::{PostWrite, TargetInput};
use sipstory_tests::fake_platform::FakePlatform;
use sipstory_tests::harness::{
    TestEngine, connect_account, fast_config, open_engine, unique_service, wait_for,
};

const WAIT: Duration = Duration::from_secs(15);

fn input(account_id: &str, text: &str, schedule: Schedule) -> PostInput {
    PostInput {
        items: vec![ThreadItem { text: text.into(), ..Default::default() }],
        tags: vec!["test".into()],
        targets: vec![TargetInputDto {
            account_id: account_id.into(),
            custom_items: None,
            settings: serde_json::Value::Null,
        }],
        schedule,
        time_zone: None,
    }
}

fn local(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

async fn published(ops: &Operations, id: &str) {
    wait_for("the post to be published", WAIT, || async {
        ops.post(id).ok().filter(|p| p.status == PostStatus::Published).map(|_| ())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_violations_block_scheduling_but_not_drafts() {
    let fake = FakePlatform::start().await;
    let t = TestEngine::start();
    let account = t.connect(&fake, "rules").await;
    let png = t.dir.path().join("p.png");
    std::fs::write(&png, sipstory_tests::harness::tiny_png()).unwrap();
    let media = t.ops.import_media(&png, None).await.unwrap();
    let mut post = input(&account.id, "five pictures", Schedule::Now);
    post.items[0].media = vec![MediaRef { media_id: media.id.clone(), alt: None }; 5];
    let error = t.ops.create_post(post.clone()).unwrap_err();
    assert_eq!(error.code, ErrorCode::ValidationFailed);
    assert_eq!(error.field.as_deref(), Some("items[0].media"));
    assert_eq!(error.violations[0].account_id, account.id);
    assert_eq!(error.violations[0].limit, Some(4));
    assert!(t.ops.posts(&Default::default()).unwrap().is_empty(), "nothing saved");

    post.schedule = Schedule::Draft { at: None };
    let saved = t.ops.create_post(post).unwrap();
    assert_eq!(saved.post.status, PostStatus::Draft);
    assert_eq!(saved.warnings.len(), 1, "the draft keeps its problem as a warning");

    let empty = input(&account.id, "  ", Schedule::Now);
    let error = t.ops.create_post(empty).unwrap_err();
    assert_eq!(error.field.as_deref(), Some("items[0]"));
    let past = input(
        &account.id,
        "too late",
        Schedule::At { at: Utc::now() - chrono::Duration::hours(1) },
    );
    assert_eq!(t.ops.create_post(past).unwrap_err().field.as_deref(), Some("date"));
    let mut bad_zone = input(&account.id, "where?", Schedule::Now);
    bad_zone.time_zone = Some("Mars/Olympus".into());
    assert_eq!(t.ops.create_post(bad_zone).unwrap_err().field.as_deref(), Some("time_zone"));
    let no_account =
        PostInput { targets: vec![], ..input(&account.id, "to nobody", Schedule::Now) };
    assert_eq!(t.ops.create_post(no_account).unwrap_err().field.as_deref(), Some("targets"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_times_in_a_spring_forward_gap_move_later() {
    let fake = FakePlatform::start().await;
    let t = TestEngine::start();
    let account = t.connect(&fake, "dst").await;
    for (zone, day, utc) in [
        ("America/New_York", "2027-03-14 02:30", "2027-03-14T07:30:00+00:00"),
        ("Europe/Berlin", "2027-03-28 02:30", "2027-03-28T01:30:00+00:00"),
    ] {
        let mut post = input(&account.id, zone, Schedule::Local { local: local(day) });
        post.time_zone = Some(zone.into());
        let saved = t.ops.create_post(post).unwrap();
        assert!(saved.time_shifted, "{zone}: 02:30 does not exist that day");
        assert_eq!(
            saved.post.scheduled_at.unwrap().to_rfc3339(),
            utc,
            "{zone}: goes out at 03:30 local"
        );
        assert_eq!(saved.post.time_zone, zone);
    }
    let mut normal =
        input(&account.id, "normal", Schedule::Local { local: local("2027-03-15 02:30") });
    normal.time_zone = Some("America/New_York".into());
    let saved = t.ops.create_post(normal).unwrap();
    assert!(!saved.time_shifted);
    assert_eq!(saved.post.scheduled_at.unwrap().to_rfc3339(), "2027-03-15T06:30:00+00:00");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_the_users_zone_keeps_each_posts_instant_and_zone() {
    let fake = FakePlatform::start().await;
    let t = TestEngine::start();
    let account = t.connect(&fake, "zones").await;
    let settings = t.ops.settings().unwrap();
    t.ops
        .update_settings(sipstory_engine::model::AppSettings {
            time_zone: Some("Europe/Berlin".into()),
            ..settings.clone()
        })
        .await
        .unwrap();
    let saved = t
        .ops
        .create_post(input(
            &account.id,
            "berlin morning",
            Schedule::Local { local: local("2027-01-10 09:00") },
        ))
        .unwrap();
    assert_eq!(saved.post.time_zone, "Europe/Berlin", "written in the settings' zone");
    t.ops
        .update_settings(sipstory_engine::model::AppSettings {
            time_zone: Some("America/New_York".into()),
            ..settings
        })
        .await
        .unwrap();
    let post = t.ops.post(&saved.post.id).unwrap();
    assert_eq!(post.scheduled_at.unwrap().to_rfc3339(), "2027-01-10T08:00:00+00:00");
    assert_eq!(post.time_zone, "Europe/Berlin");
    let bad = sipstory_engine::model::AppSettings {
        time_zone: Some("Nowhere/Land".into()),
        ..t.ops.settings().unwrap()
    };
    assert_eq!(t.ops.update_settings(bad).await.unwrap_err().field.as_deref(), Some("time_zone"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overdue_posts_within_the_grace_go_out_older_ones_are_missed() {
    let fake = FakePlatform::start().await;
    let dir = tempfile::tempdir().unwrap();
    let service = unique_service();
    let engine = open_engine(fast_config(dir.path()), &service, 2);
    let ops = engine.ops();
    let account = connect_account(&ops, &fake, "sleepy").await;
    // Posts that came due while Sipstory was not running.
    let store = &engine.core().store;
    let targets = [TargetInput {
        account_id: account.id.clone(),
        custom_items: None,
        settings: serde_json::json!({}),
    }];
    let mut ids = Vec::new();
    for (text, minutes_ago) in [("five minutes late", 5), ("two hours late", 120)] {
        let items = [ThreadItem { text: text.into(), ..Default::default() }];
        let id = sipstory_engine::model::new_id();
        store
            .insert_post(&PostWrite {
                id: &id,
                items: &items,
                tags: &[],
                scheduled_at: Some(Utc::now() - chrono::Duration::minutes(minutes_ago)),
                time_zone: "UTC",
                is_draft: false,
                targets: &targets,
            })
            .unwrap();
        ids.push(id);
    }
    let scheduler = engine.start_scheduler();
    published(&ops, &ids[0]).await;
    let missed = ops.post(&ids[1]).unwrap();
    assert_eq!(missed.status, PostStatus::Missed);
    assert_eq!(fake.posts().len(), 1, "the two-hour-old post was not published late");
    assert_eq!(
        ops.missed_posts().unwrap().iter().map(|p| p.id.clone()).collect::<Vec<_>>(),
        vec![ids[1].clone()]
    );
    wait_for("the missed notice", WAIT, || async {
        let (notices, _) = ops.notifications(0, 20).unwrap();
        notices
            .iter()
            .any(|n| n.kind == NoticeKind::Missed && n.post_id.as_deref() == Some(ids[1].as_str()))
            .then_some(())
    })
    .await;

    ops.publish_missed_now(&ids[1]).unwrap();
    published(&ops, &ids[1]).await;
    assert_eq!(fake.posts().len(), 2);
    scheduler.shutdown().await;
    ops.remove_account(&account.id, false).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discarding_a_missed_post_keeps_it_as_a_draft() {
    let fake = FakePlatform::start().await;
    let t = TestEngine::start();
    let account = t.connect(&fake, "discard").await;
    t.ops.set_publishing_paused(true).await.unwrap();
    let store = &t.engine.core().store;
    let id = sipstory_engine::model::new_id();
    let items = [ThreadItem { text: "old news".into(), ..Default::default() }];
    let targets = [TargetInput {
        account_id: account.id.clone(),
        custom_items: None,
        settings: serde_json::json!({}),
    }];
    store
        .insert_post(&PostWrite {
            id: &id,
            items: &items,
            tags: &[],
            scheduled_at: Some(Utc::now() - chrono::Duration::days(2)),
            time_zone: "UTC",
            is_draft: false,
            targets: &targets,
        })
        .unwrap();
    t.ops.set_publishing_paused(false).await.unwrap();
    assert_eq!(
        t.ops.post(&id).unwrap().status,
        PostStatus::Missed,
        "resuming does not publish days late"
    );
    let post = t.ops.discard_missed(&id).unwrap();
    assert_eq!(post.status, PostStatus::Draft);
    assert_eq!(post.items[0].text, "old news");
    assert!(fake.posts().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pauses_hold_posts_until_resumed() {
    let fake = FakePlatform::start().await;
    let t = TestEngine::start();
    let account = t.connect(&fake, "pause").await;
    t.ops.set_publishing_paused(true).await.unwrap();
    let global =
        t.ops.create_post(input(&account.id, "paused globally", Schedule::Now)).unwrap().post.id;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(fake.posts().is_empty());
    assert_eq!(t.ops.post(&global).unwrap().targets[0].state, TargetState::Scheduled);
    t.ops.set_publishing_paused(false).await.unwrap();
    published(&t.ops, &global).await;

    t.ops.pause_account(&account.id, true).await.unwrap();
    let per_account =
        t.ops.create_post(input(&account.id, "paused account", Schedule::Now)).unwrap().post.id;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(fake.posts().len(), 1);
    t.ops.pause_account(&account.id, false).await.unwrap();
    published(&t.ops, &per_account).await;
    assert_eq!(fake.posts().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_to_queue_takes_the_next_free_slot() {
    let fake = FakePlatform::start().await;
    let t = TestEngine::start();
    let account = t.connect(&fake, "queue").await;
    let none = t.ops.create_post(input(&account.id, "no slots", Schedule::Queue)).unwrap_err();
    assert_eq!(none.field.as_deref(), Some("schedule"));
    let slots: Vec<(u8, u16)> = (0..7).flat_map(|d| [(d, 9 * 60), (d, 17 * 60)]).collect();
    t.ops.set_time_slots(&account.id, &slots).unwrap();
    let first_free = t.ops.next_free_slot(&account.id, None).unwrap().unwrap();
    let first = t.ops.create_post(input(&account.id, "queued 1", Schedule::Queue)).unwrap().post;
    assert_eq!(first.scheduled_at, Some(first_free));
    let second = t.ops.create_post(input(&account.id, "queued 2", Schedule::Queue)).unwrap().post;
    assert!(second.scheduled_at.unwrap() > first_free, "the taken slot is skipped");
    assert_eq!(t.ops.next_free_slot(&account.id, None).unwrap().unwrap(), {
        let taken = [first_free, second.scheduled_at.unwrap()];
        let zone = sipstory_engine::time::parse_zone("UTC").unwrap();
        sipstory_engine::time::next_free_slot(&slots, &zone, Utc::now(), &taken, 60).unwrap()
    });
    assert!(t.ops.set_time_slots(&account.id, &[(7, 0)]).is_err(), "weekday 7 is refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafts_never_publish_and_rescheduling_moves_the_time() {
    let fake = FakePlatform::start().await;
    let t = TestEngine::start();
    let account = t.connect(&fake, "drafts").await;
    let soon = Utc::now() + chrono::Duration::milliseconds(300);
    let draft = t
        .ops
        .create_post(input(&account.id, "just a draft", Schedule::Draft { at: Some(soon) }))
        .unwrap()
        .post;
    let later = Utc::now() + chrono::Duration::days(3);
    let scheduled =
        t.ops.create_post(input(&account.id, "later", Schedule::At { at: later })).unwrap().post;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(fake.posts().is_empty(), "a draft is never published");
    assert_eq!(t.ops.drafts().unwrap()[0].id, draft.id);

    let moved =
        t.ops.reschedule(&scheduled.id, Utc::now() + chrono::Duration::milliseconds(200)).unwrap();
    assert_eq!(moved.targets[0].state, TargetState::Scheduled);
    published(&t.ops, &scheduled.id).await;
    let refused = t.ops.reschedule(&scheduled.id, later).unwrap_err();
    assert_eq!(refused.code, ErrorCode::Conflict, "a published post is not moved");
    let copy =
        t.ops.duplicate_post(&scheduled.id, Schedule::Draft { at: Some(later) }).unwrap().post;
    assert_eq!(copy.items, moved.items);
    assert_eq!(copy.status, PostStatus::Draft);
}
