#!/usr/bin/env bash
# Checks that every published crate builds with the oldest compiler its
# `rust-version` claims: installs that toolchain with rustup (minimal
# profile) and runs `cargo +VERSION check -p CRATE --all-features` with it.
# Together with clippy's `incompatible_msrv` lint (which reads `rust-version`
# and runs in CI's clippy step) this keeps the declared MSRV true: the
# language features, the std APIs and the dependencies' own `rust-version`.
#
#   scripts/msrv-check.sh
#
# Builds into target/msrv (a separate dir: artifacts of different compilers
# don't mix). Prints one line per crate; exits 1 if any fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# name<TAB>rust-version of each publishable member, from cargo's metadata.
plan="$(cargo metadata --no-deps --format-version 1 | python3 -c '
import json, sys
for p in json.load(sys.stdin)["packages"]:
    if p.get("publish") != []:
        print(p["name"], p.get("rust_version") or "", sep="\t")
')"

results=()
failed=0
while IFS=$'\t' read -r name version; do
    if [ -z "$version" ]; then
        results+=("msrv $name: FAILED: no rust-version declared")
        failed=1
        continue
    fi
    if ! rustup run "$version" rustc --version >/dev/null 2>&1; then
        rustup toolchain install "$version" --profile minimal --no-self-update >/dev/null
    fi
    start=$SECONDS
    if cargo "+$version" check -q -p "$name" --all-features --target-dir target/msrv; then
        results+=("msrv $name: builds with Rust $version, its rust-version ($((SECONDS - start)) s)")
    else
        results+=("msrv $name: FAILED with Rust $version, its rust-version")
        failed=1
    fi
done <<<"$plan"

printf '%s\n' "${results[@]}"
exit "$failed"
