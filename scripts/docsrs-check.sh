#!/usr/bin/env bash
# Builds the documentation of every published crate as docs.rs does, and
# fails on any rustdoc warning:
#
#   - for the crate's docs.rs default target (`[package.metadata.docs.rs]
#     default-target`, else x86_64-unknown-linux-gnu), with the features
#     that metadata names (`all-features`, `features`);
#   - with `--cfg docsrs` and an unstable-enabled rustdoc (docs.rs uses
#     nightly), so `#![cfg_attr(docsrs, feature(doc_cfg))]` is exercised and
#     cfg-gated items get their badges.
#
#   scripts/docsrs-check.sh
#
# Windows targets use Debian's rustdoc with std rebuilt from source (the
# route of scripts/cross-check.sh, via scripts/windows/env.sh); Linux targets
# use rustup's toolchain with RUSTC_BOOTSTRAP=1. Output goes to the usual
# target dirs (target/, target-windows/). Prints one line per crate.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# name<TAB>default target<TAB>cargo feature flags, for each publishable
# member (`publish` not false), read from cargo's metadata.
plan="$(cargo metadata --no-deps --format-version 1 | python3 -c '
import json, sys
meta = json.load(sys.stdin)
for p in meta["packages"]:
    if p.get("publish") == []:
        continue
    rs = (p.get("metadata") or {}).get("docs", {}).get("rs", {})
    target = rs.get("default-target", "x86_64-unknown-linux-gnu")
    flags = []
    if rs.get("all-features"):
        flags.append("--all-features")
    elif rs.get("features"):
        flags.append("--features=" + ",".join(rs["features"]))
    if rs.get("no-default-features"):
        flags.append("--no-default-features")
    print(p["name"], target, " ".join(flags), sep="\t")
')"

results=()
failed=0
while IFS=$'\t' read -r name target flags; do
    start=$SECONDS
    # shellcheck disable=SC2086 # $flags is a word list on purpose
    case "$target" in
        *-windows-*)
            ok=0
            (
                # shellcheck source-path=SCRIPTDIR source=windows/env.sh
                . scripts/windows/env.sh
                RUSTDOCFLAGS="--cfg docsrs -Dwarnings" \
                    cargo doc -Zbuild-std --no-deps -p "$name" --target "$target" $flags
            ) && ok=1
            ;;
        *)
            ok=0
            RUSTC_BOOTSTRAP=1 RUSTDOCFLAGS="--cfg docsrs -Dwarnings" \
                cargo doc --no-deps -p "$name" --target "$target" $flags && ok=1
            ;;
    esac
    if [ "$ok" = 1 ]; then
        results+=("docs.rs-like build $name ($target${flags:+ $flags}): ok ($((SECONDS - start)) s)")
    else
        results+=("docs.rs-like build $name ($target${flags:+ $flags}): FAILED")
        failed=1
    fi
done <<<"$plan"

printf '%s\n' "${results[@]}"
exit "$failed"
