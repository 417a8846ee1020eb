#!/usr/bin/env bash
# Runs a Windows console program under Wine, for tests on this Linux machine.
#
#   scripts/windows/wine-run.sh PROGRAM.exe [args...]
#
# Exit status is the program's. 77 means "skipped": a 32-bit program and no
# 32-bit Wine (wine32:i386 does not always install, see env.sh).
#
# The Wine prefix lives in target-windows/wineprefix: it is created on the
# first run (~8 s) and reused (a run then costs ~0.3 s). The ProcessPrng shim
# (bcryptprimitives.dll, missing from Wine 8.0 but imported by Rust's std) is
# copied beside the program, so Wine's loader finds it before its own search.
set -euo pipefail

exe="${1:?usage: wine-run.sh PROGRAM.exe [args...]}"
shift
[ -f "$exe" ] || { echo "wine-run.sh: $exe: no such file" >&2; exit 2; }
exe="$(cd "$(dirname "$exe")" && pwd)/$(basename "$exe")"

# shellcheck source-path=SCRIPTDIR source=env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"

case "$(x86_64-w64-mingw32-objdump -f "$exe" | sed -n 's/.*file format //p')" in
    pei-x86-64) arch=x86_64 ;;
    pei-i386)
        arch=i686
        if [ "$HAVE_WINE32" != 1 ]; then
            echo "wine-run.sh: skipped 32-bit $exe: no 32-bit Wine ($WIN32_REASON)" >&2
            exit 77
        fi
        ;;
    *) echo "wine-run.sh: $exe is not a Windows PE program" >&2; exit 2 ;;
esac

shim_dir="$WIN_TARGET_DIR/prng-shim/$arch"
win_build_prng_shim "$shim_dir" "$arch"
cmp -s "$shim_dir/bcryptprimitives.dll" "$(dirname "$exe")/bcryptprimitives.dll" ||
    cp -f "$shim_dir/bcryptprimitives.dll" "$(dirname "$exe")/"

# WINEDEBUG=-all: Wine's fixme/err chatter would drown the program's output.
# mscoree/mshtml disabled: a new prefix would otherwise try to install Mono
# and Gecko, which cannot be downloaded here.
export WINEDEBUG=-all
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:+$WINEDLLOVERRIDES;}mscoree,mshtml="
mkdir -p "$WINEPREFIX"

# The loader of the program's own bitness, not Debian's `wine` launcher: with
# wine32:i386 installed that launcher always starts the 32-bit loader, which
# runs a 64-bit program as a *separate* process (it starts `start.exe /exec`,
# which creates the 64-bit process and leaves it reparented to init). A
# signal sent to the process we exec here would then reach only start.exe,
# never the program, and a Ctrl-C (SIGINT -> CTRL_C_EVENT) test would test
# nothing. With the matching loader, this process *is* the program.
loader=""
case "$arch" in
    x86_64) candidates=(/usr/lib/wine/wine64 /usr/lib64/wine/wine64 "$(command -v wine64 || true)") ;;
    i686) candidates=(/usr/lib/wine/wine /usr/lib/i386-linux-gnu/wine/wine "$(command -v wine || true)") ;;
esac
for c in "${candidates[@]}"; do
    if [ -n "$c" ] && [ -x "$c" ] && [ ! -d "$c" ]; then loader="$c"; break; fi
done
[ -n "$loader" ] || { echo "wine-run.sh: no Wine loader for $arch programs" >&2; exit 2; }
# Processes this program starts use the same loader.
export WINELOADER="$loader"
exec "$loader" "$exe" "$@"
