#!/usr/bin/env bash
# THE run command: sets the machine up (scripts/setup.sh: system packages, the UI build), then
# builds and opens the Sipstory desktop app (release build; the first one takes a while).
# Arguments are passed to it (e.g. --hidden starts in the tray).
# Works from any directory; relative paths in the arguments are relative to where you are.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Set-up chatter goes to stderr so the engine's stdout stays its own.
"$ROOT/scripts/setup.sh" >&2

# shellcheck source=env.sh
source "$ROOT/scripts/env.sh"
LOCKED=()
[ -f "$ROOT/Cargo.lock" ] && LOCKED=(--locked)

exec cargo run --release "${LOCKED[@]}" --manifest-path "$ROOT/Cargo.toml" -p sipstory-desktop -- "$@"
