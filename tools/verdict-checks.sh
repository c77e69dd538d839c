#!/usr/bin/env bash
# Measures how often the verdict rules raise false alarms (A/A) and whether they catch a real,
# injected change; the figures go to docs/benchmarks/verdicts.md. A benchmark, not a test: it takes
# minutes and its outcome depends on the machine.
#
#   tools/verdict-checks.sh aa N [options...]          N A/A comparisons of the virtq suite, each
#                                                      two separate `vmbench run`s
#   tools/verdict-checks.sh ab-aa N [options...]       N A/A comparisons of the virtq suite with
#                                                      `vmbench ab`, the same build on both sides
#   tools/verdict-checks.sh ab-injected N SCALE [options...]
#                                                      N `vmbench ab` runs of fake_calibrated, B
#                                                      slowed down by SCALE (e.g. 1.10)
# Options go to `vmbench run` / `vmbench ab`. Needs the release build (./bench.sh builds it) and,
# for ab-injected, the dev build's test plugins (./test.sh builds them).
set -euo pipefail
cd "$(dirname "$0")/.."
vmbench=$PWD/build/release/bin/vmbench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mode=${1:?usage: verdict-checks.sh aa|ab-aa|ab-injected N ...}
tries=${2:?number of tries}
shift 2

# Prints the last line of a comparison (the verdict counts) and counts alarms.
alarms=0
tally() {
  local line
  line=$(tail -n 1 "$1")
  echo "try $2: $line"
  if echo "$line" | grep -qE '(regressed|improved)'; then alarms=$((alarms + 1)); fi
}

case "$mode" in
  aa)
    for i in $(seq "$tries"); do
      "$vmbench" run --suite virtq -q --reporter "json:out=$work/a.json" "$@"
      "$vmbench" run --suite virtq -q --reporter "json:out=$work/b.json" "$@"
      "$vmbench" compare "$work/a.json" "$work/b.json" >"$work/compare.txt"
      tally "$work/compare.txt" "$i"
    done
    echo "A/A (separate runs): $alarms of $tries tries raised an alarm (regressed or improved)"
    ;;
  ab-aa)
    for i in $(seq "$tries"); do
      "$vmbench" ab --a "$vmbench" --b "$vmbench" --suite virtq -q --results-dir "$work" "$@" \
        >"$work/ab.txt"
      tally "$work/ab.txt" "$i"
    done
    echo "A/A (vmbench ab): $alarms of $tries tries raised an alarm (regressed or improved)"
    ;;
  ab-injected)
    scale=${1:?scale, e.g. 1.10}
    shift
    # Only the calibrated suite: the fakes folder also holds the loader's broken test plugins.
    mkdir -p "$work/plugins"
    cp build/dev/tests/fakes/plugins/libvmbench_suite_fake_calibrated.so "$work/plugins/"
    printf '#!/bin/sh\nVMBENCH_FAKE_CALIBRATED_SCALE=%s exec "%s" "$@"\n' "$scale" "$vmbench" \
      >"$work/slower"
    chmod +x "$work/slower"
    for i in $(seq "$tries"); do
      echo "try $i:"
      "$vmbench" --plugin-dir "$work/plugins" ab --a "$vmbench" --b "$work/slower" \
        --suite fake_calibrated -q --results-dir "$work" "$@" | grep '^calibrated'
    done
    ;;
  *)
    echo "unknown mode '$mode' (aa, ab-aa or ab-injected)" >&2
    exit 2
    ;;
esac
