// vmbench plugin SDK: how verdicts read to a person.
//
// The icon of each verdict, the rule behind it, the one-line conclusion of a whole report, and
// per-platform counts. Reporters for people (markdown, html) take their wording from here, so that
// every icon means the same verdict in every report and the PR comment and the HTML page of one
// report reach their conclusion in the same words.

#ifndef VMBENCH_PLUGIN_VERDICT_SUMMARY_H_
#define VMBENCH_PLUGIN_VERDICT_SUMMARY_H_

#include <array>
#include <string>

#include "absl/strings/string_view.h"
#include "vmbench/plugin/results.h"
#include "vmbench/plugin/verdict.h"

namespace vmbench {

// The verdicts on a tested change. A summary shows each of them, even at 0.
inline constexpr std::array<Verdict, 4> kChangeVerdicts = {
    Verdict::kRegressed, Verdict::kImproved, Verdict::kUnchanged, Verdict::kInconclusive};

// The other verdicts, in the order a summary lists them, each only when it occurs.
inline constexpr std::array<Verdict, 5> kOtherVerdicts = {
    Verdict::kError, Verdict::kSkipped, Verdict::kNew, Verdict::kMissing, Verdict::kIncomparable};

// The one icon that stands for `verdict`, an emoji: "🔴" regressed, "🟢" improved, "⚪"
// unchanged, "❔" inconclusive, "🆕" new, "➖" missing, "❌" error, "⏭️" skipped, "⚠️"
// incomparable.
absl::string_view VerdictIcon(Verdict verdict);

// The rule that gives `verdict`, in words, for a legend.
absl::string_view VerdictRule(Verdict verdict);

// How verdicts are made, in one sentence for a legend, without the final period: the samples, the
// ratio of medians and its interval, and the noise band when `report` compares anything.
std::string VerdictMethod(const Report& report);

// The conclusion of a whole report in one line, e.g. "2 regressions on 1 of 6 platforms, 1
// improvement, 9 unchanged, 1 inconclusive", or "No baseline to compare with: ..." when no
// platform has a comparison.
std::string ReportHeadline(const Report& report);

// A platform's verdict counts ("1 regressed, 3 unchanged"), or "N measured, no baseline".
std::string PlatformCounts(const PlatformResult& platform);

// The tested rows of a comparison with the largest (worst) and the smallest (best) ratio of
// medians; the first such row on a tie. Pointers into the comparison; null when no row was tested.
struct ChangeExtremes {
  const ComparedBenchmark* worst = nullptr;
  const ComparedBenchmark* best = nullptr;
};

// The extremes of `comparison`, which must outlive the result.
ChangeExtremes FindChangeExtremes(const RunComparison& comparison);

}  // namespace vmbench

#endif  // VMBENCH_PLUGIN_VERDICT_SUMMARY_H_
