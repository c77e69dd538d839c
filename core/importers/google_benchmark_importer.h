// Importing Google Benchmark output as a vmbench result (`vmbench import google-benchmark`).
//
// Reads the JSON file a Google Benchmark program writes with
// `--benchmark_out=FILE --benchmark_out_format=json` (best with `--benchmark_repetitions=N`, so
// that every benchmark has N samples) and turns it into a RunResult, so that the benchmarks of an
// existing C++ project get vmbench's comparisons, verdicts and reports. The mapping, in short
// (docs/importers.md has the details and the reasons):
//
//   - every `run_type: "iteration"` entry is one Repetition; aggregates (mean, median, stddev, cv,
//     BigO, RMS) are ignored, since vmbench recomputes its statistics from the samples;
//   - entries are grouped by `run_name` (else `name`); the id is that name without the run-setting
//     components `repeats:N`, `min_time:X` and `min_warmup_time:X`, split at the first `/` into
//     group and param, so `BenchmarkId::ToString()` gives back the name: "BM_x/8/16" is group
//     "BM_x", function "", param "8/16";
//   - `real_time` and `cpu_time` (already per iteration, in `time_unit`) are converted to ns;
//   - an entry with `error_occurred` makes the benchmark `error` with its `error_message`;
//   - `bytes_per_second` or `items_per_second` become a bytes or elements throughput when they
//     give the same whole number per iteration in every repetition;
//   - the context has this vmbench's version, build type "imported:google-benchmark", hypervisor
//     "none", the run's date, and the one host fact the file has (`num_cpus`).
//
// Tested with the output of Debian's Google Benchmark 1.7.1.

#ifndef VMBENCH_CORE_IMPORTERS_GOOGLE_BENCHMARK_IMPORTER_H_
#define VMBENCH_CORE_IMPORTERS_GOOGLE_BENCHMARK_IMPORTER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "vmbench/plugin/results.h"

namespace vmbench {

// The build type recorded in the context of a run imported from Google Benchmark output; it marks
// the result file as imported (the numbers come from the other project's build, not vmbench's).
inline constexpr absl::string_view kGoogleBenchmarkImportMarker = "imported:google-benchmark";

// Imports the Google Benchmark JSON output at `path`. The file is untrusted: a file that cannot be
// opened is NotFound; malformed JSON, a missing or mistyped field, a negative or non-finite time,
// zero iterations, an unknown time unit or two benchmarks that map to one id are InvalidArgument,
// with a message naming the file and the JSON path ("out.json: benchmarks[3].real_time: expected a
// finite, non-negative number"). Benchmarks are in the order of their first entry in the file.
absl::StatusOr<RunResult> ImportGoogleBenchmark(const std::string& path);

// Imports Google Benchmark JSON output held in memory; `source` names it in error messages. This
// is what ImportGoogleBenchmark() does after reading the file.
absl::StatusOr<RunResult> ImportGoogleBenchmarkJson(absl::string_view json,
                                                    absl::string_view source);

}  // namespace vmbench

#endif  // VMBENCH_CORE_IMPORTERS_GOOGLE_BENCHMARK_IMPORTER_H_
