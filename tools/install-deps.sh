#!/usr/bin/env bash
# Installs the Debian 12 packages vmbench needs to build and test, and nothing when all are there.
# Sourced by test.sh and bench.sh; needs root (or sudo) only when something is missing.
set -euo pipefail

VMBENCH_PACKAGES=(
  g++ cmake ninja-build git pkg-config
  libboost1.81-dev libboost-json1.81-dev # Boost.DLL (header-only) and Boost.JSON
  libbenchmark-dev                       # Google Benchmark 1.7.1
  libabsl-dev                            # Abseil 20220623
  libcli11-dev                           # CLI11
  libunicorn-dev                         # Unicorn 2: the emulator hypervisor backend
  catch2                                 # Catch2 2.13, tests
  clang-format                           # the tree's formatting check
  libxml2-utils                          # xmllint: JUnit output checked against junit-10.xsd
  python3-junitparser                    # a real JUnit consumer, for the junit reporter's tests
  python3-yaml                           # reads .github/workflows/benchmarks.yml in its test
  cmark-gfm                              # renders the markdown reporter's output in its tests
  chromium                               # headless browser: renders the html reporter's page
  clang libclang-rt-14-dev               # libFuzzer, for the wire-format fuzz target
  qemu-system-x86 busybox-static         # tools/vmtest: kvm tests in a QEMU guest without /dev/kvm
  g++-mingw-w64-x86-64-win32 mingw-w64-x86-64-dev # the whp backend's Windows cross-compile check
)

vmbench_install_deps() {
  local missing=()
  local package
  for package in "${VMBENCH_PACKAGES[@]}" "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$package")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  echo "vmbench: installing ${missing[*]}" >&2
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}
