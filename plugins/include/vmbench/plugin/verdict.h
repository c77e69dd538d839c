// vmbench plugin SDK: the verdict on one benchmark of a comparison.
//
// Exactly one verdict per benchmark id when a candidate run is compared with a baseline (the
// rules are in core/comparison.h and docs/reading-a-report.md). The names are stable strings:
// reports, JSON and `--fail-on` use them.

#ifndef VMBENCH_PLUGIN_VERDICT_H_
#define VMBENCH_PLUGIN_VERDICT_H_

#include <array>
#include <optional>

#include "absl/strings/string_view.h"

namespace vmbench {

// The verdict on one benchmark; exactly one per id.
enum class Verdict {
  kRegressed,     // significantly slower, beyond the noise band
  kImproved,      // significantly faster, beyond the noise band
  kUnchanged,     // inside the band, or no significant difference
  kInconclusive,  // too few repetitions, or the data cannot tell
  kNew,           // only in the candidate
  kMissing,       // only in the baseline
  kError,         // failed in either run
  kSkipped,       // skipped in either run
  kIncomparable,  // the runs come from different machines or hypervisors
};

// Every verdict, in declaration order (for counting and listing).
inline constexpr std::array<Verdict, 9> kAllVerdicts = {
    Verdict::kRegressed,    Verdict::kImproved, Verdict::kUnchanged,
    Verdict::kInconclusive, Verdict::kNew,      Verdict::kMissing,
    Verdict::kError,        Verdict::kSkipped,  Verdict::kIncomparable};

// The stable lower-case name used in reports, JSON and --fail-on: "regressed", "improved",
// "unchanged", "inconclusive", "new", "missing", "error", "skipped" or "incomparable".
absl::string_view VerdictName(Verdict verdict);

// The verdict called `name` (exactly as VerdictName spells it), or nullopt.
std::optional<Verdict> ParseVerdict(absl::string_view name);

}  // namespace vmbench

#endif  // VMBENCH_PLUGIN_VERDICT_H_
