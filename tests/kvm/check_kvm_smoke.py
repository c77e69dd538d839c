#!/usr/bin/python3
"""Checks the JSON of the kvm smoke run that kvm_in_guest.sh made (inside the QEMU guest of
tools/vmtest, or directly on a host with /dev/kvm):

  - every benchmark id of the smoke run's suites is there (the ids `vmbench list benchmarks`
    prints for them), and no other;
  - every benchmark is `ok`, and the run is complete;
  - it ran on kvm (`hypervisor` kvm, `hypervisor_version` "KVM API 12, ...");
  - its host context is the machine it ran on: the kernel and CPU model recorded next to it by
    kvm_in_guest.sh, and, when it ran in the QEMU guest, a kernel other than this machine's and
    an AMD CPU (QEMU emulates AMD SVM only).

Exit code 0 when all hold, 1 otherwise (each failure on its own line), 77 when the kvm run did not
happen here (kvm_in_qemu was skipped: no /dev/kvm and no QEMU).
The layout read here is docs/result-schema.md (schema version 1).
"""

import argparse
import json
import os
import subprocess
import sys


def read_environment(path):
    values = {}
    with open(path) as f:
        for line in f:
            name, _, value = line.rstrip("\n").partition("=")
            values[name] = value
    return values


def listed_ids(vmbench, suites):
    """The ids `vmbench list benchmarks` prints for `suites` (rows of SUITE and BENCHMARK)."""
    listing = subprocess.run([vmbench, "list", "benchmarks"], capture_output=True, text=True,
                             check=True).stdout
    ids = set()
    for line in listing.splitlines()[2:]:  # after the header and its underline
        fields = line.split()
        if len(fields) == 2 and fields[0] in suites:
            ids.add(fields[1])
    return ids


def check(results, environment, expected_ids):
    failures = []
    context = results.get("context", {})
    host = context.get("host", {})
    if results.get("schema_version") != 1:
        failures.append(f"schema_version is {results.get('schema_version')!r}, expected 1")
    if context.get("hypervisor") != "kvm":
        failures.append(f"hypervisor is {context.get('hypervisor')!r}, expected 'kvm'")
    if not str(context.get("hypervisor_version", "")).startswith("KVM API 12, "):
        failures.append(f"hypervisor_version is {context.get('hypervisor_version')!r}, expected "
                        "'KVM API 12, Linux ...'")
    if context.get("incomplete") is not False:
        failures.append("the run is marked incomplete")

    ids = [b.get("id") for b in results.get("benchmarks", [])]
    for missing in sorted(expected_ids - set(ids)):
        failures.append(f"{missing}: missing from the results")
    for extra in sorted(set(ids) - expected_ids):
        failures.append(f"{extra}: not a benchmark of the smoke run's suites")
    for benchmark in results.get("benchmarks", []):
        if benchmark.get("status") != "ok":
            failures.append(f"{benchmark.get('id')}: status {benchmark.get('status')!r}: "
                            f"{benchmark.get('message', '')}")

    if host.get("kernel") != environment.get("kernel"):
        failures.append(f"host.kernel is {host.get('kernel')!r}, but the run happened on kernel "
                        f"{environment.get('kernel')!r}")
    if host.get("cpu_model") != environment.get("cpu_model"):
        failures.append(f"host.cpu_model is {host.get('cpu_model')!r}, but the run happened on "
                        f"{environment.get('cpu_model')!r}")
    if environment.get("mode") == "qemu":
        if host.get("kernel") == os.uname().release:
            failures.append(f"host.kernel {host.get('kernel')!r} is this machine's kernel, not "
                            "the QEMU guest's")
        if host.get("cpu_vendor") != "amd":
            failures.append(f"host.cpu_vendor is {host.get('cpu_vendor')!r}; the QEMU guest's "
                            "CPU is AMD")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", required=True, help="the smoke run's JSON result file")
    parser.add_argument("--environment", required=True,
                        help="environment.txt written by kvm_in_guest.sh")
    parser.add_argument("--vmbench", required=True, help="the vmbench executable")
    parser.add_argument("--suites", required=True, help="the smoke run's suites, comma-separated")
    args = parser.parse_args()

    if not os.path.exists(args.environment):
        print(f"SKIPPED: the kvm run did not happen here (no {args.environment}; kvm_in_qemu was "
              "skipped or not run)")
        return 77
    if not os.path.exists(args.results):
        print(f"FAILED: the kvm smoke run wrote no results ({args.results} is missing)")
        return 1
    with open(args.results) as f:
        results = json.load(f)
    environment = read_environment(args.environment)
    expected_ids = listed_ids(args.vmbench, set(args.suites.split(",")))
    if not expected_ids:
        print(f"FAILED: `vmbench list benchmarks` lists nothing for {args.suites}")
        return 1

    failures = check(results, environment, expected_ids)
    for failure in failures:
        print(f"FAILED: {failure}")
    if failures:
        return 1
    host = results["context"]["host"]
    print(f"ok: {len(expected_ids)} benchmarks of {args.suites}, all ok, on "
          f"{results['context']['hypervisor_version']} ({environment.get('mode')} run; "
          f"kernel {host['kernel']}, CPU {host['cpu_model']}, this machine's kernel "
          f"{os.uname().release})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
