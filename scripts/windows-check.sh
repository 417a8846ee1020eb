#!/usr/bin/env bash
# Windows checks of the workspace, from this Linux machine (CI runs it after
# the Linux checks; see .ci/run):
#
#   1. cross-builds for x86_64-pc-windows-gnu: the reset_connection and
#      need_disconnect module DLLs (debug and release) and iis-host.exe;
#   2. checks the DLLs' export table (`RegisterModule`, undecorated) and import
#      table (only DLLs Windows Server ships; no libgcc/libstdc++/
#      libwinpthread/VC++ runtime) with scripts/windows/check-imports.sh;
#   3. runs `iis-host.exe request --module X.dll GET /` (and with --calls)
#      under Wine, in-process, and `iis-host.exe serve` over loopback with a
#      request sent from Linux, for both modules, and compares each with the
#      Linux run of the same command (the host toolchain's iis-host and .so
#      modules, built into the normal target dir): same notifications, same
#      bytes, same connection fate; a unified diff on mismatch;
#   4. type-checks the workspace (without xtask) for x86_64-pc-windows-msvc
#      and i686-pc-windows-msvc (scripts/cross-check.sh); builds the 32-bit
#      i686-pc-windows-gnu DLLs and checks that RegisterModule is exported
#      undecorated (not `RegisterModule@12`); runs them under 32-bit Wine
#      like step 3 when wine32:i386 is installed, and says why not otherwise.
#
#   scripts/windows-check.sh [--no-cross-check] [--no-serve]
#
#   --no-cross-check  skip step 4's MSVC type-check (e.g. when CI has just
#                     run scripts/cross-check.sh; it is a few seconds warm)
#   --no-serve        skip the loopback `serve` runs (for a Wine without
#                     working sockets; they work with Debian 12's Wine 8.0)
#
# Prints one PASS/FAIL/SKIP line per check at the end and exits 1 if any
# check failed. Installs the Debian packages it needs (via env.sh; root
# only). Windows builds go to target-windows/ (WIN_TARGET_DIR), the Linux
# build to the usual target dir. Runnable from any cwd, idempotent.
# Timing here (2 CPUs, shared): cold ~7 min (std is compiled from source
# for x86_64 debug and release, i686 debug, and the two MSVC type-checks;
# ~4.5 min of it when scripts/cross-check.sh ran first, as in CI), warm ~10 s.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 2

do_cross_check=1
do_serve=1
while [ $# -gt 0 ]; do
    case "$1" in
        --no-cross-check) do_cross_check=0 ;;
        --no-serve) do_serve=0 ;;
        -h | --help) sed -n '2,/^set -uo/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
        *) echo "windows-check.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

MODULES=(reset_connection need_disconnect)
START=$SECONDS

# ---------------------------------------------------------------- reporting
results=()
failed=0
# Stripped bytes the release reset_connection.dll may take (issue 15's goal).
DLL_BUDGET=250000

pass() { results+=("PASS  $*"); }
fail() { results+=("FAIL  $*"); failed=1; }
skip() { results+=("SKIP  $*"); }
step() { printf '\n==> [%3d s] %s\n' "$((SECONDS - START))" "$*"; }
note() { printf '    %s\n' "$*"; }

# What ran under Wine, per architecture ("x86_64: in-process, serve"), so
# that a skipped 32-bit (thiscall) run is visible at the end.
declare -A ran=()
ran_add() { ran[$1]="${ran[$1]:+${ran[$1]}, }$2"; }

summary() {
    printf '\n==> windows-check summary (%d s)\n' "$((SECONDS - START))"
    printf '%s\n' "${results[@]}"
    local arch
    for arch in x86_64 x86; do
        printf 'RAN   under Wine, %-6s: %s\n' "$arch" "${ran[$arch]:-nothing}"
    done
    if [ "${HAVE_WINE32:-0}" = 1 ] && [ -n "${ran[x86]:-}" ]; then
        echo "32-bit (thiscall) path: EXECUTED under 32-bit Wine"
    else
        echo "32-bit (thiscall) path: NOT EXECUTED (type-checked and linked only): ${WIN32_REASON:-not checked}"
    fi
}

# A background server still running when we stop (Ctrl-C, error).
server_pid=""
# shellcheck disable=SC2317 # invoked by the trap
cleanup() {
    [ -z "$server_pid" ] || kill -KILL "$server_pid" 2>/dev/null
    [ -z "${json_tmp:-}" ] || rm -f "$json_tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------ 0. Linux build (host rustc)
# Before sourcing env.sh, which points cargo at Debian's rustc and at
# target-windows. If the caller's shell has sourced env.sh, undo that here so
# the Linux build really is the normal host build.
step "Linux build: cargo build -p iis-host --features cli -p reset_connection -p need_disconnect"
linux_host=""
declare -A linux_so=()
json_tmp="$(mktemp)"
if [ "${CARGO_TARGET_DIR:-}" = "$ROOT/target-windows" ] || [ "${RUSTC:-}" = /usr/bin/rustc ]; then
    note "ignoring the Windows build environment of the calling shell (env.sh)"
    unset CARGO_TARGET_DIR RUSTC RUSTDOC RUSTC_BOOTSTRAP
fi
# Cargo's JSON names the artifacts wherever the target dir is.
if cargo build -p iis-host --features cli -p reset_connection -p need_disconnect \
    --message-format=json-render-diagnostics >"$json_tmp"; then
    linux_host="$(grep '"reason":"compiler-artifact"' "$json_tmp" |
        grep -o '"executable":"[^"]*/iis-host"' | head -n 1 | sed 's/^"executable":"//; s/"$//')"
    for m in "${MODULES[@]}"; do
        linux_so[$m]="$(grep '"reason":"compiler-artifact"' "$json_tmp" |
            grep -o "\"[^\"]*/lib$m\\.so\"" | head -n 1 | tr -d '"')"
    done
fi
if [ -n "$linux_host" ] && [ -x "$linux_host" ] && [ -n "${linux_so[reset_connection]:-}" ] &&
    [ -n "${linux_so[need_disconnect]:-}" ]; then
    pass "linux build: $(basename "$linux_host"), $(basename "${linux_so[reset_connection]}"), $(basename "${linux_so[need_disconnect]}")"
else
    fail "linux build: cargo build -p iis-host --features cli -p reset_connection -p need_disconnect failed"
fi

# ------------------------------------------------------ Windows environment
step "Windows toolchain (scripts/windows/env.sh)"
# shellcheck source-path=SCRIPTDIR source=windows/env.sh
. scripts/windows/env.sh
missing_pkgs="$(_win_missing_pkgs "${WIN_PKGS_REQUIRED[@]}" | tr '\n' ' ')"
if [ -n "$missing_pkgs" ]; then
    fail "windows toolchain: missing Debian packages: $missing_pkgs(run as root to install)"
    summary
    exit 1
fi
note "rustc for Windows: $(/usr/bin/rustc --version); $(wine --version 2>/dev/null); i686: $WIN32_REASON"

OUT="$WIN_TARGET_DIR/windows-check"
WINRUN="$ROOT/scripts/windows/wine-run.sh"
CHECK_IMPORTS="$ROOT/scripts/windows/check-imports.sh"

# build_win TARGET PROFILE OUTDIR PACKAGES...: build.sh (cargo build -q) into
# OUTDIR; returns cargo's status.
build_win() {
    local target="$1" profile="$2" out="$3"
    shift 3
    local args=() pkg
    [ "$profile" = release ] && args+=(--release)
    for pkg in "$@"; do
        args+=(-p "$pkg")
        # The iis-host command needs its `cli` feature.
        [ "$pkg" = iis-host ] && args+=(--features cli)
    done
    scripts/windows/build.sh --target "$target" "$out" -q "${args[@]}"
}

# check_pe ARCH PROFILE DIR: exports/imports of the module DLLs in DIR.
check_pe() {
    local arch="$1" profile="$2" dir="$3" m log size stripped
    for m in "${MODULES[@]}"; do
        if [ ! -f "$dir/$m.dll" ]; then
            fail "exports/imports $arch $m.dll ($profile): not built"
            continue
        fi
        size="$(stat -c %s "$dir/$m.dll")"
        # Also report a stripped copy's size: the MinGW DLL carries a COFF
        # symbol table that an MSVC build keeps in its .pdb instead.
        x86_64-w64-mingw32-strip -o "$dir/$m.stripped" "$dir/$m.dll" 2>/dev/null &&
            stripped="$(stat -c %s "$dir/$m.stripped")" || stripped="?"
        rm -f "$dir/$m.stripped"
        # The documented release build of the first example has a size
        # budget (docs/benchmarks.md section 4): a regression fails here.
        if [ "$arch/$profile/$m" = "x86_64/release/reset_connection" ]; then
            if [ "$stripped" != "?" ] && [ "$stripped" -le "$DLL_BUDGET" ]; then
                pass "size budget x86_64 $m.dll (release, stripped): $stripped B <= $DLL_BUDGET B"
            else
                fail "size budget x86_64 $m.dll (release, stripped): $stripped B > $DLL_BUDGET B"
            fi
        fi
        if log="$("$CHECK_IMPORTS" --export RegisterModule "$dir/$m.dll" 2>&1)"; then
            pass "exports/imports $arch $m.dll ($profile, $size B, $stripped B stripped): exports RegisterModule; imports $(printf '%s\n' "$log" | sed -n 's/.* imports: //p')"
        else
            printf '%s\n' "$log" | sed 's/^/    /'
            fail "exports/imports $arch $m.dll ($profile): $(printf '%s\n' "$log" | grep '^FAIL' | sed 's/^FAIL [^:]*: //' | paste -sd ';' -)"
        fi
    done
}

# wine_run DIR ARGS...: iis-host.exe from DIR under Wine, cwd DIR (so that
# `--module x.dll` names the DLL beside the exe, as the issue's command does).
wine_run() {
    local dir="$1"
    shift
    (cd "$dir" && timeout -k 10 180 "$WINRUN" ./iis-host.exe "$@")
}

# compare_request ARCH RUNDIR LABEL SHOW: the in-process runs, Linux vs Wine
# (SHOW=1: print both transcripts).
#
# Normalization: none. Checked here: the CLI prints the module's name (its
# file stem, without the Unix `lib` prefix: `libreset_connection.so` and
# `reset_connection.dll` are both `reset_connection`), never its path; it
# ends lines with `\n` on every OS (`writeln!`), and Rust's stdout writes
# bytes unchanged to a file or pipe under Windows/Wine (no CRLF translation:
# that only exists in the C runtime's text mode, which std does not use). So
# the transcripts must be equal byte for byte; any difference is a bug.
compare_request() {
    local arch="$1" dir="$2" label="$3" show="$4" m args name lin win ok detail rc
    for m in "${MODULES[@]}"; do
        ok=1
        detail=()
        for args in "" "--calls"; do
            name="request${args:+-calls}"
            lin="$dir/$m.$name.linux.txt"
            win="$dir/$m.$name.wine.txt"
            # shellcheck disable=SC2086 # $args is empty or one word
            if ! "$linux_host" request $args --module "${linux_so[$m]}" GET / >"$lin" 2>"$lin.err"; then
                note "Linux iis-host request $args failed:"; sed 's/^/      /' "$lin.err"
                ok=0; detail+=("Linux run failed"); continue
            fi
            # shellcheck disable=SC2086
            wine_run "$dir" request $args --module "$m.dll" GET / >"$win" 2>"$win.err"
            rc=$?
            if [ "$rc" != 0 ]; then
                note "Wine iis-host.exe request $args failed (exit $rc):"; sed 's/^/      /' "$win.err"
                ok=0; detail+=("Wine run failed (exit $rc)"); continue
            fi
            if cmp -s "$lin" "$win"; then
                detail+=("'request ${args:+$args }GET /' equal, $(wc -c <"$lin") B")
            else
                ok=0
                detail+=("'request ${args:+$args }GET /' DIFFERS")
                note "--- Linux vs Wine ($arch, $m, request ${args:+$args }GET /):"
                diff -u --label "linux: iis-host request ${args:+$args }--module lib$m.so GET /" \
                    --label "wine: iis-host.exe request ${args:+$args }--module $m.dll GET /" \
                    "$lin" "$win" | sed 's/^/    /'
            fi
        done
        # Both transcripts of the plain command, for the log; --calls only
        # as equal/different (the diff above shows any difference).
        if [ "$show" = 1 ] && [ -s "$dir/$m.request.linux.txt" ]; then
            note "$arch $m ($label): Linux 'iis-host request --module ${linux_so[$m]##*/} GET /':"
            sed 's/^/      | /' "$dir/$m.request.linux.txt"
            note "$arch $m ($label): Wine 'iis-host.exe request --module $m.dll GET /':"
            sed 's/^/      | /' "$dir/$m.request.wine.txt"
        fi
        local joined
        joined="$(printf '%s; ' "${detail[@]}")"
        if [ "$ok" = 1 ]; then
            pass "in-process $arch $m ($label): Linux == Wine: ${joined%; }"
        else
            fail "in-process $arch $m ($label): ${joined%; }"
        fi
    done
}

# serve_exchange OUTPREFIX DIR MODULE-PATH PROGRAM...: starts PROGRAM serve, in DIR, on an
# ephemeral loopback port, sends one GET from Linux (bash /dev/tcp), reads
# until EOF, reset or 20 s, stops the server with SIGINT (Ctrl-C: Wine turns
# it into a console CTRL_C_EVENT) and writes OUTPREFIX.txt:
#   fate: closed|reset|open (open: no EOF within 20 s, i.e. kept alive)
#   client bytes (CR shown as \r), then the server's normalized log.
# Returns 1 when the server did not come up or the exchange failed.
serve_exchange() {
    local out="$1" dir="$2" module="$3"
    shift 3
    local log="$out.log" pid port="" i rc fate
    rm -f "$out".*
    # exec: $! is then the server itself (wine-run.sh execs the Wine loader
    # of the program's bitness, which becomes iis-host.exe), so the SIGINT
    # below reaches it; checked below, since a launcher in between would
    # turn the Ctrl-C check into a timeout that says nothing about the host.
    (cd "$dir" && exec "$@" serve --module "$module" --listen 127.0.0.1:0) >"$log" 2>"$out.err" </dev/null &
    pid=$!
    server_pid=$pid
    # A cold Wine start (new prefix) takes ~10 s; allow 60.
    for ((i = 0; i < 600; i++)); do
        # (the log appears when the background shell has opened it)
        port="$(sed -n 's|^iis-host: serving .* on http://127\.0\.0\.1:\([0-9][0-9]*\) .*|\1|p' "$log" 2>/dev/null)"
        [ -n "$port" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ -z "$port" ]; then
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        server_pid=""
        note "server did not start listening:"; sed 's/^/      /' "$log" "$out.err"
        return 1
    fi
    # The process we will signal must be the server (under Wine its command
    # line is the Windows one, `Z:\...\iis-host.exe serve ...`).
    local cmdline
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
    case "$cmdline" in
        *iis-host*) ;;
        *)
            note "the process started for 'serve' is not iis-host but: ${cmdline:-?}"
            echo "(signalled process is not the server: ${cmdline:-?})" >>"$log"
            ;;
    esac
    # The client: one request, then read to EOF. `cat` reports a TCP RST as
    # "Connection reset by peer"; `timeout` ends a connection kept alive.
    (
        exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 90
        printf 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' >&3
        timeout 20 cat <&3 >"$out.bytes"
    ) 2>"$out.client.err"
    rc=$?
    # iis-host dates each response, as HTTP.sys does: the one thing two runs
    # may send differently. Normalized on both sides alike (an IMF-fixdate
    # becomes `<date>`; any other Date value stays, and differs).
    if [ -f "$out.bytes" ]; then
        sed -i 's/^Date: [A-Z][a-z][a-z], [0-3][0-9] [A-Z][a-z][a-z] [0-9]\{4\} [0-2][0-9]:[0-5][0-9]:[0-6][0-9] GMT\r$/Date: <date>\r/' "$out.bytes"
    fi
    if [ "$rc" = 0 ]; then
        fate=closed
    elif grep -q 'reset by peer' "$out.client.err"; then
        fate=reset
    elif [ "$rc" = 124 ]; then
        fate=open
    else
        fate="error (exit $rc: $(head -c 200 "$out.client.err"))"
    fi
    # The server logs the request once it is done with the connection,
    # which may be just after the client saw the RST/EOF: wait for that
    # line, so that it is not raced by the Ctrl-C below.
    for ((i = 0; i < 100; i++)); do
        [ "$(grep -c . "$log")" -ge 2 ] && break
        sleep 0.1
    done
    # Ctrl-C: iis-host stops listening, shuts the host down and prints
    # "iis-host: stopped"; kill it if that takes more than 20 s.
    kill -INT "$pid" 2>/dev/null
    for ((i = 0; i < 200; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
        echo "(still running 20 s after SIGINT: killed)" >>"$log"
    fi
    wait "$pid" 2>/dev/null
    server_pid=""
    {
        echo "fate: $fate"
        echo "--- bytes received by the client"
        sed 's/\r/\\r/g' "$out.bytes" 2>/dev/null
        echo "--- server output"
        # Normalized, both sides alike: the port is ephemeral (chosen by the
        # OS), and each request line ends with its wall-clock duration.
        sed -e 's|http://127\.0\.0\.1:[0-9]*|http://127.0.0.1:PORT|' \
            -e 's/ [0-9][0-9.]*ms$/ <elapsed>ms/' "$log"
    } >"$out.txt"
    return 0
}

# compare_serve ARCH RUNDIR: serve over loopback, Linux vs Wine.
compare_serve() {
    local arch="$1" dir="$2" m lin win expected got why
    for m in "${MODULES[@]}"; do
        lin="$dir/$m.serve.linux"
        win="$dir/$m.serve.wine"
        if ! serve_exchange "$lin" "$dir" "${linux_so[$m]}" "$linux_host"; then
            fail "serve $arch $m: the Linux server failed"
            continue
        fi
        if ! serve_exchange "$win" "$dir" "$m.dll" "$WINRUN" ./iis-host.exe; then
            fail "serve $arch $m: iis-host.exe serve did not listen on loopback under Wine (--no-serve skips this)"
            continue
        fi
        # The fate on the wire must be the one the in-process run reports.
        expected="$(sed -n 's/^connection: //p' "$dir/$m.request.linux.txt" 2>/dev/null)"
        [ "$expected" = kept-alive ] && expected=open
        got="$(sed -n 's/^fate: //p' "$win.txt")"
        why=()
        cmp -s "$lin.bytes" "$win.bytes" || why+=("the client received different bytes")
        cmp -s "$lin.txt" "$win.txt" || why+=("the transcripts differ")
        [ "$got" = "$expected" ] || why+=("connection $got on the wire, but 'request' says ${expected:-?}")
        grep -qx 'iis-host: stopped' "$win.txt" || why+=("iis-host.exe did not stop cleanly on Ctrl-C")
        if [ ${#why[@]} -eq 0 ]; then
            pass "serve $arch $m over loopback: Linux == Wine: connection $got, $(wc -c <"$win.bytes") B received, clean Ctrl-C stop"
            note "$arch $m: 'iis-host serve' seen from a client, and its output (Linux and Wine alike):"
            sed 's/^/      | /' "$win.txt"
        else
            fail "serve $arch $m over loopback: $(printf '%s; ' "${why[@]}" | sed 's/; $//')"
            note "--- Linux vs Wine ($arch, $m, serve):"
            diff -u --label "linux: iis-host serve --module lib$m.so" --label "wine: iis-host.exe serve --module $m.dll" \
                "$lin.txt" "$win.txt" | sed 's/^/    /'
            cmp "$lin.bytes" "$win.bytes" 2>&1 | sed 's/^/    /'
        fi
    done
}

# run_arch ARCH TARGET: build, check and run one architecture.
run_arch() {
    local arch="$1" target="$2" can_run="$3"
    local dbg="$OUT/$arch/debug" rel="$OUT/$arch/release" runs=()
    local built_dbg=0 built_rel=0

    step "$arch: build iis-host.exe and the module DLLs ($target)"
    mkdir -p "$dbg" "$rel"
    if [ "$can_run" = 1 ]; then
        build_win "$target" debug "$dbg" iis-host "${MODULES[@]}" && built_dbg=1
    else
        # No Wine to run them: build the DLLs only, to check their tables.
        build_win "$target" debug "$dbg" "${MODULES[@]}" && built_dbg=1
    fi
    if [ "$arch" = x86_64 ]; then
        # The release DLL is what ships; x86 checks the debug one only, to
        # save a third std build (export names come from rustc's .def
        # file and do not depend on the profile).
        build_win "$target" release "$rel" "${MODULES[@]}" && built_rel=1
    fi
    local what="debug ${MODULES[*]} DLLs"
    [ "$can_run" = 1 ] && what="$what, iis-host.exe"
    [ "$arch" = x86_64 ] && what="$what, release DLLs"
    if [ "$built_dbg" = 1 ] && { [ "$arch" != x86_64 ] || [ "$built_rel" = 1 ]; }; then
        pass "build $target: $what"
    else
        fail "build $target: cargo build failed (see above)"
    fi

    step "$arch: export and import tables"
    [ "$built_rel" = 1 ] && check_pe "$arch" release "$rel"
    [ "$built_dbg" = 1 ] && check_pe "$arch" debug "$dbg"

    [ "$can_run" = 1 ] || return 0
    if [ -z "$linux_host" ] || [ "$built_dbg" != 1 ]; then
        fail "in-process/serve $arch: not run: a build failed"
        return 0
    fi
    # The release DLLs run in the debug iis-host.exe: hard-link the exe
    # (57 MB) beside them.
    runs=("$dbg:debug DLL")
    if [ "$built_rel" = 1 ]; then
        ln -f "$dbg/iis-host.exe" "$rel/iis-host.exe" 2>/dev/null || cp -f "$dbg/iis-host.exe" "$rel/"
        runs+=("$rel:release DLL")
    fi

    step "$arch: iis-host.exe --version under Wine (creates the Wine prefix on a first run)"
    if ! wine_run "$dbg" --version; then
        fail "wine $arch: iis-host.exe does not start under Wine"
        return 0
    fi

    local r show
    for r in "${runs[@]}"; do
        step "$arch: in-process requests, Linux vs Wine (${r#*:}s)"
        # Print the transcripts once, for the last (the shipping) DLLs.
        show=0
        [ "$r" = "${runs[-1]}" ] && show=1
        compare_request "$arch" "${r%%:*}" "${r#*:}" "$show"
        ran_add "$arch" "in-process (${r#*:}s)"
    done
    if [ "$do_serve" = 1 ]; then
        step "$arch: serve over loopback, Linux vs Wine (${runs[-1]#*:}s)"
        compare_serve "$arch" "${runs[-1]%%:*}"
        ran_add "$arch" "serve over loopback (${runs[-1]#*:}s)"
    else
        skip "serve $arch: --no-serve"
    fi
}

# ------------------------------------------------------------ 1-3. x86_64
run_arch x86_64 x86_64-pc-windows-gnu 1

# ------------------------------------------------------------ 4. MSVC, x86
if [ "$do_cross_check" = 1 ]; then
    step "type-check for the MSVC targets (scripts/cross-check.sh)"
    cross_log="$(mktemp)"
    scripts/cross-check.sh -q 2>&1 | tee "$cross_log"
    for t in x86_64-pc-windows-msvc i686-pc-windows-msvc; do
        line="$(grep "^cross-check $t: " "$cross_log")"
        case "$line" in
            *": ok"*) pass "cargo check --workspace --exclude xtask --target $t ${line##*ok }" ;;
            *) fail "cargo check --workspace --exclude xtask --target $t: ${line:-did not run}" ;;
        esac
    done
    rm -f "$cross_log"
else
    skip "cargo check for x86_64/i686-pc-windows-msvc: --no-cross-check"
fi

if [ "$HAVE_MINGW32" = 1 ]; then
    run_arch x86 i686-pc-windows-gnu "$HAVE_WINE32"
    if [ "$HAVE_WINE32" != 1 ]; then
        skip "32-bit Wine runs (thiscall path): $WIN32_REASON"
    fi
else
    skip "32-bit i686-pc-windows-gnu build and runs: $WIN32_REASON"
fi

summary
exit "$failed"
