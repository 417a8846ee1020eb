#!/usr/bin/env bash
# Instructions per request in a module's entry points, SDK vs raw, counted
# by callgrind in one run (tests/benches/callgrind_dispatch.rs says what is
# driven; docs/benchmarks.md has the method and results).
#
#   scripts/callgrind-dispatch.sh
#
# Builds the bench binary and the reset_connection cdylib (release profile),
# runs the binary once under `valgrind --tool=callgrind`, collecting only
# inside the five `callgrind_*` driver functions, and prints each one's
# inclusive instruction count per call and the SDK/raw ratios. Instruction
# counts do not depend on the machine's load, so the figures repeat exactly
# from run to run of the same build. Bounded: ~2 s under valgrind after a
# warm build (a cold release build takes a few minutes on 2 CPUs).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
command -v valgrind >/dev/null || { echo "callgrind-dispatch.sh: valgrind is not installed" >&2; exit 2; }

ROUNDS=2000 # tests/benches/callgrind_dispatch.rs: ROUNDS
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

# The module the bench loads, as its release build ships it.
cargo build -q --release -p reset_connection
bench="$(scripts/bench-binary.sh callgrind_dispatch)"

FUNCS=(sdk_request raw_request sdk_empty raw_empty raw_empty_views)
toggles=()
for f in "${FUNCS[@]}"; do toggles+=("--toggle-collect=callgrind_$f"); done
timeout 300 valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out" \
    --collect-atstart=no "${toggles[@]}" "$bench" >"$OUT/run.txt" 2>"$OUT/valgrind.txt" || {
    cat "$OUT/run.txt" "$OUT/valgrind.txt" >&2
    exit 1
}

declare -A per_call=()
annotated="$(callgrind_annotate --inclusive=yes --threshold=100 "$OUT/callgrind.out")"
for f in "${FUNCS[@]}"; do
    total="$(printf '%s\n' "$annotated" | grep -E ":callgrind_$f( |$)" | head -n 1 |
        awk '{gsub(",", "", $1); print $1}')"
    [ -n "$total" ] || { echo "callgrind-dispatch.sh: no count for callgrind_$f" >&2; exit 1; }
    per_call[$f]=$((total / ROUNDS))
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "callgrind: instructions per call, $ROUNDS calls each, one run ($(sed -n 1p "$OUT/run.txt" | cut -c1-60)...)"
printf '  %-58s %7s\n' \
    "request, SDK reset_connection cdylib" "${per_call[sdk_request]}" \
    "request, raw reset_connection (hand-written vtables)" "${per_call[raw_request]}" \
    "empty OnBeginRequest, SDK" "${per_call[sdk_empty]}" \
    "empty OnBeginRequest, raw thunk" "${per_call[raw_empty]}" \
    "empty OnBeginRequest, raw thunk + GetRequest/GetResponse" "${per_call[raw_empty_views]}"
echo "  (request = GetHttpModule + OnSendResponse + Dispose, host calls included)"
echo "ratio request SDK/raw:                    $(ratio "${per_call[sdk_request]}" "${per_call[raw_request]}")"
echo "ratio empty hook SDK/raw thunk:           $(ratio "${per_call[sdk_empty]}" "${per_call[raw_empty]}")"
echo "ratio empty hook SDK/raw thunk + getters: $(ratio "${per_call[sdk_empty]}" "${per_call[raw_empty_views]}")"
