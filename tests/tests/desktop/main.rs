//! End-to-end tests of the real app window (tauri-driver + WebKitWebDriver under Xvfb), on a
//! temp data folder, publishing to the loopback fake platform: connect an account, schedule a
//! post that publishes, shows as published with its link and whose notification opens it when
//! clicked; a platform error with Retry; an over-long post blocked with a clear message; a draft
//! that survives a restart while the platform is unreachable; a post dragged to another day on
//! the calendar, checked in the database; the tray's menu opening the composer; and a Bluesky
//! account connected on a real local PDS through the Accounts screen (a refused app password
//! shown next to its field) that publishes to it. Each scenario saves X11 screenshots under
//! `<target>/e2e-screenshots/`. They run one at a time: they share one screen.

mod app;
mod driver;
mod tray;

use std::time::Duration;

use app::DesktopApp;
use chrono::{Datelike, Duration as Span, Timelike, Utc, Weekday};
use sipstory_tests::fake_platform::{FakePlatform, Fault};
use sipstory_tests::harness::wait_for;
use sipstory_tests::peers::pds::Pds;
use tokio::sync::Mutex;

static SCREEN: Mutex<()> = Mutex::const_new(());

const MAIN_NAV: &str = "//nav[@aria-label='Main']";

async fn connect_loopback(app: &DesktopApp, fake: &FakePlatform, handle: &str) {
    let credentials = fake.add_account(handle);
    app.click_xpath(&format!("{MAIN_NAV}//*[normalize-space(.)='Accounts']")).await;
    app.click_xpath("//button[@aria-label='Connect Loopback']").await;
    app.set_value(&app.field("Server URL").await, &fake.base_url()).await;
    app.set_value(&app.field("Access token").await, &credentials.access_token).await;
    app.set_value(&app.field("Refresh token").await, &credentials.refresh_token).await;
    app.click_xpath("//form[contains(@class,'connect')]//button[@type='submit']").await;
    app.wait_text(handle).await;
}

/// Opens the composer with the account chosen and `text` in the first item.
async fn compose(app: &DesktopApp, handle: &str, text: &str) {
    app.click_xpath("//header//button[normalize-space(.)='New post']").await;
    app.click_xpath(&format!("//dialog//label[.//*[contains(normalize-space(.), '{handle}')]] | //*[@role='dialog']//label[.//*[contains(normalize-space(.), '{handle}')]]")).await;
    let textarea = app.xpath("(//textarea)[1]").await;
    app.set_value(&textarea, text).await;
}

/// Sets the composer's time to the next whole minute at least 15 s away, in UTC.
async fn schedule_soon(app: &DesktopApp) -> chrono::DateTime<Utc> {
    let mut at =
        (Utc::now() + Span::minutes(1)).with_second(0).unwrap().with_nanosecond(0).unwrap();
    if at - Utc::now() < Span::seconds(15) {
        at += Span::minutes(1);
    }
    schedule_at(app, at).await;
    at
}

/// Sets the composer's date, time and zone (UTC) to `at`.
async fn schedule_at(app: &DesktopApp, at: chrono::DateTime<Utc>) {
    app.set_value(&app.field("Time zone").await, "UTC").await;
    app.set_value(&app.field("Date").await, &at.format("%Y-%m-%d").to_string()).await;
    app.set_value(&app.field("Time").await, &at.format("%H:%M").to_string()).await;
}

/// Clicks the notification on top of the desktop's notification server (dunst), as a click on
/// its body does.
fn click_notification() {
    let status = std::process::Command::new("dunstctl")
        .args(["action", "0"])
        .status()
        .expect("dunstctl runs");
    assert!(status.success(), "dunstctl action failed");
}

/// A scenario's set-up: the screen to itself, a fake platform, a fresh data folder, and the app
/// on it with one account connected. Bind the fields in this order, `_screen` first: the last
/// bound drops first, so the app goes before its folder and the screen.
struct Scenario {
    app: DesktopApp,
    fake: FakePlatform,
    dir: tempfile::TempDir,
    _screen: tokio::sync::MutexGuard<'static, ()>,
}

async fn scenario(handle: &str) -> Scenario {
    let screen = SCREEN.lock().await;
    let fake = FakePlatform::start().await;
    let dir = tempfile::tempdir().unwrap();
    let app = DesktopApp::launch(dir.path()).await;
    connect_loopback(&app, &fake, handle).await;
    Scenario { app, fake, dir, _screen: screen }
}

async fn open_post_from_calendar(app: &DesktopApp, text: &str) {
    app.click_xpath(&format!("{MAIN_NAV}//*[normalize-space(.)='Calendar']")).await;
    app.click_xpath(&format!("//*[contains(@class,'sp-event')][.//*[contains(normalize-space(.), '{text}')] or contains(normalize-space(.), '{text}')]")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_post_publishes_and_shows_published_with_its_link() {
    let Scenario { _screen, dir: _dir, fake, app } = scenario("e2e-writer").await;
    app.screenshot("accounts").await;

    compose(&app, "e2e-writer", "Hello from the real window").await;
    let at = schedule_soon(&app).await;
    app.screenshot("composer").await;
    app.click_xpath("//button[normalize-space(.)='Schedule']").await;

    let posts = fake.wait_for_posts(1, Duration::from_secs(150)).await;
    assert_eq!(posts.len(), 1, "the scheduled post reached the platform");
    assert_eq!(posts[0].text, "Hello from the real window");
    assert!(posts[0].received_at >= at, "not before its time");

    // The "Published" notification opens the post it is about.
    app.click_xpath(&format!("{MAIN_NAV}//*[normalize-space(.)='Calendar']")).await;
    app.xpath("//*[contains(@class,'sp-st-published')]").await;
    click_notification();
    app.wait_text("View on Loopback").await;
    app.screenshot("post-detail").await;
    app.click_xpath("//button[@aria-label='Close post details']").await;

    open_post_from_calendar(&app, "Hello from the real window").await;
    app.wait_text("View on Loopback").await;
    app.click_xpath("//button[@aria-label='Close post details']").await;
    app.screenshot("calendar-month").await;
    app.click_xpath("//button[normalize-space(.)='Week']").await;
    app.screenshot("calendar-week").await;
    app.click_xpath(&format!("{MAIN_NAV}//*[normalize-space(.)='Settings']")).await;
    app.wait_text("Data folder").await;
    app.screenshot("settings").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_over_long_post_is_blocked_with_a_clear_message() {
    let Scenario { _screen, dir: _dir, fake, app } = scenario("e2e-verbose").await;
    compose(&app, "e2e-verbose", &"a".repeat(501)).await;
    app.wait_text("Loopback allows 500 characters; this has 501.").await;
    let schedule = app.xpath("//button[normalize-space(.)='Schedule']").await;
    assert!(
        !schedule.is_enabled().await.unwrap(),
        "Schedule is disabled while the post breaks a rule"
    );
    app.screenshot("composer-error").await;
    app.quit().await;
    assert!(fake.posts().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_platform_error_is_shown_and_retry_publishes() {
    let Scenario { _screen, dir: _dir, fake, app } = scenario("e2e-unlucky").await;
    fake.push_fault(Fault::Status {
        status: 400,
        code: "spam_suspected".into(),
        message: "This looks like spam to us".into(),
        retry_after: None,
    });
    compose(&app, "e2e-unlucky", "Second time lucky").await;
    app.click_xpath("//button[normalize-space(.)='Publish now']").await;
    open_post_from_calendar(&app, "Second time lucky").await;
    app.wait_text("This looks like spam to us").await;
    app.wait_text("spam_suspected").await;
    app.screenshot("post-failed").await;
    app.click_xpath("//button[normalize-space(.)='Retry failed']").await;
    let posts = fake.wait_for_posts(1, Duration::from_secs(30)).await;
    assert_eq!(posts.len(), 1);
    app.wait_text("View on Loopback").await;

    // The smallest window the app allows: the publish log (both attempts) still fits it.
    app.client.set_window_size(900, 600).await.unwrap();
    app.click_xpath(&format!("{MAIN_NAV}//*[normalize-space(.)='Activity']")).await;
    app.wait_text("This looks like spam to us").await;
    app.screenshot("activity-900x600").await;
    let (page, window): (f64, f64) = serde_json::from_value(
        app.client
            .execute("return [document.documentElement.scrollWidth, window.innerWidth];", vec![])
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(window, 900.0, "the window was resized");
    assert!(page <= window, "the page is {page} px wide in a {window} px window");
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_written_offline_survives_a_restart() {
    let Scenario { _screen, dir, fake, app } = scenario("e2e-offline").await;
    fake.go_down().await;
    compose(&app, "e2e-offline", "Written on a plane").await;
    app.click_xpath("//button[normalize-space(.)='Save draft']").await;
    app.click_xpath(&format!("{MAIN_NAV}//*[normalize-space(.)='Drafts']")).await;
    app.screenshot("drafts-before-restart").await;
    app.wait_text("Written on a plane").await;
    app.quit().await;

    let app = DesktopApp::launch(dir.path()).await;
    app.click_xpath(&format!("{MAIN_NAV}//*[normalize-space(.)='Drafts']")).await;
    app.wait_text("Written on a plane").await;
    app.screenshot("drafts-after-restart").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dragging_a_post_to_another_day_reschedules_it_in_the_store() {
    let Scenario { _screen, dir, fake: _fake, app } = scenario("e2e-mover").await;
    // Noon UTC is the same date in every zone the calendar may use (UTC-11 to UTC+11).
    let noon = |days| {
        (Utc::now() + Span::days(days)).date_naive().and_hms_opt(12, 0, 0).unwrap().and_utc()
    };
    // Two days in one Monday-to-Sunday week, so one month view shows both.
    let moved = noon(2);
    let planned = if moved.weekday() == Weekday::Sun { noon(1) } else { noon(3) };
    compose(&app, "e2e-mover", "Moving day").await;
    schedule_at(&app, planned).await;
    app.click_xpath("//button[normalize-space(.)='Schedule']").await;
    app.click_xpath(&format!("{MAIN_NAV}//*[normalize-space(.)='Calendar']")).await;
    app.click_xpath("//button[normalize-space(.)='Month']").await;
    let cell = |at: chrono::DateTime<Utc>| {
        format!("//*[@role='cell'][@data-date='{}']", at.format("%Y-%m-%d"))
    };
    if app.client.find(fantoccini::Locator::XPath(&cell(planned))).await.is_err() {
        // The days are in next month's view.
        app.click_xpath("//button[@aria-label='Next month']").await;
    }
    let post = format!("{}//*[contains(@class,'sp-event')]", cell(planned));
    app.drag(&post, &cell(moved)).await;
    app.wait_text("Moved").await;
    app.xpath(&format!("{}//*[contains(@class,'sp-event')]", cell(moved))).await;
    app.screenshot("calendar-after-drag").await;

    let db = rusqlite::Connection::open(dir.path().join("sipstory.db")).unwrap();
    let stored: i64 = db.query_row("SELECT scheduled_at FROM posts", [], |r| r.get(0)).unwrap();
    assert_eq!(stored, moved.timestamp_millis(), "the store has the day it was dropped on");
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tray_menu_opens_and_new_post_opens_the_composer() {
    let _screen = SCREEN.lock().await;
    let tray = tray::Tray::start();
    let dir = tempfile::tempdir().unwrap();
    let app = DesktopApp::launch(dir.path()).await;
    let menu = tray.open_menu().await;
    app.screenshot("tray-menu").await;
    tray.click_row(menu, 1);
    app.xpath("//textarea[@placeholder='What do you want to share?']").await;
    app.wait_text("New post").await;
    app.screenshot("tray-new-post").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bluesky_account_connects_on_the_accounts_screen_and_publishes() {
    let _screen = SCREEN.lock().await;
    let pds = Pds::start().await;
    let gus = pds.create_account("gus.test").await;
    let dir = tempfile::tempdir().unwrap();
    let app = DesktopApp::launch(dir.path()).await;
    app.click_xpath(&format!("{MAIN_NAV}//*[normalize-space(.)='Accounts']")).await;
    app.click_xpath("//button[@aria-label='Connect Bluesky']").await;
    app.set_value(&app.field("Handle").await, &gus.handle).await;
    app.set_value(&app.field("App password").await, "aaaa-bbbb-cccc-dddd").await;
    app.set_value(&app.field("Server (PDS)").await, &pds.url).await;
    let submit = "//form[contains(@class,'connect')]//button[@type='submit']";
    app.click_xpath(submit).await;
    app.wait_text("were rejected by 127.0.0.1").await;
    let password = app.field("App password").await;
    assert_eq!(password.attr("aria-invalid").await.unwrap().as_deref(), Some("true"));
    app.screenshot("bluesky-refused").await;

    app.set_value(&password, &gus.app_password).await;
    app.click_xpath(submit).await;
    app.wait_text("Connected").await;
    app.screenshot("bluesky-connected").await;
    compose(&app, "gus.test", "Hello Bluesky from the real window").await;
    app.click_xpath("//button[normalize-space(.)='Publish now']").await;
    let texts = wait_for("the post on the PDS", Duration::from_secs(60), || async {
        let posts = pds.posts(&gus.did).await;
        (!posts.is_empty()).then_some(posts)
    })
    .await;
    assert_eq!(texts.len(), 1);
    assert_eq!(texts[0]["value"]["text"], "Hello Bluesky from the real window");
    app.quit().await;
}
