// Importing criterion.rs results as a vmbench result (`vmbench import criterion`).
//
// Reads the tree criterion writes under `target/criterion` and turns the latest measurement of
// every benchmark into a RunResult, so that Rust projects get vmbench's comparisons, verdicts and
// reports. The mapping, in short (docs/importers.md has the details and the reasons):
//
//   - every directory D that holds `D/new/benchmark.json` is one benchmark (the walk does not go
//     below D; `report` directories without one and directories whose name starts with '.' are
//     not entered, and symbolic links are not followed);
//   - the id is benchmark.json's `group_id` / `function_id` / `value_str` (the last two may be
//     null), so `BenchmarkId::ToString()` equals criterion's `full_id`;
//   - every sample of `D/new/sample.json` is one Repetition: `iters[i]` iterations taking
//     `times[i]` ns in total, i.e. `times[i] / iters[i]` ns per iteration. criterion measures wall
//     time only, so `cpu_time_ns` is 0;
//   - benchmark.json's `throughput` (`Bytes`, `BytesDecimal`, `Elements`, `ElementsAndBytes`)
//     becomes the throughput;
//   - benchmarks are sorted by id, with runs of digits compared as numbers ("x/64" before
//     "x/128");
//   - the context has this vmbench's version, build type "imported:criterion", hypervisor "none",
//     the time of the oldest sample file, and no host facts (criterion records none).
//
// estimates.json, change/ and baselines are not read: vmbench recomputes its statistics from the
// samples and compares runs itself.

#ifndef VMBENCH_CORE_IMPORTERS_CRITERION_IMPORTER_H_
#define VMBENCH_CORE_IMPORTERS_CRITERION_IMPORTER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "vmbench/plugin/results.h"

namespace vmbench {

// The build type recorded in the context of a run imported from criterion; it marks the result
// file as imported.
inline constexpr absl::string_view kCriterionImportMarker = "imported:criterion";

// The suite name every imported criterion benchmark gets.
inline constexpr absl::string_view kCriterionSuiteName = "criterion";

// Imports the criterion tree at `dir` (normally `target/criterion`). A missing `dir` or sample
// file is NotFound; a `dir` that is not a directory, a tree without benchmarks, a malformed or
// mistyped JSON field, a sample with a fractional or zero iteration count or a negative time, and
// two directories with the same id are InvalidArgument, with a message naming the file and the
// field ("DIR/alloc/64/new/sample.json: iters[3]: expected a whole number of at least 1").
absl::StatusOr<RunResult> ImportCriterion(const std::string& dir);

// Orders ids as ImportCriterion sorts them: text compared byte by byte, except that runs of
// decimal digits are compared as numbers. Returns true when `a` sorts before `b`.
bool NaturalLess(absl::string_view a, absl::string_view b);

}  // namespace vmbench

#endif  // VMBENCH_CORE_IMPORTERS_CRITERION_IMPORTER_H_
