// Comparison of a candidate run B against a baseline run A: one verdict per benchmark id, decided
// by the project's verdict rules ("Verdicts: how vmbench decides that something changed").
//
// Pure like statistics.h: no I/O and no plugin types. The caller converts result files into the
// SampleRun structs below (per-iteration times of every repetition, status, machine fingerprint,
// hypervisor) and reporters turn the returned Comparison into text; the verdict names are stable
// strings for reports and JSON.
//
// For each id present in either run:
//   effect        ratio of medians B/A with a percentile bootstrap interval (BootstrapMedianRatio,
//                 seeded per id by BootstrapSeedFor so that a row does not depend on the others);
//   significance  two-sided Mann-Whitney U test of A against B, then Holm-Bonferroni over every
//                 benchmark of the comparison that got a p-value; significant means adjusted
//                 p < alpha;
//   noise band    b: the first override whose pattern matches the id, else the default (±3%);
//                 the band is the ratio range [1 - b, 1 + b].
// Times: lower is better, so a ratio above 1 (B slower) is a regression.
//
// Verdict precedence (the first rule that applies wins):
//   1. error         either side has status error (the candidate's message is quoted first), or a
//                    side marked ok holds a non-finite or negative time (a corrupt result);
//   2. skipped       either side has status skipped;
//   3. new / missing the id is only in the candidate / only in the baseline;
//   4. incomparable  the runs differ in machine fingerprint or hypervisor and allow_cross_machine
//                    is off (with it on, the comparison goes on and every row has a warning);
//   5. inconclusive  either side has fewer than min_repetitions samples (no test is run), or the
//                    baseline median is 0 (no ratio);
//   6. with the ratio interval [lo, hi] and the band [1 - b, 1 + b]:
//      a. interval inside the band (1 - b <= lo, hi <= 1 + b)  -> unchanged, significant or not
//         (a real but negligible change is not worth a verdict);
//      b. interval beyond both edges (lo < 1 - b, hi > 1 + b)  -> inconclusive, significant or
//         not (the data cannot tell: a non-significant test is not evidence of no change);
//      c. interval wholly above the band (lo > 1 + b)         -> regressed if significant, else
//         inconclusive;
//      d. interval wholly below the band (hi < 1 - b)         -> improved if significant, else
//         inconclusive;
//      e. interval across one edge only                       -> unchanged if not significant,
//         else inconclusive (a real shift whose size against the band is not yet known).
// So regressed/improved need both significance after correction and the whole interval beyond
// the band on that side; unchanged needs either the interval inside the band or a non-significant
// test whose interval still reaches into the band. Rules 6c/6d (not significant yet wholly beyond)
// and 6e (significant, across an edge) are where the test and the interval disagree or fall
// short; both are inconclusive rather than unchanged, because "unchanged" must not be said of a
// change the interval places outside the band, nor of a significant shift that may exceed it.

#ifndef VMBENCH_CORE_COMPARISON_H_
#define VMBENCH_CORE_COMPARISON_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "vmbench/plugin/statistics.h"
#include "vmbench/plugin/verdict.h"

namespace vmbench {

// How one benchmark ended in a run.
enum class SampleStatus {
  kOk,
  kError,
  kSkipped,
};

// One benchmark of one run: its id and the per-iteration time of every repetition.
struct SampleSet {
  std::string id;               // e.g. "alloc_single/create_initialized/default"
  std::vector<double> samples;  // one per repetition; any unit, the same in both runs
  SampleStatus status = SampleStatus::kOk;
  std::string message;  // why it failed or was skipped
};

// One run as the comparison sees it.
struct SampleRun {
  std::string machine_fingerprint;
  std::string hypervisor;
  std::vector<SampleSet> benchmarks;  // ids must be unique within a run
};

// A noise band for the ids that match `pattern`.
struct NoiseBandOverride {
  std::string pattern;  // ECMAScript regex, searched in the id (anchor with ^...$ for the whole id)
  double band = 0.03;   // fraction, 0 <= band < 1
};

// Everything that tunes a comparison. Compare() rejects out-of-range values.
struct ComparisonOptions {
  double alpha = 0.05;       // family-wise significance level, 0 < alpha < 1
  double noise_band = 0.03;  // default band, fraction: 0.03 is ±3%; 0 <= band < 1
  // Per group or id: the first matching override wins, the default applies when none matches.
  std::vector<NoiseBandOverride> noise_band_overrides;
  // Fewer samples than this on either side is inconclusive. 10 is statistics.md's "at least 10
  // for a verdict" and the runner's default repetitions; must be >= 2.
  int min_repetitions = 10;
  int bootstrap_resamples = stats::kDefaultResamples;  // >= 1
  double confidence_level = 0.95;                      // of the ratio interval, 0 < level < 1
  std::uint64_t seed = stats::kDefaultSeed;
  stats::MannWhitneyOptions mann_whitney;
  // Compare runs whose machine fingerprint or hypervisor differ (each row then has a warning).
  bool allow_cross_machine = false;
};

// The outcome for one benchmark id.
struct BenchmarkComparison {
  std::string id;
  Verdict verdict = Verdict::kInconclusive;
  // One line for humans: what decided the verdict, then the numbers, e.g. "12.0% slower, interval
  // beyond the +3% noise band: ratio 1.120 [1.080, 1.160], p=0.0004 (Holm 0.012)".
  std::string reason;
  std::string warning;    // non-empty when the numbers were compared across machines
  double noise_band = 0;  // the band used for this id
  // Descriptive statistics of each side's samples; count 0 when the side is absent or not ok.
  stats::Description baseline;
  stats::Description candidate;
  // Ratio of medians B/A with its bootstrap interval; set when a test was run (rule 6).
  std::optional<stats::IntervalEstimate> ratio;
  // The Mann-Whitney test of baseline against candidate; set when it was run (rule 6).
  std::optional<stats::MannWhitneyResult> test;
  // The Holm-adjusted p-value; set together with `test`.
  std::optional<double> adjusted_p;
};

// The outcome of comparing two runs.
struct Comparison {
  bool comparable = true;  // same machine fingerprint and hypervisor
  std::string warning;     // what differs when not comparable; empty otherwise
  // Rows in candidate order, then the ids only in the baseline, in baseline order.
  std::vector<BenchmarkComparison> benchmarks;

  // How many rows have this verdict.
  std::size_t Count(Verdict verdict) const;

  // The row for `id`, or nullptr.
  const BenchmarkComparison* Find(absl::string_view id) const;
};

// Compares `candidate` against `baseline` by the rules in the banner. InvalidArgument for options
// out of range, an invalid override pattern, or an id appearing twice in one run.
absl::StatusOr<Comparison> Compare(const SampleRun& baseline, const SampleRun& candidate,
                                   const ComparisonOptions& options = {});

// Rule 6 alone: the verdict for a ratio interval [lower, upper], a Holm-adjusted p-value and a
// noise band; always one of regressed, improved, unchanged, inconclusive.
Verdict ClassifyChange(double lower, double upper, double adjusted_p, double alpha,
                       double noise_band);

// The noise band for `id`: the first override whose pattern is found in it, else the default.
// InvalidArgument when a pattern is not a valid ECMAScript regex.
absl::StatusOr<double> NoiseBandFor(absl::string_view id, const ComparisonOptions& options);

// The bootstrap seed of one id: SplitMix64(seed XOR FNV-1a-64(id)). Portable (std::hash is not)
// and different per id, so rows do not share resampling streams or depend on row order.
std::uint64_t BootstrapSeedFor(std::uint64_t seed, absl::string_view id);

}  // namespace vmbench

#endif  // VMBENCH_CORE_COMPARISON_H_
