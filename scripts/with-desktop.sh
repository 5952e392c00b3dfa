#!/usr/bin/env bash
# Usage: scripts/with-desktop.sh CMD [ARGS...]
#
# Runs CMD inside a private, throw-away desktop session, for tests that need real desktop
# services:
#   - temp dirs for XDG_RUNTIME_DIR (mode 700), XDG_DATA_HOME, XDG_CONFIG_HOME, XDG_CACHE_HOME
#     (HOME and CARGO_TARGET_DIR stay as they are, so the build cache is reused);
#   - an Xvfb display (1280x800x24) on a free display number;
#   - a private D-Bus session bus (dbus-run-session);
#   - gnome-keyring's Secret Service with an unlocked login keyring (password "ci");
#   - the dunst notification daemon, started explicitly and waited for.
# Services the bus starts on demand (D-Bus activation) do not get the display, so nothing can
# wait on a window nobody sees (e.g. a keychain unlock prompt fails at once instead).
# Exits with CMD's exit code. Everything started here is stopped and the temp dirs are removed
# at the end. Sets SIPSTORY_DESKTOP_SESSION=1 so tests can tell they run inside it.
#
# Implementation: the script runs in two stages. The outer stage makes the temp dirs and the X
# display, then re-runs this script as the inner stage inside `dbus-run-session`, which starts
# the keyring and dunst, runs CMD and stops them again.
set -euo pipefail

SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"

say() { printf 'with-desktop: %s\n' "$*" >&2; }
die() { printf 'with-desktop: error: %s\n' "$*" >&2; exit 1; }

# Asks the bus daemon (without D-Bus-activating anything) whether a name has an owner.
bus_has_owner() {
    dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner "string:$1" 2>/dev/null | grep -q true
}

# The pid of the process owning a bus name, or nothing.
bus_owner_pid() {
    dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.GetConnectionUnixProcessID "string:$1" 2>/dev/null | awk '{ print $2 }'
}

# ---------------------------------------------------------------------------------------------
# Inner stage: inside dbus-run-session, with the XDG dirs already set.
if [ "${_SIPSTORY_WITH_DESKTOP_STAGE:-}" = inner ]; then
    unset _SIPSTORY_WITH_DESKTOP_STAGE
    dunst_pid=""
    keyring_pid=""
    stop_services() {
        [ -n "$dunst_pid" ] && kill "$dunst_pid" 2>/dev/null && wait "$dunst_pid" 2>/dev/null
        [ -n "$keyring_pid" ] && kill "$keyring_pid" 2>/dev/null && wait "$keyring_pid" 2>/dev/null
        return 0
    }
    trap stop_services EXIT

    # gnome-keyring: the Secret Service, with the login keyring created (first run) and
    # unlocked with a known password, read from stdin. It runs in the foreground as our child,
    # so it is ours to stop and its log is kept; we wait until it owns its bus name.
    keyring_log="$XDG_CACHE_HOME/gnome-keyring.log"
    printf ci | gnome-keyring-daemon --foreground --unlock --components=secrets >"$keyring_log" 2>&1 &
    keyring_pid=$!
    for _ in $(seq 200); do
        [ "$(bus_owner_pid org.freedesktop.secrets)" = "$keyring_pid" ] && break
        kill -0 "$keyring_pid" 2>/dev/null || { cat "$keyring_log" >&2; die "gnome-keyring exited at start"; }
        sleep 0.05
    done
    [ "$(bus_owner_pid org.freedesktop.secrets)" = "$keyring_pid" ] \
        || { cat "$keyring_log" >&2; die "gnome-keyring did not appear on the session bus"; }
    export GNOME_KEYRING_CONTROL="$XDG_RUNTIME_DIR/keyring"

    # dunst: started explicitly (not D-Bus-activated) so it is ours to stop.
    dunst_log="$XDG_CACHE_HOME/dunst.log"
    DISPLAY="$_SIPSTORY_WITH_DESKTOP_DISPLAY" dunst >"$dunst_log" 2>&1 &
    dunst_pid=$!
    for _ in $(seq 200); do
        bus_has_owner org.freedesktop.Notifications && break
        kill -0 "$dunst_pid" 2>/dev/null || { cat "$dunst_log" >&2; die "dunst exited at start"; }
        sleep 0.05
    done
    bus_has_owner org.freedesktop.Notifications || { cat "$dunst_log" >&2; die "dunst did not appear on the session bus"; }

    # The display only now: D-Bus-activated services (started by the bus daemon, which does not
    # have it) then cannot open windows, so e.g. a keychain unlock prompt fails at once instead
    # of waiting forever for a click on the invisible screen.
    export DISPLAY="$_SIPSTORY_WITH_DESKTOP_DISPLAY"
    unset _SIPSTORY_WITH_DESKTOP_DISPLAY
    export SIPSTORY_DESKTOP_SESSION=1
    set +e
    "$@"
    rc=$?
    set -e
    if ! kill -0 "$keyring_pid" 2>/dev/null; then
        say "gnome-keyring died while CMD ran; its log:"
        cat "$keyring_log" >&2
        keyring_pid=""
    fi
    exit "$rc"
fi

# ---------------------------------------------------------------------------------------------
# Outer stage.
[ "$#" -gt 0 ] || die "usage: scripts/with-desktop.sh CMD [ARGS...]"
for tool in Xvfb dbus-run-session dbus-send gnome-keyring-daemon dunst dunstctl; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is missing: run scripts/setup.sh first"
done

tmp="$(mktemp -d "${TMPDIR:-/tmp}/sipstory-desktop.XXXXXX")"
xvfb_pid=""
cleanup() {
    if [ -n "$xvfb_pid" ]; then
        kill "$xvfb_pid" 2>/dev/null || true
        wait "$xvfb_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$tmp/runtime" "$tmp/data" "$tmp/config" "$tmp/cache"
chmod 700 "$tmp/runtime"
export XDG_RUNTIME_DIR="$tmp/runtime" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" \
    XDG_CACHE_HOME="$tmp/cache"
# Nothing of a surrounding desktop session may leak in.
unset DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL SSH_AUTH_SOCK WAYLAND_DISPLAY DISPLAY \
    XAUTHORITY SIPSTORY_DESKTOP_SESSION

# Xvfb picks a free display number itself (-displayfd), so concurrent runs never race for one,
# and writes it once it accepts connections.
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$tmp/display" >"$tmp/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 200); do
    grep -q '^[0-9][0-9]*$' "$tmp/display" 2>/dev/null && break
    kill -0 "$xvfb_pid" 2>/dev/null || { cat "$tmp/xvfb.log" >&2; die "Xvfb exited at start"; }
    sleep 0.05
done
grep -q '^[0-9][0-9]*$' "$tmp/display" || { cat "$tmp/xvfb.log" >&2; die "Xvfb did not start"; }

set +e
_SIPSTORY_WITH_DESKTOP_STAGE=inner _SIPSTORY_WITH_DESKTOP_DISPLAY=":$(cat "$tmp/display")" \
    dbus-run-session -- "$SELF" "$@"
rc=$?
set -e
exit "$rc"
