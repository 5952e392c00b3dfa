#!/usr/bin/env bash
# Idempotent set-up of a Debian/Ubuntu machine for building, running and testing Sipstory:
#   1. installs the system packages (see docs in /work/shared/desktop-testing.md) with apt,
#      skipping apt entirely when they are all installed already (a warm run takes ~1 s);
#   2. checks that a recent enough Rust toolchain (cargo) is available;
#   3. when the UI exists (ui/package.json), installs its npm dependencies and builds it.
# It exports nothing; scripts/env.sh holds the environment.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# 1. System packages.
# Build: WebKitGTK/Tauri, OpenSSL, D-Bus headers. Tests: Xvfb, a D-Bus session, gnome-keyring
# (Secret Service), dunst + libnotify (notifications), WebKitWebDriver, imagemagick, xdotool,
# libfaketime (a peer server's clock moved ahead in the hand-off tests).
# Never add dbus-x11: it makes GLib auto-launch session daemons that outlive the app.
PACKAGES=(
    libwebkit2gtk-4.1-dev build-essential pkg-config libssl-dev libayatana-appindicator3-dev
    librsvg2-dev libdbus-1-dev
    xvfb xauth dbus gnome-keyring keyutils dunst libnotify-bin webkit2gtk-driver imagemagick trayer
    xdotool faketime
    ca-certificates tzdata
)

missing_packages() {
    # Prints the packages from PACKAGES that are not fully installed, one per line.
    local installed
    installed="$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${PACKAGES[@]}" 2>/dev/null \
        | awk '$2 == "ii" { print $1 }' || true)"
    local p
    for p in "${PACKAGES[@]}"; do
        grep -qxF "$p" <<<"$installed" || echo "$p"
    done
}

install_packages() {
    command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 \
        || die "this script sets up Debian/Ubuntu (apt). Elsewhere install the equivalents of: ${PACKAGES[*]}"

    local missing
    missing="$(missing_packages)"
    if [ -z "$missing" ]; then
        say "system packages: all ${#PACKAGES[@]} installed"
        return
    fi

    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || die "not root and no sudo: install as root: ${missing//$'\n'/ }"
        sudo=(sudo)
    fi
    # shellcheck disable=SC2086  # word splitting of the package list is intended
    say "installing system packages: $(echo $missing)"
    local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600)
    "${apt[@]}" update
    # Install the whole list (not only the missing ones) so apt also repairs half-installed ones.
    if ! "${apt[@]}" install -y --no-install-recommends "${PACKAGES[@]}"; then
        # dpkg sometimes fails half-way on a fresh machine ("cannot access archive"): repair the
        # dpkg state and run the same install once more.
        say "apt-get install failed; retrying once"
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive dpkg --configure -a || true
        "${apt[@]}" install -y --no-install-recommends "${PACKAGES[@]}"
    fi
    missing="$(missing_packages)"
    [ -z "$missing" ] || die "still not installed after apt-get: ${missing//$'\n'/ }"
    say "system packages: installed"
}

# ---------------------------------------------------------------------------------------------
# 2. Rust toolchain. We do not install it ourselves: rustup is a per-user choice.
check_rust() {
    local cargo
    cargo="$(command -v cargo 2>/dev/null || true)"
    if [ -z "$cargo" ] && [ -x "$HOME/.cargo/bin/cargo" ]; then
        cargo="$HOME/.cargo/bin/cargo"
    fi
    if [ -z "$cargo" ]; then
        cat >&2 <<'EOF'
setup: error: cargo (Rust) is not installed. Install it with rustup:
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
    . "$HOME/.cargo/env"
then run this script again.
EOF
        exit 1
    fi
    # The workspace's rust-version (edition 2024 needs a recent toolchain).
    local want have
    want="$(sed -n 's/^rust-version *= *"\([0-9.]*\)".*/\1/p' "$ROOT/Cargo.toml" | head -n1)"
    have="$("$cargo" --version | awk '{ print $2 }' | sed 's/-.*//')"
    if [ -n "$want" ] && [ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -n1)" != "$want" ]; then
        die "cargo $have is older than the workspace's rust-version $want: run 'rustup update stable'"
    fi
    say "cargo $have"
}

# ---------------------------------------------------------------------------------------------
# 3. The web UI (only once ui/package.json exists).

# A checksum of the UI's npm manifests (package-lock.json may not exist).
manifest_sum() {
    { cat "$1/package.json"; cat "$1/package-lock.json" 2>/dev/null || true; } | sha256sum | cut -d' ' -f1
}

build_ui() {
    local ui="$ROOT/ui"
    if [ ! -f "$ui/package.json" ]; then
        say "no ui/package.json yet: skipping npm"
        return
    fi
    command -v npm >/dev/null 2>&1 || die "ui/ needs Node.js 20+ and npm (e.g. from https://nodejs.org or NodeSource)"
    # Reinstall dependencies only when the manifests changed since the last install.
    local stamp="$ui/node_modules/.sipstory-setup-stamp" sum
    mkdir -p "$ui/node_modules"
    sum="$(manifest_sum "$ui")"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
        say "ui: npm dependencies up to date"
    elif [ -f "$ui/package-lock.json" ]; then
        say "ui: npm ci"
        (cd "$ui" && npm ci --no-audit --no-fund)
        echo "$sum" >"$stamp"
    else
        say "ui: npm install (no package-lock.json)"
        (cd "$ui" && npm install --no-audit --no-fund)
        # npm install wrote a lock file: stamp what it produced.
        manifest_sum "$ui" >"$stamp"
    fi
    say "ui: npm run build"
    (cd "$ui" && npm run build)
}

# 4. tauri-driver, the WebDriver server for end-to-end tests of the real window (cached).
install_tauri_driver() {
    local root="$HOME/.cache/sipstory/tools"
    if [ -x "$root/bin/tauri-driver" ]; then
        say "tauri-driver: cached"
        return
    fi
    say "tauri-driver: cargo install (once, into $root)"
    cargo install tauri-driver --version '^2' --locked --root "$root"
}

install_packages
check_rust
build_ui
install_tauri_driver
"$ROOT/scripts/peers/mastodon-mock.sh"
"$ROOT/scripts/peers/schemathesis.sh"
# 5. The real servers the Bluesky and Nostr provider tests publish to (cached installs).
"$ROOT/scripts/peers/bluesky-nostr.sh"
