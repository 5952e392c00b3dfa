//! The Nostr provider against real relays (PyPI `nostr-relay` on 127.0.0.1): connecting with
//! a secret key and relays (and the form's errors), notes and NIP-10 replies read back from
//! each relay with their signatures checked, a relay that is down failing for itself only,
//! too few relays accepting → retried with the same signed note (no duplicate), and NIP-09
//! deletion.

use std::time::Duration;

use nostr::prelude::{Event, EventId, Keys, Kind, ToBech32};
use sipstory_engine::EngineConfig;
use sipstory_engine::model::PostStatus;
use sipstory_engine::store::LogFilter;
use sipstory_platforms::nostr::PLATFORM;
use sipstory_tests::harness::{TestEngine, fast_config, item, post_now, wait_retry, wait_status};
use sipstory_tests::peers::free_port;
use sipstory_tests::peers::relay::{Relay, connect, events, form};

const WAIT: Duration = Duration::from_secs(60);

fn e_tags(event: &Event) -> Vec<(String, String)> {
    event
        .tags
        .iter()
        .map(|t| t.as_slice().to_vec())
        .filter(|t| t[0] == "e")
        .map(|t| (t[1].clone(), t.get(3).cloned().unwrap_or_default()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thread_reaches_every_relay_up_and_is_deleted() {
    let (a, b) = (Relay::start().await, Relay::start().await);
    let down = format!("ws://127.0.0.1:{}/", free_port());
    let keys = Keys::generate();
    let t = TestEngine::start();

    // The form's errors land next to their field.
    let relays = [a.url.as_str(), b.url.as_str(), down.as_str()];
    let error = t.ops.connect_account(PLATFORM, form("nsec1nope", &relays, "")).await;
    assert_eq!(error.unwrap_err().field.as_deref(), Some("fields.secret_key"));
    let hex = keys.secret_key().to_secret_hex();
    let error = t.ops.connect_account(PLATFORM, form(&hex, &["https://x.example"], "")).await;
    assert_eq!(error.unwrap_err().field.as_deref(), Some("fields.relays"));
    let error = t.ops.connect_account(PLATFORM, form(&hex, &relays, "3")).await.unwrap_err();
    assert_eq!(error.field.as_deref(), Some("fields.relays"));
    assert!(
        error.message.contains("Only 2 of the relays answered (3 needed)"),
        "{}",
        error.message
    );

    let account = connect(&t.ops, &keys, &relays, "2").await;
    assert_eq!(account.handle, keys.public_key().to_bech32().unwrap());
    let texts = ["Grüße ☕ from Sipstory #nostr", "second note", "third note"];
    let items = texts.iter().map(|text| item(text)).collect();
    let id = t.ops.create_post(post_now(&[&account.id], items)).unwrap().post.id;
    let post = wait_status(&t.ops, &id, PostStatus::Published, WAIT).await;
    let results = &post.targets[0].results;
    assert_eq!(results.len(), 3);

    // Each relay that is up has the three signed notes; the one that is down failed alone.
    for relay in [&a, &b] {
        let mut notes = events(&relay.url, &keys, Kind::TextNote).await;
        notes.sort_by_key(|e| results.iter().position(|r| r.remote_id == e.id.to_hex()));
        let contents: Vec<&str> = notes.iter().map(|e| e.content.as_str()).collect();
        assert_eq!(contents, texts, "on {}", relay.url);
        let root = &results[0].remote_id;
        assert!(e_tags(&notes[0]).is_empty());
        assert_eq!(e_tags(&notes[1]), vec![(root.clone(), "root".to_owned())]);
        assert_eq!(
            e_tags(&notes[2]),
            vec![
                (root.clone(), "root".to_owned()),
                (results[1].remote_id.clone(), "reply".to_owned())
            ]
        );
    }
    let per_relay = &results[0].extra["relays"];
    assert_eq!(per_relay[&a.url], "accepted");
    assert_eq!(per_relay[&b.url], "accepted");
    assert!(per_relay[&down].as_str().unwrap().starts_with("unreachable"), "{per_relay}");
    let log = t.ops.activity(&LogFilter { post_id: Some(id.clone()), ..Default::default() });
    let down_sends = log
        .unwrap()
        .into_iter()
        .filter(|e| {
            e.endpoint.as_deref() == Some(&format!("EVENT {down}")) && e.error_message.is_some()
        })
        .count();
    assert_eq!(down_sends, 3, "the down relay's failures are in the publish log");

    // Deleting sends a NIP-09 request naming each note; the relays drop them.
    t.ops.delete_post_everywhere(&id).await.expect("deleted on Nostr");
    for relay in [&a, &b] {
        let requests = events(&relay.url, &keys, Kind::EventDeletion).await;
        let named: Vec<String> = requests.iter().flat_map(e_tags).map(|(id, _)| id).collect();
        for result in results {
            assert!(
                named.contains(&result.remote_id),
                "deletion of {} on {}",
                result.remote_id,
                relay.url
            );
        }
        assert!(events(&relay.url, &keys, Kind::TextNote).await.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_few_relays_accepting_is_retried_with_the_same_note() {
    let (a, mut b) = (Relay::start().await, Relay::start().await);
    let keys = Keys::generate();
    // Enough attempts to outlast the relay's restart.
    let t = TestEngine::start_with(|dir| EngineConfig { max_attempts: 40, ..fast_config(dir) });
    let account = connect(&t.ops, &keys, &[&a.url, &b.url], "2").await;
    b.stop().await;
    let id = t.ops.create_post(post_now(&[&account.id], vec![item("needs two relays")])).unwrap();
    wait_retry(&t.ops, &id.post.id, WAIT).await;
    assert_eq!(events(&a.url, &keys, Kind::TextNote).await.len(), 1, "a has it already");
    b.resume().await;
    let post = wait_status(&t.ops, &id.post.id, PostStatus::Published, WAIT).await;
    let remote_id = EventId::from_hex(&post.targets[0].results[0].remote_id).unwrap();
    for relay in [&a, &b] {
        let notes = events(&relay.url, &keys, Kind::TextNote).await;
        let ids: Vec<EventId> = notes.iter().map(|e| e.id).collect();
        assert_eq!(ids, vec![remote_id], "one note, the same one, on {}", relay.url);
    }
}
