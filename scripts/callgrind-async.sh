#!/usr/bin/env bash
# Instructions and heap allocations per request of an `async fn` hook, a
# synchronous hook and the hand-written pend/post path (with raw iis-sys
# baselines of both host trips, and a control), all in one callgrind run
# (tests/benches/callgrind_async.rs says what is driven; docs/benchmarks.md,
# section 5, has the method and results).
#
#   scripts/callgrind-async.sh [--with-malloc] [--breakdown]
#
# Builds the bench binary (bench profile) and runs it once under
# `valgrind --tool=callgrind` with `--bench`, collecting only inside the
# seven `callgrind_async_*` functions (each makes one whole iis-host
# request on the bench's thread) and not inside glibc's malloc family
# (toggled off there: its cost per call depends on the heap's history, and
# the bench counts the allocations instead). It prints each module's
# inclusive instructions per request, the allocations per request the
# binary counted in the same run, and both against the synchronous hook.
#
#   --with-malloc  one more run with glibc's allocator counted too
#   --breakdown    one more run per SDK module (alone, cold start included):
#                  the instructions of its entry points, host calls made
#                  there included
#
# Instruction counts do not depend on the machine's load: the same build
# gives the same figures on every run. Bounded: about 5 s per valgrind run
# after a warm build (a cold build of the bench profile takes a few minutes
# on 2 CPUs); each run is limited to 300 s.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
NAME=callgrind-async.sh
WITH_MALLOC=0
BREAKDOWN=0
for arg in "$@"; do
    case "$arg" in
    --with-malloc) WITH_MALLOC=1 ;;
    --breakdown) BREAKDOWN=1 ;;
    *) echo "usage: $NAME [--with-malloc] [--breakdown]" >&2; exit 2 ;;
    esac
done
command -v valgrind >/dev/null || { echo "$NAME: valgrind is not installed" >&2; exit 2; }
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

bench="$(scripts/bench-binary.sh callgrind_async)"

# The modules (as the bench names them), in table order, and what each is.
SUBJECTS=(sync pend_post async_ready async_wait raw_sync raw_pend_post sync_again)
declare -A LABEL=(
    [sync]="sync hook"
    [pend_post]="pend/post: cx.pend(), post(0), on_async_completion"
    [async_ready]="async fn, ready at the first poll"
    [async_wait]="async fn, waits once (PostCompletion)"
    [raw_sync]="raw iis-sys, sync"
    [raw_pend_post]="raw iis-sys, PostCompletion + PENDING"
    [sync_again]="control: sync hook again, another host"
)
# The measured function of each module.
declare -A FN=(
    [sync]=callgrind_async_sync
    [pend_post]=callgrind_async_pend_post
    [async_ready]=callgrind_async_ready
    [async_wait]=callgrind_async_wait
    [raw_sync]=callgrind_async_raw_sync
    [raw_pend_post]=callgrind_async_raw_pend_post
    [sync_again]=callgrind_async_sync_again
)
# glibc's allocator entry points (Rust's global allocator ends in these).
ALLOCATOR=(malloc free calloc realloc posix_memalign aligned_alloc memalign)

# run TAG WITH_ALLOCATOR FUNCTION... -- BENCH_ARGS...: the bench under
# callgrind, collecting inside the functions (and, unless WITH_ALLOCATOR is
# 1, not inside the allocator); leaves run.txt and annotated.txt in $OUT/TAG.
run() {
    local tag="$1" with_allocator="$2"
    shift 2
    local toggles=()
    while [ "$1" != -- ]; do toggles+=("--toggle-collect=$1"); shift; done
    shift
    if [ "$with_allocator" = 0 ]; then
        for f in "${ALLOCATOR[@]}"; do toggles+=("--toggle-collect=$f"); done
    fi
    mkdir -p "$OUT/$tag"
    timeout 300 valgrind --tool=callgrind --callgrind-out-file="$OUT/$tag/callgrind.out" \
        --collect-atstart=no "${toggles[@]}" "$bench" --bench "$@" \
        >"$OUT/$tag/run.txt" 2>"$OUT/$tag/valgrind.txt" || {
        cat "$OUT/$tag/run.txt" "$OUT/$tag/valgrind.txt" >&2
        echo "$NAME: the run under valgrind failed" >&2
        exit 1
    }
    callgrind_annotate --inclusive=yes --threshold=100 "$OUT/$tag/callgrind.out" \
        >"$OUT/$tag/annotated.txt"
}

# inclusive TAG FUNCTION: its inclusive instruction count (empty if absent).
inclusive() {
    { grep -E ":$2( |$)" "$OUT/$1/annotated.txt" || true; } | head -n 1 |
        awk '{gsub(",", "", $1); print $1}'
}

# rounds TAG: the rounds the bench ran.
rounds_of() {
    grep -o 'rounds=[0-9]*' "$OUT/$1/run.txt" | head -n 1 | cut -d= -f2
}

# per_request TAG: fills instr[] with each module's instructions per request.
declare -A instr=()
per_request() {
    local rounds total
    rounds="$(rounds_of "$1")"
    [ -n "$rounds" ] && [ "$rounds" -gt 0 ] || { echo "$NAME: no round count in $1" >&2; exit 1; }
    for s in "${SUBJECTS[@]}"; do
        total="$(inclusive "$1" "${FN[$s]}")"
        [ -n "$total" ] || { echo "$NAME: no count for ${FN[$s]}" >&2; exit 1; }
        instr[$s]=$((total / rounds))
    done
}

functions=()
for s in "${SUBJECTS[@]}"; do functions+=("${FN[$s]}"); done
run main 0 "${functions[@]}" --
per_request main
rounds="$(rounds_of main)"
declare -A allocs=() allocs_process=()
for s in "${SUBJECTS[@]}"; do
    allocs[$s]="$(awk -v s="$s" '$1 == "allocations" && $2 == s { print $3 }' "$OUT/main/run.txt")"
    allocs_process[$s]="$(awk -v s="$s" '$1 == "allocations" && $2 == s { print $5 }' "$OUT/main/run.txt" | tr -d ')')"
    [ -n "${allocs[$s]}" ] || { echo "$NAME: no allocation count for $s" >&2; exit 1; }
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
delta() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+g", a - b }'; }

commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
dirty="$(git status --porcelain --untracked-files=no 2>/dev/null | head -n 1)"
echo "callgrind: whole iis-host requests, $rounds per module, interleaved, one run" \
    "(commit $commit${dirty:+, with local changes})"
sed -n 1p "$OUT/main/run.txt"
echo "instructions per request outside glibc's malloc/free; heap allocations per request"
printf '  %-52s %9s %7s %7s %8s %6s\n' module instr/req "x sync" delta allocs delta
for s in "${SUBJECTS[@]}"; do
    printf '  %-52s %9s %7s %7s %8s %6s\n' "${LABEL[$s]}" "${instr[$s]}" \
        "$(ratio "${instr[$s]}" "${instr[sync]}")" "$(delta "${instr[$s]}" "${instr[sync]}")" \
        "${allocs[$s]}" "$(delta "${allocs[$s]}" "${allocs[sync]}")"
done
for s in "${SUBJECTS[@]}"; do
    [ "${allocs[$s]}" = "${allocs_process[$s]}" ] ||
        echo "  note: $s: ${allocs_process[$s]} allocations per request process-wide," \
            "${allocs[$s]} on the request's thread"
done
echo "the SDK's part: SDK module - raw module on the same host trip"
for pair in sync:raw_sync async_ready:raw_sync pend_post:raw_pend_post async_wait:raw_pend_post; do
    s="${pair%%:*}"
    r="${pair##*:}"
    printf '  %-28s %+6d instructions %+6g allocations\n' "$s - $r" \
        $((instr[$s] - instr[$r])) "$(delta "${allocs[$s]}" "${allocs[$r]}")"
done
printf '  %-28s %+6d instructions %+6g allocations\n' \
    "host trip (raw_pend_post - raw_sync)" $((instr[raw_pend_post] - instr[raw_sync])) \
    "$(delta "${allocs[raw_pend_post]}" "${allocs[raw_sync]}")"
printf '  %-28s %+6d instructions %+6g allocations\n' \
    "control (sync_again - sync)" $((instr[sync_again] - instr[sync])) \
    "$(delta "${allocs[sync_again]}" "${allocs[sync]}")"

if [ "$WITH_MALLOC" = 1 ]; then
    declare -A outside=()
    for s in "${SUBJECTS[@]}"; do outside[$s]="${instr[$s]}"; done
    run malloc 1 "${functions[@]}" --
    per_request malloc
    echo
    echo "second run, glibc's allocator counted too (its cost depends on the heap's history)"
    printf '  %-52s %9s %7s %9s\n' module instr/req "x sync" "in malloc"
    for s in "${SUBJECTS[@]}"; do
        printf '  %-52s %9s %7s %9s\n' "${LABEL[$s]}" "${instr[$s]}" \
            "$(ratio "${instr[$s]}" "${instr[sync]}")" $((instr[$s] - outside[$s]))
    done
fi

[ "$BREAKDOWN" = 1 ] || exit 0

# One run per SDK module, alone: inside a shared run the SDK's entry points
# of every module have the same names, and callgrind adds them up.
ENTRY_POINTS=(
    "GetHttpModule|iis_module::glue::request::get_http_module"
    "OnExecuteRequestHandler|iis_module::request::module::on_execute_request_handler"
    "OnAsyncCompletion|iis_module::glue::request::on_async_completion"
    "Dispose|iis_module::glue::request::dispose"
    "Waker::wake (from the client)|iis_module::task::waker::wake"
    "  in these: task::step|iis_module::task::step"
    "  in these: task::end|iis_module::task::end"
    "  in these: watch_disconnect|iis_module::request::context::HttpContext::watch_disconnect"
)
SDK=(sync pend_post async_ready async_wait)
for s in "${SDK[@]}"; do run "only_$s" 0 "${FN[$s]}" -- --only "$s"; done
echo
echo "breakdown: instructions per request in the SDK's entry points (host calls made there"
echo "included, glibc's malloc/free not), each module alone, cold start included"
printf '  %-36s' ""
for s in "${SDK[@]}"; do printf ' %11s' "$s"; done
echo
for entry in "${ENTRY_POINTS[@]}"; do
    label="${entry%%|*}"
    symbol="${entry#*|}"
    printf '  %-36s' "$label"
    for s in "${SDK[@]}"; do
        total="$(inclusive "only_$s" "$symbol")"
        if [ -n "$total" ]; then
            printf ' %11d' $((total / $(rounds_of "only_$s")))
        else
            printf ' %11s' -
        fi
    done
    echo
done
printf '  %-36s' "whole request (alone)"
for s in "${SDK[@]}"; do
    printf ' %11d' $(($(inclusive "only_$s" "${FN[$s]}") / $(rounds_of "only_$s")))
done
echo
