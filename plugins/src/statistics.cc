#include "vmbench/plugin/statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

namespace vmbench::stats {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// C(66, 33) < 2^63, so counts of the exact distribution (and twice a tail of it) fit in 64 bits up
// to this combined size.
constexpr std::size_t kMaxExactTotal = 66;

// Median of `values`, reordering them. nth_element is O(n), which matters inside the bootstrap
// loop; the even case averages as (a + b) / 2 so that the result is bit-identical to the
// reference script's statistics.median().
double MedianInPlace(std::span<double> values) {
  const std::size_t n = values.size();
  const std::size_t mid = n / 2;
  std::nth_element(values.begin(), values.begin() + mid, values.end());
  const double upper = values[mid];
  if (n % 2 == 1) return upper;
  const double lower = *std::max_element(values.begin(), values.begin() + mid);
  return (lower + upper) / 2;
}

// Type 7 quantile of already sorted values (Hyndman & Fan 1996, "Sample quantiles in statistical
// packages", The American Statistician 50(4)). The early returns keep an infinite order statistic
// (a bootstrap ratio over a zero baseline median) from turning into NaN through 0 * inf.
double SortedQuantile(std::span<const double> sorted, double p) {
  const std::size_t n = sorted.size();
  const double h = static_cast<double>(n - 1) * std::clamp(p, 0.0, 1.0);
  const auto i = static_cast<std::size_t>(std::floor(h));
  if (i >= n - 1) return sorted[n - 1];
  const double f = h - static_cast<double>(i);
  const double lo = sorted[i];
  const double hi = sorted[i + 1];
  if (f == 0 || lo == hi) return lo;
  return lo + f * (hi - lo);
}

bool ValidBootstrapOptions(const BootstrapOptions& options) {
  return options.resamples >= 1 && options.level > 0 && options.level < 1;
}

IntervalEstimate NaNEstimate(double level) { return {kNaN, kNaN, kNaN, level}; }

// Draws one bootstrap resample of `samples` into `buffer` (same size) and returns its median.
double ResampleMedian(std::span<const double> samples, std::span<double> buffer,
                      std::mt19937_64& engine) {
  for (double& value : buffer) value = samples[UniformIndex(engine, samples.size())];
  return MedianInPlace(buffer);
}

// The percentile interval of bootstrap replicates (sorts them).
std::pair<double, double> PercentileInterval(std::vector<double>& replicates, double level) {
  std::sort(replicates.begin(), replicates.end());
  return {SortedQuantile(replicates, (1 - level) / 2), SortedQuantile(replicates, (1 + level) / 2)};
}

// Frequencies of U = #{(a, b): a > b} over all C(m + n, m) equally likely arrangements of m a's
// and n b's. Their generating function is the Gaussian binomial coefficient
// [m + n choose m]_q = prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i) (Andrews, "The Theory of
// Partitions", 1976, thm 3.1 and 3.6), so the coefficients follow from m multiplications by
// (1 - q^(n+i)) and exact divisions by (1 - q^i), O(m * m n) in time and O(m n) in space. The
// arithmetic is modulo 2^64 and modulo q^(mn+1); both are rings in which the final polynomial is
// exact, so intermediate negative or truncated terms do no harm as long as C(m + n, m) < 2^64.
std::vector<std::uint64_t> ExactUFrequencies(std::size_t m, std::size_t n) {
  const std::size_t max_u = m * n;
  std::vector<std::uint64_t> c(max_u + 1, 0);
  c[0] = 1;
  for (std::size_t i = 1; i <= m; ++i) {
    const std::size_t up = n + i;
    for (std::size_t k = max_u; k >= up; --k) c[k] -= c[k - up];  // up >= 1: no wrap
    for (std::size_t k = i; k <= max_u; ++k) c[k] += c[k - i];
  }
  return c;
}

}  // namespace

double Median(std::span<const double> samples) {
  if (samples.empty()) return kNaN;
  std::vector<double> copy(samples.begin(), samples.end());
  return MedianInPlace(copy);
}

double Mean(std::span<const double> samples) {
  if (samples.empty()) return kNaN;
  return std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(samples.size());
}

double StdDev(std::span<const double> samples) {
  if (samples.empty()) return kNaN;
  if (samples.size() == 1) return 0;
  // Two passes (mean, then squared deviations) rather than the one-pass sum of squares, which
  // loses all precision when the spread is tiny against the mean, as it is for timings.
  const double mean = Mean(samples);
  double sum_sq = 0;
  for (double x : samples) sum_sq += (x - mean) * (x - mean);
  return std::sqrt(sum_sq / static_cast<double>(samples.size() - 1));
}

double Mad(std::span<const double> samples) {
  if (samples.empty()) return kNaN;
  const double median = Median(samples);
  std::vector<double> deviations;
  deviations.reserve(samples.size());
  for (double x : samples) deviations.push_back(std::fabs(x - median));
  return MedianInPlace(deviations);
}

double ScaledMad(std::span<const double> samples) { return kMadScale * Mad(samples); }

double Min(std::span<const double> samples) {
  if (samples.empty()) return kNaN;
  return *std::min_element(samples.begin(), samples.end());
}

double Max(std::span<const double> samples) {
  if (samples.empty()) return kNaN;
  return *std::max_element(samples.begin(), samples.end());
}

double CoefficientOfVariation(std::span<const double> samples) {
  const double mean = Mean(samples);
  if (samples.empty() || mean == 0) return kNaN;
  return StdDev(samples) / mean;
}

double Quantile(std::span<const double> samples, double p) {
  if (samples.empty()) return kNaN;
  std::vector<double> sorted(samples.begin(), samples.end());
  std::sort(sorted.begin(), sorted.end());
  return SortedQuantile(sorted, p);
}

Description Describe(std::span<const double> samples) {
  Description d;
  d.count = samples.size();
  d.median = Median(samples);
  d.mean = Mean(samples);
  d.stddev = StdDev(samples);
  d.mad = Mad(samples);
  d.scaled_mad = kMadScale * d.mad;
  d.min = Min(samples);
  d.max = Max(samples);
  d.cv = CoefficientOfVariation(samples);
  return d;
}

std::uint64_t UniformIndex(std::mt19937_64& engine, std::uint64_t n) {
  // Unsigned negation: (2^64 - n) mod n == 2^64 mod n. Words below that threshold are the
  // incomplete last copy of [0, n) and are redrawn (the arc4random_uniform construction); the
  // expected number of draws is below 2 for every n, and ~1 for sample-sized n.
  const std::uint64_t threshold = (0 - n) % n;
  std::uint64_t x = engine();
  while (x < threshold) x = engine();
  return x % n;
}

IntervalEstimate BootstrapMedian(std::span<const double> samples, const BootstrapOptions& options) {
  if (samples.empty() || !ValidBootstrapOptions(options)) return NaNEstimate(options.level);
  std::mt19937_64 engine(options.seed);
  std::vector<double> buffer(samples.size());
  std::vector<double> medians(static_cast<std::size_t>(options.resamples));
  for (double& median : medians) median = ResampleMedian(samples, buffer, engine);
  const auto [lower, upper] = PercentileInterval(medians, options.level);
  return {Median(samples), lower, upper, options.level};
}

IntervalEstimate BootstrapMedianRatio(std::span<const double> baseline,
                                      std::span<const double> candidate,
                                      const BootstrapOptions& options) {
  if (baseline.empty() || candidate.empty() || !ValidBootstrapOptions(options)) {
    return NaNEstimate(options.level);
  }
  // Resampling the two sets independently matches two independent runs; a paired resample would
  // assume that repetition i of A and of B share conditions, which separate runs do not.
  std::mt19937_64 engine(options.seed);
  std::vector<double> buffer_a(baseline.size());
  std::vector<double> buffer_b(candidate.size());
  std::vector<double> ratios(static_cast<std::size_t>(options.resamples));
  for (double& ratio : ratios) {
    const double median_a = ResampleMedian(baseline, buffer_a, engine);
    const double median_b = ResampleMedian(candidate, buffer_b, engine);
    ratio = median_a != 0 ? median_b / median_a : std::numeric_limits<double>::infinity();
  }
  const auto [lower, upper] = PercentileInterval(ratios, options.level);
  const double median_a = Median(baseline);
  const double estimate = median_a != 0 ? Median(candidate) / median_a : kNaN;
  return {estimate, lower, upper, options.level};
}

std::string_view MannWhitneyMethodName(MannWhitneyMethod method) {
  switch (method) {
    case MannWhitneyMethod::kNone:
      return "none";
    case MannWhitneyMethod::kExact:
      return "exact";
    case MannWhitneyMethod::kNormal:
      return "normal";
  }
  return "none";
}

MannWhitneyResult MannWhitneyU(std::span<const double> a, std::span<const double> b,
                               const MannWhitneyOptions& options) {
  MannWhitneyResult result;
  const std::size_t n1 = a.size();
  const std::size_t n2 = b.size();
  if (n1 == 0 || n2 == 0) {
    result.p = kNaN;
    return result;
  }

  // U from rank sums (Mann & Whitney 1947): U1 = R1 - n1 (n1 + 1) / 2, with tied values sharing
  // their mid-rank. One sort gives the ranks and the tie groups for the variance correction.
  std::vector<std::pair<double, bool>> pooled;  // (value, is from `a`)
  pooled.reserve(n1 + n2);
  for (double x : a) pooled.emplace_back(x, true);
  for (double y : b) pooled.emplace_back(y, false);
  std::sort(pooled.begin(), pooled.end(),
            [](const auto& l, const auto& r) { return l.first < r.first; });
  double rank_sum_a = 0;
  double tie_sum = 0;  // sum of t^3 - t over groups of t tied values
  for (std::size_t begin = 0; begin < pooled.size();) {
    std::size_t end = begin + 1;
    while (end < pooled.size() && pooled[end].first == pooled[begin].first) ++end;
    const double mid_rank = static_cast<double>(begin + 1 + end) / 2;  // ranks begin+1 .. end
    for (std::size_t i = begin; i < end; ++i) {
      if (pooled[i].second) rank_sum_a += mid_rank;
    }
    const auto t = static_cast<double>(end - begin);
    if (end - begin > 1) {
      result.ties = true;
      tie_sum += t * t * t - t;
    }
    begin = end;
  }
  const auto dn1 = static_cast<double>(n1);
  const auto dn2 = static_cast<double>(n2);
  result.u = rank_sum_a - dn1 * (dn1 + 1) / 2;

  const auto max_exact = static_cast<std::size_t>(std::max(options.max_exact_size, 0));
  if (!result.ties && n1 <= max_exact && n2 <= max_exact && n1 + n2 <= kMaxExactTotal) {
    result.method = MannWhitneyMethod::kExact;
    const std::vector<std::uint64_t> freq = ExactUFrequencies(n1, n2);
    const auto k = static_cast<std::size_t>(result.u);  // an integer without ties
    // Arrangements with U <= k, with U >= k, and all of them.
    std::uint64_t lower = 0;
    std::uint64_t upper = 0;
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < freq.size(); ++i) {
      total += freq[i];
      if (i <= k) lower += freq[i];
      if (i >= k) upper += freq[i];
    }
    result.p =
        std::min(1.0, static_cast<double>(2 * std::min(lower, upper)) / static_cast<double>(total));
    return result;
  }

  // Normal approximation with the tie-corrected variance (Lehmann, "Nonparametrics", 1975,
  // eq. 1.53) and a continuity correction of 1/2, U moving in steps of at least 1/2.
  result.method = MannWhitneyMethod::kNormal;
  const auto n = static_cast<double>(n1 + n2);
  const double mean = dn1 * dn2 / 2;
  const double variance = dn1 * dn2 / 12.0 * ((n + 1) - tie_sum / (n * (n - 1)));
  if (!(variance > 0)) {
    result.p = 1;
    return result;
  }
  double distance = std::fabs(result.u - mean);
  if (options.continuity_correction) distance = std::max(distance - 0.5, 0.0);
  if (distance > 0) result.z = std::copysign(distance / std::sqrt(variance), result.u - mean);
  // Two-sided normal tail: 2 (1 - Phi(|z|)) = erfc(|z| / sqrt(2)), accurate far into the tail
  // where 1 - Phi would cancel.
  result.p = std::min(1.0, std::erfc(std::fabs(result.z) / std::sqrt(2.0)));
  return result;
}

std::vector<double> HolmAdjust(std::span<const double> p_values) {
  std::vector<double> adjusted(p_values.begin(), p_values.end());
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < p_values.size(); ++i) {
    if (!std::isnan(p_values[i])) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t l, std::size_t r) { return p_values[l] < p_values[r]; });
  const std::size_t m = order.size();
  double running_max = 0;  // enforces monotonicity: a smaller raw p never gets a larger adjusted p
  for (std::size_t rank = 0; rank < m; ++rank) {
    const std::size_t i = order[rank];
    running_max = std::max(running_max, std::min(1.0, static_cast<double>(m - rank) * p_values[i]));
    adjusted[i] = running_max;
  }
  return adjusted;
}

}  // namespace vmbench::stats
