//! One post scheduled to a Bluesky account (real PDS), a Nostr account (real relays), a
//! Mastodon account (mastodon-mock) and the loopback fake, published by the engine when it
//! comes due and read back from each server.

use std::time::Duration;

use nostr::prelude::{Keys, Kind};
use sipstory_engine::model::PostStatus;
use sipstory_engine::ops::Schedule;
use sipstory_tests::fake_platform::FakePlatform;
use sipstory_tests::harness::{TestEngine, item, post_now, wait_status};
use sipstory_tests::mastodon_mock::{self, MastodonMock};
use sipstory_tests::peers::pds::Pds;
use sipstory_tests::peers::relay::{self, Relay};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_post_reaches_bluesky_nostr_mastodon_and_the_fake() {
    let pds = Pds::start().await;
    let relay = Relay::start().await;
    let fake = FakePlatform::start().await;
    let mock = MastodonMock::start().await;
    let since = chrono::Utc::now();
    let erin = pds.create_account("erin.test").await;
    let keys = Keys::generate();
    let t = TestEngine::start();
    let bluesky = pds.connect(&t.ops, &erin).await;
    let nostr = relay::connect(&t.ops, &keys, &[&relay.url], "").await;
    let mastodon = mastodon_mock::sign_in(&t.ops, &mock.base_url, "ada").await;
    let loopback = t.connect(&fake, "erin").await;

    let text = "Scheduled once, published everywhere: grüße 👋";
    let accounts = [&*bluesky.id, &nostr.id, &mastodon.id, &loopback.id];
    let mut input = post_now(&accounts, vec![item(text), item("and a reply")]);
    let due = chrono::Utc::now() + chrono::Duration::seconds(2);
    input.schedule = Schedule::At { at: due };
    let id = t.ops.create_post(input).unwrap().post.id;
    let post = wait_status(&t.ops, &id, PostStatus::Published, Duration::from_secs(60)).await;
    for target in &post.targets {
        assert_eq!(target.results.len(), 2, "{} published the thread", target.platform);
        assert!(target.results[0].published_at >= due, "not before its time");
    }

    let on_bluesky: Vec<String> = pds
        .posts(&erin.did)
        .await
        .iter()
        .map(|r| r["value"]["text"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(on_bluesky, vec!["and a reply", text], "newest first");
    let mut on_nostr: Vec<String> = relay::events(&relay.url, &keys, Kind::TextNote)
        .await
        .into_iter()
        .map(|e| e.content)
        .collect();
    on_nostr.sort_by_key(|t| t != text);
    assert_eq!(on_nostr, vec![text.to_owned(), "and a reply".to_owned()]);
    let on_fake: Vec<String> = fake.posts().into_iter().map(|p| p.text).collect();
    assert_eq!(on_fake, vec![text.to_owned(), "and a reply".to_owned()]);

    let on_mastodon = mastodon_mock::statuses_since(&mastodon, since).await;
    let texts: Vec<String> = on_mastodon.iter().map(mastodon_mock::text_of).collect();
    assert_eq!(texts, vec!["and a reply", text], "newest first, each once");
    let results = &post.targets.iter().find(|t| t.platform == "mastodon").unwrap().results;
    assert_eq!(
        on_mastodon[1]["id"],
        results[0].remote_id.as_str(),
        "the stored id is the server's"
    );
    assert_eq!(on_mastodon[0]["in_reply_to_id"], results[0].remote_id.as_str());
    mastodon_mock::forget_app(t.engine.core(), &mock.base_url);
}
