#!/usr/bin/env bash
# Cross-builds Windows DLLs/EXEs with mingw-w64 and copies them to OUTDIR.
#
#   scripts/windows/build.sh [--target TRIPLE] OUTDIR [cargo build args...]
#
#   --target   x86_64-pc-windows-gnu (default) or i686-pc-windows-gnu
#   OUTDIR     receives every .dll and .exe cargo reports as built
#   args       passed to `cargo build`: -p PKG, --workspace --exclude xtask,
#              --release, --manifest-path PATH, ...
#
# Only the -gnu targets can be linked here (there is no MSVC linker); the x64
# calling convention is the same for -gnu and -msvc, so vtable calls behave
# the same. Timing here: ~50 s the first time per target and profile (std is
# compiled from source), a few seconds incrementally.
set -euo pipefail

target=x86_64-pc-windows-gnu
if [ "${1:-}" = "--target" ]; then
    target="${2:?--target needs a value}"
    shift 2
fi
out="${1:?usage: build.sh [--target TRIPLE] OUTDIR [cargo build args...]}"
shift

# Resolve OUTDIR before sourcing env.sh, which only knows the repo root;
# cargo args like --manifest-path stay relative to the caller's cwd.
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# shellcheck source-path=SCRIPTDIR source=env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"

case "$target" in
    x86_64-pc-windows-gnu) ;;
    i686-pc-windows-gnu)
        if [ "$HAVE_MINGW32" != 1 ]; then
            echo "build.sh: no i686 mingw linker ($WIN32_REASON)" >&2
            exit 77
        fi
        win_build_rtstartup "$target"
        if [ -n "${RUSTFLAGS:-}${CARGO_ENCODED_RUSTFLAGS:-}" ]; then
            echo "build.sh: warning: RUSTFLAGS hides CARGO_TARGET_I686_PC_WINDOWS_GNU_RUSTFLAGS;" \
                "add '$CARGO_TARGET_I686_PC_WINDOWS_GNU_RUSTFLAGS' to it or linking fails on rsbegin.o" >&2
        fi
        ;;
    *-windows-msvc)
        echo "build.sh: $target cannot be linked here; use scripts/cross-check.sh to type-check it" >&2
        exit 2
        ;;
    *)
        echo "build.sh: unsupported target $target" >&2
        exit 2
        ;;
esac

# Cargo's JSON messages name every final artifact, fresh or rebuilt, so no
# guessing of file names or profile directories is needed. Diagnostics still
# go to stderr in human form.
json="$(mktemp)"
trap 'rm -f "$json"' EXIT
start=$SECONDS
# The std that rustup ships is built with its own workspace's profile, whose
# one override that changes a module's DLL is compiler_builtins' 10,000
# codegen units: every intrinsic in its own object, so the linker keeps only
# those called. -Zbuild-std applies the user's profile instead (one unit
# here), which links all of compiler_builtins' libm (about 30 KB of a
# module's DLL): set it as rust's library/Cargo.toml does.
cargo build -Zbuild-std --target "$target" --target-dir "$WIN_TARGET_DIR" \
    --config 'profile.release.package.compiler_builtins.codegen-units=10000' \
    --config 'profile.dev.package.compiler_builtins.codegen-units=10000' \
    --message-format=json-render-diagnostics "$@" >"$json"

copied=0
# Artifacts of this target only: host build scripts and proc-macros are ELF.
while IFS= read -r f; do
    cp -f "$f" "$out/"
    echo "build.sh: $(basename "$f") -> $out" >&2
    copied=$((copied + 1))
done < <(grep '"reason":"compiler-artifact"' "$json" |
    grep -o "\"[^\"]*/$target/[^\"]*\\.\\(dll\\|exe\\)\"" | tr -d '"' | sort -u)

echo "build.sh: $target: $copied artifact(s) in $((SECONDS - start)) s" >&2
[ "$copied" -gt 0 ] || { echo "build.sh: no .dll/.exe was built" >&2; exit 1; }
