// The runner: selects benchmarks from the suites, registers them with Google Benchmark, runs them
// and records every repetition into a RunResult.
//
// Only the runner talks to Google Benchmark's registry. Suites hand over BenchmarkSpecs; the
// runner wraps each body (exceptions become error results, throughput is derived from the spec),
// registers it under its id with the requested repetitions and minimum time, and captures each
// repetition's per-iteration real and CPU time with its own BenchmarkReporter.

#ifndef VMBENCH_CORE_RUNNER_H_
#define VMBENCH_CORE_RUNNER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "registry.h"
#include "vmbench/plugin/results.h"
#include "vmbench/plugin/suite.h"

namespace vmbench {

// A regular expression over benchmark ids, negated by a leading '-' (as Google Benchmark's
// --benchmark_filter). An empty pattern selects everything.
class BenchmarkFilter {
 public:
  // InvalidArgument naming the pattern when it is not a valid ECMAScript regular expression.
  static absl::StatusOr<BenchmarkFilter> Create(const std::string& pattern);

  bool Matches(const std::string& id) const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

// The suites to run (registry order when `suites` is empty) and how.
struct RunOptions {
  std::vector<std::string> suites;
  std::string filter;
  // When not empty, only the benchmarks with exactly these ids (a worker runs one; `ab --confirm`
  // re-runs the flagged ones).
  std::vector<std::string> only_ids;
  std::string hypervisor = "auto";
  int repetitions = 10;
  double min_time_s = 0.05;
  // Per-suite options: suite name -> key -> value.
  std::map<std::string, std::map<std::string, std::string>> suite_options;
};

// The hypervisor a run uses, or none (with the reason) when no backend is available.
struct HypervisorChoice {
  std::shared_ptr<Hypervisor> hypervisor;  // null when none is available
  std::string name;                        // the chosen backend, or "none"
  std::string unavailable_reason;          // why there is none, for skipped results
};

// Resolves --hypervisor. "auto" picks the first available of kvm, mshv3, whp, emulator, then any
// other registered backend; having none is not an error (VM benchmarks are then skipped). A named
// backend that is unknown or unavailable is InvalidArgument with the reason.
absl::StatusOr<HypervisorChoice> ChooseHypervisor(const Registry& registry,
                                                  const std::string& name);

// One selected benchmark: its spec and the suite it came from.
struct SelectedBenchmark {
  std::string suite;
  BenchmarkSpec spec;
  bool needs_hypervisor = false;
};

// Resolves the suites (an unknown name is InvalidArgument listing the known suites), asks each for
// its benchmarks and keeps those that match the filter. A suite whose Benchmarks() fails is
// InvalidArgument naming the suite.
absl::StatusOr<std::vector<SelectedBenchmark>> SelectBenchmarks(const Registry& registry,
                                                                const RunOptions& options,
                                                                Hypervisor* hypervisor);

// The context of a run made now with `choice` and `options`: versions, time, host, fingerprint.
RunContext MakeRunContext(const HypervisorChoice& choice, const RunOptions& options);

// Called after each benchmark finishes, with its result and its position (1-based) and the total.
using ProgressCallback = std::function<void(const BenchmarkResult&, int done, int total)>;

// Runs `selection` in this process and returns one result per selected benchmark, in order.
// Benchmarks that need a hypervisor when `choice` has none are skipped with the reason.
RunResult RunBenchmarks(const std::vector<SelectedBenchmark>& selection,
                        const HypervisorChoice& choice, const RunOptions& options,
                        const ProgressCallback& progress);

}  // namespace vmbench

#endif  // VMBENCH_CORE_RUNNER_H_
