// Tests of core/statistics.h. Expected values are either worked out by hand (the comment shows
// the arithmetic) or printed by the independent reference script; the comment then gives the
// command, run from the repository root:
//   R=tools/stats_reference/stats_reference.py
// (`$R selftest` checks the script's mt19937_64 and exact distribution against the standard and
// against brute-force enumeration.)

#include "vmbench/plugin/statistics.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace vmbench::stats {
namespace {

// Portable test data: the engine's output is fixed by the standard, and the transforms below are
// ours (std::normal_distribution differs between standard libraries).
double Uniform01(std::mt19937_64& engine) {
  return static_cast<double>(engine() >> 11) * 0x1.0p-53;
}

double Normal(std::mt19937_64& engine, double mean, double sd) {
  const double u1 = 1.0 - Uniform01(engine);  // (0, 1]: log stays finite
  const double u2 = Uniform01(engine);
  return mean + sd * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

std::vector<double> NormalSample(std::uint64_t seed, std::size_t n, double mean, double sd) {
  std::mt19937_64 engine(seed);
  std::vector<double> out(n);
  for (double& x : out) x = Normal(engine, mean, sd);
  return out;
}

TEST_CASE("descriptive statistics of a small sample", "[statistics]") {
  // $R describe 3 1 4 1 5 9 2 6
  // By hand: sorted 1 1 2 3 4 5 6 9, median (3 + 4) / 2 = 3.5, mean 31 / 8 = 3.875,
  // |x - 3.5| sorted 0.5 0.5 1.5 1.5 2.5 2.5 2.5 5.5, MAD (1.5 + 2.5) / 2 = 2.
  const std::vector<double> x = {3, 1, 4, 1, 5, 9, 2, 6};
  const Description d = Describe(x);
  CHECK(d.count == 8);
  CHECK(d.median == 3.5);
  CHECK(d.mean == 3.875);
  CHECK(d.stddev == Approx(2.748376143938713).epsilon(1e-14));
  CHECK(d.mad == 2.0);
  CHECK(d.scaled_mad == Approx(2.9652).epsilon(1e-14));
  CHECK(d.min == 1.0);
  CHECK(d.max == 9.0);
  CHECK(d.cv == Approx(0.7092583597261195).epsilon(1e-14));

  CHECK(Median(x) == d.median);
  CHECK(Mean(x) == d.mean);
  CHECK(StdDev(x) == d.stddev);
  CHECK(Mad(x) == d.mad);
  CHECK(ScaledMad(x) == d.scaled_mad);
  CHECK(Min(x) == d.min);
  CHECK(Max(x) == d.max);
  CHECK(CoefficientOfVariation(x) == d.cv);
}

TEST_CASE("edge cases of the descriptive statistics", "[statistics]") {
  CHECK(Median(std::vector<double>{5, 3, 1}) == 3);  // odd count: the middle value

  const Description one = Describe(std::vector<double>{7.5});
  CHECK(one.count == 1);
  CHECK(one.median == 7.5);
  CHECK(one.stddev == 0);  // n - 1 = 0: defined as 0, like the SDK's Summary
  CHECK(one.mad == 0);
  CHECK(one.cv == 0);

  const Description empty = Describe(std::vector<double>{});
  CHECK(empty.count == 0);
  CHECK(std::isnan(empty.median));
  CHECK(std::isnan(empty.mean));
  CHECK(std::isnan(empty.stddev));
  CHECK(std::isnan(empty.min));
  CHECK(std::isnan(empty.cv));

  CHECK(std::isnan(CoefficientOfVariation(std::vector<double>{-1, 1})));  // mean 0

  // The MAD ignores an outlier that dominates the standard deviation.
  const std::vector<double> outlier = {10, 10.1, 9.9, 10.2, 9.8, 1000};
  CHECK(Mad(outlier) == Approx(0.15));  // |x - 10.05|: .05 .05 .15 .15 .25 989.95 -> .15
  CHECK(StdDev(outlier) > 400);
}

TEST_CASE("quantiles interpolate linearly between order statistics (type 7)", "[statistics]") {
  const std::vector<double> x = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
  // By hand: h = 9 * 0.25 = 2.25 -> 3 + 0.25 * (4 - 3); h = 9 * 0.9 = 8.1 -> 9 + 0.1 * (10 - 9).
  // $R quantile 0.25 1 2 3 4 5 6 7 8 9 10   and   $R quantile 0.9 1 2 3 4 5 6 7 8 9 10
  CHECK(Quantile(x, 0.25) == 3.25);
  CHECK(Quantile(x, 0.9) == Approx(9.1).epsilon(1e-15));
  CHECK(Quantile(x, 0.0) == 1);
  CHECK(Quantile(x, 1.0) == 10);
  CHECK(Quantile(x, 0.5) == Median(x));
  CHECK(std::isnan(Quantile(std::vector<double>{}, 0.5)));
}

TEST_CASE("the index mapping is the documented portable one", "[statistics][bootstrap]") {
  // The standard fixes mt19937_64's output ([rand.predef]); $R mt64 --seed 5489 --count 1
  std::mt19937_64 standard;
  CHECK(standard() == 14514284786278117030ULL);

  // $R uniform-index --seed 42 --n 10 --count 20
  std::mt19937_64 engine(42);
  const std::vector<std::uint64_t> expected10 = {6, 4, 0, 2, 1, 8, 6, 4, 0, 7,
                                                 5, 2, 2, 6, 9, 2, 8, 0, 9, 1};
  std::vector<std::uint64_t> got;
  for (int i = 0; i < 20; ++i) got.push_back(UniformIndex(engine, 10));
  CHECK(got == expected10);

  // $R uniform-index --seed 42 --n 3 --count 12
  std::mt19937_64 engine3(42);
  const std::vector<std::uint64_t> expected3 = {0, 2, 1, 0, 2, 2, 1, 0, 1, 1, 1, 0};
  got.clear();
  for (int i = 0; i < 12; ++i) got.push_back(UniformIndex(engine3, 3));
  CHECK(got == expected3);

  // n = 1 is always 0; n = 2^63 + 1 rejects almost half of all words and stays in range.
  std::mt19937_64 other(1);
  for (int i = 0; i < 100; ++i) CHECK(UniformIndex(other, 1) == 0);
  const std::uint64_t huge = (std::uint64_t{1} << 63) + 1;
  for (int i = 0; i < 100; ++i) CHECK(UniformIndex(other, huge) < huge);
}

TEST_CASE("the bootstrap interval of the median is reproducible", "[statistics][bootstrap]") {
  const std::vector<double> x = {12.1, 11.8, 12.5, 13.0, 11.9, 12.2, 12.7, 12.0, 12.4, 15.3};

  // Bit-identical to an independent implementation of the same procedure:
  // $R bootstrap-median --seed 42 12.1 11.8 12.5 13.0 11.9 12.2 12.7 12.0 12.4 15.3
  const IntervalEstimate ci = BootstrapMedian(x, {10000, 0.95, 42});
  CHECK(ci.estimate == 12.3);
  CHECK(ci.lower == 12.0);
  CHECK(ci.upper == 12.75);
  CHECK(ci.level == 0.95);

  // $R bootstrap-median --seed 42 --resamples 2000 --level 0.9 12.1 11.8 ... 15.3
  const IntervalEstimate ci90 = BootstrapMedian(x, {2000, 0.9, 42});
  CHECK(ci90.lower == 12.0);
  CHECK(ci90.upper == 12.7);

  // Same seed, same interval; another seed moves at least one bound of a continuous sample.
  const std::vector<double> y = NormalSample(3, 200, 50, 4);
  const IntervalEstimate a = BootstrapMedian(y, {2000, 0.95, 11});
  const IntervalEstimate b = BootstrapMedian(y, {2000, 0.95, 11});
  const IntervalEstimate c = BootstrapMedian(y, {2000, 0.95, 12});
  CHECK(a.lower == b.lower);
  CHECK(a.upper == b.upper);
  CHECK((a.lower != c.lower || a.upper != c.upper));
  CHECK(a.lower <= a.estimate);
  CHECK(a.estimate <= a.upper);

  CHECK(std::isnan(BootstrapMedian(std::vector<double>{}).lower));
  CHECK(std::isnan(BootstrapMedian(x, {0, 0.95, 1}).lower));   // no resamples
  CHECK(std::isnan(BootstrapMedian(x, {100, 1.0, 1}).upper));  // level must be < 1
}

TEST_CASE("the 95% median interval covers the true median about 95% of the time",
          "[statistics][bootstrap]") {
  // 20 independent samples of 301 draws from N(100, 5), whose median is 100. A 95% interval
  // misses in 1 of 20 on average; 4 or more misses has probability 1.6% (binomial(20, 0.05)).
  int covered = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const std::vector<double> x = NormalSample(seed, 301, 100, 5);
    const IntervalEstimate ci = BootstrapMedian(x, {1000, 0.95, seed * 7919});
    if (ci.lower < 100 && 100 < ci.upper) ++covered;
    CHECK(ci.upper - ci.lower < 2.5);  // sd of the median ~ 1.2533 * 5 / sqrt(301) = 0.36
  }
  CHECK(covered >= 17);
}

TEST_CASE("the bootstrap ratio of medians", "[statistics][bootstrap]") {
  const std::vector<double> a = {12.1, 11.8, 12.5, 13.0, 11.9, 12.2, 12.7, 12.0, 12.4, 15.3};
  const std::vector<double> b = {13.2, 13.5, 12.9, 13.8, 13.1, 13.4,
                                 14.0, 13.3, 13.6, 13.0, 13.7, 16.1};
  // By hand: median(b) / median(a) = ((13.4 + 13.5) / 2) / ((12.2 + 12.4) / 2) = 13.45 / 12.3.
  // $R bootstrap-ratio --seed 7 --a 12.1,11.8,...,15.3 --b 13.2,13.5,...,16.1
  const IntervalEstimate r = BootstrapMedianRatio(a, b, {10000, 0.95, 7});
  CHECK(r.estimate == 13.45 / 12.3);
  CHECK(r.estimate == 1.0934959349593494);
  CHECK(r.lower == 1.0476190476190477);
  CHECK(r.upper == 1.1327800829875516);

  const IntervalEstimate again = BootstrapMedianRatio(a, b, {10000, 0.95, 7});
  CHECK(again.lower == r.lower);
  CHECK(again.upper == r.upper);

  // The ratio of a set to itself is centred on 1.
  const IntervalEstimate self = BootstrapMedianRatio(a, a, {2000, 0.95, 7});
  CHECK(self.estimate == 1.0);
  CHECK(self.lower <= 1.0);
  CHECK(self.upper >= 1.0);

  CHECK(std::isnan(BootstrapMedianRatio(std::vector<double>{0, 0, 0}, b).estimate));
  CHECK(std::isnan(BootstrapMedianRatio(std::vector<double>{}, b).lower));
}

TEST_CASE("Mann-Whitney U exact p-values for small samples without ties", "[statistics][mwu]") {
  // By hand: every a below every b, U = 0; P(U = 0) = 1 / C(6, 3) = 1 / 20, p = 2 / 20.
  // $R mwu --a 1,2,3 --b 4,5,6
  MannWhitneyResult r = MannWhitneyU(std::vector<double>{1, 2, 3}, std::vector<double>{4, 5, 6});
  CHECK(r.method == MannWhitneyMethod::kExact);
  CHECK_FALSE(r.ties);
  CHECK(r.u == 0);
  CHECK(r.z == 0);
  CHECK(r.p == Approx(0.1).epsilon(1e-15));
  // Swapping the samples turns U into n1 n2 - U and keeps the two-sided p.
  r = MannWhitneyU(std::vector<double>{4, 5, 6}, std::vector<double>{1, 2, 3});
  CHECK(r.u == 9);
  CHECK(r.p == Approx(0.1).epsilon(1e-15));

  // By hand: U = 0 + 1 + 2 + 3 = 6 (pairs a > b for a = 1, 3, 5, 7). P(U <= 6) for sizes 4 and 5
  // = (1 + 1 + 2 + 3 + 5 + 6 + 8) / C(9, 4) = 26 / 126 (partitions of k into at most 4 parts of
  // size at most 5), p = 52 / 126.   $R mwu --a 1,3,5,7 --b 2,4,6,8,10
  r = MannWhitneyU(std::vector<double>{1, 3, 5, 7}, std::vector<double>{2, 4, 6, 8, 10});
  CHECK(r.u == 6);
  CHECK(r.p == Approx(52.0 / 126).epsilon(1e-14));
  CHECK(r.p == Approx(0.4126984126984127).epsilon(1e-14));

  // $R mwu --a 1.1,2.5,3.2,4.8,5.0,6.3,7.7,8.1,9.4,10.2
  //        --b 3.3,5.5,6.1,7.9,8.8,9.9,10.5,11.2,12.6,13.1,14.4,15.0
  r = MannWhitneyU(
      std::vector<double>{1.1, 2.5, 3.2, 4.8, 5.0, 6.3, 7.7, 8.1, 9.4, 10.2},
      std::vector<double>{3.3, 5.5, 6.1, 7.9, 8.8, 9.9, 10.5, 11.2, 12.6, 13.1, 14.4, 15.0});
  CHECK(r.method == MannWhitneyMethod::kExact);
  CHECK(r.u == 23);
  CHECK(r.p == Approx(0.013769512221524605).epsilon(1e-13));

  // By hand: complete separation of 20 and 20, p = 2 / C(40, 20) = 2 / 137846528820.
  // $R mwu --a 1,...,20 --b 21,...,40
  std::vector<double> low;
  std::vector<double> high;
  for (int i = 1; i <= 20; ++i) {
    low.push_back(i);
    high.push_back(i + 20);
  }
  r = MannWhitneyU(low, high);
  CHECK(r.method == MannWhitneyMethod::kExact);
  CHECK(r.p == Approx(2.0 / 137846528820.0).epsilon(1e-13));
  CHECK(r.p == Approx(1.4508889103849688e-11).epsilon(1e-13));
}

TEST_CASE("Mann-Whitney U normal approximation", "[statistics][mwu]") {
  // 25 and 25 values without ties: above the exact limit, so normal with continuity correction;
  // raising the limit to 30 gives the exact p of the same data.
  // $R mwu --a $A25 --b $B25   and   $R mwu --a $A25 --b $B25 --max-exact 30
  // with A25 and B25 the two lists below, comma-separated.
  const std::vector<double> a = {10.0,  10.5,  11.26, 12.28, 11.86, 13.4,  13.5, 13.86, 14.48,
                                 13.66, 14.8,  14.5,  14.46, 16.38, 16.86, 15.9, 16.9,  16.46,
                                 17.98, 18.06, 18.4,  19.0,  18.16, 19.28, 18.96};
  const std::vector<double> b = {12.05, 12.75, 14.03, 13.59, 13.73, 14.45, 15.75, 15.33, 15.49,
                                 16.23, 17.55, 17.15, 17.33, 18.09, 19.43, 19.05, 19.25, 20.03,
                                 21.39, 21.03, 21.25, 22.05, 21.13, 23.09, 23.33};
  MannWhitneyResult r = MannWhitneyU(a, b);
  CHECK(r.method == MannWhitneyMethod::kNormal);
  CHECK_FALSE(r.ties);
  CHECK(r.u == 183);
  CHECK(r.z == Approx(-2.502967650374956).epsilon(1e-12));
  CHECK(r.p == Approx(0.012315680042810827).epsilon(1e-12));

  r = MannWhitneyU(a, b, {30, true});
  CHECK(r.method == MannWhitneyMethod::kExact);
  CHECK(r.p == Approx(0.011418108306938266).epsilon(1e-12));
}

TEST_CASE("Mann-Whitney U with ties uses the tie-corrected normal approximation",
          "[statistics][mwu]") {
  const std::vector<double> a = {1, 2, 2, 3, 3, 3, 4, 5};
  const std::vector<double> b = {3, 4, 4, 5, 5, 6, 7, 7, 8};
  // $R mwu --a 1,2,2,3,3,3,4,5 --b 3,4,4,5,5,6,7,7,8
  MannWhitneyResult r = MannWhitneyU(a, b);
  CHECK(r.method == MannWhitneyMethod::kNormal);  // small, but tied: never exact
  CHECK(r.ties);
  CHECK(r.u == 7.5);
  CHECK(r.z == Approx(-2.727939278646863).epsilon(1e-12));
  CHECK(r.p == Approx(0.006373133838085877).epsilon(1e-12));
  // $R mwu --a 1,2,2,3,3,3,4,5 --b 3,4,4,5,5,6,7,7,8 --no-continuity
  r = MannWhitneyU(a, b, {20, false});
  CHECK(r.z == Approx(-2.7766524800512715).epsilon(1e-12));
  CHECK(r.p == Approx(0.005492186689215299).epsilon(1e-12));

  // All values equal: zero variance, no evidence of any difference. U = 6 ties * 0.5.
  r = MannWhitneyU(std::vector<double>{5, 5, 5}, std::vector<double>{5, 5});
  CHECK(r.u == 3);
  CHECK(r.z == 0);
  CHECK(r.p == 1);

  r = MannWhitneyU(std::vector<double>{}, b);
  CHECK(r.method == MannWhitneyMethod::kNone);
  CHECK(std::isnan(r.p));
  CHECK(MannWhitneyMethodName(MannWhitneyMethod::kExact) == "exact");
  CHECK(MannWhitneyMethodName(MannWhitneyMethod::kNormal) == "normal");
  CHECK(MannWhitneyMethodName(MannWhitneyMethod::kNone) == "none");
}

TEST_CASE("Mann-Whitney p-values of identical samples and of random data", "[statistics][mwu]") {
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    const std::vector<double> x = NormalSample(seed, 5 + seed % 20, 10, 1);
    const std::vector<double> y = NormalSample(seed + 1000, 5 + seed % 17, 10, 1);
    const MannWhitneyResult self = MannWhitneyU(x, x);
    CHECK(self.p == 1);  // U = n^2 / 2 exactly: no evidence at all
    const MannWhitneyResult r = MannWhitneyU(x, y);
    const MannWhitneyResult swapped = MannWhitneyU(y, x);
    CHECK(r.u + swapped.u == static_cast<double>(x.size() * y.size()));
    CHECK(r.p == Approx(swapped.p).epsilon(1e-12));
    CHECK(r.p > 0);
    CHECK(r.p <= 1);
  }
}

TEST_CASE("the test holds its level under the null hypothesis", "[statistics][mwu]") {
  // 2000 pairs of samples from one distribution: p < 0.05 must happen in about 5% of them or
  // fewer (the exact test is conservative: its attainable levels are discrete). Binomial(2000,
  // 0.05) has sd 0.0049, so [0.025, 0.065] is more than 4 sd around the nominal level on the
  // high side. Exact (10 vs 10), normal (25 vs 25) and normal with ties (rounded values).
  for (const auto& [n, decimals] : {std::pair<std::size_t, double>{10, 0}, {25, 0}, {12, 1}}) {
    std::mt19937_64 engine(n * 31 + static_cast<std::uint64_t>(decimals));
    int rejected = 0;
    for (int i = 0; i < 2000; ++i) {
      std::vector<double> a(n);
      std::vector<double> b(n);
      for (double& x : a) x = Normal(engine, 100, 3);
      for (double& x : b) x = Normal(engine, 100, 3);
      if (decimals > 0) {
        for (double& x : a) x = std::round(x);
        for (double& x : b) x = std::round(x);
      }
      const MannWhitneyResult r = MannWhitneyU(a, b);
      CHECK(r.method ==
            (n <= 20 && decimals == 0 ? MannWhitneyMethod::kExact : MannWhitneyMethod::kNormal));
      rejected += r.p < 0.05 ? 1 : 0;
    }
    const double rate = rejected / 2000.0;
    CHECK(rate > 0.025);
    CHECK(rate < 0.065);
  }
}

TEST_CASE("the normal approximation is close to the exact p-value at 20 vs 20",
          "[statistics][mwu]") {
  // Forcing the approximation (max_exact_size 0) on data where the exact test applies: with the
  // continuity correction the two agree within 0.005 everywhere and within 10% of the exact value
  // above p = 0.05 (in the far tail the normal curve is heavier than the exact distribution, so
  // the approximation errs on the conservative side there: it is never much smaller).
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    const std::vector<double> a = NormalSample(seed, 20, 100, 3);
    const std::vector<double> b =
        NormalSample(seed + 500, 20, 100 + 0.1 * static_cast<double>(seed), 3);
    const MannWhitneyResult exact = MannWhitneyU(a, b);
    const MannWhitneyResult normal = MannWhitneyU(a, b, {0, true});
    REQUIRE(exact.method == MannWhitneyMethod::kExact);
    REQUIRE(normal.method == MannWhitneyMethod::kNormal);
    CHECK(exact.u == normal.u);
    CHECK(std::fabs(normal.p - exact.p) < 0.005);
    CHECK(normal.p > 0.9 * exact.p);
    if (exact.p > 0.05) CHECK(normal.p == Approx(exact.p).epsilon(0.1));
  }
}

TEST_CASE("Holm-Bonferroni adjustment", "[statistics][holm]") {
  // By hand: sorted 0.005 0.01 0.03 0.04 times 4 3 2 1 = 0.02 0.03 0.06 0.04, running max
  // 0.02 0.03 0.06 0.06, back in input order.   $R holm 0.01 0.04 0.03 0.005
  std::vector<double> adjusted = HolmAdjust(std::vector<double>{0.01, 0.04, 0.03, 0.005});
  REQUIRE(adjusted.size() == 4);
  CHECK(adjusted[0] == Approx(0.03));
  CHECK(adjusted[1] == Approx(0.06));
  CHECK(adjusted[2] == Approx(0.06));
  CHECK(adjusted[3] == Approx(0.02));

  // Capped at 1: 2 * 0.5 = 1, max(1, 0.6) = 1.
  adjusted = HolmAdjust(std::vector<double>{0.6, 0.5});
  CHECK(adjusted == std::vector<double>{1.0, 1.0});

  // NaN is not part of the family: m = 2 here, not 3.
  const double nan = std::nan("");
  adjusted = HolmAdjust(std::vector<double>{0.01, nan, 0.02});
  CHECK(adjusted[0] == Approx(0.02));
  CHECK(std::isnan(adjusted[1]));
  CHECK(adjusted[2] == Approx(0.02));

  CHECK(HolmAdjust(std::vector<double>{}).empty());
  CHECK(HolmAdjust(std::vector<double>{0.03}) == std::vector<double>{0.03});
}

TEST_CASE("Holm keeps one borderline p-value among 80 from being a false alarm",
          "[statistics][holm]") {
  // 80 benchmarks, one at p = 0.01 (significant alone at 0.05), the rest unremarkable: adjusted
  // 80 * 0.01 = 0.8. A strong effect (p = 1e-5) survives: 80e-5 = 0.0008.
  std::vector<double> p(80, 0.5);
  p[17] = 0.01;
  std::vector<double> adjusted = HolmAdjust(p);
  CHECK(adjusted[17] == Approx(0.8));
  int significant = 0;
  for (double q : adjusted) significant += q < 0.05 ? 1 : 0;
  CHECK(significant == 0);

  p[42] = 1e-5;
  adjusted = HolmAdjust(p);
  CHECK(adjusted[42] == Approx(0.0008));
  CHECK(adjusted[17] == Approx(0.79));  // second smallest: (80 - 1) * 0.01
  CHECK(adjusted[42] < 0.05);
  CHECK(adjusted[17] >= 0.05);
}

TEST_CASE("Holm adjusted p-values are monotone, at least the raw ones and at most 1",
          "[statistics][holm]") {
  std::mt19937_64 engine(99);
  for (int round = 0; round < 100; ++round) {
    std::vector<double> p(1 + UniformIndex(engine, 40));
    for (double& v : p) v = Uniform01(engine) * Uniform01(engine);  // many small values
    const std::vector<double> adjusted = HolmAdjust(p);
    REQUIRE(adjusted.size() == p.size());
    for (std::size_t i = 0; i < p.size(); ++i) {
      CHECK(adjusted[i] >= p[i]);
      CHECK(adjusted[i] <= 1.0);
      CHECK(adjusted[i] <= std::min(1.0, static_cast<double>(p.size()) * p[i]) + 1e-15);
      for (std::size_t j = 0; j < p.size(); ++j) {
        if (p[i] <= p[j]) CHECK(adjusted[i] <= adjusted[j]);
      }
    }
  }
}

}  // namespace
}  // namespace vmbench::stats
