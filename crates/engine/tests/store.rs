//! The SQLite store on a real file in a temporary directory: migrations and pragmas, accounts,
//! posts and their targets, the publishing queue's transitions, media, time slots, the publish
//! log, notifications, settings and backups. Every time is fixed (no test depends on the clock
//! except where the store stamps `created_at`/`updated_at` itself), and every assertion is exact.

use chrono::{DateTime, Duration, TimeZone, Utc};
use rusqlite::Connection;
use serde_json::json;
use tempfile::TempDir;

use sipstory_engine::model::{
    Account, AccountStatus, ApiKey, AppSettings, IdempotencyClaim, ItemResult, LocalApiSettings,
    Media, MediaFacts, MediaRef, Post, PostStatus, Target, TargetError, TargetState, ThreadItem,
    WeekStart, new_id,
};
use sipstory_engine::notify::{Notice, NoticeKind};
use sipstory_engine::store::{
    HandOff, LogEntry, LogFilter, NewHandOff, PostFilter, PostWrite, Store, StoreError,
    TargetInput, TargetUpdate, Tx,
};

/// A fresh store in a nested folder of a temporary directory (the folder does not exist yet).
fn open() -> (TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("data").join("sipstory.db")).expect("open store");
    (dir, store)
}

/// A second, independent connection to the store's file.
fn raw(store: &Store) -> Connection {
    Connection::open(store.path()).expect("second connection")
}

/// A connected account.
fn connect(store: &Store, platform: &str, handle: &str) -> Account {
    store.upsert_account(&Store::new_account(platform, handle, handle)).expect("upsert account")
}

/// A fixed instant with whole milliseconds: 2030-05-01 12:00:00.123 UTC.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 5, 1, 12, 0, 0).unwrap() + Duration::milliseconds(123)
}

fn mins(n: i64) -> Duration {
    Duration::minutes(n)
}

fn text(text: &str) -> Vec<ThreadItem> {
    vec![ThreadItem { text: text.to_owned(), ..ThreadItem::default() }]
}

/// Writes a one-item post going to `accounts` with the shared content.
fn add_post(
    store: &Store,
    body: &str,
    at: Option<DateTime<Utc>>,
    is_draft: bool,
    accounts: &[&Account],
) -> Post {
    let targets: Vec<TargetInput> = accounts
        .iter()
        .map(|a| TargetInput { account_id: a.id.clone(), custom_items: None, settings: json!({}) })
        .collect();
    store
        .insert_post(&PostWrite {
            id: &new_id(),
            items: &text(body),
            tags: &[],
            scheduled_at: at,
            time_zone: "UTC",
            is_draft,
            targets: &targets,
        })
        .expect("insert post")
}

fn target_of<'a>(post: &'a Post, account: &Account) -> &'a Target {
    post.targets.iter().find(|t| t.account_id == account.id).expect("target for account")
}

/// Moves a target to `state` (no next attempt, the lease and in-flight mark released).
fn settle(store: &Store, target_id: &str, state: TargetState, error: Option<&TargetError>) {
    store
        .write(|w| {
            w.update_target(
                target_id,
                &TargetUpdate {
                    state,
                    next_attempt_at: None,
                    error: error.cloned(),
                    keep_inflight: false,
                },
            )
        })
        .expect("update target");
}

fn item_result(position: u32, remote_id: &str, at: DateTime<Utc>) -> ItemResult {
    ItemResult {
        position,
        remote_id: remote_id.to_owned(),
        url: Some(format!("https://example.test/{remote_id}")),
        extra: json!({ "cid": remote_id }),
        published_at: at,
    }
}

fn ids(posts: &[Post]) -> Vec<&str> {
    posts.iter().map(|p| p.id.as_str()).collect()
}

// ---------------------------------------------------------------------------------------------
// Migrations and pragmas
// ---------------------------------------------------------------------------------------------

/// The number of migrations (V1, the local API's tables, server-side scheduling, its index).
const LATEST_SCHEMA: i64 = 5;

#[test]
fn a_fresh_file_is_migrated_to_the_latest_version_in_wal_mode() {
    let (dir, store) = open();
    assert!(dir.path().join("data").join("sipstory.db").is_file());
    assert_eq!(store.schema_version().unwrap(), LATEST_SCHEMA);

    let conn = raw(&store);
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, LATEST_SCHEMA);

    // WAL in action: a write lands in the `-wal` file next to the database.
    connect(&store, "bluesky", "alice.bsky.social");
    let wal = dir.path().join("data").join("sipstory.db-wal");
    assert!(wal.is_file(), "{} should exist after a write", wal.display());
}

#[test]
fn foreign_keys_are_enforced() {
    // `PRAGMA foreign_keys` is per connection, so it is checked through the store's behaviour.
    let (_dir, store) = open();
    let alice = connect(&store, "bluesky", "alice");
    let id = new_id();
    let targets = [
        TargetInput { account_id: alice.id.clone(), custom_items: None, settings: json!({}) },
        TargetInput {
            account_id: "no-such-account".into(),
            custom_items: None,
            settings: json!({}),
        },
    ];
    let err = store
        .insert_post(&PostWrite {
            id: &id,
            items: &text("hello"),
            tags: &[],
            scheduled_at: Some(t0()),
            time_zone: "UTC",
            is_draft: false,
            targets: &targets,
        })
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::NotFound { what: "account", id } if id == "no-such-account"),
        "{err:?}"
    );
    // The whole write was rolled back: no post, no target for alice.
    assert!(matches!(store.post(&id), Err(StoreError::NotFound { what: "post", .. })));
    assert!(store.posts(&PostFilter::default()).unwrap().is_empty());
}

#[test]
fn reopening_keeps_the_data_and_does_not_rerun_migrations() {
    let (_dir, store) = open();
    let path = store.path().to_owned();
    let alice = connect(&store, "bluesky", "alice");
    let post = add_post(&store, "kept", Some(t0()), false, &[&alice]);
    let settings = AppSettings { missed_grace_minutes: 5, ..AppSettings::default() };
    store.save_settings(&settings).unwrap();
    drop(store);

    // Re-running V1 would fail on `CREATE TABLE accounts`; reopening must just work.
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), LATEST_SCHEMA);
    assert_eq!(store.accounts().unwrap(), vec![alice]);
    assert_eq!(store.post(&post.id).unwrap(), post);
    assert_eq!(store.settings().unwrap(), settings);
}

#[test]
fn a_file_from_a_future_version_is_refused_and_left_alone() {
    let (_dir, store) = open();
    let path = store.path().to_owned();
    connect(&store, "bluesky", "alice");
    drop(store);
    Connection::open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();

    let err = Store::open(&path).err().expect("a newer database must not open");
    assert!(
        matches!(
            &err,
            StoreError::Migration {
                path: p,
                source: rusqlite_migration::Error::MigrationDefinition(
                    rusqlite_migration::MigrationDefinitionError::DatabaseTooFarAhead
                ),
            } if *p == path
        ),
        "{err:?}"
    );
    let conn = Connection::open(&path).unwrap();
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 99);
    let accounts: i64 = conn.query_row("SELECT count(*) FROM accounts", [], |r| r.get(0)).unwrap();
    assert_eq!(accounts, 1);
}

// ---------------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------------

#[test]
fn upserting_the_same_handle_keeps_the_id_and_updates_the_profile() {
    let (_dir, store) = open();
    let first = connect(&store, "mastodon", "@ann@example.social");

    let mut again = Store::new_account("mastodon", "@ann@example.social", "Ann, renamed");
    again.avatar_url = Some("https://example.social/ann.png".into());
    again.settings = json!({ "instance": "https://example.social" });
    again.status = AccountStatus::Connected;
    let second = store.upsert_account(&again).unwrap();

    assert_ne!(again.id, first.id);
    assert_eq!(second.id, first.id);
    assert_eq!(second.display_name, "Ann, renamed");
    assert_eq!(second.avatar_url.as_deref(), Some("https://example.social/ann.png"));
    assert_eq!(second.settings, json!({ "instance": "https://example.social" }));
    assert_eq!(second.created_at, first.created_at);
    assert_eq!(store.accounts().unwrap(), vec![second.clone()]);
    assert_eq!(store.account(&first.id).unwrap(), second);
    assert!(matches!(store.account(&again.id), Err(StoreError::NotFound { what: "account", .. })));

    // Same handle on another platform is another account.
    let other = connect(&store, "bluesky", "@ann@example.social");
    assert_ne!(other.id, first.id);
    assert_eq!(store.accounts().unwrap().len(), 2);
}

#[test]
fn account_status_and_pause_round_trip() {
    let (_dir, store) = open();
    let alice = connect(&store, "bluesky", "alice");
    assert_eq!(alice.status, AccountStatus::Connected);
    assert!(!alice.paused);

    for status in [AccountStatus::NeedsReconnect, AccountStatus::Disabled, AccountStatus::Connected]
    {
        store.set_account_status(&alice.id, status).unwrap();
        assert_eq!(store.account(&alice.id).unwrap().status, status);
    }
    store.set_account_paused(&alice.id, true).unwrap();
    assert!(store.account(&alice.id).unwrap().paused);
    store.set_account_paused(&alice.id, false).unwrap();
    assert!(!store.account(&alice.id).unwrap().paused);
    store.set_account_settings(&alice.id, &json!({ "relay": "wss://r.example" })).unwrap();
    assert_eq!(store.account(&alice.id).unwrap().settings, json!({ "relay": "wss://r.example" }));

    assert!(matches!(
        store.set_account_status("nobody", AccountStatus::Disabled),
        Err(StoreError::NotFound { what: "account", .. })
    ));
    assert!(matches!(
        store.set_account_paused("nobody", true),
        Err(StoreError::NotFound { what: "account", .. })
    ));
}

#[test]
fn deleting_an_account_removes_its_targets_and_orphaned_posts_only() {
    let (_dir, store) = open();
    let alice = connect(&store, "bluesky", "alice");
    let bob = connect(&store, "mastodon", "bob");
    let only_alice = add_post(&store, "alice only", Some(t0()), false, &[&alice]);
    let shared = add_post(&store, "both", Some(t0() + mins(5)), false, &[&alice, &bob]);
    let only_bob = add_post(&store, "bob only", Some(t0() + mins(10)), false, &[&bob]);
    store.set_slots(&alice.id, &[(0, 540)]).unwrap();

    store.delete_account(&alice.id).unwrap();

    assert!(matches!(store.account(&alice.id), Err(StoreError::NotFound { .. })));
    assert!(matches!(store.post(&only_alice.id), Err(StoreError::NotFound { what: "post", .. })));
    let shared_now = store.post(&shared.id).unwrap();
    assert_eq!(shared_now.targets, vec![target_of(&shared, &bob).clone()]);
    assert_eq!(store.post(&only_bob.id).unwrap(), only_bob);
    assert!(store.slots(&alice.id).unwrap().is_empty());
    assert_eq!(
        ids(&store.posts(&PostFilter::default()).unwrap()),
        vec![shared.id.as_str(), &only_bob.id]
    );

    assert!(matches!(
        store.delete_account(&alice.id),
        Err(StoreError::NotFound { what: "account", .. })
    ));
}

#[test]
fn no_table_has_a_column_for_secrets() {
    let (_dir, store) = open();
    let conn = raw(&store);
    let columns = |table: &str| -> Vec<String> {
        let mut stmt = conn.prepare(&format!("PRAGMA table_info({table})")).unwrap();
        stmt.query_map([], |r| r.get(1)).unwrap().collect::<Result<_, _>>().unwrap()
    };
    assert_eq!(
        columns("accounts"),
        [
            "id",
            "platform",
            "handle",
            "display_name",
            "avatar_url",
            "status",
            "paused",
            "settings",
            "created_at"
        ]
    );
    let tables: Vec<String> = {
        let mut stmt = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
    };
    assert!(tables.len() >= 9, "{tables:?}");
    for table in &tables {
        for column in columns(table) {
            let lower = column.to_lowercase();
            for word in ["token", "secret", "password", "credential", "cookie"] {
                assert!(!lower.contains(word), "{table}.{column} looks like a secret column");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Posts
// ---------------------------------------------------------------------------------------------

#[test]
fn a_post_round_trips_items_targets_tags_zone_and_times() {
    let (_dir, store) = open();
    let alice = connect(&store, "bluesky", "alice");
    let bob = connect(&store, "mastodon", "bob");
    let items = vec![
        ThreadItem {
            text: "Launch day 🚀".into(),
            media: vec![
                MediaRef { media_id: "m1".into(), alt: Some("a cat".into()) },
                MediaRef { media_id: "m2".into(), alt: None },
            ],
            delay_secs: 0,
        },
        ThreadItem { text: "More in the thread".into(), media: vec![], delay_secs: 90 },
    ];
    let bob_items = vec![ThreadItem {
        text: "Bob's own version".into(),
        media: vec![MediaRef { media_id: "m3".into(), alt: None }],
        delay_secs: 0,
    }];
    let tags = vec!["launch".to_owned(), "q2".to_owned()];
    // Stored in milliseconds: the sub-millisecond part is dropped.
    let at =
        Utc.with_ymd_and_hms(2030, 5, 1, 10, 0, 0).unwrap() + Duration::nanoseconds(123_456_789);
    let stored_at =
        Utc.with_ymd_and_hms(2030, 5, 1, 10, 0, 0).unwrap() + Duration::milliseconds(123);
    let id = new_id();
    let before = Utc::now() - Duration::seconds(1);
    let inserted = store
        .insert_post(&PostWrite {
            id: &id,
            items: &items,
            tags: &tags,
            scheduled_at: Some(at),
            time_zone: "Europe/Paris",
            is_draft: false,
            targets: &[
                TargetInput {
                    account_id: bob.id.clone(),
                    custom_items: Some(bob_items.clone()),
                    settings: json!({ "visibility": "unlisted" }),
                },
                TargetInput {
                    account_id: alice.id.clone(),
                    custom_items: None,
                    settings: json!({ "langs": ["en"] }),
                },
            ],
        })
        .unwrap();
    let after = Utc::now() + Duration::seconds(1);

    let post = store.post(&id).unwrap();
    assert_eq!(post, inserted);
    assert_eq!(post.id, id);
    assert_eq!(post.items, items);
    assert_eq!(post.tags, tags);
    assert_eq!(post.scheduled_at, Some(stored_at));
    assert_eq!(post.time_zone, "Europe/Paris");
    assert!(!post.is_draft);
    assert_eq!(post.status, PostStatus::Scheduled);
    assert!(post.created_at >= before && post.created_at <= after, "{}", post.created_at);
    assert_eq!(post.created_at, post.updated_at);
    assert_eq!(post.created_at.timestamp_subsec_nanos() % 1_000_000, 0);

    // Targets come ordered by platform then handle.
    assert_eq!(post.targets.len(), 2);
    let (a, b) = (&post.targets[0], &post.targets[1]);
    assert_eq!((a.account_id.as_str(), a.platform.as_str()), (alice.id.as_str(), "bluesky"));
    assert_eq!((b.account_id.as_str(), b.platform.as_str()), (bob.id.as_str(), "mastodon"));
    for t in [a, b] {
        assert_eq!(t.post_id, id);
        assert_eq!(t.state, TargetState::Scheduled);
        assert_eq!(t.attempts, 0);
        assert_eq!(t.next_attempt_at, Some(stored_at));
        assert!(t.results.is_empty());
        assert_eq!(t.last_error, None);
    }
    assert_eq!(a.custom_items, None);
    assert_eq!(a.settings, json!({ "langs": ["en"] }));
    assert_eq!(b.custom_items.as_ref(), Some(&bob_items));
    assert_eq!(b.settings, json!({ "visibility": "unlisted" }));
    assert_eq!(post.items_for(a), items.as_slice());
    assert_eq!(post.items_for(b), bob_items.as_slice());
}

#[test]
fn post_status_is_derived_from_the_stored_targets() {
    let (_dir, store) = open();
    let alice = connect(&store, "bluesky", "alice");
    let bob = connect(&store, "mastodon", "bob");

    let draft = add_post(&store, "draft", Some(t0()), true, &[&alice, &bob]);
    assert_eq!(draft.status, PostStatus::Draft);
    assert!(draft.is_draft);
    for t in &draft.targets {
        assert_eq!(t.state, TargetState::Draft);
        assert_eq!(t.next_attempt_at, None);
    }

    let post = add_post(&store, "scheduled", Some(t0()), false, &[&alice, &bob]);
    assert_eq!(post.status, PostStatus::Scheduled);

    let error = TargetError {
        code: Some("RateLimited".into()),
        message: "slow down".into(),
        http_status: Some(429),
        at: t0() + mins(1),
    };
    settle(&store, &target_of(&post, &alice).id, TargetState::Published, None);
    assert_eq!(store.post(&post.id).unwrap().status, PostStatus::Publishing);
    settle(&store, &target_of(&post, &bob).id, TargetState::Failed, Some(&error));
    let post = store.post(&post.id).unwrap();
    assert_eq!(post.status, PostStatus::Partial);
    assert_eq!(target_of(&post, &alice).state, TargetState::Published);
    let failed = target_of(&post, &bob);
    assert_eq!(failed.state, TargetState::Failed);
    assert_eq!(failed.last_error.as_ref(), Some(&error));

    settle(&store, &target_of(&post, &alice).id, TargetState::Failed, Some(&error));
    assert_eq!(store.post(&post.id).unwrap().status, PostStatus::Failed);
    settle(&store, &target_of(&post, &alice).id, TargetState::Published, None);
    settle(&store, &target_of(&post, &bob).id, TargetState::Published, None);
    assert_eq!(store.post(&post.id).unwrap().status, PostStatus::Published);
}

#[test]
fn updating_a_post_keeps_published_targets_and_rearms_failed_ones() {
    let (_dir, store) = open();
    let alice = connect(&store, "bluesky", "alice");
    let bob = connect(&store, "mastodon", "bob");
    let carol = connect(&store, "x", "carol");
    let post = add_post(&store, "first version", Some(t0()), false, &[&alice, &bob]);
    let (published_id, failed_id) =
        (target_of(&post, &alice).id.clone(), target_of(&post, &bob).id.clone());

    store.write(|w| w.mark_inflight(&published_id, 0, t0())).unwrap();
    store.write(|w| w.record_result(&published_id, &item_result(0, "at://alice/1", t0()))).unwrap();
    settle(&store, &published_id, TargetState::Published, None);
    store.write(|w| w.mark_inflight(&failed_id, 0, t0())).unwrap();
    let error =
        TargetError { code: None, message: "boom".into(), http_status: Some(500), at: t0() };
    settle(&store, &failed_id, TargetState::Failed, Some(&error));
    let published_before = target_of(&store.post(&post.id).unwrap(), &alice).clone();
    assert_eq!(published_before.attempts, 1);
    assert_eq!(published_before.results, vec![item_result(0, "at://alice/1", t0())]);

    let new_items = text("second version");
    let new_at = t0() + Duration::hours(1);
    /// The post with the new content and time, going to `targets`.
    fn rewrite<'a>(
        id: &'a str,
        items: &'a [ThreadItem],
        at: DateTime<Utc>,
        targets: &'a [TargetInput],
    ) -> PostWrite<'a> {
        PostWrite {
            id,
            items,
            tags: &[],
            scheduled_at: Some(at),
            time_zone: "UTC",
            is_draft: false,
            targets,
        }
    }
    let input = |account: &Account, custom: Option<Vec<ThreadItem>>| TargetInput {
        account_id: account.id.clone(),
        custom_items: custom,
        settings: json!({ "edited": true }),
    };

    let updated = store
        .update_post(&rewrite(
            &post.id,
            &new_items,
            new_at,
            &[input(&alice, Some(text("ignored"))), input(&bob, None)],
        ))
        .unwrap();
    assert_eq!(updated.items, new_items);
    assert_eq!(updated.scheduled_at, Some(new_at));
    // The published target is untouched: state, results, content, settings, attempts.
    assert_eq!(target_of(&updated, &alice), &published_before);
    let rearmed = target_of(&updated, &bob);
    assert_eq!(rearmed.id, failed_id);
    assert_eq!(rearmed.state, TargetState::Scheduled);
    assert_eq!(rearmed.attempts, 0);
    assert_eq!(rearmed.last_error, None);
    assert_eq!(rearmed.next_attempt_at, Some(new_at));
    assert_eq!(rearmed.settings, json!({ "edited": true }));
    assert_eq!(updated.status, PostStatus::Publishing);

    // Taking the post off the account it is already published on is refused, and nothing of
    // that write is kept.
    let err = store
        .update_post(&rewrite(&post.id, &text("third version"), new_at, &[input(&bob, None)]))
        .unwrap_err();
    assert!(matches!(&err, StoreError::Conflict(msg) if msg.contains(&alice.id)), "{err:?}");
    assert_eq!(store.post(&post.id).unwrap(), updated);

    // Dropping a not-yet-published account and adding a new one works.
    let swapped = store
        .update_post(&rewrite(
            &post.id,
            &new_items,
            new_at,
            &[input(&alice, None), input(&carol, None)],
        ))
        .unwrap();
    assert_eq!(swapped.targets.len(), 2);
    assert_eq!(target_of(&swapped, &alice), &published_before);
    assert!(swapped.targets.iter().all(|t| t.account_id != bob.id));
    let added = target_of(&swapped, &carol);
    assert_eq!(added.state, TargetState::Scheduled);
    assert_eq!(added.next_attempt_at, Some(new_at));

    assert!(matches!(
        store.update_post(&rewrite("missing", &new_items, new_at, &[])),
        Err(StoreError::NotFound { what: "post", .. })
    ));
}

#[test]
fn the_calendar_returns_one_summary_per_post_in_the_window() {
    let (_dir, store) = open();
    let alice = connect(&store, "bluesky", "alice");
    let bob = connect(&store, "mastodon", "bob");
    let (from, to) = (t0(), t0() + Duration::days(1));
    let long: String = "é".repeat(100) + &"x".repeat(100);

    add_post(&store, "just before", Some(from - Duration::milliseconds(1)), false, &[&alice]);
    let first = add_post(&store, &long, Some(from), false, &[&alice, &bob]);
    let draft = add_post(&store, "a dated draft", Some(from + mins(90)), true, &[&bob]);
    add_post(&store, "at the end, excluded", Some(to), false, &[&alice]);
    add_post(&store, "no time", None, true, &[&alice]);

    let summaries = store.calendar(from, to).unwrap();
    assert_eq!(summaries.len(), 2, "{summaries:?}");

    let s = &summaries[0];
    assert_eq!(s.id, first.id);
    assert_eq!(s.preview.chars().count(), 140);
    assert_eq!(s.preview, long.chars().take(140).collect::<String>());
    assert_eq!(s.scheduled_at, Some(from));
    assert_eq!(s.time_zone, "UTC");
    assert_eq!(s.status, PostStatus::Scheduled);
    let mut targets = s.targets.clone();
    targets.sort_by(|x, y| x.1.cmp(&y.1));
    assert_eq!(
        targets,
        [
            (alice.id.clone(), "bluesky".to_owned(), TargetState::Scheduled),
            (bob.id.clone(), "mastodon".to_owned(), TargetState::Scheduled),
        ]
    );

    let s = &summaries[1];
    assert_eq!(s.id, draft.id);
    assert_eq!(s.preview, "a dated draft");
    assert_eq!(s.status, PostStatus::Draft);
    assert_eq!(s.targets, vec![(bob.id.clone(), "mastodon".to_owned(), TargetState::Draft)]);

    assert!(store.calendar(to + mins(1), to + Duration::days(1)).unwrap().is_empty());
}

#[test]
fn the_month_view_gets_each_days_earliest_posts_and_its_total() {
    let (_dir, store) = open();
    let alice = connect(&store, "bluesky", "alice");
    let day = Duration::days(1);
    let busy: Vec<Post> = (0..5)
        .rev()
        .map(|i| add_post(&store, &format!("busy {i}"), Some(t0() + mins(i)), false, &[&alice]))
        .collect();
    let lone = add_post(&store, "lone", Some(t0() + day + mins(30)), true, &[&alice]);
    add_post(&store, "after the window", Some(t0() + day * 3), false, &[&alice]);

    let bounds = [t0(), t0() + day, t0() + day * 2, t0() + day * 3];
    let days = store.calendar_days(&bounds, 3).unwrap();
    assert_eq!(days.len(), 3);
    assert_eq!((days[0].start, days[0].total), (t0(), 5));
    let shown: Vec<&str> = days[0].posts.iter().map(|p| p.preview.as_str()).collect();
    assert_eq!(shown, ["busy 0", "busy 1", "busy 2"]);
    assert_eq!(days[0].posts[0].id, busy[4].id);
    assert_eq!(days[0].posts[0].targets.len(), 1);
    assert_eq!((days[1].total, days[1].posts.len()), (1, 1));
    assert_eq!(days[1].posts[0].id, lone.id);
    assert_eq!(days[1].posts[0].status, PostStatus::Draft);
    assert_eq!((days[2].total, days[2].posts.len()), (0, 0));
}

#[test]
fn post_lists_filter_by_time_account_status_and_limit() {
    let (_dir, store) = open();
    let alice = connect(&store, "bluesky", "alice");
    let bob = connect(&store, "mastodon", "bob");
    add_post(&store, "p1", Some(t0()), false, &[&alice]);
    add_post(&store, "p2", Some(t0() + mins(60)), false, &[&bob]);
    let p3 = add_post(&store, "p3", Some(t0() + mins(120)), false, &[&alice, &bob]);
    add_post(&store, "p4", None, true, &[&alice]);
    settle(&store, &target_of(&p3, &alice).id, TargetState::Published, None);
    settle(&store, &target_of(&p3, &bob).id, TargetState::Failed, None);

    // Each post is named by its text.
    let list = |filter: PostFilter| {
        store
            .posts(&filter)
            .unwrap()
            .into_iter()
            .map(|p| p.items[0].text.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(list(PostFilter::default()), ["p1", "p2", "p3", "p4"]);
    assert_eq!(
        list(PostFilter { from: Some(t0() + mins(60)), ..Default::default() }),
        ["p2", "p3"]
    );
    assert_eq!(list(PostFilter { to: Some(t0() + mins(60)), ..Default::default() }), ["p1"]);
    assert_eq!(
        list(PostFilter { from: Some(t0()), to: Some(t0() + mins(120)), ..Default::default() }),
        ["p1", "p2"]
    );
    assert_eq!(
        list(PostFilter { account_id: Some(bob.id.clone()), ..Default::default() }),
        ["p2", "p3"]
    );
    assert_eq!(
        list(PostFilter { status: Some(PostStatus::Partial), ..Default::default() }),
        ["p3"]
    );
    assert_eq!(
        list(PostFilter { status: Some(PostStatus::Scheduled), ..Default::default() }),
        ["p1", "p2"]
    );
    assert_eq!(list(PostFilter { status: Some(PostStatus::Draft), ..Default::default() }), ["p4"]);
    assert_eq!(list(PostFilter { unscheduled: true, ..Default::default() }), ["p4"]);
    assert_eq!(list(PostFilter { limit: Some(2), ..Default::default() }), ["p1", "p2"]);
    assert_eq!(
        list(PostFilter {
            account_id: Some(alice.id.clone()),
            limit: Some(2),
            ..Default::default()
        }),
        ["p1", "p3"]
    );
    assert_eq!(
        list(PostFilter {
            status: Some(PostStatus::Scheduled),
            limit: Some(1),
            ..Default::default()
        }),
        ["p1"]
    );
}

#[test]
fn deleting_posts_and_targets() {
    let (_dir, store) = open();
    let alice = connect(&store, "bluesky", "alice");
    let bob = connect(&store, "mastodon", "bob");
    let shared = add_post(&store, "shared", Some(t0()), false, &[&alice, &bob]);
    let single = add_post(&store, "single", Some(t0()), false, &[&alice]);

    store.delete_target(&target_of(&shared, &alice).id).unwrap();
    assert_eq!(store.post(&shared.id).unwrap().targets, vec![target_of(&shared, &bob).clone()]);
    store.delete_target(&target_of(&shared, &bob).id).unwrap();
    assert!(matches!(store.post(&shared.id), Err(StoreError::NotFound { .. })));
    assert!(matches!(
        store.delete_target(&target_of(&shared, &bob).id),
        Err(StoreError::NotFound { what: "target", .. })
    ));

    store.delete_post(&single.id).unwrap();
    assert!(matches!(store.post(&single.id), Err(StoreError::NotFound { .. })));
    assert!(matches!(
        store.delete_post(&single.id),
        Err(StoreError::NotFound { what: "post", .. })
    ));
    assert!(matches!(store.job(&target_of(&single, &alice).id), Err(StoreError::NotFound { .. })));
    assert!(store.posts(&PostFilter::default()).unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Queue
// ---------------------------------------------------------------------------------------------

#[test]
fn claim_due_leases_due_targets_on_eligible_accounts_in_time_order() {
    let (_dir, store) = open();
    let now = t0();
    let alice = connect(&store, "bluesky", "alice");
    let paused = connect(&store, "bluesky", "paused");
    let gone = connect(&store, "bluesky", "gone");
    store.set_account_paused(&paused.id, true).unwrap();
    store.set_account_status(&gone.id, AccountStatus::NeedsReconnect).unwrap();

    // Inserted out of order on purpose.
    let second = add_post(&store, "second", Some(now - mins(2)), false, &[&alice]);
    let third = add_post(&store, "third", Some(now), false, &[&alice]);
    let first = add_post(&store, "first", Some(now - mins(3)), false, &[&alice]);
    add_post(&store, "future", Some(now + Duration::milliseconds(1)), false, &[&alice]);
    add_post(&store, "draft", Some(now - mins(10)), true, &[&alice]);
    add_post(&store, "paused", Some(now - mins(10)), false, &[&paused]);
    add_post(&store, "needs reconnect", Some(now - mins(10)), false, &[&gone]);

    let claimed = store.claim_due(now, 2, "worker-1").unwrap();
    let expected: Vec<(String, DateTime<Utc>)> = vec![
        (target_of(&first, &alice).id.clone(), now - mins(3)),
        (target_of(&second, &alice).id.clone(), now - mins(2)),
    ];
    assert_eq!(
        claimed.iter().map(|c| (c.target_id.clone(), c.due_at)).collect::<Vec<_>>(),
        expected
    );
    for post in [&first, &second] {
        let post = store.post(&post.id).unwrap();
        assert_eq!(post.targets[0].state, TargetState::Publishing);
        assert_eq!(post.status, PostStatus::Publishing);
    }

    let claimed = store.claim_due(now, 10, "worker-1").unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].target_id, target_of(&third, &alice).id);
    assert_eq!(claimed[0].due_at, now);

    assert!(store.claim_due(now, 10, "worker-2").unwrap().is_empty());
    assert_eq!(store.targets_in_state(TargetState::Publishing).unwrap().len(), 3);
    assert_eq!(store.targets_in_state(TargetState::Scheduled).unwrap().len(), 3);
}

/// The global pause is part of the claim: nothing is leased while the saved settings say paused.
#[test]
fn claim_due_leases_nothing_while_publishing_is_paused() {
    let (_dir, store) = open();
    let alice = connect(&store, "bluesky", "alice");
    add_post(&store, "due", Some(t0() - mins(1)), false, &[&alice]);
    let settings = store.settings().unwrap();
    store.save_settings(&AppSettings { publishing_paused: true, ..settings.clone() }).unwrap();
    assert!(store.claim_due(t0(), 10, "w").unwrap().is_empty());
    assert_eq!(store.targets_in_state(TargetState::Scheduled).unwrap().len(), 1);
    store.save_settings(&AppSettings { publishing_paused: false, ..settings }).unwrap();
    assert_eq!(store.claim_due(t0(), 10, "w").unwrap().len(), 1);
}

#[test]
fn claim_due_takes_unconfirmed_targets_waiting_to_be_reconciled() {
    let (_dir, store) = open();
    let alice = connect(&store, "bluesky", "alice");
    let post = add_post(&store, "unsure", Some(t0()), false, &[&alice]);
    let target = target_of(&post, &alice).id.clone();
    store.claim_due(t0(), 1, "w").unwrap();
    store.write(|w| w.mark_inflight(&target, 0, t0())).unwrap();
    store
        .write(|w| {
            w.update_target(
                &target,
                &TargetUpdate {
                    state: TargetState::Unconfirmed,
                    next_attempt_at: Some(t0() + mins(5)),
                    error: None,
                    keep_inflight: true,
                },
            )
        })
        .unwrap();
    assert_eq!(store.job(&target).unwrap().inflight, Some((0, t0())));
    assert_eq!(store.next_due().unwrap(), Some(t0() + mins(5)));

    assert!(store.claim_due(t0() + mins(4), 10, "w").unwrap().is_empty());
    let claimed = store.claim_due(t0() + mins(5), 10, "w").unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].target_id, target);
    assert_eq!(store.post(&post.id).unwrap().targets[0].state, TargetState::Publishing);
}

#[test]
fn next_due_ignores_paused_and_disconnected_accounts() {
    let (_dir, store) = open();
    let alice = connect(&store, "bluesky", "alice");
    let paused = connect(&store, "bluesky", "paused");
    let gone = connect(&store, "bluesky", "gone");
    assert_eq!(store.next_due().unwrap(), None);

    add_post(&store, "draft", Some(t0() - mins(30)), true, &[&alice]);
    add_post(&store, "paused", Some(t0() - mins(20)), false, &[&paused]);
    add_post(&store, "gone", Some(t0() - mins(10)), false, &[&gone]);
    add_post(&store, "alice", Some(t0()), false, &[&alice]);
    assert_eq!(store.next_due().unwrap(), Some(t0() - mins(20)));

    store.set_account_paused(&paused.id, true).unwrap();
    assert_eq!(store.next_due().unwrap(), Some(t0() - mins(10)));
    assert!(store.write(|w| w.disconnect_account(&gone.id)).unwrap());
    assert_eq!(store.next_due().unwrap(), Some(t0()));
    store.set_account_status(&alice.id, AccountStatus::Disabled).unwrap();
    assert_eq!(store.next_due().unwrap(), None);
    store.set_account_paused(&paused.id, false).unwrap();
    assert_eq!(store.next_due().unwrap(), Some(t0() - mins(20)));
}

#[test]
fn mark_missed_takes_only_overdue_scheduled_targets_on_eligible_accounts() {
    let (_dir, store) = open();
    let now = t0();
    let grace = mins(60);
    let alice = connect(&store, "bluesky", "alice");
    let dave = connect(&store, "mastodon", "dave");
    let paused = connect(&store, "bluesky", "paused");
    store.set_account_paused(&paused.id, true).unwrap();

    let alice_old = add_post(&store, "alice old", Some(now - mins(61)), false, &[&alice]);
    let alice_edge = add_post(&store, "alice edge", Some(now - grace), false, &[&alice]);
    let alice_recent = add_post(&store, "alice recent", Some(now - mins(30)), false, &[&alice]);
    let alice_leased = add_post(&store, "alice leased", Some(now - mins(120)), false, &[&alice]);
    let alice_draft = add_post(&store, "alice draft", Some(now - mins(120)), true, &[&alice]);
    let dave_old = add_post(&store, "dave old", Some(now - mins(90)), false, &[&dave]);
    let paused_old = add_post(&store, "paused old", Some(now - mins(90)), false, &[&paused]);
    store.claim_due(now - mins(100), 10, "w").unwrap();
    assert_eq!(
        target_of(&store.post(&alice_leased.id).unwrap(), &alice).state,
        TargetState::Publishing
    );

    let pair =
        |post: &Post, account: &Account| (post.id.clone(), target_of(post, account).id.clone());
    assert_eq!(
        store.mark_missed(now, grace, Some(&alice.id)).unwrap(),
        vec![pair(&alice_old, &alice)]
    );
    assert_eq!(store.mark_missed(now, grace, None).unwrap(), vec![pair(&dave_old, &dave)]);
    assert!(store.mark_missed(now, grace, None).unwrap().is_empty());

    let state =
        |post: &Post, account: &Account| target_of(&store.post(&post.id).unwrap(), account).state;
    assert_eq!(state(&alice_old, &alice), TargetState::Missed);
    assert_eq!(state(&dave_old, &dave), TargetState::Missed);
    assert_eq!(state(&alice_edge, &alice), TargetState::Scheduled);
    assert_eq!(state(&alice_recent, &alice), TargetState::Scheduled);
    assert_eq!(state(&alice_leased, &alice), TargetState::Publishing);
    assert_eq!(state(&alice_draft, &alice), TargetState::Draft);
    assert_eq!(state(&paused_old, &paused), TargetState::Scheduled);
    assert_eq!(store.post(&alice_old.id).unwrap().status, PostStatus::Missed);

    let mut missed = store.targets_in_state(TargetState::Missed).unwrap();
    missed.sort();
    let mut expected = vec![pair(&alice_old, &alice), pair(&dave_old, &dave)];
    expected.sort();
    assert_eq!(missed, expected);

    // The user publishes a missed post now.
    assert_eq!(store.requeue(&alice_old.id, &["missed"], now).unwrap(), 1);
    let requeued = target_of(&store.post(&alice_old.id).unwrap(), &alice).clone();
    assert_eq!(requeued.state, TargetState::Scheduled);
    assert_eq!(requeued.next_attempt_at, Some(now));
}

#[test]
fn recovery_after_restart_splits_leased_targets_by_in_flight_mark() {
    let (_dir, store) = open();
    let now = t0();
    let alice = connect(&store, "bluesky", "alice");
    let bob = connect(&store, "mastodon", "bob");
    let post = add_post(&store, "crash", Some(now - mins(1)), false, &[&alice, &bob]);
    let untouched = add_post(&store, "later", Some(now + mins(30)), false, &[&alice]);
    let (sent, unsent) = (target_of(&post, &alice).id.clone(), target_of(&post, &bob).id.clone());
    assert_eq!(store.claim_due(now, 10, "w").unwrap().len(), 2);
    store.write(|w| w.mark_inflight(&sent, 0, now)).unwrap();

    let restart = now + mins(10);
    assert_eq!(store.recover_after_restart(restart).unwrap(), 1);

    let post = store.post(&post.id).unwrap();
    let sent_t = target_of(&post, &alice);
    assert_eq!(sent_t.state, TargetState::Unconfirmed);
    assert_eq!(sent_t.next_attempt_at, Some(restart));
    assert_eq!(sent_t.attempts, 1);
    assert_eq!(store.job(&sent).unwrap().inflight, Some((0, now)));
    let unsent_t = target_of(&post, &bob);
    assert_eq!(unsent_t.state, TargetState::Scheduled);
    assert_eq!(unsent_t.next_attempt_at, Some(now - mins(1)));
    assert_eq!(unsent_t.attempts, 0);
    assert_eq!(store.job(&unsent).unwrap().inflight, None);
    assert_eq!(post.status, PostStatus::Unconfirmed);
    assert_eq!(store.post(&untouched.id).unwrap(), untouched);

    // Nothing is leased any more: a second recovery changes nothing.
    assert_eq!(store.recover_after_restart(restart).unwrap(), 0);
    assert_eq!(store.post(&post.id).unwrap(), post);
}

#[test]
fn in_flight_marks_attempts_and_results_drive_the_job() {
    let (_dir, store) = open();
    let alice = connect(&store, "bluesky", "alice");
    let items = vec![
        ThreadItem { text: "one".into(), ..ThreadItem::default() },
        ThreadItem { text: "two".into(), delay_secs: 30, ..ThreadItem::default() },
    ];
    let id = new_id();
    store
        .insert_post(&PostWrite {
            id: &id,
            items: &items,
            tags: &[],
            scheduled_at: Some(t0()),
            time_zone: "UTC",
            is_draft: false,
            targets: &[TargetInput {
                account_id: alice.id.clone(),
                custom_items: None,
                settings: json!({}),
            }],
        })
        .unwrap();
    let claimed = store.claim_due(t0(), 1, "w").unwrap();
    let target = claimed[0].target_id.clone();

    let job = store.job(&target).unwrap();
    assert_eq!(job.post_id, id);
    assert_eq!(job.account, alice);
    assert_eq!(job.items, items);
    assert_eq!(job.target.state, TargetState::Publishing);
    assert_eq!(job.inflight, None);
    assert_eq!(job.next_position(), 0);

    store.write(|w| w.mark_inflight(&target, 0, t0())).unwrap();
    let job = store.job(&target).unwrap();
    assert_eq!(job.target.attempts, 1);
    assert_eq!(job.inflight, Some((0, t0())));

    store
        .write(|w| w.record_result(&target, &item_result(0, "at://alice/1", t0() + mins(1))))
        .unwrap();
    let job = store.job(&target).unwrap();
    assert_eq!(job.inflight, None);
    assert_eq!(job.next_position(), 1);
    assert_eq!(job.target.results, vec![item_result(0, "at://alice/1", t0() + mins(1))]);
    assert_eq!(job.target.state, TargetState::Publishing);

    store.write(|w| w.mark_inflight(&target, 1, t0() + mins(2))).unwrap();
    assert_eq!(store.job(&target).unwrap().target.attempts, 2);
    store.write(|w| w.refund_attempt(&target)).unwrap();
    assert_eq!(store.job(&target).unwrap().target.attempts, 1);
    assert_eq!(store.job(&target).unwrap().inflight, Some((1, t0() + mins(2))));

    store
        .write(|w| w.record_result(&target, &item_result(1, "at://alice/2", t0() + mins(3))))
        .unwrap();
    settle(&store, &target, TargetState::Published, None);
    let job = store.job(&target).unwrap();
    assert_eq!(job.next_position(), 2);
    assert_eq!(job.inflight, None);
    assert_eq!(job.target.state, TargetState::Published);
    assert_eq!(
        job.target.results,
        vec![
            item_result(0, "at://alice/1", t0() + mins(1)),
            item_result(1, "at://alice/2", t0() + mins(3))
        ]
    );
    assert_eq!(store.post(&id).unwrap().status, PostStatus::Published);

    store.write(|w| w.refund_attempt(&target)).unwrap();
    store.write(|w| w.refund_attempt(&target)).unwrap();
    assert_eq!(store.job(&target).unwrap().target.attempts, 0);
    assert!(matches!(store.job("missing"), Err(StoreError::NotFound { what: "target", .. })));
}

#[test]
fn retry_failed_requeues_only_failed_targets() {
    let (_dir, store) = open();
    let alice = connect(&store, "bluesky", "alice");
    let bob = connect(&store, "mastodon", "bob");
    let carol = connect(&store, "x", "carol");
    let post = add_post(&store, "retry me", Some(t0()), false, &[&alice, &bob, &carol]);
    store.claim_due(t0(), 10, "w").unwrap();
    let error =
        TargetError { code: Some("E".into()), message: "nope".into(), http_status: None, at: t0() };
    for t in &post.targets {
        store.write(|w| w.mark_inflight(&t.id, 0, t0())).unwrap();
    }
    settle(&store, &target_of(&post, &alice).id, TargetState::Published, None);
    settle(&store, &target_of(&post, &bob).id, TargetState::Failed, Some(&error));
    store
        .write(|w| {
            w.update_target(
                &target_of(&post, &carol).id,
                &TargetUpdate {
                    state: TargetState::Unconfirmed,
                    next_attempt_at: Some(t0() + mins(1)),
                    error: Some(error.clone()),
                    keep_inflight: true,
                },
            )
        })
        .unwrap();
    let before = store.post(&post.id).unwrap();

    let at = t0() + Duration::hours(2);
    assert_eq!(store.retry_failed(&post.id, at).unwrap(), 1);
    let after = store.post(&post.id).unwrap();
    assert_eq!(target_of(&after, &alice), target_of(&before, &alice));
    assert_eq!(target_of(&after, &carol), target_of(&before, &carol));
    let retried = target_of(&after, &bob);
    assert_eq!(retried.state, TargetState::Scheduled);
    assert_eq!(retried.attempts, 0);
    assert_eq!(retried.next_attempt_at, Some(at));
    assert_eq!(retried.last_error, None);

    assert_eq!(store.retry_failed(&post.id, at).unwrap(), 0);
}

#[test]
fn disconnect_account_reports_only_the_first_time() {
    let (_dir, store) = open();
    let alice = connect(&store, "bluesky", "alice");
    assert!(store.write(|w| w.disconnect_account(&alice.id)).unwrap());
    assert_eq!(store.account(&alice.id).unwrap().status, AccountStatus::NeedsReconnect);
    assert!(!store.write(|w| w.disconnect_account(&alice.id)).unwrap());
    assert!(!store.write(|w| w.disconnect_account("nobody")).unwrap());

    store.set_account_status(&alice.id, AccountStatus::Connected).unwrap();
    assert!(store.write(|w| w.disconnect_account(&alice.id)).unwrap());
}

// ---------------------------------------------------------------------------------------------
// Media, slots, log, notifications, settings, backups
// ---------------------------------------------------------------------------------------------

fn media_row(sha256: &str, name: &str) -> Media {
    Media {
        id: new_id(),
        original_name: name.to_owned(),
        path: format!("/library/{sha256}.png"),
        sha256: sha256.to_owned(),
        facts: MediaFacts {
            mime: "image/png".into(),
            size_bytes: 2048,
            width: Some(640),
            height: Some(480),
            duration_ms: None,
        },
        alt: Some("alt".into()),
        created_at: t0(),
    }
}

#[test]
fn media_is_stored_once_per_content_and_tracked_in_use() {
    let (_dir, store) = open();
    let alice = connect(&store, "bluesky", "alice");
    let bob = connect(&store, "mastodon", "bob");

    let row = media_row("aa", "cat.png");
    let first = store.insert_media(&row).unwrap();
    assert_eq!(first, row);
    let dup = store.insert_media(&media_row("aa", "copy of cat.png")).unwrap();
    assert_eq!(dup, first);
    assert_eq!(store.media_list().unwrap(), vec![first.clone()]);
    assert_eq!(store.media_by_hash("aa").unwrap(), Some(first.clone()));
    assert_eq!(store.media_by_hash("bb").unwrap(), None);

    let shared = store.insert_media(&media_row("bb", "shared.png")).unwrap();
    let custom = store.insert_media(&media_row("cc", "custom.png")).unwrap();
    let unused = store.insert_media(&media_row("dd", "unused.png")).unwrap();
    assert_eq!(store.media_list().unwrap().len(), 4);

    let reference = |m: &Media| MediaRef { media_id: m.id.clone(), alt: None };
    let items = vec![
        ThreadItem { text: "first".into(), ..ThreadItem::default() },
        ThreadItem { text: "second".into(), media: vec![reference(&shared)], delay_secs: 0 },
    ];
    let id = new_id();
    store
        .insert_post(&PostWrite {
            id: &id,
            items: &items,
            tags: &[],
            scheduled_at: Some(t0()),
            time_zone: "UTC",
            is_draft: false,
            targets: &[
                TargetInput {
                    account_id: alice.id.clone(),
                    custom_items: None,
                    settings: json!({}),
                },
                TargetInput {
                    account_id: bob.id.clone(),
                    custom_items: Some(vec![ThreadItem {
                        text: "bob".into(),
                        media: vec![reference(&custom)],
                        delay_secs: 0,
                    }]),
                    settings: json!({}),
                },
            ],
        })
        .unwrap();
    assert!(store.media_in_use(&shared.id).unwrap());
    assert!(store.media_in_use(&custom.id).unwrap());
    assert!(!store.media_in_use(&unused.id).unwrap());
    assert!(!store.media_in_use(&first.id).unwrap());

    store.delete_post(&id).unwrap();
    assert!(!store.media_in_use(&shared.id).unwrap());
    assert!(!store.media_in_use(&custom.id).unwrap());

    store.set_media_alt(&shared.id, Some("a new alt")).unwrap();
    assert_eq!(store.media(&shared.id).unwrap().alt.as_deref(), Some("a new alt"));
    store.set_media_alt(&shared.id, None).unwrap();
    assert_eq!(store.media(&shared.id).unwrap().alt, None);
    store.delete_media(&unused.id).unwrap();
    assert!(matches!(store.media(&unused.id), Err(StoreError::NotFound { what: "media", .. })));
    assert!(matches!(store.delete_media(&unused.id), Err(StoreError::NotFound { .. })));
}

#[test]
fn slots_are_replaced_and_ordered_and_taken_times_skip_failed_and_missed() {
    let (_dir, store) = open();
    let alice = connect(&store, "bluesky", "alice");
    let bob = connect(&store, "mastodon", "bob");

    store.set_slots(&alice.id, &[(4, 1020), (0, 540), (4, 600), (0, 540), (6, 0)]).unwrap();
    assert_eq!(store.slots(&alice.id).unwrap(), vec![(0, 540), (4, 600), (4, 1020), (6, 0)]);
    store.set_slots(&alice.id, &[(2, 720)]).unwrap();
    assert_eq!(store.slots(&alice.id).unwrap(), vec![(2, 720)]);
    assert!(store.slots(&bob.id).unwrap().is_empty());
    store.set_slots(&alice.id, &[]).unwrap();
    assert!(store.slots(&alice.id).unwrap().is_empty());

    let (from, to) = (t0(), t0() + Duration::days(1));
    add_post(&store, "before", Some(from - mins(1)), false, &[&alice]);
    let missed = add_post(&store, "missed", Some(from), false, &[&alice]);
    add_post(&store, "bob's", Some(from + mins(10)), false, &[&bob]);
    let failed = add_post(&store, "failed", Some(from + mins(20)), false, &[&alice]);
    settle(&store, &failed.targets[0].id, TargetState::Failed, None);
    add_post(&store, "scheduled", Some(from + mins(30)), false, &[&alice]);
    // Marks "before" and "missed" (due more than an hour before), not "scheduled".
    let marked = store.mark_missed(from + mins(61), mins(60), Some(&alice.id)).unwrap();
    assert_eq!(marked.len(), 2);
    assert_eq!(target_of(&store.post(&missed.id).unwrap(), &alice).state, TargetState::Missed);
    let published = add_post(&store, "published", Some(from + mins(40)), false, &[&alice]);
    settle(&store, &published.targets[0].id, TargetState::Published, None);
    add_post(&store, "at the end", Some(to), false, &[&alice]);

    let mut taken = store.taken_times(&alice.id, from, to).unwrap();
    taken.sort();
    assert_eq!(taken, vec![from + mins(30), from + mins(40)]);
    assert_eq!(store.taken_times(&bob.id, from, to).unwrap(), vec![from + mins(10)]);
}

fn log_entry(post_id: &str, action: &str, error: Option<&str>) -> LogEntry {
    LogEntry {
        id: 0,
        at: t0(),
        post_id: Some(post_id.to_owned()),
        target_id: Some(format!("{post_id}-target")),
        account_id: Some("acct".into()),
        platform: Some("bluesky".into()),
        action: action.to_owned(),
        endpoint: Some("/xrpc/com.atproto.repo.createRecord".into()),
        http_status: Some(if error.is_some() { 500 } else { 200 }),
        error_code: error.map(|_| "InternalServerError".to_owned()),
        error_message: error.map(str::to_owned),
        duration_ms: 42,
        attempt: 1,
    }
}

/// Concurrent `write_together` and `write_ahead` calls share transactions; a write that fails is
/// undone alone, and every other write is on disk (read back through a second connection) once
/// it resolves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_made_together_commit_as_a_group_and_fail_alone() {
    let (_dir, store) = open();
    let store = std::sync::Arc::new(store);
    let writes: Vec<_> = (0..300)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let op = move |w: &Tx<'_>| {
                    w.append_log(&[log_entry(&format!("p{i}"), "publish", None)])?;
                    if i == 7 {
                        return Err(StoreError::Conflict("refused".into()));
                    }
                    Ok(i)
                };
                // Every third write goes ahead of the others (as in-flight marks do).
                match i % 3 {
                    0 => store.write_ahead(op).await,
                    _ => store.write_together(op).await,
                }
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for write in writes {
        outcomes.push(write.await.expect("write task"));
    }
    assert!(matches!(&outcomes[7], Err(StoreError::Conflict(m)) if m == "refused"));
    for (i, outcome) in outcomes.iter().enumerate().filter(|(i, _)| *i != 7) {
        assert_eq!(outcome.as_ref().ok(), Some(&i), "write {i}");
    }
    let on_disk: Vec<String> = raw(&store)
        .prepare("SELECT post_id FROM publish_log ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(on_disk.len(), 299);
    assert!(!on_disk.contains(&"p7".to_owned()));
    assert!(on_disk.contains(&"p299".to_owned()));
}

/// During a burst of in-flight marks the other writes wait (the writer's time goes to what
/// requests wait on), but only for a while: a write queued behind a steady stream of marks is
/// on disk long before the stream ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_behind_a_stream_of_marks_is_not_starved() {
    let (_dir, store) = open();
    let store = std::sync::Arc::new(store);
    let marks = {
        let store = store.clone();
        tokio::spawn(async move {
            for i in 0..400 {
                let entry = log_entry(&format!("mark{i}"), "publish", None);
                store.write_ahead(move |w| w.append_log(&[entry])).await.unwrap();
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let entry = log_entry("answer", "publish", None);
    store.write_together(move |w| w.append_log(&[entry])).await.unwrap();
    assert!(!marks.is_finished(), "the answer waited for the whole stream of marks");
    let answers: i64 = raw(&store)
        .query_row("SELECT count(*) FROM publish_log WHERE post_id = 'answer'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(answers, 1, "on disk once it resolved");
    marks.await.unwrap();
}

#[test]
fn the_publish_log_filters_and_pages_newest_first() {
    let (_dir, store) = open();
    store
        .write(|w| {
            w.append_log(&[
                log_entry("p1", "upload_media", None),
                log_entry("p1", "publish", Some("server fell over")),
                log_entry("p2", "publish", None),
            ])
        })
        .unwrap();
    store.write(|w| w.append_log(&[log_entry("p2", "publish", Some("again"))])).unwrap();

    let all = store.log(&LogFilter::default()).unwrap();
    let all_ids: Vec<i64> = all.iter().map(|e| e.id).collect();
    assert_eq!(all_ids.len(), 4);
    assert!(all_ids.windows(2).all(|w| w[0] > w[1]), "{all_ids:?}");
    assert_eq!(all[3], LogEntry { id: all_ids[3], ..log_entry("p1", "upload_media", None) });
    assert_eq!(all[0], LogEntry { id: all_ids[0], ..log_entry("p2", "publish", Some("again")) });

    let by_post =
        store.log(&LogFilter { post_id: Some("p1".into()), ..Default::default() }).unwrap();
    assert_eq!(by_post.iter().map(|e| e.id).collect::<Vec<_>>(), [all_ids[2], all_ids[3]]);

    let errors = store.log(&LogFilter { errors_only: true, ..Default::default() }).unwrap();
    assert_eq!(errors.iter().map(|e| e.id).collect::<Vec<_>>(), [all_ids[0], all_ids[2]]);
    let p2_errors = store
        .log(&LogFilter { post_id: Some("p2".into()), errors_only: true, ..Default::default() })
        .unwrap();
    assert_eq!(p2_errors.iter().map(|e| e.id).collect::<Vec<_>>(), [all_ids[0]]);

    let page1 = store.log(&LogFilter { limit: Some(2), ..Default::default() }).unwrap();
    assert_eq!(page1.iter().map(|e| e.id).collect::<Vec<_>>(), [all_ids[0], all_ids[1]]);
    let page2 = store
        .log(&LogFilter { limit: Some(2), before_id: Some(page1[1].id), ..Default::default() })
        .unwrap();
    assert_eq!(page2.iter().map(|e| e.id).collect::<Vec<_>>(), [all_ids[2], all_ids[3]]);
    let page3 = store
        .log(&LogFilter { limit: Some(2), before_id: Some(page2[1].id), ..Default::default() })
        .unwrap();
    assert!(page3.is_empty());
    assert!(
        store
            .log(&LogFilter { account_id: Some("other".into()), ..Default::default() })
            .unwrap()
            .is_empty()
    );
}

#[test]
fn notifications_page_newest_first_and_are_marked_read() {
    let (_dir, store) = open();
    let (empty, total) = store.notifications(0, 10).unwrap();
    assert!(empty.is_empty());
    assert_eq!(total, 0);

    let kinds = [
        NoticeKind::Published,
        NoticeKind::Failed,
        NoticeKind::NeedsReconnect,
        NoticeKind::Missed,
        NoticeKind::Published,
    ];
    let mut ids = Vec::new();
    for (i, kind) in kinds.into_iter().enumerate() {
        let notice = Notice {
            kind,
            title: format!("title {i}"),
            body: format!("body {i}"),
            post_id: Some(format!("post-{i}")),
            account_id: (i % 2 == 0).then(|| "acct".to_owned()),
            link: Some(format!("https://example.test/{i}")),
        };
        ids.push(store.write(|w| w.insert_notification(&notice, t0() + mins(i as i64))).unwrap());
    }
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");

    let (page0, total) = store.notifications(0, 2).unwrap();
    assert_eq!(total, 5);
    assert_eq!(page0.iter().map(|n| n.id).collect::<Vec<_>>(), [ids[4], ids[3]]);
    let newest = &page0[0];
    assert_eq!(newest.kind, NoticeKind::Published);
    assert_eq!(newest.title, "title 4");
    assert_eq!(newest.body, "body 4");
    assert_eq!(newest.post_id.as_deref(), Some("post-4"));
    assert_eq!(newest.account_id.as_deref(), Some("acct"));
    assert_eq!(newest.link.as_deref(), Some("https://example.test/4"));
    assert_eq!(newest.created_at, t0() + mins(4));
    assert!(!newest.read);
    assert_eq!(page0[1].kind, NoticeKind::Missed);
    assert_eq!(page0[1].account_id, None);

    let (page1, _) = store.notifications(1, 2).unwrap();
    assert_eq!(page1.iter().map(|n| n.id).collect::<Vec<_>>(), [ids[2], ids[1]]);
    let (page2, total) = store.notifications(2, 2).unwrap();
    assert_eq!(page2.iter().map(|n| n.id).collect::<Vec<_>>(), [ids[0]]);
    assert_eq!(total, 5);
    assert!(store.notifications(3, 2).unwrap().0.is_empty());

    store.mark_notifications_read(ids[2]).unwrap();
    let (all, _) = store.notifications(0, 10).unwrap();
    let read: Vec<(i64, bool)> = all.iter().map(|n| (n.id, n.read)).collect();
    assert_eq!(
        read,
        [(ids[4], false), (ids[3], false), (ids[2], true), (ids[1], true), (ids[0], true)]
    );
}

#[test]
fn settings_default_when_empty_and_round_trip() {
    let (_dir, store) = open();
    assert_eq!(store.settings().unwrap(), AppSettings::default());

    let settings = AppSettings {
        time_zone: Some("America/New_York".into()),
        week_start: WeekStart::Sunday,
        missed_grace_minutes: 15,
        notifications_enabled: false,
        publishing_paused: true,
        start_at_login: true,
        start_hidden: true,
        local_api: LocalApiSettings { enabled: true, port: 5123, posts_per_hour: 7 },
    };
    store.save_settings(&settings).unwrap();
    assert_eq!(store.settings().unwrap(), settings);

    let changed = AppSettings { week_start: WeekStart::Saturday, ..settings };
    store.save_settings(&changed).unwrap();
    assert_eq!(store.settings().unwrap(), changed);
    let rows: i64 =
        raw(&store).query_row("SELECT count(*) FROM settings", [], |r| r.get(0)).unwrap();
    assert_eq!(rows, 1);
}

#[test]
fn a_backup_opens_as_a_store_with_the_same_data() {
    let (dir, store) = open();
    let alice = connect(&store, "bluesky", "alice");
    let bob = connect(&store, "mastodon", "bob");
    let published = add_post(&store, "published", Some(t0()), false, &[&alice, &bob]);
    let target = target_of(&published, &alice).id.clone();
    store.claim_due(t0(), 10, "w").unwrap();
    store.write(|w| w.mark_inflight(&target, 0, t0())).unwrap();
    store.write(|w| w.record_result(&target, &item_result(0, "at://alice/9", t0()))).unwrap();
    settle(&store, &target, TargetState::Published, None);
    add_post(&store, "draft", None, true, &[&bob]);
    add_post(&store, "later", Some(t0() + Duration::days(2)), false, &[&alice]);

    let dest = dir.path().join("backups").join("copy.db");
    std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
    store.backup_to(&dest).unwrap();
    assert!(dest.is_file());

    let copy = Store::open(&dest).unwrap();
    assert_eq!(copy.schema_version().unwrap(), LATEST_SCHEMA);
    let originals = store.posts(&PostFilter::default()).unwrap();
    assert_eq!(originals.len(), 3);
    assert_eq!(copy.posts(&PostFilter::default()).unwrap(), originals);
    assert_eq!(copy.accounts().unwrap(), store.accounts().unwrap());
    assert_eq!(
        target_of(&copy.post(&published.id).unwrap(), &alice).results,
        vec![item_result(0, "at://alice/9", t0())]
    );
}

#[test]
fn idempotency_records_replay_for_their_key_and_expire() {
    let (_dir, store) = open();
    let key = ApiKey {
        id: "k".into(),
        name: "script".into(),
        prefix: "sip_0123".into(),
        created_at: Utc::now(),
        last_used_at: None,
    };
    store.insert_api_key(&key, "digest").unwrap();
    let now = Utc::now();
    let long_ago = now - Duration::hours(24);
    let claim = |hash: &str, at, expired_before| {
        store.claim_idempotency_key("k", "once", hash, at, expired_before).unwrap()
    };
    assert_eq!(claim("h", now, long_ago), IdempotencyClaim::Claimed);
    assert_eq!(claim("h", now, long_ago), IdempotencyClaim::InProgress);
    assert_eq!(claim("other", now, long_ago), IdempotencyClaim::Mismatch);
    store.record_idempotent_response("k", "once", 201, "[]").unwrap();
    let replay = IdempotencyClaim::Replay { status: 201, body: "[]".into() };
    assert_eq!(claim("h", now, long_ago), replay);
    let a_day_later = now + Duration::hours(25);
    assert_eq!(claim("h", a_day_later, now + Duration::hours(1)), IdempotencyClaim::Claimed);
    store.release_idempotency_key("k", "once").unwrap();
    assert_eq!(claim("h", now, long_ago), IdempotencyClaim::Claimed, "a released key is free");

    assert_eq!(store.api_keys_with_prefix("sip_0123").unwrap()[0].1, "digest");
    store.delete_api_key("k").unwrap();
    assert!(store.api_keys().unwrap().is_empty());
    assert!(store.delete_api_key("k").is_err());
}

// ---------------------------------------------------------------------------------------------
// Hand-offs (server-side scheduling)
// ---------------------------------------------------------------------------------------------

/// A post on `account` handed off: its target `handed_off`, its row due for a look.
fn hand_off(store: &Store, account: &Account, body: &str) -> (Post, HandOff) {
    let post = add_post(store, body, Some(t0() + mins(30)), false, &[account]);
    let new = NewHandOff {
        id: new_id(),
        target_id: target_of(&post, account).id.clone(),
        post_updated_at: post.updated_at,
        account_id: account.id.clone(),
        fingerprint: "sent".into(),
        text: body.into(),
        remote_at: t0() + mins(30),
        sent_at: t0(),
        next_check_at: t0(),
    };
    assert!(store.write(|w| w.begin_hand_off(&new)).unwrap());
    let row = store.hand_offs_due(t0()).unwrap().into_iter().find(|r| r.id == new.id).unwrap();
    (post, row)
}

#[test]
fn a_change_made_while_the_worker_is_busy_with_a_hand_off_is_looked_at_at_once() {
    let (_dir, store) = open();
    let ada = connect(&store, "mastodon", "ada");
    let bob = connect(&store, "mastodon", "bob");
    let edit = |post: &Post| {
        let targets = [TargetInput {
            account_id: ada.id.clone(),
            custom_items: None,
            settings: json!({ "edited": true }),
        }];
        store
            .update_post(&PostWrite {
                id: &post.id,
                items: &text("edited"),
                tags: &[],
                scheduled_at: post.scheduled_at,
                time_zone: "UTC",
                is_draft: false,
                targets: &targets,
            })
            .unwrap();
    };
    type Change<'a> = (&'a str, &'a Account, &'a dyn Fn(&Post));
    let changes: [Change<'_>; 4] = [
        ("edited", &ada, &edit),
        ("deleted", &ada, &|post| store.delete_post(&post.id).unwrap()),
        ("account paused", &bob, &|_| store.set_account_paused(&bob.id, true).unwrap()),
        ("publishing paused", &ada, &|_| store.mark_hand_offs().unwrap()),
    ];
    let far = t0() + mins(60);
    for (change, account, make) in changes {
        let (post, seen) = hand_off(&store, account, change);
        // The worker read the row and is moving the held post when the change comes...
        make(&post);
        store.write(|w| w.hand_off_held(&seen, "remote-1", far, far)).unwrap();
        // ...so its own next look (in an hour) gives way to the one the change asked for.
        let due = store.hand_offs_due(t0()).unwrap();
        let row = due.iter().find(|r| r.id == seen.id).unwrap_or_else(|| panic!("{change}"));
        assert_eq!(row.remote_id.as_deref(), Some("remote-1"), "{change}: recorded");
        assert_eq!(row.remote_at, far, "{change}");
        // With no change in between, the worker's next look stands.
        store.write(|w| w.hand_off_later(row, far, 0)).unwrap();
        assert!(store.hand_offs_due(far - mins(1)).unwrap().iter().all(|r| r.id != seen.id));
        store.write(|w| w.end_hand_off(&seen.id)).unwrap();
    }
}
