// A fixed RunResult used by the result-file and reporter tests (golden files depend on it).

#ifndef VMBENCH_TESTS_SAMPLE_RESULTS_H_
#define VMBENCH_TESTS_SAMPLE_RESULTS_H_

#include "vmbench/plugin/results.h"

namespace vmbench::testing {

inline RunResult SampleRun() {
  RunResult run;
  RunContext& c = run.context;
  c.vmbench_version = "0.1.0";
  c.git_revision = "abc123def456";
  c.timestamp = "2026-11-25T12:00:00Z";
  c.build_type = "Release";
  c.host = {"Debian GNU/Linux 12 (bookworm)",
            "6.1.0-18-amd64",
            "x86_64",
            "AMD EPYC 7763",
            "amd",
            4,
            2,
            8ULL << 30};
  c.hypervisor = "none";
  c.machine_fingerprint = "0123456789abcdef";
  c.repetitions = 3;
  c.min_time_s = 0.05;

  BenchmarkResult alloc;
  alloc.id = {"alloc_single", "", "64"};
  alloc.suite = "virtq";
  alloc.throughput = {Throughput::Kind::kElements, 1};
  alloc.repetitions = {{1000000, 12.5, 12.4}, {1000000, 12.25, 12.2}, {1000000, 13.0, 12.9}};
  alloc.summary = Summarize(alloc.repetitions);
  run.benchmarks.push_back(alloc);

  BenchmarkResult copy;
  copy.id = {"shared_memory", "copy_to_slice", "64MB"};
  copy.suite = "shared_memory";
  copy.throughput = {Throughput::Kind::kBytes, 64ULL << 20};
  copy.repetitions = {{10, 5.5e6, 5.4e6}, {10, 6.0e6, 5.9e6}, {10, 5.25e6, 5.2e6}};
  copy.summary = Summarize(copy.repetitions);
  run.benchmarks.push_back(copy);

  BenchmarkResult error;
  error.id = {"guest_calls", "call", "default"};
  error.suite = "guest_calls";
  error.status = BenchmarkStatus::kError;
  error.message = "emulator: guest fault: vector 14 at rip 0x1234";
  run.benchmarks.push_back(error);

  BenchmarkResult skipped;
  skipped.id = {"sandboxes", "create_initialized", "large"};
  skipped.suite = "sandboxes";
  skipped.status = BenchmarkStatus::kSkipped;
  skipped.message = "no hypervisor backend is available";
  run.benchmarks.push_back(skipped);
  return run;
}

}  // namespace vmbench::testing

#endif  // VMBENCH_TESTS_SAMPLE_RESULTS_H_
