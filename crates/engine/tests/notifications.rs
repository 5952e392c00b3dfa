//! `DesktopNotifier` against a real freedesktop notification server: the dunst daemon that
//! `scripts/with-desktop.sh` starts in its private D-Bus session on Xvfb (scripts/test.sh runs
//! these through it). Delivery is checked in dunst's own record (`dunstctl history`, JSON),
//! polled for a few seconds. Outside that session every test here fails with a message saying
//! so; none passes silently.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use sipstory_engine::notify::{DesktopNotifier, Notice, NoticeKind, Notifier};

mod common;

use common::{NEEDS_SESSION, require_desktop_session, wait_or_fail};

/// dunst's screen is shared: a test that clicks what it shows, and the tests that empty it to
/// read the history, take turns.
static DUNST: Mutex<()> = Mutex::new(());

/// Text no other test (or earlier run) uses.
fn unique(label: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    format!("{label} {}-{n}", std::process::id())
}

fn notice(kind: NoticeKind, title: String, body: String) -> Notice {
    Notice {
        kind,
        title,
        body,
        post_id: Some("post-1".into()),
        account_id: Some("account-1".into()),
        link: Some("https://example.test/p/1".into()),
    }
}

/// One notification as dunst recorded it.
#[derive(Debug, PartialEq)]
struct Seen {
    appname: String,
    summary: String,
    body: String,
}

fn dunstctl(args: &[&str]) -> String {
    let out = Command::new("dunstctl")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("dunstctl {args:?}: {e} (is dunst installed? {NEEDS_SESSION})"));
    assert!(
        out.status.success(),
        "dunstctl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("dunstctl prints UTF-8")
}

/// dunst's history. It holds notifications once they are closed, so everything on screen is
/// closed first (other tests' notifications land in the history too, which is harmless).
fn dunst_history() -> Vec<Seen> {
    let _turn = DUNST.lock().unwrap_or_else(|p| p.into_inner());
    dunstctl(&["close-all"]);
    let json: serde_json::Value =
        serde_json::from_str(&dunstctl(&["history"])).expect("dunstctl history prints JSON");
    let field = |entry: &serde_json::Value, name: &str| {
        entry[name]["data"].as_str().unwrap_or_default().to_string()
    };
    json["data"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|group| group.as_array().cloned().unwrap_or_default())
        .map(|entry| Seen {
            appname: field(&entry, "appname"),
            summary: field(&entry, "summary"),
            body: field(&entry, "body"),
        })
        .collect()
}

/// Polls dunst for up to 5 s until every expected notification shows up.
fn wait_for_delivery(expected: &[Seen]) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let history = dunst_history();
        let missing: Vec<&Seen> = expected.iter().filter(|e| !history.contains(e)).collect();
        if missing.is_empty() {
            return;
        }
        if Instant::now() > deadline {
            panic!("not delivered within 5 s: {missing:#?}\ndunst history: {history:#?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_notice_reaches_the_notification_server() {
    require_desktop_session();
    let app = unique("Sipstory test");
    let title = unique("Posted to Mastodon");
    let body = "Your post “Café opening ☕ 🎉” is live.".to_string();

    DesktopNotifier::new(app.clone())
        .show(&notice(NoticeKind::Published, title.clone(), body.clone()))
        .expect("the notification server accepts the notice");

    wait_for_delivery(&[Seen { appname: app, summary: title, body }]);
}

#[test]
fn every_kind_of_notice_is_delivered() {
    require_desktop_session();
    let app = unique("Sipstory kinds");
    let notifier = DesktopNotifier::new(app.clone());
    let mut expected = Vec::new();
    for kind in
        [NoticeKind::Published, NoticeKind::Failed, NoticeKind::NeedsReconnect, NoticeKind::Missed]
    {
        let title = unique(&format!("kind {}", kind.as_str()));
        let body = format!("body for {}", kind.as_str());
        notifier
            .show(&notice(kind, title.clone(), body.clone()))
            .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        expected.push(Seen { appname: app.clone(), summary: title, body });
    }
    wait_for_delivery(&expected);
}

/// A click on a notification (dunst's default action, as a click on its body invokes it)
/// reaches the handler with the notice it showed, so the app can open the post.
#[test]
fn a_click_on_a_notification_reports_its_notice() {
    require_desktop_session();
    let _turn = DUNST.lock().unwrap_or_else(|p| p.into_inner());
    let (clicked, clicks) = mpsc::channel();
    let notifier = DesktopNotifier::new(unique("Sipstory clicks")).on_activate(Arc::new(
        move |notice: &Notice| {
            let _ = clicked.send(notice.clone());
        },
    ));
    let mut shown = notice(NoticeKind::Published, unique("Published"), "Click me".into());
    shown.post_id = Some("post-42".into());
    // Another test's notification may be the one on top: empty the screen and try again.
    for _ in 0..3 {
        dunstctl(&["close-all"]);
        notifier.show(&shown).expect("shown");
        std::thread::sleep(Duration::from_millis(300));
        dunstctl(&["action", "0"]);
        if let Ok(got) = clicks.recv_timeout(Duration::from_secs(3)) {
            assert_eq!(got, shown);
            return;
        }
    }
    panic!("a click on the notification never reached the handler");
}

/// With no session bus at all, `show` reports an error (it must neither panic nor hang). Runs
/// in a child process (this test binary re-run with SIPSTORY_NOTIFY_CHILD set) because it needs
/// a different DBUS_SESSION_BUS_ADDRESS than the rest of the process.
#[test]
fn no_session_bus_is_an_error_not_a_panic() {
    const CHILD_OK: &str = "SIPSTORY-NOTIFY-CHILD-OK";
    if std::env::var_os("SIPSTORY_NOTIFY_CHILD").is_some() {
        let err = DesktopNotifier::new("Sipstory test")
            .show(&notice(NoticeKind::Failed, "t".into(), "b".into()))
            .expect_err("no bus, yet show() returned Ok");
        assert!(err.to_string().contains("could not be shown"), "{err}");
        println!("{err}\n{CHILD_OK}");
        return;
    }
    require_desktop_session();
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("no-such-bus");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "no_session_bus_is_an_error_not_a_panic", "--nocapture"])
        .env("SIPSTORY_NOTIFY_CHILD", "1")
        .env("DBUS_SESSION_BUS_ADDRESS", format!("unix:path={}", socket.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = wait_or_fail(&mut child, Duration::from_secs(30), "show() with no session bus");
    let (mut out, mut err) = (String::new(), String::new());
    child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert!(
        status.success() && out.contains(CHILD_OK),
        "child failed ({status}):\n--- stdout\n{out}\n--- stderr\n{err}"
    );
}
