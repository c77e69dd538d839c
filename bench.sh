#!/usr/bin/env bash
# Installs what is missing, builds the `release` preset and runs the benchmarks: a table on
# stdout, progress on stderr, and the JSON result file under results/ (its path is printed).
#   ./bench.sh                         every suite
#   ./bench.sh --suite virtq -q        extra arguments go to `vmbench run`
set -euo pipefail
cd "$(dirname "$0")"
source tools/install-deps.sh
vmbench_install_deps

cmake --preset release >/dev/null
cmake --build --preset release --target vmbench vmbench_plugins
exec build/release/bin/vmbench run "$@"
