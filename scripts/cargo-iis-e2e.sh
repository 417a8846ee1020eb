#!/usr/bin/env bash
# cargo iis, end to end, as a user meets it (issue 17):
#
#   1. `cargo iis new` makes a module crate (SDK: this checkout, --sdk-path);
#   2. `cargo test` in it passes (its test loads the module through iis-host);
#   3. `cargo iis serve --watch` answers curl;
#   4. an edit of src/lib.rs is served by the same process, rebuilt and
#      reloaded without a restart;
#   5. a broken edit prints the compiler's error and the last good build
#      keeps serving; fixing it serves again;
#   6. Ctrl-C stops it cleanly.
#
#   scripts/cargo-iis-e2e.sh
#
# The crate goes to a temporary directory (removed afterwards); builds go to
# $CARGO_TARGET_DIR or this workspace's target/, so the SDK's dependencies
# compiled for the workspace are reused. Every wait is bounded, the whole
# run too (20 minutes). Timing here (2 CPUs, shared): about 10 s when the
# target dir already holds the SDK as the new crate builds it; about 1.5
# minutes when it must compile it (the new crate's first `cargo test`: 75 s).
# Needs cargo and curl.
set -euo pipefail

# Bound the whole run: a hung step must not hang CI.
if [ -z "${CARGO_IIS_E2E_BOUNDED:-}" ]; then
    export CARGO_IIS_E2E_BOUNDED=1
    exec timeout -k 10 1200 "$0" "$@"
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
START=$SECONDS
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

step() { printf '\n==> [%3d s] %s\n' "$((SECONDS - START))" "$*"; }
die() {
    printf 'cargo-iis-e2e: FAILED: %s\n' "$*" >&2
    if [ -n "${log:-}" ] && [ -f "$log.out" ]; then
        printf -- '--- serve stdout\n' >&2
        cat "$log.out" >&2
        printf -- '--- serve stderr\n' >&2
        cat "$log.err" >&2
    fi
    exit 1
}

work="$(mktemp -d)"
server=""
cleanup() {
    [ -z "$server" ] || kill -KILL "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "build cargo-iis (cargo build -p cargo-iis)"
(cd "$ROOT" && cargo build -q -p cargo-iis)
# `cargo iis` finds `cargo-iis` on the PATH, as after `cargo install`.
bin="$work/bin"
mkdir -p "$bin"
cp "$CARGO_TARGET_DIR/debug/cargo-iis" "$bin/"
export PATH="$bin:$PATH"

step "cargo iis new e2e-module --sdk-path $ROOT"
cd "$work"
cargo iis new e2e-module --sdk-path "$ROOT"
cd e2e-module
for f in Cargo.toml .cargo/config.toml README.md src/lib.rs tests/module.rs; do
    [ -f "$f" ] || die "cargo iis new did not write $f"
done

step "cargo test (in the new crate)"
timeout 900 cargo test || die "cargo test failed in the new crate"

# wait_for FILE TEXT SECONDS: until FILE has a line containing TEXT.
wait_for() {
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        grep -qF -- "$2" "$1" 2>/dev/null && return 0
        kill -0 "$server" 2>/dev/null || die "cargo iis serve exited while waiting for '$2'"
        sleep 0.1
    done
    die "no '$2' in $1 after $3 s"
}
# expect_body TEXT: GET /hello answers 200 with TEXT.
expect_body() {
    local body
    body="$(curl -sS --max-time 10 --fail "http://127.0.0.1:$port/hello")" ||
        die "curl http://127.0.0.1:$port/hello failed"
    [ "$body" = "$1" ] || die "GET /hello answered '$body', expected '$1'"
    echo "    GET /hello: $body"
}

step "cargo iis serve --watch"
log="$work/serve"
cargo iis serve --watch --listen 127.0.0.1:0 >"$log.out" 2>"$log.err" &
server=$!
wait_for "$log.out" "(build 1) on http://" 600
port="$(sed -n 's|.*(build 1) on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$log.out")"
[ -n "$port" ] || die "no port in: $(cat "$log.out")"
expect_body "Hello from Rust"

step "edit src/lib.rs: served by the same process after a rebuild"
sed -i 's/Hello from Rust/Hello from the edit/' src/lib.rs
wait_for "$log.out" "(build 2) on http://127.0.0.1:$port" 300
expect_body "Hello from the edit"
kill -0 "$server" || die "the server process is gone"

step "a broken edit: the compiler's error is printed, build 2 keeps serving"
sed -i 's/Ok(Flow::FinishRequest)$/Ok(Flow::FinishRequest) +/' src/lib.rs
wait_for "$log.err" "still serving build 2" 300
grep -q '^error' "$log.err" || die "the compiler's error was not printed"
grep -m 1 '^error' "$log.err" | sed 's/^/    compiler: /'
expect_body "Hello from the edit"

step "fix it: served again"
sed -i 's/Ok(Flow::FinishRequest) +$/Ok(Flow::FinishRequest)/' src/lib.rs
sed -i 's/Hello from the edit/Hello after the fix/' src/lib.rs
# Builds are numbered as they are attempted: 3 was the broken one.
wait_for "$log.out" "(build 4) on http://127.0.0.1:$port" 300
expect_body "Hello after the fix"

step "Ctrl-C"
kill -INT "$server"
for ((i = 0; i < 200; i++)); do
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
done
kill -0 "$server" 2>/dev/null && die "still running 20 s after SIGINT"
wait "$server" || die "cargo iis serve exited with $?"
server=""
grep -qx 'cargo iis serve: stopped' "$log.out" || die "no clean stop"

step "cargo iis e2e: PASS ($((SECONDS - START)) s)"
