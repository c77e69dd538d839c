#!/bin/sh
# The kvm part of the test suite in one go, for one boot of the QEMU guest that tools/vmtest
# starts where /dev/kvm is missing (it also runs as is on a host with /dev/kvm):
#   1. the backend conformance checks on kvm (hypervisor_test "[kvm]");
#   2. the kvm backend and sandbox checks (kvm_test "[kvm]");
#   3. the sandbox runtime's tests on kvm (sandbox_test with VMBENCH_TEST_BACKEND=kvm);
#   4. a smoke run of the VM suites on kvm, whose JSON check_kvm_smoke.py then checks on the host.
# Every step runs even when an earlier one failed; the exit code is 1 when any failed.
#
# Usage: kvm_in_guest.sh HYPERVISOR_TEST KVM_TEST SANDBOX_TEST VMBENCH SUITES OUTPUT_DIR
#   SUITES      comma-separated suites for the smoke run
#   OUTPUT_DIR  writable: gets environment.txt, steps.txt and kvm-smoke.json
set -u
if [ $# -ne 6 ]; then
  echo "usage: $0 HYPERVISOR_TEST KVM_TEST SANDBOX_TEST VMBENCH SUITES OUTPUT_DIR" >&2
  exit 2
fi
hypervisor_test=$1 kvm_test=$2 sandbox_test=$3 vmbench=$4 suites=$5 out=$6
mkdir -p "$out" || exit 1
failed=""

# Where the smoke run ran, for the check: the kernel and CPU the JSON's host context must show.
{
  echo "mode=${VMTEST_MODE:-unknown}"
  echo "kernel=$(uname -r)"
  echo "cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
} > "$out/environment.txt"
: > "$out/steps.txt"

step() {
  name=$1
  shift
  echo "==== kvm: $name: $*"
  start=$(date +%s%N)
  "$@"
  code=$?
  ms=$((($(date +%s%N) - start) / 1000000))
  echo "==== kvm: $name: exit code $code after $((ms / 1000)).$(printf %03d $((ms % 1000))) s"
  echo "$name $code $ms" >> "$out/steps.txt"
  [ "$code" -eq 0 ] || failed="$failed $name"
}

step conformance "$hypervisor_test" "[kvm]" --use-colour no --durations yes
step kvm_test "$kvm_test" "[kvm]" --use-colour no --durations yes
# Not "a guest fault is reported with its vector and RIP": its hand-made guest has no IDT, so on
# hardware its #UD triple-faults (a shutdown) instead of reaching the guest's fault handler.
step sandbox env VMBENCH_TEST_BACKEND=kvm "$sandbox_test" --use-colour no --durations yes \
  "~a guest fault is reported with its vector and RIP"
step smoke "$vmbench" run --hypervisor kvm --suite "$suites" --min-time 0.0001 --repetitions 1 \
  --processes 1 --suite-option guest_functions_with_large_parameters.size=1MiB \
  --progress stream,summary --reporter "json:out=$out/kvm-smoke.json"

if [ -n "$failed" ]; then
  echo "==== kvm: failed:$failed"
  exit 1
fi
echo "==== kvm: all steps passed"
