#!/usr/bin/env bash
# The local API's contract suite: starts the API on a temp data folder (the contract_server
# example of crates/api, built by scripts/test.sh) and runs schemathesis (installed by
# scripts/peers/schemathesis.sh) against it from the OpenAPI description the server
# generates: no 5xx, every answer matching the description. Run it inside
# scripts/with-desktop.sh (the engine uses the keychain). Exit code: schemathesis's.
# The analytics endpoints are left out: they answer 501 by design until a platform reports
# analytics.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=env.sh
source "$ROOT/scripts/env.sh"

ST="$SIPSTORY_CACHE/venv-schemathesis/bin/st"
SERVER="$CARGO_TARGET_DIR/debug/examples/contract_server"
[ -x "$ST" ] || { echo "api-contract: run scripts/setup.sh first (schemathesis)" >&2; exit 1; }
[ -x "$SERVER" ] || { echo "api-contract: build it first: cargo build -p sipstory-api --examples" >&2; exit 1; }

WORK="$(mktemp -d)"
"$SERVER" >"$WORK/ready" &
PID=$!
cleanup() {
    kill -TERM "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

for _ in $(seq 1 300); do
    [ -s "$WORK/ready" ] && break
    kill -0 "$PID" 2>/dev/null || { echo "api-contract: the server exited" >&2; exit 1; }
    sleep 0.1
done
read -r URL KEY <"$WORK/ready"

cd "$WORK"
"$ST" --no-color run "$URL/api/public/v1/openapi.json" \
    --header "Authorization: $KEY" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --exclude-path-regex '/analytics/' \
    --phases examples,coverage,fuzzing \
    --max-examples "${SIPSTORY_CONTRACT_EXAMPLES:-25}" \
    --workers 1 \
    --seed 1
