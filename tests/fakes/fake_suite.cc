// Test plugin: a small suite whose benchmarks end in every way the runner must handle.
//
//   fake/ok/work        a few nanoseconds of arithmetic; 64 bytes of throughput per iteration
//   fake/ok/manual      measures itself (manual time): reports exactly 1 µs per iteration
//   fake/error/skip     fails through state.SkipWithError
//   fake/error/throw    throws, which the runner must turn into an error result
//
// Option `count=N` adds fake/param/0 .. fake/param/N-1; a value that is not a number makes
// Benchmarks() fail with InvalidArgument naming the option.

#include <stdexcept>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "vmbench/plugin/suite.h"

namespace {

using vmbench::BenchmarkSpec;

void Work(benchmark::State& state) {
  std::uint64_t x = 1;
  for (auto _ : state) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    benchmark::DoNotOptimize(x);
  }
}

void Manual(benchmark::State& state) {
  for (auto _ : state) state.SetIterationTime(1e-6);
}

void Skip(benchmark::State& state) {
  state.SkipWithError("fake failure reported by the benchmark");
  for (auto _ : state) {
  }
}

void Throw(benchmark::State& state) {
  for (auto _ : state) throw std::runtime_error("fake exception from the benchmark body");
}

class FakeSuite final : public vmbench::Suite {
 public:
  bool NeedsHypervisor() const noexcept override { return false; }

  absl::StatusOr<std::vector<BenchmarkSpec>> Benchmarks(
      const vmbench::SuiteContext& context) noexcept override {
    std::vector<BenchmarkSpec> specs;
    specs.push_back({{"fake", "ok", "work"}, {vmbench::Throughput::Kind::kBytes, 64}, false, Work});
    specs.push_back({{"fake", "ok", "manual"}, {}, true, Manual});
    specs.push_back({{"fake", "error", "skip"}, {}, false, Skip});
    specs.push_back({{"fake", "error", "throw"}, {}, false, Throw});
    if (auto it = context.options.find("count"); it != context.options.end()) {
      int count = 0;
      if (!absl::SimpleAtoi(it->second, &count) || count < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("option count: '", it->second, "' is not a non-negative integer"));
      }
      for (int i = 0; i < count; ++i) {
        specs.push_back({{"fake", "param", absl::StrCat(i)}, {}, false, Work});
      }
    }
    return specs;
  }
};

}  // namespace

VMBENCH_PLUGIN(FakeSuite, "fake_suite", "0.0.1", "Test plugin: benchmarks that end every way");
