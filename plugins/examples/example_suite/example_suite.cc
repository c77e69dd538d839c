// The `example` suite: two tiny CPU benchmarks, the smallest complete vmbench suite plugin
// (docs/writing-a-suite.md walks through it).
//
//   example_hash/fnv1a/64      FNV-1a over a 64-byte buffer     (bytes throughput)
//   example_hash/fnv1a/4096    FNV-1a over a 4 KiB buffer       (bytes throughput)
//   example_sort/std_sort/1024 std::sort of 1024 shuffled ints  (elements throughput)
//
// Ids are `group/function/param` and are the keys results are compared by across runs, so they
// never change once published: a different input size is a new param, a different algorithm a new
// function, never a rename. The suite needs no VM, so it runs on any machine.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <numeric>
#include <random>
#include <vector>

#include "absl/strings/str_cat.h"
#include "vmbench/plugin/suite.h"

namespace vmbench::example {
namespace {

// FNV-1a, 64-bit (http://www.isthe.com/chongo/tech/comp/fnv/): a byte-at-a-time loop whose cost
// is proportional to the input, so its throughput figure is meaningful.
std::uint64_t Fnv1a(const std::vector<std::uint8_t>& bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (std::uint8_t byte : bytes) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

// The bodies own their inputs and build them before the timed loop: only the loop is measured.
BenchmarkSpec HashSpec(std::size_t size) {
  return {{"example_hash", "fnv1a", absl::StrCat(size)},
          {Throughput::Kind::kBytes, size},
          false,
          [size](benchmark::State& state) {
            std::vector<std::uint8_t> bytes(size);
            std::iota(bytes.begin(), bytes.end(), std::uint8_t{0});
            for (auto _ : state) {
              benchmark::DoNotOptimize(bytes.data());
              benchmark::DoNotOptimize(Fnv1a(bytes));
            }
          }};
}

BenchmarkSpec SortSpec(std::size_t count) {
  return {{"example_sort", "std_sort", absl::StrCat(count)},
          {Throughput::Kind::kElements, count},
          false,
          [count](benchmark::State& state) {
            std::vector<int> shuffled(count);
            std::iota(shuffled.begin(), shuffled.end(), 0);
            // A fixed seed: every repetition and every run sorts the same permutation.
            std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937_64(42));
            std::vector<int> work(count);
            for (auto _ : state) {
              // Restoring the input is part of each iteration; for 1024 ints a copy costs a few
              // percent of the sort, and pausing the timer would cost more than that.
              work = shuffled;
              std::sort(work.begin(), work.end());
              benchmark::DoNotOptimize(work.data());
            }
          }};
}

class ExampleSuite final : public Suite {
 public:
  bool NeedsHypervisor() const noexcept override { return false; }

  absl::StatusOr<std::vector<BenchmarkSpec>> Benchmarks(
      const SuiteContext& context) noexcept override {
    // An option this suite does not know is a typo on the command line: say so rather than
    // silently running something other than what was asked. (The host prefixes the name of the
    // suite.)
    if (!context.options.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown option '", context.options.begin()->first, "' (this suite takes none)"));
    }
    // Benchmarks() must not throw; building a few std::function objects can only fail on memory
    // exhaustion, which is reported rather than propagated.
    try {
      return std::vector<BenchmarkSpec>{HashSpec(64), HashSpec(4096), SortSpec(1024)};
    } catch (const std::exception& e) {
      return absl::ResourceExhaustedError(e.what());
    }
  }
};

}  // namespace
}  // namespace vmbench::example

VMBENCH_PLUGIN(vmbench::example::ExampleSuite, "example", "0.1.0",
               "Example suite: FNV-1a hashing and std::sort (pure CPU, no VM)");
