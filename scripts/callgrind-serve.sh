#!/usr/bin/env bash
# User-space instructions per served request, iis-host against a hyper hello
# server, counted by callgrind in one run (docs/benchmarks.md section 2 has
# the method and results).
#
#   scripts/callgrind-serve.sh [CONNECTIONS]
#
# Builds the loopback_rps bench (bench profile) and the hello_world cdylib,
# then, for each server, runs it twice under `valgrind --tool=callgrind` in
# the bench's `serve` role while the same binary, outside valgrind, is the
# client: once for a short and once for a long round of keep-alive GETs.
# The difference of the two totals over the difference of the request
# counts is the cost of one request, start-up and shut-down cancelled out.
# Callgrind counts the server process alone, every thread, user space
# only; the counts do not depend on the machine's load. Bounded: about a
# minute after a warm build.
#
# CALLGRIND_SERVE_KEEP=DIR (opt-in) copies each round's callgrind output
# into DIR as SERVER.PER_CONNECTION.callgrind (e.g. iis-host.2000.callgrind
# for the long iis-host round), to read with
# `callgrind_annotate --inclusive=yes FILE` (inclusive) or without it
# (self cost).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
command -v valgrind >/dev/null || { echo "callgrind-serve.sh: valgrind is not installed" >&2; exit 2; }

CONNECTIONS="${1:-4}"
SHORT=500 # requests per connection, short round
LONG=2000 # requests per connection, long round
WARM_UP=200 # tests/benches/loopback_rps.rs: WARM_UP (each round sends it first)
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

cargo build -q --release -p hello_world
bench="$(scripts/bench-binary.sh loopback_rps)"

# instructions SERVER PER_CONNECTION: the server process's total Ir for one
# client round of CONNECTIONS x PER_CONNECTION requests (plus warm-up).
instructions() {
    local server="$1" n="$2" total out="$OUT/$1.$2"
    total=$((CONNECTIONS * (n + (WARM_UP < n ? WARM_UP : n))))
    mkfifo "$out.fifo"
    timeout 300 valgrind --tool=callgrind --callgrind-out-file="$out.callgrind" \
        "$bench" serve "$server" "$total" >"$out.fifo" 2>"$out.valgrind" &
    local pid=$! line addr
    exec 3<"$out.fifo"
    read -r line <&3 || { cat "$out.valgrind" >&2; exit 1; }
    addr="${line#listening }"
    timeout 300 "$bench" client "$addr" "$CONNECTIONS" "$n" >/dev/null
    wait "$pid" || { cat "$out.valgrind" >&2; exit 1; }
    exec 3<&-
    if [ -n "${CALLGRIND_SERVE_KEEP:-}" ]; then
        mkdir -p "$CALLGRIND_SERVE_KEEP"
        cp "$out.callgrind" "$CALLGRIND_SERVE_KEEP/$server.$n.callgrind"
    fi
    sed -n 's/^summary: *//p' "$out.callgrind" | awk '{print $1}'
}

declare -A per_request=()
for server in iis-host hyper; do
    short="$(instructions "$server" "$SHORT")"
    long="$(instructions "$server" "$LONG")"
    per_request[$server]=$(((long - short) / (CONNECTIONS * (LONG - SHORT))))
done

echo "callgrind: user-space instructions per served request, keep-alive GET / over loopback,"
echo "  $CONNECTIONS connection(s); (long round - short round) / $((CONNECTIONS * (LONG - SHORT))) requests"
printf '  %-10s %9s\n' iis-host "${per_request[iis-host]}" hyper "${per_request[hyper]}"
echo "ratio iis-host/hyper: $(awk -v a="${per_request[iis-host]}" -v b="${per_request[hyper]}" 'BEGIN { printf "%.2f", a / b }')"
