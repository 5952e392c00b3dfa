//! What the engine's desktop-service tests share: the guard that keeps them inside the private
//! session of `scripts/with-desktop.sh`, away from the developer's own keychain and desktop,
//! and waiting on child processes that might hang on a desktop service.

pub const NEEDS_SESSION: &str =
    "run through scripts/test.sh (needs a D-Bus session with gnome-keyring and dunst)";

/// Fails the test unless it runs inside the private session of `scripts/with-desktop.sh`.
pub fn require_desktop_session() {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        panic!("DBUS_SESSION_BUS_ADDRESS is not set: {NEEDS_SESSION}");
    }
    if std::env::var_os("SIPSTORY_DESKTOP_SESSION").is_none() {
        panic!(
            "not inside scripts/with-desktop.sh's private session (these tests must not touch \
             your own keychain or desktop): {NEEDS_SESSION}"
        );
    }
}

/// Waits for `child` to exit; kills it and fails the test after `limit` (`what` hung), so a
/// service waiting on a prompt nobody answers cannot hang the suite.
pub fn wait_or_fail(
    child: &mut std::process::Child,
    limit: std::time::Duration,
    what: &str,
) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} hung for {} s", limit.as_secs());
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
