// vmbench plugin SDK: benchmark suites.
//
// A suite plugin describes its benchmarks as data: a list of `BenchmarkSpec`s, each with a stable
// id, a throughput and a body. The host alone registers them with Google Benchmark, runs them and
// records the results, so every suite gets filtering, repetitions, result files and reporters for
// free. A suite never uses the BENCHMARK() macros.

#ifndef VMBENCH_PLUGIN_SUITE_H_
#define VMBENCH_PLUGIN_SUITE_H_

#include <benchmark/benchmark.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "vmbench/plugin/plugin.h"
#include "vmbench/plugin/results.h"

namespace vmbench {

class Hypervisor;

// One benchmark. The body is a Google Benchmark body: it loops `for (auto _ : state)` around the
// timed work and may use PauseTiming/ResumeTiming, SetIterationTime (with `manual_time`) and
// SkipWithError. The host sets bytes/items processed from `throughput` itself.
struct BenchmarkSpec {
  BenchmarkId id;
  Throughput throughput;
  // The body measures its own time with state.SetIterationTime (criterion's iter_custom).
  bool manual_time = false;
  // Must not throw; report failures with state.SkipWithError(message) and return. The host still
  // catches anything thrown and turns it into an error result.
  std::function<void(benchmark::State&)> body;
};

// What the host gives a suite when it asks for its benchmarks.
struct SuiteContext {
  // The backend selected with --hypervisor, or nullptr when none is available on this machine.
  // Suites whose benchmarks need a VM return them anyway: the host marks them skipped, with the
  // reason, when this is nullptr.
  Hypervisor* hypervisor = nullptr;
  // Options given as --suite-option NAME.KEY=VALUE, keyed by KEY.
  std::map<std::string, std::string> options;
};

// A benchmark suite. Created once per process by the plugin's factory.
class Suite : public Plugin {
 public:
  ~Suite() override;

  // Whether the benchmarks of this suite run a VM. A suite that does not (e.g. `virtq`) runs on any
  // machine and its results do not depend on the backend.
  virtual bool NeedsHypervisor() const noexcept = 0;

  // Returns every benchmark of the suite, in the order they should run. Called once per run; an
  // error (e.g. an invalid option) is a configuration error naming the suite.
  virtual absl::StatusOr<std::vector<BenchmarkSpec>> Benchmarks(
      const SuiteContext& context) noexcept = 0;
};

}  // namespace vmbench

#endif  // VMBENCH_PLUGIN_SUITE_H_
