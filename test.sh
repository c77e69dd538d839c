#!/usr/bin/env bash
# Installs what is missing, builds the `dev` preset (Debug) and runs every test with CTest.
# Idempotent: a second run with nothing changed only re-runs the tests.
#   ./test.sh               build and run all tests
#   ./test.sh -R loader     extra arguments go to ctest
set -euo pipefail
cd "$(dirname "$0")"
source tools/install-deps.sh
vmbench_install_deps

cmake --preset dev >/dev/null
cmake --build --preset dev
ctest --preset dev "$@"
