#!/usr/bin/env bash
# Installs schemathesis (the OpenAPI contract tester the local API's suite runs) into a venv
# cached under ~/.cache/sipstory/. Idempotent: a warm run only checks the installed version.
set -euo pipefail

VERSION="4.32.5"
VENV="$HOME/.cache/sipstory/venv-schemathesis"

say() { printf 'setup: %s\n' "$*"; }

if [ -x "$VENV/bin/st" ] && [ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null)" = "$VERSION" ]; then
    say "schemathesis $VERSION: cached"
    exit 0
fi
command -v python3 >/dev/null 2>&1 || { echo "setup: error: schemathesis needs python3 (with venv)" >&2; exit 1; }
say "schemathesis $VERSION: installing into $VENV"
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION"
say "schemathesis $VERSION: installed"
