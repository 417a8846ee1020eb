#!/usr/bin/env bash
# Builds one bench of iis-module-tests (bench profile) and prints the path of
# its executable, wherever the target dir is; the callgrind scripts run it.
#
#   scripts/bench-binary.sh BENCH     # e.g. callgrind_dispatch
set -euo pipefail

bench="${1:?usage: bench-binary.sh BENCH}"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
path="$(cargo bench -p iis-module-tests --bench "$bench" --no-run \
    --message-format=json-render-diagnostics 2>/dev/null |
    grep '"reason":"compiler-artifact"' | grep -o '"executable":"[^"]*"' | tail -n 1 |
    sed 's/^"executable":"//; s/"$//')"
[ -x "$path" ] || { echo "bench-binary.sh: the $bench bench was not built" >&2; exit 1; }
echo "$path"
