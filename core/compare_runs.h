// Comparing result files: the bridge between the SDK's result model and the pure comparison
// module, plus the comparison settings file and the pairing of a matrix's runs with baselines.

#ifndef VMBENCH_CORE_COMPARE_RUNS_H_
#define VMBENCH_CORE_COMPARE_RUNS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "comparison.h"
#include "vmbench/plugin/results.h"

namespace vmbench {

// Compares `candidate` with `baseline` (per-iteration real times of every repetition are the
// samples) and returns the rows reporters read. `baseline_source` names the baseline (a path).
absl::StatusOr<RunComparison> CompareRuns(const RunResult& baseline,
                                          absl::string_view baseline_source,
                                          const RunResult& candidate,
                                          const ComparisonOptions& options);

// Reads comparison settings from a JSON file, over `defaults`:
//   {
//     "alpha": 0.05,
//     "noise_band": 0.03,
//     "noise_bands": [{"pattern": "^virtq_", "band": 0.05}],
//     "min_repetitions": 10,
//     "bootstrap_resamples": 10000,
//     "confidence_level": 0.95,
//     "seed": 42,
//     "allow_cross_machine": false
//   }
// Every key is optional; an unknown key, a wrong type or a value out of range is InvalidArgument
// naming the file and the key.
absl::StatusOr<ComparisonOptions> LoadComparisonConfig(const std::string& path,
                                                       ComparisonOptions defaults);

// The baseline for `candidate` among `baselines`: the first with the same machine fingerprint and
// hypervisor, else the first with the same platform name (hypervisor/CPU vendor), else none.
std::optional<std::size_t> MatchBaseline(const RunContext& candidate,
                                         const std::vector<RunResult>& baselines);

// Parses a --fail-on list ("regressed" or "regressed,error"). InvalidArgument names an unknown
// verdict and lists the known ones.
absl::StatusOr<std::vector<Verdict>> ParseVerdictList(absl::string_view text);

// How many rows of `report`'s comparisons have one of `verdicts`.
int CountVerdicts(const Report& report, const std::vector<Verdict>& verdicts);

}  // namespace vmbench

#endif  // VMBENCH_CORE_COMPARE_RUNS_H_
