// Helpers shared by the importer tests.

#ifndef VMBENCH_TESTS_IMPORTERS_IMPORT_TEST_SUPPORT_H_
#define VMBENCH_TESTS_IMPORTERS_IMPORT_TEST_SUPPORT_H_

#include <catch2/catch.hpp>
#include <cmath>

#include "vmbench/plugin/results.h"

namespace vmbench::testing {

// Checks that `back` (a result read back from its file) equals `run`. Boost.JSON 1.81 does not
// always parse a number to the nearest double (e.g. "22.306861893535178" reads as
// 22.306861893535174), so a measured time can come back one unit in the last place off; times are
// compared to a relative 1e-15 and everything else exactly.
inline void CheckReadBackEqual(const RunResult& run, const RunResult& back) {
  RunResult snapped = back;
  const auto snap = [](double expected, double* actual) {
    if (std::abs(expected - *actual) <= 1e-15 * std::abs(expected)) *actual = expected;
  };
  REQUIRE(snapped.benchmarks.size() == run.benchmarks.size());
  for (std::size_t i = 0; i < run.benchmarks.size(); ++i) {
    const BenchmarkResult& want = run.benchmarks[i];
    BenchmarkResult& got = snapped.benchmarks[i];
    REQUIRE(got.repetitions.size() == want.repetitions.size());
    for (std::size_t r = 0; r < want.repetitions.size(); ++r) {
      snap(want.repetitions[r].real_time_ns, &got.repetitions[r].real_time_ns);
      snap(want.repetitions[r].cpu_time_ns, &got.repetitions[r].cpu_time_ns);
    }
    snap(want.summary.median_ns, &got.summary.median_ns);
    snap(want.summary.mean_ns, &got.summary.mean_ns);
    snap(want.summary.stddev_ns, &got.summary.stddev_ns);
    snap(want.summary.min_ns, &got.summary.min_ns);
    snap(want.summary.max_ns, &got.summary.max_ns);
  }
  CHECK(snapped == run);
}

}  // namespace vmbench::testing

#endif  // VMBENCH_TESTS_IMPORTERS_IMPORT_TEST_SUPPORT_H_
