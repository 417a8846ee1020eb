#!/usr/bin/env bash
# Type-checks the workspace for the Windows MSVC targets (x64 and 32-bit x86,
# whose `thiscall` vtables only compile there) from this Linux machine.
# `cargo check` needs no linker, so no MSVC is involved; std for the target is
# rebuilt from Debian's rust-web-src (see scripts/windows/env.sh).
#
#   scripts/cross-check.sh [extra cargo check args...]
#
# Exits non-zero if any target fails. Timing here: ~45-50 s per target the
# first time (std is compiled once per target), a few seconds afterwards.
set -euo pipefail

# xtask is a host-only code generator (windows-bindgen), not part of the SDK.
PACKAGES="--workspace --exclude xtask"
TARGETS="x86_64-pc-windows-msvc i686-pc-windows-msvc"

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source-path=SCRIPTDIR source=windows/env.sh
. scripts/windows/env.sh

summary=()
failed=0
for target in $TARGETS; do
    start=$SECONDS
    # shellcheck disable=SC2086 # PACKAGES is a word list on purpose
    if cargo check -Zbuild-std --target "$target" --target-dir "$WIN_TARGET_DIR" \
        $PACKAGES "$@"; then
        summary+=("cross-check $target: ok ($((SECONDS - start)) s)")
    else
        summary+=("cross-check $target: FAILED ($((SECONDS - start)) s)")
        failed=1
    fi
done
printf '%s\n' "${summary[@]}"
exit "$failed"
