#!/usr/bin/env bash
# An axum Router inside IIS three ways, in one run: in-process through
# iis-tower, behind the reverse_proxy module, and axum::serve alone
# (tests/benches/axum_in_iis.rs says what is measured; docs/benchmarks.md,
# section 6, has the method and results).
#
#   scripts/axum-in-iis.sh [TIME_LIMIT_SECONDS]
#
# Builds the bench binary and the two module DLLs it loads (axum_app,
# reverse_proxy; release profile, as they ship), prints the commit and the
# machine's load, then runs the bench under `timeout` (default 600 s; the
# default plan takes 2-3 minutes on 2 CPUs). AXUM_IN_IIS_LOADS,
# AXUM_IN_IIS_ROUNDS and AXUM_IN_IIS_ONLY pass through to the bench.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
LIMIT="${1:-600}"

# The DLLs first (the bench would build them itself, inside its time), one
# package per build, as the bench builds them (iis_host::testing::build_cdylib):
# built together, cargo would unify their dependencies' features.
cargo build -q --release -p axum_app
cargo build -q --release -p reverse_proxy
cargo bench -q -p iis-module-tests --bench axum_in_iis --no-run

commit="$(git rev-parse --short HEAD)"
if ! git diff --quiet HEAD -- . 2>/dev/null; then
    commit="$commit (with uncommitted changes)"
fi
echo "commit: $commit"
echo "rustc: $(rustc --version)"
echo "CPUs: $(nproc)"

# `cargo bench` passes `--bench`; the bench prints the load average itself.
exec timeout --signal=INT --kill-after=10 "$LIMIT" \
    cargo bench -q -p iis-module-tests --bench axum_in_iis
