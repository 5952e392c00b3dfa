#!/usr/bin/env bash
# THE test command: sets the machine up (scripts/setup.sh), builds everything, then runs every
# test suite, the Rust tests inside a private desktop session (scripts/with-desktop.sh: Xvfb,
# D-Bus, unlocked gnome-keyring, dunst). Prints how long each phase took.
# Exit code: 0 when every suite passed; otherwise the exit code of the first suite that failed
# (all suites still run). A failed setup or build stops at once with its exit code.
# Works from any directory.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

now() { date +%s.%N; }
T_START="$(now)"
TIMINGS=()
# Records and prints how long a phase took: phase_done NAME START STATUS
phase_done() {
    local secs
    secs="$(awk -v a="$2" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')"
    TIMINGS+=("$(printf '%-28s %8ss  %s' "$1" "$secs" "$3")")
    printf '==> %s: %s in %ss\n' "$1" "$3" "$secs"
}

# 1. Machine set-up (system packages, toolchain check, UI build once there is a UI).
t="$(now)"
printf '==> setup\n'
"$ROOT/scripts/setup.sh"
phase_done setup "$t" ok

# shellcheck source=env.sh
source "$ROOT/scripts/env.sh"
LOCKED=()
[ -f "$ROOT/Cargo.lock" ] && LOCKED=(--locked)

# 2. Build every target (lib, bins, tests, examples, benches) once, so the test phase only runs.
t="$(now)"
printf '==> build (CARGO_TARGET_DIR=%s)\n' "$CARGO_TARGET_DIR"
# The minimal window is only the desktop benchmark's yardstick (see docs/BENCHMARKS.md).
cargo build --workspace --all-targets --exclude sipstory-desktop --exclude sipstory-minimal-window "${LOCKED[@]}"
# The desktop app as end-to-end tests drive it: with the loopback fake platform.
cargo build -p sipstory-desktop --features loopback-platform "${LOCKED[@]}"
export SIPSTORY_APP="$CARGO_TARGET_DIR/debug/sipstory"
export TAURI_DRIVER="$HOME/.cache/sipstory/tools/bin/tauri-driver"
phase_done build "$t" ok

# 3. Test suites. Each runs even when an earlier one failed; the first failure sets the exit code.
RC=0
# Runs one suite: suite NAME CMD...
suite() {
    local name="$1" status t
    shift
    t="$(now)"
    printf '==> test: %s\n' "$name"
    set +e
    "$@"
    status=$?
    set -e
    if [ "$status" -eq 0 ]; then
        phase_done "test: $name" "$t" ok
    else
        phase_done "test: $name" "$t" "FAILED (exit $status)"
        [ "$RC" -ne 0 ] || RC=$status
    fi
}

suite "ui unit tests (vitest)" npm --prefix "$ROOT/ui" test
suite "cargo test --workspace" "$ROOT/scripts/with-desktop.sh" cargo test --workspace --exclude sipstory-desktop --exclude sipstory-minimal-window "${LOCKED[@]}"

suite "local API contract (schemathesis)" "$ROOT/scripts/with-desktop.sh" "$ROOT/scripts/api-contract.sh"

# More suites go here, one `suite` line each.

# Summary.
printf '\n==> timings\n'
printf '  %s\n' "${TIMINGS[@]}"
printf '  %-28s %8ss\n' total "$(awk -v a="$T_START" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')"
if [ "$RC" -eq 0 ]; then
    printf '==> all tests passed\n'
else
    printf '==> TESTS FAILED (exit %s)\n' "$RC"
fi
exit "$RC"
