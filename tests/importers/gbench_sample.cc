// A small Google Benchmark program whose JSON output is the fixture of the Google Benchmark
// importer's test (tests/importers/CMakeLists.txt runs it at build time). Each benchmark exercises
// one part of the mapping: bytes and items throughput, a parameterized name, a failed benchmark,
// and a name with run-setting components on a real-time benchmark.

#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <vector>

namespace {

// 64 bytes copied per iteration: a bytes throughput of 64.
void BM_copy(benchmark::State& state) {
  std::array<char, 64> from{};
  std::array<char, 64> to{};
  for (auto _ : state) {
    std::memcpy(to.data(), from.data(), from.size());
    benchmark::DoNotOptimize(to);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(from.size()));
}
BENCHMARK(BM_copy);

// Sums range(0) integers per iteration: names BM_sum/8 and BM_sum/64, elements throughput.
void BM_sum(benchmark::State& state) {
  const std::vector<int> values(static_cast<std::size_t>(state.range(0)), 1);
  for (auto _ : state) {
    int sum = std::accumulate(values.begin(), values.end(), 0);
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_sum)->Arg(8)->Arg(64);

// Fails in every repetition, like a benchmark whose device is missing.
void BM_fails(benchmark::State& state) {
  for (auto _ : state) {
    state.SkipWithError("device unavailable");
    break;
  }
}
BENCHMARK(BM_fails);

// Named "BM_spin/min_time:0.002/real_time": min_time is a run setting the importer drops from the
// id; real_time makes GB compute the rate over wall time.
void BM_spin(benchmark::State& state) {
  std::uint64_t x = 1;
  for (auto _ : state) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    benchmark::DoNotOptimize(x);
  }
  state.SetBytesProcessed(state.iterations() * 3);
}
BENCHMARK(BM_spin)->MinTime(0.002)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
