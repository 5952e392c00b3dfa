# Sourced by the other scripts (and usable by hand: `source scripts/env.sh`).
# Sets where Sipstory's build cache lives. It deliberately does not `set -euo pipefail`, so
# sourcing it into an interactive shell does not change that shell's options.

# Everything Sipstory caches on this machine, outside the clone.
export SIPSTORY_CACHE="$HOME/.cache/sipstory"

# Cargo's target dir lives outside the clone so a fresh clone (CI) reuses the warm build
# instead of paying a cold build. An explicit CARGO_TARGET_DIR wins.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sipstory/target}"

# rustup installs cargo in ~/.cargo/bin; non-login shells (CI, cron) often lack it on PATH.
if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
fi
