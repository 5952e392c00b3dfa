//! The engine's browser sign-in (RFC 8252) end to end against a strict OAuth fake, the test
//! playing the browser: it follows the authorize URL and delivers the redirect to the loopback
//! listener. Covers PKCE S256 and the BYO app remembered in the keychain, a wrong `state`,
//! access denied, the timeout, cancel, and refresh with a rotated refresh token.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

use sipstory_engine::model::Account;
use sipstory_engine::oauth::{ACCESS_TOKEN, EXPIRES_AT, OAuthStart, REFRESH_TOKEN};
use sipstory_engine::ops::{ErrorCode, OpsResult};
use sipstory_engine::provider::{Credentials, Provider, PublishContext, PublishHttp};
use sipstory_tests::harness::{TestEngine, fast_config};
use sipstory_tests::oauth_fake::{Decision, OAuthFake};
use sipstory_tests::oauth_provider::{OAuthTestProvider, PLATFORM};

const CLIENT_ID: &str = "byo-client";
const CLIENT_SECRET: &str = "byo-secret";

fn engine(timeout: Duration) -> TestEngine {
    TestEngine::start_with_providers(
        |dir| sipstory_engine::EngineConfig { oauth_timeout: timeout, ..fast_config(dir) },
        [Arc::new(OAuthTestProvider::default()) as Arc<dyn Provider>],
    )
}

fn fields(fake: &OAuthFake, with_app: bool) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::from([("server".to_owned(), fake.base_url().to_owned())]);
    if with_app {
        fields.insert("client_id".into(), CLIENT_ID.into());
        fields.insert("client_secret".into(), CLIENT_SECRET.into());
    }
    fields
}

async fn fake_server() -> OAuthFake {
    let fake = OAuthFake::start().await;
    // Registered once with some port: loopback redirects match on any port.
    fake.register_client(CLIENT_ID, CLIENT_SECRET, "http://127.0.0.1:1/callback");
    fake
}

/// A browser that never follows redirects by itself.
fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// Opens the authorize URL and returns where the platform redirects the browser.
async fn authorize(start: &OAuthStart) -> String {
    let answer = browser().get(&start.authorize_url).send().await.expect("authorize page");
    assert_eq!(answer.status(), 302, "the fake answers with a redirect");
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&start.redirect_uri), "{location} goes to the listener");
    location
}

/// Delivers a redirect to the loopback listener; returns the page's status and text.
async fn deliver(url: &str) -> (u16, String) {
    let page = browser().get(url).send().await.expect("the listener answers");
    (page.status().as_u16(), page.text().await.unwrap())
}

fn query(url: &str, name: &str) -> String {
    let url = reqwest::Url::parse(url).unwrap();
    url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned()).unwrap_or_default()
}

/// Removes the remembered BYO app from the test keychain.
fn forget_byo_app(t: &TestEngine) {
    t.engine.core().oauth_apps().delete(&format!("byo:{PLATFORM}")).unwrap();
}

/// Waits for flow `start` to finish in the background.
fn spawn_finish(t: &TestEngine, start: &OAuthStart) -> JoinHandle<OpsResult<Account>> {
    let ops = t.ops.clone();
    let flow = start.flow_id.clone();
    tokio::spawn(async move { ops.finish_oauth(&flow).await })
}

/// Finishes flow `start` while the "browser" allows access; returns the result and the page.
async fn sign_in(t: &TestEngine, start: &OAuthStart) -> (OpsResult<Account>, String) {
    let finish = spawn_finish(t, start);
    let (_, page) = deliver(&authorize(start).await).await;
    (finish.await.unwrap(), page)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_with_pkce_connects_and_remembers_the_byo_app() {
    let fake = fake_server().await;
    let t = engine(Duration::from_secs(30));
    let start = t.ops.begin_oauth(PLATFORM, fields(&fake, true)).await.expect("begins");
    assert!(start.redirect_uri.starts_with("http://127.0.0.1:"));
    assert!(start.redirect_uri.ends_with("/callback"));
    let param = |k: &str| query(&start.authorize_url, k);
    assert_eq!(param("code_challenge_method"), "S256");
    assert_eq!(param("response_type"), "code");
    assert_eq!(param("client_id"), CLIENT_ID);
    assert_eq!(param("redirect_uri"), start.redirect_uri);
    assert!(param("state").len() >= 16, "an unguessable state");

    let (account, page) = sign_in(&t, &start).await;
    assert!(page.contains("You can close this tab and go back to Sipstory"), "{page}");
    let account = account.expect("the account connects");
    assert_eq!((account.platform.as_str(), account.handle.as_str()), (PLATFORM, "ada"));
    assert_eq!(fake.verified_exchanges(), 1, "the token request carried the PKCE verifier");

    let secrets = Credentials::new(t.engine.core().secrets.clone(), &account.id).load().unwrap();
    assert!(fake.access_token_valid(&secrets[ACCESS_TOKEN]));
    assert!(secrets.contains_key(REFRESH_TOKEN));
    let expires: chrono::DateTime<chrono::Utc> = secrets[EXPIRES_AT].parse().unwrap();
    assert!(expires > chrono::Utc::now() + chrono::Duration::minutes(55));

    // The BYO app was kept: signing in again needs no client id or secret, and reconnects
    // the same account.
    let platforms = t.ops.platforms();
    let summary = platforms.iter().find(|p| p.id == PLATFORM).unwrap();
    assert_eq!(summary.redirect_uri.as_deref(), Some("http://127.0.0.1/callback"));
    assert!(t.ops.byo_app_saved(PLATFORM).unwrap());
    let again = t.ops.begin_oauth(PLATFORM, fields(&fake, false)).await.expect("begins again");
    assert_eq!(query(&again.authorize_url, "client_id"), CLIENT_ID);
    let (reconnected, _) = sign_in(&t, &again).await;
    assert_eq!(reconnected.expect("reconnects").id, account.id);
    assert_eq!(t.ops.accounts().unwrap().len(), 1);
    assert_eq!(fake.verified_exchanges(), 2);
    forget_byo_app(&t);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_app_the_platform_no_longer_knows_is_forgotten() {
    let fake = fake_server().await;
    let t = engine(Duration::from_secs(30));
    let start = t.ops.begin_oauth(PLATFORM, fields(&fake, true)).await.unwrap();
    sign_in(&t, &start).await.0.expect("connects");
    assert!(t.ops.byo_app_saved(PLATFORM).unwrap());
    // The user rotated the app's secret on the platform.
    fake.register_client(CLIENT_ID, "rotated-secret", "http://127.0.0.1/callback");
    let stale = t.ops.begin_oauth(PLATFORM, fields(&fake, false)).await.unwrap();
    let error = sign_in(&t, &stale).await.0.expect_err("the saved secret is refused");
    assert!(error.message.contains("no longer valid and was forgotten"), "{}", error.message);
    assert_eq!(error.field.as_deref(), Some("fields.server"));
    assert!(!t.ops.byo_app_saved(PLATFORM).unwrap());
    let missing = t.ops.begin_oauth(PLATFORM, fields(&fake, false)).await.unwrap_err();
    assert_eq!(missing.field.as_deref(), Some("fields.client_id"), "asks for the app again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_state_is_refused_and_the_real_answer_still_counts() {
    let fake = fake_server().await;
    let t = engine(Duration::from_secs(30));
    let start = t.ops.begin_oauth(PLATFORM, fields(&fake, true)).await.unwrap();
    let finish = spawn_finish(&t, &start);
    let location = authorize(&start).await;
    let forged = location.replace(&query(&location, "state"), "forged-state");
    let (status, page) = deliver(&forged).await;
    assert_eq!(status, 400);
    assert!(page.contains("not the one Sipstory is waiting for"), "{page}");
    let (status, missing) = deliver(&format!("{}?code=abc", start.redirect_uri)).await;
    assert_eq!(status, 400, "{missing}");
    assert!(!finish.is_finished(), "a forged answer does not end the sign-in");
    let (status, _) = deliver(&location).await;
    assert_eq!(status, 200);
    let account = finish.await.unwrap().expect("the real answer connects");
    assert_eq!(account.handle, "ada");
    forget_byo_app(&t);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_denied_is_said_in_words_on_the_page_and_to_the_app() {
    let fake = fake_server().await;
    fake.set_decision(Decision::Deny);
    let t = engine(Duration::from_secs(30));
    let start = t.ops.begin_oauth(PLATFORM, fields(&fake, true)).await.unwrap();
    let (result, page) = sign_in(&t, &start).await;
    assert!(page.contains("Access was denied"), "{page}");
    assert!(page.contains("You can close this tab and go back to Sipstory"), "{page}");
    let error = result.expect_err("denied");
    assert_eq!(error.code, ErrorCode::PlatformError);
    assert!(error.message.contains("Access was denied"), "{}", error.message);
    assert_eq!(error.field.as_deref(), Some("fields.server"));
    assert!(t.ops.accounts().unwrap().is_empty());
    assert!(!t.ops.byo_app_saved(PLATFORM).unwrap(), "an app that did not work is not kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_nobody_answers_times_out_and_stops_listening() {
    let fake = fake_server().await;
    let t = engine(Duration::from_millis(400));
    let start = t.ops.begin_oauth(PLATFORM, fields(&fake, true)).await.unwrap();
    let error = t.ops.finish_oauth(&start.flow_id).await.expect_err("times out");
    assert_eq!(error.code, ErrorCode::PlatformError);
    assert!(error.message.contains("No answer came from the browser"), "{}", error.message);
    assert_eq!(error.field.as_deref(), Some("fields.server"));
    wait_closed(&start.redirect_uri).await;
    let again = t.ops.finish_oauth(&start.flow_id).await.expect_err("the flow is over");
    assert_eq!(again.code, ErrorCode::NotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_ends_a_waiting_sign_in_at_once() {
    let fake = fake_server().await;
    let t = engine(Duration::from_secs(60));
    let start = t.ops.begin_oauth(PLATFORM, fields(&fake, true)).await.unwrap();
    let finish = spawn_finish(&t, &start);
    tokio::time::sleep(Duration::from_millis(100)).await;
    t.ops.cancel_oauth(&start.flow_id).expect("cancels");
    let error = tokio::time::timeout(Duration::from_secs(5), finish)
        .await
        .expect("finish returns at once")
        .unwrap()
        .expect_err("cancelled");
    assert_eq!(error.code, ErrorCode::Conflict);
    assert!(error.message.contains("cancelled"), "{}", error.message);
    wait_closed(&start.redirect_uri).await;
    assert_eq!(t.ops.cancel_oauth(&start.flow_id).unwrap_err().code, ErrorCode::NotFound);

    // Cancelling before anyone waits works too.
    let other = t.ops.begin_oauth(PLATFORM, fields(&fake, true)).await.unwrap();
    t.ops.cancel_oauth(&other.flow_id).unwrap();
    assert_eq!(t.ops.finish_oauth(&other.flow_id).await.unwrap_err().code, ErrorCode::NotFound);
    wait_closed(&other.redirect_uri).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_saves_the_rotated_tokens_together() {
    let fake = fake_server().await;
    let t = engine(Duration::from_secs(30));
    let start = t.ops.begin_oauth(PLATFORM, fields(&fake, true)).await.unwrap();
    let account = sign_in(&t, &start).await.0.expect("connects");
    let credentials = t.engine.core().credentials(&account.id);
    let before = credentials.load().unwrap();
    let http = PublishHttp::new(t.engine.core().http.clone());
    let cx = PublishContext { account: &account, credentials: &credentials, http: &http };
    OAuthTestProvider::default().refresh(&cx).await.expect("refreshes");
    let stored = Credentials::new(t.engine.core().secrets.clone(), &account.id).load().unwrap();
    assert_ne!(stored[ACCESS_TOKEN], before[ACCESS_TOKEN]);
    assert_ne!(stored[REFRESH_TOKEN], before[REFRESH_TOKEN], "the rotated refresh token is kept");
    assert!(fake.access_token_valid(&stored[ACCESS_TOKEN]));
    assert!(!fake.access_token_valid("nonsense"));

    // The old refresh token is dead: refreshing with it is an auth error (reconnect).
    credentials
        .update(BTreeMap::from([(REFRESH_TOKEN.to_owned(), before[REFRESH_TOKEN].clone())]))
        .unwrap();
    let error = OAuthTestProvider::default().refresh(&cx).await.expect_err("refused");
    assert_eq!(error.kind, sipstory_engine::provider::ErrorKind::Auth);
    forget_byo_app(&t);
}

/// Waits until nothing listens on `redirect_uri`'s port any more.
async fn wait_closed(redirect_uri: &str) {
    let addr = reqwest::Url::parse(redirect_uri).unwrap().socket_addrs(|| None).unwrap()[0];
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the listener on {addr} is still open");
}
