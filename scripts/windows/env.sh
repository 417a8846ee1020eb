# shellcheck shell=bash
# Windows cross-build environment for this workspace (source it, do not run it).
#
#   . scripts/windows/env.sh
#
# Sourcing it:
#   1. installs the Debian packages the Windows builds need, only if missing
#      (rustup here has no Windows std and cannot download one, so std is
#      rebuilt from Debian's rust-web-src with -Zbuild-std);
#   2. exports the variables that make rustup's `cargo` drive Debian's rustc;
#   3. defines win_build_prng_shim, which builds the bcryptprimitives.dll
#      shim that Wine 8 lacks (Rust's std imports ProcessPrng from it), and
#      win_build_rtstartup, which builds what i686-pc-windows-gnu links.
#
# It exports CARGO_TARGET_DIR=target-windows and RUSTC=/usr/bin/rustc: source
# it in a script or subshell, not in the shell used for host builds.
#
# Set WIN_ENV_NO_INSTALL=1 to skip step 1 (e.g. to only get the functions).
# Set WIN_RETRY_WIN32=1 to retry an optional 32-bit install that failed before.
#
# This file is sourced, so it never uses `set -e`/`exit`: functions return
# a status and the caller decides.

# Repository root, from this file's own path (works from any cwd).
WIN_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export WIN_REPO_ROOT

# One target dir for every Windows build: Debian's rustc 1.96 produces
# artifacts that are incompatible with rustup's 1.95 ones, and the std built
# by -Zbuild-std is cached here (the first build of it takes about a minute).
export WIN_TARGET_DIR="${WIN_TARGET_DIR:-$WIN_REPO_ROOT/target-windows}"

WIN_PKGS_REQUIRED=(rustc-web rust-web-src gcc-mingw-w64-x86-64 wine64 wine)

# HAVE_WIN32=1 when the 32-bit mingw linker (HAVE_MINGW32) and 32-bit Wine
# (HAVE_WINE32) are both usable; WIN32_REASON says why not otherwise. The
# 32-bit *type-check* (cargo check --target i686-pc-windows-msvc) needs neither.
HAVE_WIN32=0
HAVE_MINGW32=0
HAVE_WINE32=0
WIN32_REASON="not checked"

_win_log() { printf '[windows-env] %s\n' "$*" >&2; }

# Prints the packages of "$@" that are not installed.
_win_missing_pkgs() {
    local p
    for p in "$@"; do
        if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != "installed" ]; then
            printf '%s\n' "$p"
        fi
    done
}

_win_apt_updated=0
_win_apt_update() {
    [ "$_win_apt_updated" = 1 ] && return 0
    _win_log "apt-get update"
    apt-get update -qq >&2 || return 1
    _win_apt_updated=1
}

_win_apt_install() {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

# Installs the required packages (fails if it cannot) and tries the optional
# 32-bit ones (never fails because of them).
win_env_install() {
    local missing=() need_root=""
    [ "$(id -u)" = 0 ] || need_root=1

    mapfile -t missing < <(_win_missing_pkgs "${WIN_PKGS_REQUIRED[@]}")
    if [ ${#missing[@]} -gt 0 ]; then
        if [ -n "$need_root" ]; then
            _win_log "missing packages (need root to install): ${missing[*]}"
            return 1
        fi
        _win_log "installing: ${missing[*]}"
        _win_apt_update || _win_log "apt-get update reported errors; trying anyway"
        # No recommends: wine's pull in fonts, GL and media stacks that console
        # programs never use.
        _win_apt_install "${missing[@]}" || {
            _win_log "installing ${missing[*]} failed"
            return 1
        }
    fi

    _win_install_32bit "$need_root"
    return 0
}

# Optional 32-bit packages. Two independent halves:
#  - gcc-mingw-w64-i686 is an amd64 package: links i686-pc-windows-gnu DLLs;
#  - wine32:i386 needs the i386 architecture, and on a day when the i386
#    indexes are out of sync with the installed amd64 libraries (a mirror sync,
#    or security updates newer than main) it cannot be installed without
#    upgrading core host packages. We never force that: we give up, and if we
#    added the i386 architecture ourselves we remove it again, because an i386
#    index that fails to download makes every later `apt-get update` exit 100.
# A failure is remembered in $WIN_TARGET_DIR so that sourcing this file again
# does not re-run apt-get update; WIN_RETRY_WIN32=1 retries.
_win_install_32bit() {
    local need_root="$1" marker="$WIN_TARGET_DIR/.win32-install-failed" fresh=""
    HAVE_MINGW32=0
    HAVE_WINE32=0
    WIN32_REASON=""
    if [ -f "$marker" ] && [ "${WIN_RETRY_WIN32:-0}" != 1 ]; then
        WIN32_REASON="earlier attempt: $(cat "$marker") (WIN_RETRY_WIN32=1 retries)"
    else
        rm -f "$marker"
        fresh=1
        if [ -n "$(_win_missing_pkgs gcc-mingw-w64-i686)" ]; then
            if [ -n "$need_root" ]; then
                WIN32_REASON="gcc-mingw-w64-i686 missing, not root;"
            else
                _win_log "trying optional gcc-mingw-w64-i686"
                { _win_apt_update; _win_apt_install gcc-mingw-w64-i686; } ||
                    WIN32_REASON="gcc-mingw-w64-i686 failed to install;"
            fi
        fi
        if [ -n "$(_win_missing_pkgs wine32:i386)" ]; then
            if [ -n "$need_root" ]; then
                WIN32_REASON="${WIN32_REASON:+$WIN32_REASON }wine32:i386 missing, not root;"
            else
                _win_try_wine32 || WIN32_REASON="${WIN32_REASON:+$WIN32_REASON }$_win_wine32_err;"
            fi
        fi
        if [ -n "$WIN32_REASON" ]; then
            mkdir -p "$WIN_TARGET_DIR" && printf '%s\n' "$WIN32_REASON" >"$marker"
        fi
    fi
    # Judge by what is there now, whatever happened above.
    command -v i686-w64-mingw32-gcc >/dev/null && HAVE_MINGW32=1
    [ -z "$(_win_missing_pkgs wine32:i386)" ] && HAVE_WINE32=1
    if [ "$HAVE_MINGW32" = 1 ] && [ "$HAVE_WINE32" = 1 ]; then
        HAVE_WIN32=1
        WIN32_REASON="installed"
    else
        HAVE_WIN32=0
        # Said once, when it was tried; later runs find it in WIN32_REASON.
        [ -f "$marker" ] && [ -n "${fresh:-}" ] && _win_log "32-bit Windows run unavailable: $WIN32_REASON"
        WIN32_REASON="${WIN32_REASON:-incomplete} (i686 linker: $HAVE_MINGW32, 32-bit Wine: $HAVE_WINE32)"
    fi
    export HAVE_WIN32 HAVE_MINGW32 HAVE_WINE32 WIN32_REASON
}

_win_wine32_err=""
_win_try_wine32() {
    local added=0
    _win_wine32_err=""
    if ! dpkg --print-foreign-architectures | grep -qx i386; then
        dpkg --add-architecture i386 || { _win_wine32_err="dpkg --add-architecture i386 failed"; return 1; }
        added=1
        _win_apt_updated=0 # the i386 lists are new
    fi
    _win_log "trying optional wine32:i386"
    # apt-get update exits non-zero when any one index fails; the rest may
    # still be good enough, so try the install regardless.
    _win_apt_update || _win_apt_updated=1
    local log
    if log="$(_win_apt_install wine32:i386 2>&1)"; then
        return 0
    fi
    printf '%s\n' "$log" | tail -n 5 >&2
    # Seen on this machine: "pkgProblemResolver::Resolve generated breaks",
    # i.e. i386 libraries newer/older than the installed amd64 ones.
    _win_wine32_err="apt-get install wine32:i386 failed: $(printf '%s\n' "$log" | grep '^E:' | tail -n 1)"
    if [ "$added" = 1 ] && [ -z "$(dpkg-query -W -f='${binary:Package}\n' '*:i386' 2>/dev/null)" ]; then
        dpkg --remove-architecture i386 && _win_log "removed the i386 architecture again"
    fi
    return 1
}

# Exports what cargo needs to build for Windows with Debian's compiler.
win_env_export() {
    # rustup's rustc (first on PATH) has no Windows std and no std source;
    # Debian's has the source under its sysroot (/usr/lib/rustlib/src/rust),
    # which is where cargo's -Zbuild-std looks (`rustc --print sysroot`).
    export RUSTC=/usr/bin/rustc
    # rustdoc must read the std built by this rustc (cargo doc, doctests).
    export RUSTDOC=/usr/bin/rustdoc
    # clippy cannot be used this way: rustup's clippy-driver is 1.95 and
    # rejects the 1.96 std metadata.
    # -Zbuild-std is unstable: this lets the stable cargo/rustc accept it.
    export RUSTC_BOOTSTRAP=1
    # No wrapper (sccache etc.) would know Debian's rustc.
    unset RUSTC_WRAPPER RUSTC_WORKSPACE_WRAPPER
    export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
    export CARGO_TARGET_I686_PC_WINDOWS_GNU_LINKER=i686-w64-mingw32-gcc
    # Keep every cargo call made after sourcing away from the host target/.
    export CARGO_TARGET_DIR="$WIN_TARGET_DIR"
    # i686-pc-windows-gnu links rsbegin.o/rsend.o (DWARF unwind frame
    # registration), which rustup ships in the sysroot but Debian does not:
    # win_build_rtstartup builds them here and rustc finds them on -L native.
    # Cargo uses only the first of RUSTFLAGS / CARGO_TARGET_<T>_RUSTFLAGS /
    # build.rustflags, so a global RUSTFLAGS hides this (see build.sh).
    local rt="$WIN_TARGET_DIR/rtstartup/i686-pc-windows-gnu"
    case " ${CARGO_TARGET_I686_PC_WINDOWS_GNU_RUSTFLAGS:-} " in
        *" -L native=$rt "*) ;;
        *) export CARGO_TARGET_I686_PC_WINDOWS_GNU_RUSTFLAGS="${CARGO_TARGET_I686_PC_WINDOWS_GNU_RUSTFLAGS:+$CARGO_TARGET_I686_PC_WINDOWS_GNU_RUSTFLAGS }-L native=$rt" ;;
    esac
    # One Wine prefix for all runs; creating one takes ~8 s, reusing it ~0.3 s.
    export WINEPREFIX="${WINEPREFIX:-$WIN_TARGET_DIR/wineprefix}"
    export WINEDEBUG="${WINEDEBUG:--all}"
    # No X display here: keep Wine from trying to open one.
    unset DISPLAY
}

# win_build_rtstartup [TARGET]
# Builds rsbegin.o/rsend.o for a *-windows-gnu target from Debian's std source
# into $WIN_TARGET_DIR/rtstartup/TARGET (only i686 needs them; x86_64 uses SEH).
win_build_rtstartup() {
    local target="${1:-i686-pc-windows-gnu}" f
    local src="/usr/lib/rustlib/src/rust/library/rtstartup"
    local out="$WIN_TARGET_DIR/rtstartup/$target"
    mkdir -p "$out" || return 1
    for f in rsbegin rsend; do
        if [ ! -f "$out/$f.o" ] || [ "$src/$f.rs" -nt "$out/$f.o" ]; then
            RUSTC_BOOTSTRAP=1 "${RUSTC:-/usr/bin/rustc}" --target "$target" \
                --emit=obj -o "$out/$f.o" "$src/$f.rs" || return 1
        fi
    done
}

# win_build_prng_shim OUTDIR [x86_64|i686]
# Builds OUTDIR/bcryptprimitives.dll exporting ProcessPrng (Wine 8.0 has no
# bcryptprimitives.dll; Rust's std imports ProcessPrng from it). Only for
# running under Wine: never ship it. Rebuilt only when the source is newer.
win_build_prng_shim() {
    local out="${1:?usage: win_build_prng_shim OUTDIR [x86_64|i686]}"
    local arch="${2:-x86_64}"
    local src="$WIN_REPO_ROOT/scripts/windows/processprng.c"
    local dll="$out/bcryptprimitives.dll"
    local cc="$arch-w64-mingw32-gcc"
    local extra=()
    case "$arch" in
        x86_64) ;;
        # stdcall names get an @N suffix on x86; std imports the bare name.
        i686) extra=("-Wl,--kill-at") ;;
        *) _win_log "unknown arch $arch"; return 2 ;;
    esac
    command -v "$cc" >/dev/null || { _win_log "$cc not found"; return 1; }
    mkdir -p "$out" || return 1
    if [ -f "$dll" ] && [ "$dll" -nt "$src" ]; then
        return 0
    fi
    "$cc" -O2 -shared -s -o "$dll" "$src" "${extra[@]}" -ladvapi32 \
        -static-libgcc || return 1
}

if [ "${WIN_ENV_NO_INSTALL:-0}" != 1 ]; then
    win_env_install || _win_log "package installation failed; Windows builds will not work"
fi
win_env_export
