#include "vmbench/plugin/verdict_summary.h"

#include <cstddef>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace vmbench {

absl::string_view VerdictIcon(Verdict verdict) {
  switch (verdict) {
    case Verdict::kRegressed:
      return "🔴";
    case Verdict::kImproved:
      return "🟢";
    case Verdict::kUnchanged:
      return "⚪";
    case Verdict::kInconclusive:
      return "❔";
    case Verdict::kNew:
      return "🆕";
    case Verdict::kMissing:
      return "➖";
    case Verdict::kError:
      return "❌";
    case Verdict::kSkipped:
      return "⏭️";
    case Verdict::kIncomparable:
      return "⚠️";
  }
  return "?";
}

absl::string_view VerdictRule(Verdict verdict) {
  switch (verdict) {
    case Verdict::kRegressed:
      return "slower: significant after Holm-Bonferroni correction (Mann-Whitney U) and the whole "
             "confidence interval of the ratio of medians above the noise band";
    case Verdict::kImproved:
      return "faster: significant after correction and the whole interval below the noise band";
    case Verdict::kUnchanged:
      return "the interval lies inside the noise band, or the difference is not significant";
    case Verdict::kInconclusive:
      return "too few repetitions, or the interval is too wide to tell: re-run before deciding";
    case Verdict::kNew:
      return "only in this run, nothing to compare with";
    case Verdict::kMissing:
      return "only in the baseline";
    case Verdict::kError:
      return "the benchmark failed in one of the runs";
    case Verdict::kSkipped:
      return "the benchmark could not run here (e.g. no hypervisor)";
    case Verdict::kIncomparable:
      return "the runs come from different machines or hypervisors";
  }
  return "";
}

std::string VerdictMethod(const Report& report) {
  double band = -1;
  bool uniform = true;
  for (const PlatformResult& p : report.platforms) {
    if (!p.comparison.has_value()) continue;
    for (const ComparedBenchmark& row : p.comparison->benchmarks) {
      if (band < 0) band = row.noise_band;
      uniform = uniform && row.noise_band == band;
    }
  }
  std::string text =
      "Each benchmark gets exactly one verdict from its samples (one per repetition): the change "
      "is the ratio of medians, new / baseline, with a bootstrap 95% confidence interval";
  if (band >= 0 && uniform) {
    absl::StrAppend(&text, "; the noise band is ±", band * 100, "%");
  } else if (band >= 0) {
    text += "; noise bands differ per benchmark (see the JSON or console report)";
  }
  return text;
}

std::string ReportHeadline(const Report& report) {
  int compared = 0;
  int regressed_platforms = 0;
  std::map<Verdict, int> totals;
  for (const PlatformResult& p : report.platforms) {
    if (!p.comparison.has_value()) continue;
    ++compared;
    if (p.comparison->Count(Verdict::kRegressed) > 0) ++regressed_platforms;
    for (Verdict v : kAllVerdicts) totals[v] += p.comparison->Count(v);
  }
  const std::size_t platforms = report.platforms.size();
  const absl::string_view platforms_word = platforms == 1 ? "platform" : "platforms";
  if (compared == 0) {
    std::size_t benchmarks = 0;
    for (const PlatformResult& p : report.platforms) benchmarks += p.run.benchmarks.size();
    return absl::StrCat("No baseline to compare with: ", benchmarks, " results on ", platforms, " ",
                        platforms_word, ".");
  }
  const int regressions = totals[Verdict::kRegressed];
  const int improvements = totals[Verdict::kImproved];
  std::vector<std::string> rest = {
      absl::StrCat(improvements, " ", improvements == 1 ? "improvement" : "improvements"),
      absl::StrCat(totals[Verdict::kUnchanged], " unchanged"),
      absl::StrCat(totals[Verdict::kInconclusive], " inconclusive")};
  for (Verdict v : kOtherVerdicts) {
    if (totals[v] > 0) rest.push_back(absl::StrCat(totals[v], " ", VerdictName(v)));
  }
  if (compared < static_cast<int>(platforms)) {
    rest.push_back(absl::StrCat(platforms - static_cast<std::size_t>(compared),
                                " platform(s) without baseline"));
  }
  // A regression leads the line, and where it happened; without one, the line says so first.
  const std::string lead =
      regressions > 0
          ? absl::StrCat(regressions, " ", regressions == 1 ? "regression" : "regressions", " on ",
                         regressed_platforms, " of ", platforms, " ", platforms_word, ", ")
          : absl::StrCat("No regressions on ", platforms, " ", platforms_word, ": ");
  return absl::StrCat(lead, absl::StrJoin(rest, ", "));
}

std::string PlatformCounts(const PlatformResult& platform) {
  if (!platform.comparison.has_value()) {
    return absl::StrCat(platform.run.benchmarks.size(), " measured, no baseline");
  }
  std::vector<std::string> parts;
  for (Verdict verdict : kAllVerdicts) {
    if (const int n = platform.comparison->Count(verdict); n > 0) {
      parts.push_back(absl::StrCat(n, " ", VerdictName(verdict)));
    }
  }
  return absl::StrJoin(parts, ", ");
}

ChangeExtremes FindChangeExtremes(const RunComparison& comparison) {
  ChangeExtremes extremes;
  for (const ComparedBenchmark& row : comparison.benchmarks) {
    if (!row.ratio.has_value()) continue;
    if (extremes.worst == nullptr || row.ratio->estimate > extremes.worst->ratio->estimate) {
      extremes.worst = &row;
    }
    if (extremes.best == nullptr || row.ratio->estimate < extremes.best->ratio->estimate) {
      extremes.best = &row;
    }
  }
  return extremes;
}

}  // namespace vmbench
