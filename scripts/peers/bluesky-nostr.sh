#!/usr/bin/env bash
# Installs the real servers the Bluesky and Nostr provider tests publish to, cached under
# $HOME/.cache/sipstory/peers/ (idempotent: a warm run only checks the markers):
#   - atproto-pds-0.4.217: @atproto/pds with @did-plc/server (npm), started per test by
#     tests/peers/pds.cjs with an in-memory PLC directory;
#   - nostr-relay-1.14: the PyPI relay `nostr-relay` in a venv.
# Tests start both on 127.0.0.1 with free ports and stop them (tests/src/peers/).
set -euo pipefail

PEERS="$HOME/.cache/sipstory/peers"
say() { printf 'setup: %s\n' "$*"; }

install_pds() {
    local dir="$PEERS/atproto-pds-0.4.217"
    if [ -f "$dir/.installed" ]; then
        say "bluesky PDS: cached"
        return
    fi
    command -v npm >/dev/null 2>&1 || { echo "setup: error: the Bluesky PDS needs Node.js 20+ and npm" >&2; exit 1; }
    say "bluesky PDS: npm install (once, ~6 min: better-sqlite3 builds from source)"
    rm -rf "$dir"
    mkdir -p "$dir"
    (cd "$dir" && printf '{"name":"sipstory-pds","private":true}\n' >package.json \
        && npm install --no-audit --no-fund @atproto/pds@0.4.217 @did-plc/server@0.0.1)
    touch "$dir/.installed"
}

install_relay() {
    local dir="$PEERS/nostr-relay-1.14"
    if [ -f "$dir/.installed" ]; then
        say "nostr relay: cached"
        return
    fi
    say "nostr relay: pip install nostr-relay==1.14 (once, ~1.5 min)"
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/pip" install --quiet nostr-relay==1.14
    touch "$dir/.installed"
}

install_pds
install_relay
