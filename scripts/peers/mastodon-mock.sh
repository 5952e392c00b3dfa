#!/usr/bin/env bash
# Installs the pinned PyPI `mastodon-mock` (a stateful fake of the Mastodon REST API) into a
# venv cached under $HOME/.cache/sipstory/peers/. Idempotent: a warm run only checks the stamp.
# The Mastodon tests start `$VENV/bin/mastodon_mock serve` themselves on a free 127.0.0.1 port.
set -euo pipefail

VERSION="0.6.1"
VENV="$HOME/.cache/sipstory/peers/mastodon-mock-$VERSION"
STAMP="$VENV/.sipstory-installed"

if [ -f "$STAMP" ] && [ -x "$VENV/bin/mastodon_mock" ]; then
    echo "setup: mastodon-mock $VERSION: cached"
    exit 0
fi
command -v python3 >/dev/null 2>&1 || { echo "setup: error: python3 is needed for mastodon-mock" >&2; exit 1; }
echo "setup: mastodon-mock $VERSION: installing into $VENV"
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "mastodon-mock==$VERSION"
touch "$STAMP"
