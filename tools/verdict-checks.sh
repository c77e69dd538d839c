#!/usr/bin/env bash
# Measures how often the verdict rules raise false alarms (A/A) and whether they catch a real,
# injected change; the figures go to docs/benchmarks/verdicts.md. A benchmark, not a test: it takes
# minutes and its outcome depends on the machine.
#
#   tools/verdict-checks.sh aa N [vmbench run options...]        N A/A comparisons of the virtq suite
#   tools/verdict-checks.sh injected N SCALE [run options...]    N comparisons of fake_calibrated at
#                                                                scale 1.0 vs SCALE
# Needs a release build (./bench.sh builds one) and the dev build's test plugins
# (./test.sh builds them) for `injected`.
set -euo pipefail
cd "$(dirname "$0")/.."
vmbench=build/release/bin/vmbench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Only the calibrated suite: the fakes folder also holds the loader's broken test plugins.
fakes=$work/plugins
mkdir -p "$fakes"
cp build/dev/tests/fakes/plugins/libvmbench_suite_fake_calibrated.so "$fakes/" 2>/dev/null || true

mode=${1:?usage: verdict-checks.sh aa|injected N ...}
tries=${2:?number of tries}
shift 2

case "$mode" in
  aa)
    alarms=0
    for i in $(seq "$tries"); do
      "$vmbench" run --suite virtq -q --reporter "json:out=$work/a.json" "$@"
      "$vmbench" run --suite virtq -q --reporter "json:out=$work/b.json" "$@"
      line=$("$vmbench" compare "$work/a.json" "$work/b.json" | tail -n 1)
      echo "try $i: $line"
      if echo "$line" | grep -qE '(regressed|improved)'; then alarms=$((alarms + 1)); fi
    done
    echo "A/A: $alarms of $tries tries raised an alarm (regressed or improved)"
    ;;
  injected)
    scale=${1:?scale, e.g. 1.10}
    shift
    for i in $(seq "$tries"); do
      "$vmbench" --plugin-dir "$fakes" run --suite fake_calibrated -q \
        --reporter "json:out=$work/a.json" "$@"
      "$vmbench" --plugin-dir "$fakes" run --suite fake_calibrated -q \
        --suite-option "fake_calibrated.scale=$scale" --reporter "json:out=$work/b.json" "$@"
      echo "try $i:"
      "$vmbench" --plugin-dir "$fakes" compare "$work/a.json" "$work/b.json" | grep '^calibrated'
    done
    ;;
  *)
    echo "unknown mode '$mode' (aa or injected)" >&2
    exit 2
    ;;
esac
