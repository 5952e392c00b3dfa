//! What the engine's desktop-service tests share: the guard that keeps them inside the private
//! session of `scripts/with-desktop.sh`, away from the developer's own keychain and desktop.

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
