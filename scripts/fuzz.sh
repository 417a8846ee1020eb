#!/usr/bin/env bash
# Fuzzes iis-host's parsers of what a client sends (fuzz/, cargo fuzz with
# libFuzzer): `requests` (heads and bodies over a keep-alive connection's
# bytes), `chunked_body` (the chunked decoder and trailers) and `url` (the
# request-target split, percent-decoding and dot-segment removal, `Host`).
# Each target runs SECONDS (default 60) from its seeds (fuzz/seeds/<target>)
# into a scratch corpus. A panic, a broken invariant (the targets assert
# them: iis-host/src/http/fuzzing.rs) or an input that takes over 10 s
# fails the run; libFuzzer leaves the input in fuzz/artifacts/<target>/.
#
#   scripts/fuzz.sh [SECONDS]
#
# cargo fuzz passes nightly-only `-Z` flags; RUSTC_BOOTSTRAP=1 lets the
# stable toolchain take them. No sanitizer: the code under test is safe
# Rust, so AddressSanitizer would find nothing the panics don't, and it
# would slow the runs down.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for target in requests chunked_body url; do
    mkdir -p "$scratch/$target"
    echo "==> fuzz $target for ${seconds} s"
    cargo fuzz run --fuzz-dir fuzz --sanitizer none "$target" \
        "$scratch/$target" "fuzz/seeds/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        2>"$scratch/$target.log" || {
        tail -n 60 "$scratch/$target.log"
        echo "fuzz $target: FAILED (the input is in fuzz/artifacts/$target/)"
        exit 1
    }
    grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$scratch/$target.log" || true
    echo "fuzz $target: ok ($(find "$scratch/$target" -type f | wc -l) inputs in the corpus)"
done
