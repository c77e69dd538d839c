// Statistics over benchmark samples: descriptive statistics, bootstrap confidence intervals, the
// Mann-Whitney U test and the Holm-Bonferroni adjustment.
//
// A pure module (STYLE rule 5): free functions over a sample vector, no I/O, no plugin types, no
// dependencies beyond the standard library. A "sample" is one repetition's per-iteration time;
// the functions do not care about the unit. Every function is deterministic: the bootstrap draws
// from std::mt19937_64 (whose output sequence the C++ standard fixes) through UniformIndex()
// below (not std::uniform_int_distribution, whose mapping differs between standard libraries), so
// a report computed with the same seed is identical on every platform.
//
// Precondition shared by all functions: samples are finite numbers (NaN breaks the ordering that
// sorting relies on; Compare() in comparison.h rejects such samples before calling). Functions of
// an empty sample return NaN.
//
// Independent reference values for the tests come from tools/stats_reference/stats_reference.py.

#ifndef VMBENCH_PLUGIN_STATISTICS_H_
#define VMBENCH_PLUGIN_STATISTICS_H_

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string_view>
#include <vector>

namespace vmbench::stats {

// The seed used when the caller gives none (the bytes of "vmbench").
inline constexpr std::uint64_t kDefaultSeed = 0x766d62656e6368ULL;

// Bootstrap resamples used when the caller gives no count; enough for stable 95% percentile
// intervals (the tails hold 250 resamples each).
inline constexpr int kDefaultResamples = 10000;

// The factor that turns the MAD into a consistent estimator of the standard deviation of normally
// distributed data: 1 / Phi^-1(3/4) = 1.482602..., rounded as R's mad() does.
inline constexpr double kMadScale = 1.4826;

// The middle value of `samples`, the mean of the two middle values for an even count.
double Median(std::span<const double> samples);

// The arithmetic mean.
double Mean(std::span<const double> samples);

// The sample standard deviation (divisor n - 1); 0 for a single sample.
double StdDev(std::span<const double> samples);

// The raw median absolute deviation, median(|x - median(x)|), not scaled.
double Mad(std::span<const double> samples);

// kMadScale * Mad(samples): comparable to StdDev() for normal data, robust to outliers.
double ScaledMad(std::span<const double> samples);

// The smallest sample.
double Min(std::span<const double> samples);

// The largest sample.
double Max(std::span<const double> samples);

// StdDev / Mean (a fraction, not a percentage); NaN when the mean is 0.
double CoefficientOfVariation(std::span<const double> samples);

// The `p`-quantile (0 <= p <= 1) by linear interpolation between order statistics at (n - 1) p
// (Hyndman & Fan type 7, the default of R and NumPy). Quantile(x, 0.5) == Median(x).
double Quantile(std::span<const double> samples, double p);

// All descriptive statistics of one sample, as returned by Describe().
struct Description {
  std::size_t count = 0;
  double median = 0;
  double mean = 0;
  double stddev = 0;      // sample standard deviation, n - 1
  double mad = 0;         // raw median absolute deviation
  double scaled_mad = 0;  // kMadScale * mad
  double min = 0;
  double max = 0;
  double cv = 0;  // coefficient of variation, stddev / mean
};

// Computes every field of Description; count 0 and NaN elsewhere for an empty sample.
Description Describe(std::span<const double> samples);

// How to bootstrap.
struct BootstrapOptions {
  int resamples = kDefaultResamples;  // must be >= 1
  double level = 0.95;                // confidence level, strictly between 0 and 1
  std::uint64_t seed = kDefaultSeed;  // seeds a fresh std::mt19937_64 per call
};

// A point estimate and its confidence interval.
struct IntervalEstimate {
  double estimate = 0;  // the statistic of the original samples
  double lower = 0;
  double upper = 0;
  double level = 0;  // confidence level of [lower, upper], e.g. 0.95
};

// A uniformly distributed index in [0, n) (n >= 1) from `engine`: rejection sampling on whole
// 64-bit words (draw x until x >= 2^64 mod n, return x mod n). This is the index mapping of the
// bootstrap, public so that its reproducibility can be tested against the reference script.
std::uint64_t UniformIndex(std::mt19937_64& engine, std::uint64_t n);

// Percentile bootstrap confidence interval of the median (Efron & Tibshirani 1993, ch. 13):
// `resamples` times, draw n samples with replacement (n calls of UniformIndex) and take their
// median; the interval is the Quantile() at (1 - level) / 2 and (1 + level) / 2 of those medians.
// Same inputs and seed give the same interval, bit for bit. NaN interval for an empty sample or
// invalid options.
IntervalEstimate BootstrapMedian(std::span<const double> samples,
                                 const BootstrapOptions& options = {});

// The ratio of medians candidate / baseline (B/A) with a percentile bootstrap interval: each
// resample draws the baseline (n_A indices) and then the candidate (n_B indices) independently,
// from one generator, and takes the ratio of their medians. A resample whose baseline median is 0
// gives +infinity. The estimate is NaN when the baseline median is 0; everything is NaN for an
// empty sample or invalid options.
IntervalEstimate BootstrapMedianRatio(std::span<const double> baseline,
                                      std::span<const double> candidate,
                                      const BootstrapOptions& options = {});

// How the p-value of a Mann-Whitney test was computed.
enum class MannWhitneyMethod {
  kNone,    // a sample was empty; no test
  kExact,   // exact null distribution, no ties
  kNormal,  // normal approximation with tie correction
};

// Returns "none", "exact" or "normal".
std::string_view MannWhitneyMethodName(MannWhitneyMethod method);

// How to run the Mann-Whitney test.
struct MannWhitneyOptions {
  // The exact distribution is used when there are no ties and both samples have at most this many
  // values (and n1 + n2 <= 66, so that the 64-bit counts cannot overflow).
  int max_exact_size = 20;
  // Normal approximation only: move |U - n1 n2 / 2| towards 0 by 0.5 (as scipy does by default).
  bool continuity_correction = true;
};

// The outcome of a two-sided Mann-Whitney U test.
struct MannWhitneyResult {
  // U of the first sample: the number of pairs (a, b) with a > b, plus one half per tie a == b.
  // U of the second sample is n1 n2 - u.
  double u = 0;
  // (u - n1 n2 / 2) / sigma after continuity correction, positive when the first sample tends to
  // be larger; 0 when the method is exact or sigma is 0.
  double z = 0;
  // Two-sided p-value, in (0, 1]; NaN when the method is kNone.
  double p = 0;
  MannWhitneyMethod method = MannWhitneyMethod::kNone;
  bool ties = false;  // some value occurs more than once in the two samples together
};

// Two-sided Mann-Whitney U (Wilcoxon rank-sum) test of `a` against `b`. Exact: p = min(1,
// 2 min(P(U <= u), P(U >= u))) under the exact null distribution of U. Otherwise: the normal
// approximation with mean n1 n2 / 2 and the tie-corrected variance
// n1 n2 / 12 ((N + 1) - sum(t^3 - t) / (N (N - 1))), t running over the sizes of groups of tied
// values; p = 1 when that variance is 0 (all values equal).
MannWhitneyResult MannWhitneyU(std::span<const double> a, std::span<const double> b,
                               const MannWhitneyOptions& options = {});

// Holm-Bonferroni adjusted p-values (Holm 1979), in the order of `p_values`: with the m values
// sorted ascending, adjusted p_(i) = max over j <= i of min(1, (m - j + 1) p_(j)). The result is
// monotone in the raw p-values and capped at 1; rejecting where adjusted p < alpha controls the
// family-wise error rate at alpha. NaN entries are not part of the family (they do not count in
// m) and stay NaN.
std::vector<double> HolmAdjust(std::span<const double> p_values);

}  // namespace vmbench::stats

#endif  // VMBENCH_PLUGIN_STATISTICS_H_
