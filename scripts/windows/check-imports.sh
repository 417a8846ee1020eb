#!/usr/bin/env bash
# Checks that Windows PE files (IIS module DLLs) are deployable as they are:
#  - each exports the given names undecorated (default: RegisterModule, which
#    IIS finds with GetProcAddress; a 32-bit `RegisterModule@12` or
#    `_RegisterModule` would not be found);
#  - each imports only DLLs that Windows Server 2016+ ships. Runtimes that
#    would have to be installed or copied next to the module fail: libgcc*,
#    libstdc++*, libwinpthread* (mingw), vcruntime*/msvcp* (VC++ redist; build
#    with -C target-feature=+crt-static instead). The Universal CRT
#    (ucrtbase.dll, api-ms-win-crt-*) is part of Windows 10 / Server 2016+.
#
#   scripts/windows/check-imports.sh [--export NAME]... [--no-export] FILE...
#
# WIN_EXTRA_SYSTEM_DLLS="a.dll b.dll" extends the allow list.
# Exits 1 if any file fails; prints each file's imports.
set -euo pipefail

# System DLLs a module may import (lower case): the table `cargo iis doctor`
# reads too, where its header says where the names come from. Deliberately a
# closed list: an unknown DLL fails until someone checks that Windows Server
# ships it.
SYSTEM_DLLS_FILE="$(dirname "${BASH_SOURCE[0]}")/../../cargo-iis/src/doctor/system-dlls.txt"
SYSTEM_DLLS="$(grep -v '^#' "$SYSTEM_DLLS_FILE") ${WIN_EXTRA_SYSTEM_DLLS:-}"

exports=()
no_export=0
while [ $# -gt 0 ]; do
    case "$1" in
        --export) exports+=("${2:?--export needs a name}"); shift 2 ;;
        --no-export) no_export=1; shift ;;
        --) shift; break ;;
        -*) echo "check-imports.sh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
[ $# -gt 0 ] || { echo "usage: check-imports.sh [--export NAME]... [--no-export] FILE..." >&2; exit 2; }
if [ "$no_export" = 0 ] && [ ${#exports[@]} -eq 0 ]; then
    exports=(RegisterModule)
fi
[ "$no_export" = 0 ] || exports=()

# The x86_64 mingw objdump reads both PE32 and PE32+.
objdump=x86_64-w64-mingw32-objdump
command -v "$objdump" >/dev/null || { echo "check-imports.sh: $objdump missing (gcc-mingw-w64-x86-64)" >&2; exit 2; }

is_allowed() {
    local dll="$1"
    case "$dll" in
        # API sets resolve to system DLLs; ext-ms-* may be absent on Server Core.
        api-ms-win-*) return 0 ;;
        libgcc* | libstdc++* | libwinpthread* | vcruntime* | msvcp*) return 1 ;;
    esac
    case " $(printf '%s' "$SYSTEM_DLLS" | tr '\n' ' ') " in
        *" $dll "*) return 0 ;;
    esac
    return 1
}

status=0
for file in "$@"; do
    if ! dump="$("$objdump" -p "$file" 2>&1)"; then
        echo "FAIL $file: not a PE file: $dump" >&2
        status=1
        continue
    fi
    bad=()
    imports=()
    while IFS= read -r dll; do
        imports+=("$dll")
        is_allowed "$dll" || bad+=("$dll")
    done < <(printf '%s\n' "$dump" | sed -n 's/^[[:space:]]*DLL Name: //p' |
        tr '[:upper:]' '[:lower:]' | sort -u)
    # Export names, from the "[Ordinal/Name Pointer] Table" up to a blank line.
    names="$(printf '%s\n' "$dump" | sed -n '/\[Ordinal\/Name Pointer\] Table/,/^[[:space:]]*$/p' |
        sed -n 's/^[[:space:]]*\[[[:space:]]*[0-9]*\] //p')"
    missing=()
    for e in "${exports[@]}"; do
        printf '%s\n' "$names" | grep -qxF -- "$e" || missing+=("$e")
    done

    echo "$file imports: ${imports[*]:-(none)}"
    if [ ${#bad[@]} -gt 0 ]; then
        echo "FAIL $file: imports non-system DLL(s): ${bad[*]}" >&2
        status=1
    fi
    if [ ${#missing[@]} -gt 0 ]; then
        echo "FAIL $file: does not export undecorated: ${missing[*]} (exports: ${names//$'\n'/ })" >&2
        status=1
    fi
done
exit "$status"
