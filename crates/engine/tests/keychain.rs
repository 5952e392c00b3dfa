//! `KeyringSecrets` against the real OS keychain: the Secret Service of a gnome-keyring running
//! in the private D-Bus session that `scripts/with-desktop.sh` provides (scripts/test.sh runs
//! these through it). Outside that session every test here fails with a message saying so;
//! none passes silently.
//!
//! Every test uses its own service name (process id + counter) and deletes what it wrote, so
//! the tests run in parallel and leave nothing behind. The cases that need a keychain of their
//! own (none at all, a locked one, one that restarts) run in a child process (this test binary
//! re-run with `SIPSTORY_KEYCHAIN_CHILD` set), in a D-Bus session of its own.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use sipstory_engine::secrets::{KeyringSecrets, SecretError, SecretStore};

mod common;

use common::{require_desktop_session, wait_or_fail};

/// A service name no other test (or earlier run) uses.
fn unique_service(label: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    format!("sipstory-test-{label}-{}-{n}", std::process::id())
}

/// A store under a fresh service name that deletes the given keys when dropped, even when the
/// test panics.
struct Scratch {
    store: KeyringSecrets,
    keys: Vec<String>,
}

impl Scratch {
    fn new(label: &str, keys: &[&str]) -> Self {
        require_desktop_session();
        Self {
            store: KeyringSecrets::new(unique_service(label)),
            keys: keys.iter().map(|k| k.to_string()).collect(),
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        for key in &self.keys {
            let _ = self.store.delete(key);
        }
    }
}

#[test]
fn set_then_get_returns_the_value() {
    let s = Scratch::new("set-get", &["account:a1"]);
    assert_eq!(s.store.get("account:a1").unwrap(), None);
    s.store.set("account:a1", "token-123").unwrap();
    assert_eq!(s.store.get("account:a1").unwrap().as_deref(), Some("token-123"));
}

#[test]
fn set_overwrites_the_previous_value() {
    let s = Scratch::new("overwrite", &["account:a1"]);
    s.store.set("account:a1", "old").unwrap();
    s.store.set("account:a1", "new").unwrap();
    assert_eq!(s.store.get("account:a1").unwrap().as_deref(), Some("new"));
    // Still one entry: a delete removes it for good.
    s.store.delete("account:a1").unwrap();
    assert_eq!(s.store.get("account:a1").unwrap(), None);
}

#[test]
fn delete_then_get_returns_none() {
    let s = Scratch::new("delete", &["account:a1", "account:a2"]);
    s.store.set("account:a1", "one").unwrap();
    s.store.set("account:a2", "two").unwrap();
    s.store.delete("account:a1").unwrap();
    assert_eq!(s.store.get("account:a1").unwrap(), None);
    // Only that key went.
    assert_eq!(s.store.get("account:a2").unwrap().as_deref(), Some("two"));
}

#[test]
fn deleting_a_missing_secret_is_ok() {
    let s = Scratch::new("delete-missing", &["account:never-set", "account:twice"]);
    s.store.delete("account:never-set").unwrap();
    s.store.set("account:twice", "x").unwrap();
    s.store.delete("account:twice").unwrap();
    s.store.delete("account:twice").unwrap();
    assert_eq!(s.store.get("account:twice").unwrap(), None);
}

#[test]
fn unicode_and_long_values_round_trip() {
    let s = Scratch::new("unicode", &["account:ünï-😀", "account:long"]);

    let unicode = "tôkén ✓ 日本語 العربية 👩🏽‍💻 e\u{301} \"quoted\" \\ back\nnew line\ttab";
    s.store.set("account:ünï-😀", unicode).unwrap();
    assert_eq!(s.store.get("account:ünï-😀").unwrap().as_deref(), Some(unicode));

    // A token bundle as JSON, over 4 KiB, full of multi-byte characters.
    let scopes: Vec<String> = (0..40).map(|i| format!("scope-{i}-✨-écrire-投稿")).collect();
    let json = serde_json::json!({
        "access_token": "ä".repeat(1200),
        "refresh_token": "🔑".repeat(300),
        "scopes": scopes,
        "expires_at": "2030-01-01T00:00:00Z",
    })
    .to_string();
    assert!(json.len() >= 4096, "test value too short: {} bytes", json.len());
    s.store.set("account:long", &json).unwrap();
    let back = s.store.get("account:long").unwrap().expect("long value stored");
    assert_eq!(back.len(), json.len());
    assert_eq!(back, json);
    let parsed: serde_json::Value = serde_json::from_str(&back).unwrap();
    assert_eq!(parsed["scopes"][39], "scope-39-✨-écrire-投稿");
}

#[test]
fn two_services_do_not_see_each_others_entries() {
    let a = Scratch::new("iso-a", &["account:shared"]);
    let b = Scratch::new("iso-b", &["account:shared"]);

    a.store.set("account:shared", "from-a").unwrap();
    assert_eq!(b.store.get("account:shared").unwrap(), None);

    b.store.set("account:shared", "from-b").unwrap();
    assert_eq!(a.store.get("account:shared").unwrap().as_deref(), Some("from-a"));
    assert_eq!(b.store.get("account:shared").unwrap().as_deref(), Some("from-b"));

    a.store.delete("account:shared").unwrap();
    assert_eq!(a.store.get("account:shared").unwrap(), None);
    assert_eq!(b.store.get("account:shared").unwrap().as_deref(), Some("from-b"));
}

#[test]
fn concurrent_calls_each_get_their_own_answer() {
    // Calls from many threads share the process's one connection to the keychain.
    const THREADS: usize = 8;
    const ROUNDS: usize = 10;
    let keys: Vec<String> = (0..THREADS).map(|t| format!("account:burst-{t}")).collect();
    let s = Scratch::new("burst", &keys.iter().map(String::as_str).collect::<Vec<_>>());
    std::thread::scope(|scope| {
        for key in &keys {
            let store = &s.store;
            scope.spawn(move || {
                for round in 0..ROUNDS {
                    let value = format!("{key}-{round}");
                    store.set(key, &value).unwrap();
                    assert_eq!(store.get(key).unwrap().as_deref(), Some(value.as_str()));
                }
            });
        }
    });
    for key in &keys {
        let last = format!("{key}-{}", ROUNDS - 1);
        assert_eq!(s.store.get(key).unwrap().as_deref(), Some(last.as_str()));
    }
}

#[test]
fn every_call_of_the_process_goes_over_one_bus_connection() {
    // A connection per call makes gnome-keyring abort now and then (see secrets/secret_service.rs).
    // Unique bus names are never reused, so the same one before and after means one connection.
    let s = Scratch::new("one-connection", &["account:a1", "account:a2"]);
    let mut seen = Vec::new();
    for round in 0..3 {
        s.store.set("account:a1", &format!("value {round}")).unwrap();
        s.store.set("account:a2", "other").unwrap();
        assert_eq!(s.store.get("account:a1").unwrap(), Some(format!("value {round}")));
        seen.push(bus_connections_of(std::process::id()));
    }
    s.store.delete("account:a2").unwrap();
    seen.push(bus_connections_of(std::process::id()));
    assert!(
        seen[0].len() == 1 && seen.iter().all(|names| *names == seen[0]),
        "this process's connections to the session bus, after each round of calls: {seen:?}"
    );
}

/// The unique names on the session bus whose connection belongs to process `pid`.
fn bus_connections_of(pid: u32) -> Vec<String> {
    let names = bus_call("org.freedesktop.DBus.ListNames", None);
    names
        .split_whitespace()
        .filter(|name| name.starts_with(':'))
        .filter(|name| {
            let owner = bus_call("org.freedesktop.DBus.GetConnectionUnixProcessID", Some(name));
            owner.split_whitespace().last() == Some(pid.to_string().as_str())
        })
        .map(str::to_owned)
        .collect()
}

/// Calls `method` of the session bus daemon itself (with one string argument) and returns
/// its reply as `dbus-send` prints it.
fn bus_call(method: &str, argument: Option<&str>) -> String {
    let mut cmd = Command::new("dbus-send");
    cmd.args([
        "--session",
        "--print-reply=literal",
        "--dest=org.freedesktop.DBus",
        "/org/freedesktop/DBus",
        method,
    ]);
    if let Some(argument) = argument {
        cmd.arg(format!("string:{argument}"));
    }
    let out = cmd.output().expect("dbus-send runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

// ------------------------------------------------------------------------------------------
// Keychains of their own: none, locked, restarted. These run in child processes: this test
// binary, re-run with SIPSTORY_KEYCHAIN_CHILD=<mode> so only the named test runs and takes its
// child branch, in a different D-Bus environment than the rest of the process.

const CHILD_ENV: &str = "SIPSTORY_KEYCHAIN_CHILD";
const CHILD_SERVICE_ENV: &str = "SIPSTORY_KEYCHAIN_CHILD_SERVICE";
const CHILD_OK: &str = "SIPSTORY-KEYCHAIN-CHILD-OK";

/// Starts gnome-keyring unlocked (password "ci", creating the login keyring when there is none)
/// inside a fresh `dbus-run-session`, waits for it on the bus, runs the test binary ($0) with
/// the keyring's pid in `SIPSTORY_TEST_KEYRING_PID`, and stops the keyring again unless the
/// test did.
const UNLOCKED_SESSION: &str = r#"
printf ci | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
keyring=$!
for _ in $(seq 200); do
    dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets | grep -q true && break
    sleep 0.05
done
export GNOME_KEYRING_CONTROL="$XDG_RUNTIME_DIR/keyring" SIPSTORY_TEST_KEYRING_PID="$keyring"
"$0" "$@"
status=$?
kill "$keyring" 2>/dev/null
wait "$keyring"
exit "$status"
"#;

fn child_mode() -> Option<String> {
    std::env::var(CHILD_ENV).ok()
}

fn child_service() -> String {
    std::env::var(CHILD_SERVICE_ENV).expect("the parent passes the service name")
}

/// In a child: every operation on `key` must fail with `Unavailable` and the user-facing
/// message; none may succeed or report "no such secret".
fn child_expects_unavailable(store: &KeyringSecrets, key: &str) {
    let results = [
        ("set", store.set(key, "must-not-be-stored").map(|_| None)),
        ("get", store.get(key)),
        ("delete", store.delete(key).map(|_| None)),
    ];
    for (op, result) in results {
        match result {
            Err(e @ SecretError::Unavailable(_)) => {
                let msg = e.to_string();
                assert!(msg.contains("locked or unavailable"), "{op}: unexpected message: {msg}");
                println!("{op}: {msg}");
            }
            other => panic!("{op} without a usable keychain returned {other:?}, not Unavailable"),
        }
    }
    println!("{CHILD_OK}");
}

/// In the parent: re-runs `test_name` from this binary (behind `wrapper`, a command that
/// execs the binary given as its last argument), with the child env vars set, and asserts the
/// child's branch ran and passed.
fn run_child(
    test_name: &str,
    mode: &str,
    service: &str,
    wrapper: &[&str],
    configure: impl FnOnce(&mut Command),
) {
    let exe = std::env::current_exe().expect("current test binary");
    let mut cmd = match wrapper.split_first() {
        Some((program, args)) => {
            let mut c = Command::new(program);
            c.args(args).arg(&exe);
            c
        }
        None => Command::new(&exe),
    };
    cmd.args(["--exact", test_name, "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, mode)
        .env(CHILD_SERVICE_ENV, service)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    configure(&mut cmd);
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));

    // Read both pipes on threads so a chatty child cannot block on a full pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });

    let status = wait_or_fail(
        &mut child,
        Duration::from_secs(60),
        &format!("child {mode} (keychain waiting on a prompt?)"),
    );
    let (out, err) = (out.join().unwrap(), err.join().unwrap());
    assert!(
        status.success() && out.contains(CHILD_OK),
        "child {mode} failed ({status}):\n--- stdout\n{out}\n--- stderr\n{err}"
    );
}

/// Points a child at its own keychain files and runtime dir, with no display (so gnome-keyring
/// cannot show an unlock prompt and wait for it) and none of this session's bus or keyring.
fn isolated_desktop_env(cmd: &mut Command, dir: &std::path::Path) {
    let runtime = dir.join("runtime");
    std::fs::create_dir_all(&runtime).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    cmd.env("XDG_RUNTIME_DIR", &runtime)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("GNOME_KEYRING_CONTROL")
        .env_remove("DBUS_SESSION_BUS_ADDRESS");
}

#[test]
fn no_session_bus_means_unavailable_never_ok() {
    const NAME: &str = "no_session_bus_means_unavailable_never_ok";
    if child_mode().as_deref() == Some("no-bus") {
        return child_expects_unavailable(&KeyringSecrets::new(child_service()), "account:a1");
    }
    require_desktop_session();
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("no-such-bus");
    run_child(NAME, "no-bus", &unique_service("no-bus"), &[], |cmd| {
        cmd.env("DBUS_SESSION_BUS_ADDRESS", format!("unix:path={}", socket.display()));
    });
}

#[test]
fn keychain_without_a_login_keyring_means_unavailable_never_ok() {
    // A Secret Service (gnome-keyring, D-Bus-activated) with no keyring at all.
    const NAME: &str = "keychain_without_a_login_keyring_means_unavailable_never_ok";
    if child_mode().as_deref() == Some("no-keyring") {
        return child_expects_unavailable(&KeyringSecrets::new(child_service()), "account:a1");
    }
    require_desktop_session();
    let dir = tempfile::tempdir().unwrap();
    run_child(
        NAME,
        "no-keyring",
        &unique_service("no-keyring"),
        &["dbus-run-session", "--"],
        |cmd| isolated_desktop_env(cmd, dir.path()),
    );
}

#[test]
fn locked_keychain_means_unavailable_never_ok() {
    // The usual real-world case: the login keyring exists and holds our secret, but is locked.
    const NAME: &str = "locked_keychain_means_unavailable_never_ok";
    match child_mode().as_deref() {
        Some("locked-prepare") => {
            let store = KeyringSecrets::new(child_service());
            store.set("account:a1", "stored-while-unlocked").unwrap();
            assert_eq!(store.get("account:a1").unwrap().as_deref(), Some("stored-while-unlocked"));
            println!("{CHILD_OK}");
            return;
        }
        Some("locked") => {
            return child_expects_unavailable(&KeyringSecrets::new(child_service()), "account:a1");
        }
        _ => {}
    }
    require_desktop_session();
    let dir = tempfile::tempdir().unwrap();
    let service = unique_service("locked");
    // 1. In a session with the keyring unlocked, store a secret (this creates the keyring file).
    run_child(
        NAME,
        "locked-prepare",
        &service,
        &["dbus-run-session", "--", "sh", "-c", UNLOCKED_SESSION],
        |cmd| isolated_desktop_env(cmd, dir.path()),
    );
    // 2. In a new session over the same keyring files, nobody unlocks it.
    run_child(NAME, "locked", &service, &["dbus-run-session", "--"], |cmd| {
        isolated_desktop_env(cmd, dir.path())
    });
}

#[test]
fn a_restarted_keychain_is_reached_again() {
    // The daemon restarts (after a crash, say): the session the process had with it is gone,
    // and the next call must open a new one rather than fail.
    const NAME: &str = "a_restarted_keychain_is_reached_again";
    if child_mode().as_deref() == Some("restart") {
        let store = KeyringSecrets::new(child_service());
        store.set("account:a1", "stored before the restart").unwrap();
        let old =
            std::env::var("SIPSTORY_TEST_KEYRING_PID").expect("the session names its keyring");
        assert!(Command::new("kill").arg(&old).status().unwrap().success());
        wait_for_secret_service(false);
        let mut daemon = unlocked_keyring_daemon();
        wait_for_secret_service(true);

        let read = store.get("account:a1");
        store.set("account:a1", "stored after the restart").unwrap();
        let reread = store.get("account:a1");
        let _ = daemon.kill();
        let _ = daemon.wait();
        assert_eq!(read.unwrap().as_deref(), Some("stored before the restart"));
        assert_eq!(reread.unwrap().as_deref(), Some("stored after the restart"));
        println!("{CHILD_OK}");
        return;
    }
    require_desktop_session();
    let dir = tempfile::tempdir().unwrap();
    run_child(
        NAME,
        "restart",
        &unique_service("restart"),
        &["dbus-run-session", "--", "sh", "-c", UNLOCKED_SESSION],
        |cmd| isolated_desktop_env(cmd, dir.path()),
    );
}

/// A gnome-keyring daemon of this session, its login keyring unlocked with the password "ci".
fn unlocked_keyring_daemon() -> std::process::Child {
    use std::io::Write;
    let mut daemon = Command::new("gnome-keyring-daemon")
        .args(["--foreground", "--unlock", "--components=secrets"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("gnome-keyring-daemon starts");
    daemon.stdin.take().unwrap().write_all(b"ci").unwrap();
    daemon
}

/// Waits until the Secret Service's bus name has an owner (`true`) or has none (`false`).
fn wait_for_secret_service(owned: bool) {
    for _ in 0..200 {
        let reply = bus_call("org.freedesktop.DBus.NameHasOwner", Some("org.freedesktop.secrets"));
        if reply.contains("true") == owned {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the Secret Service's bus name did not become {}", if owned { "owned" } else { "free" });
}
