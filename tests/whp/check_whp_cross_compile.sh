#!/usr/bin/env bash
# whp_cross_compile: the whp backend builds for Windows, checked on Linux with mingw-w64.
#
# Debian has no Abseil or Boost libraries for mingw-w64, so the plugin itself cannot be linked
# here. What is checked instead:
#   1. the Windows layer and whp_probe.cc compile (C++20, the warnings of cmake/warnings.cmake,
#      -Werror) and LINK into whp_probe.exe, statically (no libstdc++/libgcc DLLs needed);
#   2. the exe imports only system DLLs: WinHvPlatform.dll and WinHvEmulation.dll are loaded at
#      run time (LoadLibraryExW + GetProcAddress, whp_api.h), so it must NOT import them, and it
#      must import LoadLibraryExW and GetProcAddress;
#   3. every function whp_api.h resolves (its VMB_WHP_*_FUNCTIONS lists) is exported by the DLL it
#      is looked up in, according to mingw-w64's import libraries (libwinhvplatform.a,
#      libwinhvemulation.a), and its name is in the exe; the import libraries name the same DLLs
#      the loader asks for;
#   4. the plugin's adapter files compile for Windows (-fsyntax-only) against the Abseil and Boost
#      headers of this machine, reached through a folder holding only absl/ and boost/ links, so
#      that no glibc header can stand in for a Windows one.
# Exit 0 when all hold, 1 when one does not, 77 (skipped) without the mingw-w64 compiler.
#
# Usage: check_whp_cross_compile.sh --source <vmbench source> --output <scratch folder>
#            [--include <dir>]...   (folders holding absl/ and boost/; default /usr/include)
# The exe is left in <scratch folder>/whp_probe.exe.
set -euo pipefail

source_dir=""
output_dir=""
include_dirs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --source) source_dir="$2"; shift 2 ;;
    --output) output_dir="$2"; shift 2 ;;
    --include) include_dirs+=("$2"); shift 2 ;;
    *) echo "check_whp_cross_compile.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
if [ -z "$source_dir" ] || [ -z "$output_dir" ]; then
  echo "usage: check_whp_cross_compile.sh --source DIR --output DIR [--include DIR]..." >&2
  exit 2
fi
if [ "${#include_dirs[@]}" -eq 0 ]; then
  include_dirs=(/usr/include)
fi

cxx=x86_64-w64-mingw32-g++
objdump=x86_64-w64-mingw32-objdump
nm=x86_64-w64-mingw32-nm
for tool in "$cxx" "$objdump" "$nm"; do
  if ! command -v "$tool" > /dev/null; then
    echo "SKIPPED: $tool not found (Debian 12: g++-mingw-w64-x86-64-win32 mingw-w64-x86-64-dev," \
      "which tools/install-deps.sh installs)"
    exit 77
  fi
done

whp="$source_dir/hypervisors/whp"
windows_layer=(whp_api.cc whp_mmio.cc whp_partition.cc whp_registers.cc whp_result.cc)
adapter=(whp_hypervisor.cc whp_plugin.cc whp_vcpu.cc whp_vm.cc)
# cmake/warnings.cmake, with -Werror.
warnings=(-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wconversion -Wno-sign-conversion -Werror)
includes=(-I"$source_dir/plugins/include" -I"$source_dir/hypervisors/common/include")

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
started=$SECONDS

rm -rf "$output_dir"
mkdir -p "$output_dir"
echo "compiler: $("$cxx" --version | head -n 1)"

# 1. Compile and link the probe.
exe="$output_dir/whp_probe.exe"
sources=()
for file in "${windows_layer[@]}" whp_probe.cc; do sources+=("$whp/$file"); done
if "$cxx" -std=c++20 -O2 "${warnings[@]}" "${includes[@]}" "${sources[@]}" -static -o "$exe"; then
  echo "ok: whp_probe.exe compiled and linked ($(stat -c %s "$exe") bytes)"
else
  fail "the Windows layer and whp_probe.cc do not compile or link"
fi

if [ -f "$exe" ]; then
  # 2. What the exe imports.
  headers="$("$objdump" -p "$exe")"
  dlls="$(sed -n 's/^[[:space:]]*DLL Name: //p' <<< "$headers" | sort -u | tr '\n' ' ')"
  echo "ok: imported DLLs: $dlls"
  for dll in $dlls; do
    case "${dll,,}" in
      kernel32.dll | msvcrt.dll) ;;
      winhvplatform.dll | winhvemulation.dll)
        fail "$dll is imported: the exe would not start where WHP is not enabled" ;;
      *) fail "$dll is imported: the exe is not stand-alone" ;;
    esac
  done
  for function in LoadLibraryExW GetProcAddress; do
    if ! grep -Eq "[[:space:]]$function\$" <<< "$headers"; then
      fail "$function is not imported"
    fi
  done

  # 3. The functions resolved at run time exist in the DLLs they are looked up in.
  check_dll_functions() {
    local list="$1" dll="$2" library import_lib
    library="lib$(tr '[:upper:]' '[:lower:]' <<< "${dll%.dll}").a"
    import_lib="$("$cxx" -print-file-name="$library")"
    if [ ! -f "$import_lib" ]; then
      fail "no import library $library to check $dll's exports against"
      return
    fi
    # Captured first: with pipefail, `strings | grep -q` fails whenever grep quits early.
    local library_strings exe_strings
    library_strings="$(strings "$import_lib")"
    exe_strings="$(strings -e l "$exe")"
    grep -qix "$dll" <<< "$library_strings" || fail "$import_lib does not name $dll"
    grep -qix "$dll" <<< "$exe_strings" || fail "the exe does not load $dll by that name"
    local exports names
    exports="$("$nm" "$import_lib" | sed -n 's/^[0-9a-f]* T //p')"
    names="$(sed -n "/define $list(X)/,/^\$/p" "$whp/whp_api.h" |
      grep -o 'X(WHv[A-Za-z0-9]*)' | sed 's/X(\(.*\))/\1/')"
    if [ -z "$names" ]; then
      fail "found no $list in whp_api.h"
      return
    fi
    local before=$failures count=0 name
    for name in $names; do
      count=$((count + 1))
      grep -qx "$name" <<< "$exports" || fail "$dll does not export $name"
      grep -aq "$name" "$exe" || fail "the exe does not resolve $name"
    done
    if [ "$failures" -eq "$before" ]; then
      echo "ok: $count functions resolved from $dll, all exported by it: ${names//$'\n'/ }"
    fi
  }
  check_dll_functions VMB_WHP_PLATFORM_FUNCTIONS WinHvPlatform.dll
  check_dll_functions VMB_WHP_EMULATION_FUNCTIONS WinHvEmulation.dll
  for name in WHvRunVirtualProcessor WHvCancelRunVirtualProcessor WHvQueryGpaRangeDirtyBitmap \
    WHvMapGpaRange WHvUnmapGpaRange WHvGetCapability WHvEmulatorTryMmioEmulation; do
    grep -q "X($name)" "$whp/whp_api.h" || fail "whp_api.h does not resolve $name"
  done
fi

# 4. The adapter against Abseil and Boost, seen through links only.
third_party="$output_dir/include"
mkdir -p "$third_party"
for library in absl boost; do
  for dir in "${include_dirs[@]}"; do
    if [ -d "$dir/$library" ]; then
      ln -sfn "$dir/$library" "$third_party/$library"
      break
    fi
  done
  [ -e "$third_party/$library" ] || fail "no $library/ headers in: ${include_dirs[*]}"
done
for file in "${adapter[@]}"; do
  if "$cxx" -std=c++20 "${warnings[@]}" -fsyntax-only -isystem "$third_party" "${includes[@]}" \
    "$whp/$file"; then
    echo "ok: $file compiles for Windows (syntax only)"
  else
    fail "$file does not compile for Windows"
  fi
done

echo "took $((SECONDS - started)) s"
if [ "$failures" -ne 0 ]; then
  echo "whp_cross_compile: $failures check(s) failed"
  exit 1
fi
echo "whp_cross_compile: OK"
