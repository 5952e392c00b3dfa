#!/usr/bin/env bash
# THE run command: sets the machine up (scripts/setup.sh), then builds and runs the Sipstory
# engine headless (sipstory-headless), which publishes due posts from the local queue until
# stopped. Arguments are passed to it. The desktop app replaces this once it lands.
# Works from any directory; relative paths in the arguments are relative to where you are.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Set-up chatter goes to stderr so the engine's stdout stays its own.
"$ROOT/scripts/setup.sh" >&2

# shellcheck source=env.sh
source "$ROOT/scripts/env.sh"
LOCKED=()
[ -f "$ROOT/Cargo.lock" ] && LOCKED=(--locked)

exec cargo run --release "${LOCKED[@]}" --manifest-path "$ROOT/Cargo.toml" -p sipstory-headless -- "$@"
