// Tests of core/comparison.h: the verdict rules of statistics.md, their precedence, and properties
// that the rules must have on simulated data (identical inputs never change, a clear 10%
// regression is found, noise is never called a regression, Holm keeps 80 benchmarks quiet); and of
// CompareRuns (compare_runs.h), which hands the result to reporters.
// Reference values come from the independent script; commands are run from the repository root:
//   R=tools/stats_reference/stats_reference.py

#include "comparison.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "compare_runs.h"

namespace vmbench {
namespace {

using stats::UniformIndex;

double Uniform01(std::mt19937_64& engine) {
  return static_cast<double>(engine() >> 11) * 0x1.0p-53;
}

double StandardNormal(std::mt19937_64& engine) {
  const double u1 = 1.0 - Uniform01(engine);
  const double u2 = Uniform01(engine);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

// Timings with multiplicative noise: median * exp(N(0, sigma)), so `sigma` is roughly the
// coefficient of variation.
std::vector<double> Timings(std::uint64_t seed, std::size_t n, double median, double sigma) {
  std::mt19937_64 engine(seed);
  std::vector<double> out(n);
  for (double& x : out) x = median * std::exp(sigma * StandardNormal(engine));
  return out;
}

SampleSet Ok(std::string id, std::vector<double> samples) {
  return {std::move(id), std::move(samples), SampleStatus::kOk, ""};
}

SampleSet WithStatus(std::string id, SampleStatus status, std::string message) {
  return {std::move(id), {}, status, std::move(message)};
}

SampleRun Run(std::vector<SampleSet> benchmarks, std::string fingerprint = "fp-1",
              std::string hypervisor = "kvm") {
  return {std::move(fingerprint), std::move(hypervisor), std::move(benchmarks)};
}

// Fewer resamples than the default keep the property tests fast; the intervals are still stable.
ComparisonOptions FastOptions() {
  ComparisonOptions options;
  options.bootstrap_resamples = 1000;
  return options;
}

Comparison MustCompare(const SampleRun& a, const SampleRun& b,
                       const ComparisonOptions& options = {}) {
  absl::StatusOr<Comparison> result = Compare(a, b, options);
  REQUIRE(result.ok());
  return *std::move(result);
}

Verdict OneVerdict(const std::vector<double>& a, const std::vector<double>& b,
                   const ComparisonOptions& options) {
  const Comparison c = MustCompare(Run({Ok("x", a)}), Run({Ok("x", b)}), options);
  REQUIRE(c.benchmarks.size() == 1);
  return c.benchmarks[0].verdict;
}

const std::vector<double> kBaseline = {12.1, 11.8, 12.5, 13.0, 11.9, 12.2, 12.7, 12.0, 12.4, 15.3};
const std::vector<double> kCandidate = {13.2, 13.5, 12.9, 13.8, 13.1, 13.4,
                                        14.0, 13.3, 13.6, 13.0, 13.7, 16.1};

TEST_CASE("verdict names are stable strings", "[comparison]") {
  CHECK(VerdictName(Verdict::kRegressed) == "regressed");
  CHECK(VerdictName(Verdict::kImproved) == "improved");
  CHECK(VerdictName(Verdict::kUnchanged) == "unchanged");
  CHECK(VerdictName(Verdict::kInconclusive) == "inconclusive");
  CHECK(VerdictName(Verdict::kNew) == "new");
  CHECK(VerdictName(Verdict::kMissing) == "missing");
  CHECK(VerdictName(Verdict::kError) == "error");
  CHECK(VerdictName(Verdict::kSkipped) == "skipped");
  CHECK(VerdictName(Verdict::kIncomparable) == "incomparable");
  for (Verdict v : kAllVerdicts) CHECK(ParseVerdict(VerdictName(v)) == v);
  CHECK_FALSE(ParseVerdict("Regressed").has_value());
  CHECK_FALSE(ParseVerdict("").has_value());
}

TEST_CASE("rule 6: where the ratio interval lies and significance decide", "[comparison]") {
  constexpr double kAlpha = 0.05;
  constexpr double kBand = 0.03;  // band [0.97, 1.03]
  constexpr double kSig = 0.001;
  constexpr double kNotSig = 0.4;
  // a. inside the band: unchanged, significant or not.
  CHECK(ClassifyChange(0.98, 1.02, kSig, kAlpha, kBand) == Verdict::kUnchanged);
  CHECK(ClassifyChange(0.98, 1.02, kNotSig, kAlpha, kBand) == Verdict::kUnchanged);
  CHECK(ClassifyChange(0.97, 1.03, kSig, kAlpha, kBand) == Verdict::kUnchanged);  // edges inside
  // b. beyond both edges: the data cannot tell.
  CHECK(ClassifyChange(0.90, 1.10, kSig, kAlpha, kBand) == Verdict::kInconclusive);
  CHECK(ClassifyChange(0.90, 1.10, kNotSig, kAlpha, kBand) == Verdict::kInconclusive);
  // c. / d. wholly beyond one edge: a verdict only when significant.
  CHECK(ClassifyChange(1.05, 1.12, kSig, kAlpha, kBand) == Verdict::kRegressed);
  CHECK(ClassifyChange(1.05, 1.12, kNotSig, kAlpha, kBand) == Verdict::kInconclusive);
  CHECK(ClassifyChange(0.85, 0.95, kSig, kAlpha, kBand) == Verdict::kImproved);
  CHECK(ClassifyChange(0.85, 0.95, kNotSig, kAlpha, kBand) == Verdict::kInconclusive);
  // e. across one edge: unchanged when not significant, else not yet decidable.
  CHECK(ClassifyChange(1.01, 1.06, kNotSig, kAlpha, kBand) == Verdict::kUnchanged);
  CHECK(ClassifyChange(1.01, 1.06, kSig, kAlpha, kBand) == Verdict::kInconclusive);
  CHECK(ClassifyChange(0.94, 0.99, kNotSig, kAlpha, kBand) == Verdict::kUnchanged);
  CHECK(ClassifyChange(0.94, 0.99, kSig, kAlpha, kBand) == Verdict::kInconclusive);
  // The whole interval must lie beyond: a lower bound on the edge is not enough.
  CHECK(ClassifyChange(1.03, 1.10, kSig, kAlpha, kBand) == Verdict::kInconclusive);
  // Significant means adjusted p < alpha, strictly.
  CHECK(ClassifyChange(1.05, 1.12, kAlpha, kAlpha, kBand) == Verdict::kInconclusive);
  // An unbounded interval (baseline resamples with median 0) can still lie beyond the band.
  CHECK(ClassifyChange(1.05, INFINITY, kSig, kAlpha, kBand) == Verdict::kRegressed);
  CHECK(ClassifyChange(NAN, 1.1, kSig, kAlpha, kBand) == Verdict::kInconclusive);
  CHECK(ClassifyChange(1.05, 1.1, NAN, kAlpha, kBand) == Verdict::kInconclusive);
}

TEST_CASE("a comparison row matches the reference computation", "[comparison]") {
  const std::string id = "alloc_single/create/default";
  // $R seed-for-id --seed 33334316627813224 --id alloc_single/create/default
  // (33334316627813224 == 0x766d62656e6368 == stats::kDefaultSeed)
  CHECK(stats::kDefaultSeed == 33334316627813224ULL);
  CHECK(BootstrapSeedFor(stats::kDefaultSeed, id) == 16520227015437449995ULL);
  // $R seed-for-id --seed 0 --id ''
  CHECK(BootstrapSeedFor(0, "") == 14087677454934409008ULL);

  const Comparison c = MustCompare(Run({Ok(id, kBaseline)}), Run({Ok(id, kCandidate)}));
  REQUIRE(c.benchmarks.size() == 1);
  const BenchmarkComparison& row = c.benchmarks[0];
  CHECK(row.id == id);
  CHECK(row.noise_band == 0.03);
  CHECK(row.baseline.count == 10);
  CHECK(row.candidate.count == 12);
  CHECK(row.baseline.median == Approx(12.3));
  CHECK(row.candidate.median == Approx(13.45));
  // $R bootstrap-ratio --seed 16520227015437449995 --a 12.1,...,15.3 --b 13.2,...,16.1
  REQUIRE(row.ratio.has_value());
  CHECK(row.ratio->estimate == 1.0934959349593494);
  CHECK(row.ratio->lower == 1.0472440944881891);
  CHECK(row.ratio->upper == 1.1327800829875516);
  CHECK(row.ratio->level == 0.95);
  // $R mwu --a 12.1,...,15.3 --b 13.2,...,16.1   (13.0 occurs on both sides: normal, ties)
  REQUIRE(row.test.has_value());
  CHECK(row.test->method == stats::MannWhitneyMethod::kNormal);
  CHECK(row.test->u == 12.5);
  CHECK(row.test->z == Approx(-3.0999635499952953).epsilon(1e-12));
  CHECK(row.test->p == Approx(0.0019354445910320524).epsilon(1e-12));
  REQUIRE(row.adjusted_p.has_value());
  CHECK(*row.adjusted_p == row.test->p);  // a family of one
  CHECK(row.verdict == Verdict::kRegressed);
  CHECK(row.reason ==
        "9.3% slower, interval beyond the +3% noise band: ratio 1.093 [1.047, 1.133], "
        "p=0.0019 (Holm 0.0019)");
  CHECK(row.warning.empty());
  CHECK(c.comparable);
  CHECK(c.Count(Verdict::kRegressed) == 1);
  CHECK(c.Find(id) == &row);
  CHECK(c.Find("nope") == nullptr);

  // The mirror image is an improvement of the same size.
  const Comparison mirror = MustCompare(Run({Ok(id, kCandidate)}), Run({Ok(id, kBaseline)}));
  CHECK(mirror.benchmarks[0].verdict == Verdict::kImproved);
  CHECK_THAT(mirror.benchmarks[0].reason,
             Catch::StartsWith("8.6% faster, interval beyond the -3%"));
}

TEST_CASE("verdicts that need no test, and their precedence", "[comparison]") {
  const std::vector<double> ten(10, 1.0);
  const SampleRun baseline = Run({
      Ok("both_ok", kBaseline),
      WithStatus("err_cand", SampleStatus::kOk, ""),
      WithStatus("err_base", SampleStatus::kError, "timeout after 60 s"),
      Ok("skip_cand", ten),
      WithStatus("err_and_skip", SampleStatus::kSkipped, "no /dev/kvm"),
      Ok("gone", ten),
      Ok("few", {1, 2, 3}),
      Ok("zero_median", {0, 0, 0, 0, 0, 0, 1, 1, 1, 1}),
      Ok("corrupt", {1, 2, NAN, 4, 5, 6, 7, 8, 9, 10}),
      WithStatus("err_gone", SampleStatus::kError, "crashed"),
  });
  const SampleRun candidate = Run({
      Ok("both_ok", kCandidate),
      WithStatus("err_cand", SampleStatus::kError, "vCPU exited with SHUTDOWN"),
      Ok("err_base", ten),
      WithStatus("skip_cand", SampleStatus::kSkipped, "backend unavailable"),
      WithStatus("err_and_skip", SampleStatus::kError, "segfault"),
      Ok("fresh", ten),
      WithStatus("fresh_error", SampleStatus::kError, "boom"),
      Ok("few", ten),
      Ok("zero_median", ten),
      Ok("corrupt", ten),
  });
  const Comparison c = MustCompare(baseline, candidate, FastOptions());

  const auto verdict = [&](const std::string& id) {
    const BenchmarkComparison* row = c.Find(id);
    REQUIRE(row != nullptr);
    return row->verdict;
  };
  const auto reason = [&](const std::string& id) { return c.Find(id)->reason; };

  CHECK(verdict("both_ok") == Verdict::kRegressed);
  CHECK(verdict("err_cand") == Verdict::kError);
  CHECK(reason("err_cand") == "error in the candidate: vCPU exited with SHUTDOWN");
  CHECK(verdict("err_base") == Verdict::kError);
  CHECK(reason("err_base") == "error in the baseline: timeout after 60 s");
  CHECK(verdict("skip_cand") == Verdict::kSkipped);
  CHECK(reason("skip_cand") == "skipped in the candidate: backend unavailable");
  CHECK(verdict("err_and_skip") == Verdict::kError);  // error beats skipped
  CHECK(verdict("fresh") == Verdict::kNew);
  CHECK(reason("fresh") == "only in the candidate");
  CHECK(verdict("fresh_error") == Verdict::kError);  // a new benchmark that crashes is an error
  CHECK(verdict("gone") == Verdict::kMissing);
  CHECK(reason("gone") == "only in the baseline");
  CHECK(verdict("err_gone") == Verdict::kError);
  CHECK(verdict("few") == Verdict::kInconclusive);
  CHECK(reason("few") == "too few repetitions for a verdict: baseline 3, candidate 10, need 10");
  CHECK(verdict("zero_median") == Verdict::kInconclusive);
  CHECK(reason("zero_median") == "baseline median is 0; no ratio");
  CHECK(verdict("corrupt") == Verdict::kError);
  CHECK(reason("corrupt") == "the baseline has a non-finite or negative time");

  // Only rows that got a test have numbers, and only they form the Holm family (of one here).
  for (const BenchmarkComparison& row : c.benchmarks) {
    CHECK(row.test.has_value() == (row.id == "both_ok"));
    CHECK(row.ratio.has_value() == (row.id == "both_ok"));
    CHECK(row.adjusted_p.has_value() == (row.id == "both_ok"));
  }
  CHECK(*c.Find("both_ok")->adjusted_p == c.Find("both_ok")->test->p);
  CHECK(c.Find("few")->baseline.count == 3);  // descriptive statistics are still there
  CHECK(c.Find("corrupt")->baseline.count == 0);

  // Candidate order first, then what only the baseline has.
  std::vector<std::string> order;
  for (const BenchmarkComparison& row : c.benchmarks) order.push_back(row.id);
  CHECK(order == std::vector<std::string>{"both_ok", "err_cand", "err_base", "skip_cand",
                                          "err_and_skip", "fresh", "fresh_error", "few",
                                          "zero_median", "corrupt", "gone", "err_gone"});
  std::size_t total = 0;
  for (Verdict v : kAllVerdicts) total += c.Count(v);
  CHECK(total == c.benchmarks.size());
}

TEST_CASE("runs from different machines are incomparable unless allowed", "[comparison]") {
  const SampleRun baseline =
      Run({Ok("a", kBaseline), WithStatus("b", SampleStatus::kError, "x"), Ok("c", kBaseline)},
          "fp-1", "kvm");
  const SampleRun candidate =
      Run({Ok("a", kCandidate), Ok("b", kCandidate), Ok("new", kCandidate)}, "fp-2", "mshv");
  Comparison c = MustCompare(baseline, candidate, FastOptions());
  CHECK_FALSE(c.comparable);
  CHECK(c.warning ==
        "runs not comparable: machine fingerprint differs (baseline 'fp-1', candidate 'fp-2'); "
        "hypervisor differs (baseline 'kvm', candidate 'mshv')");
  CHECK(c.Find("a")->verdict == Verdict::kIncomparable);
  CHECK(c.Find("a")->reason == c.warning);
  CHECK_FALSE(c.Find("a")->test.has_value());
  CHECK(c.Find("b")->verdict == Verdict::kError);  // facts of a run stay facts
  CHECK(c.Find("c")->verdict == Verdict::kMissing);
  CHECK(c.Find("new")->verdict == Verdict::kNew);

  // Same fingerprint, other hypervisor: still incomparable.
  c = MustCompare(Run({Ok("a", kBaseline)}, "fp", "kvm"), Run({Ok("a", kCandidate)}, "fp", "mshv"),
                  FastOptions());
  CHECK(c.Find("a")->verdict == Verdict::kIncomparable);

  ComparisonOptions allow = FastOptions();
  allow.allow_cross_machine = true;
  c = MustCompare(baseline, candidate, allow);
  CHECK_FALSE(c.comparable);
  CHECK(c.Find("a")->verdict == Verdict::kRegressed);
  for (const BenchmarkComparison& row : c.benchmarks) {
    CHECK_THAT(row.warning, Catch::StartsWith("runs not comparable: machine fingerprint differs"));
    CHECK_THAT(row.warning, Catch::EndsWith("compared anyway (allow_cross_machine)"));
  }
}

TEST_CASE("noise bands: default, overrides in order, first match wins", "[comparison]") {
  ComparisonOptions options = FastOptions();
  options.noise_band_overrides = {{"^alloc_single/", 0.10}, {"alloc", 0.05}, {"/256$", 0.2}};
  CHECK(*NoiseBandFor("alloc_single/create/256", options) == 0.10);
  CHECK(*NoiseBandFor("big_alloc/x", options) == 0.05);
  CHECK(*NoiseBandFor("exec/run/256", options) == 0.2);
  CHECK(*NoiseBandFor("exec/run/1", options) == 0.03);

  // The same 9% regression is a regression under the default band and unchanged under 10%.
  const Comparison c =
      MustCompare(Run({Ok("alloc_single/x", kBaseline), Ok("exec/x", kBaseline)}),
                  Run({Ok("alloc_single/x", kCandidate), Ok("exec/x", kCandidate)}), options);
  CHECK(c.Find("alloc_single/x")->noise_band == 0.10);
  CHECK(c.Find("alloc_single/x")->verdict != Verdict::kRegressed);
  CHECK(c.Find("exec/x")->noise_band == 0.03);
  CHECK(c.Find("exec/x")->verdict == Verdict::kRegressed);
}

TEST_CASE("invalid options and inputs are errors", "[comparison]") {
  const SampleRun run = Run({Ok("a", kBaseline)});
  const auto message = [&](const ComparisonOptions& options) {
    absl::StatusOr<Comparison> c = Compare(run, run, options);
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().code() == absl::StatusCode::kInvalidArgument);
    return std::string(c.status().message());
  };
  ComparisonOptions o;
  o.alpha = 0;
  CHECK(message(o) == "comparison: alpha 0 is not between 0 and 1");
  o = {};
  o.noise_band = 3;
  CHECK(message(o) == "comparison: noise band 3 is not in [0, 1) (0.03 means \u00b13%)");
  o = {};
  o.noise_band_overrides = {{"a", -0.1}};
  CHECK(message(o) == "comparison: noise band -0.1 for 'a' is not in [0, 1)");
  o = {};
  o.noise_band_overrides = {{"alloc(", 0.1}};
  CHECK_THAT(message(o),
             Catch::StartsWith("comparison: noise band pattern 'alloc(' is not a valid regex"));
  CHECK_FALSE(NoiseBandFor("x", o).ok());
  o = {};
  o.min_repetitions = 1;
  CHECK(message(o) == "comparison: min repetitions 1 is below 2");
  o = {};
  o.bootstrap_resamples = 0;
  CHECK(message(o) == "comparison: bootstrap resamples 0 is below 1");
  o = {};
  o.confidence_level = 1;
  CHECK(message(o) == "comparison: confidence level 1 is not between 0 and 1");

  const absl::StatusOr<Comparison> dup =
      Compare(run, Run({Ok("a", kBaseline), Ok("a", kBaseline)}));
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.status().message() == "comparison: benchmark id 'a' appears twice in the candidate");
}

TEST_CASE("identical inputs are never regressed or improved", "[comparison][property]") {
  // 200 sample sets of 10 to 40 repetitions, noise from 0.5% to 40%, with and without ties
  // (rounded timings): comparing a set with itself must never produce a change verdict.
  std::mt19937_64 engine(2024);
  for (std::uint64_t round = 0; round < 200; ++round) {
    const std::size_t n = 10 + UniformIndex(engine, 31);
    const double sigma = 0.005 + 0.4 * Uniform01(engine);
    std::vector<double> x = Timings(round + 1, n, 1000, sigma);
    if (round % 3 == 0) {
      for (double& v : x) v = std::round(v / 10) * 10;
    }
    ComparisonOptions options = FastOptions();
    options.seed = round;
    options.noise_band = round % 5 == 0 ? 0.0 : 0.03;  // even without a band
    const Verdict v = OneVerdict(x, x, options);
    CHECK(v != Verdict::kRegressed);
    CHECK(v != Verdict::kImproved);
  }
}

TEST_CASE("A/A: 40 benchmarks from the same distribution raise no alarm",
          "[comparison][property]") {
  // statistics.md's target: no regressed/improved in at least 19 of 20 repeats of a
  // 40-benchmark run. Each side draws its own samples (2% noise, 10 repetitions).
  int repeats_with_alarm = 0;
  for (std::uint64_t repeat = 0; repeat < 20; ++repeat) {
    SampleRun a = Run({});
    SampleRun b = Run({});
    for (std::uint64_t i = 0; i < 40; ++i) {
      const std::string id = "group/bench/" + std::to_string(i);
      const double median = 100.0 * static_cast<double>(i + 1);
      a.benchmarks.push_back(Ok(id, Timings(repeat * 1000 + i * 2 + 1, 10, median, 0.02)));
      b.benchmarks.push_back(Ok(id, Timings(repeat * 1000 + i * 2 + 2, 10, median, 0.02)));
    }
    const Comparison c = MustCompare(a, b, FastOptions());
    if (c.Count(Verdict::kRegressed) + c.Count(Verdict::kImproved) > 0) ++repeats_with_alarm;
  }
  CHECK(repeats_with_alarm <= 1);
}

TEST_CASE("a uniform 10% slowdown with low noise is regressed", "[comparison][property]") {
  // 20 repetitions per side, 1% noise; every seed must find it, and the interval must contain the
  // true ratio 1.1 in nearly all of them.
  int contains_truth = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const std::vector<double> a = Timings(seed * 2, 20, 5000, 0.01);
    const std::vector<double> b = Timings(seed * 2 + 1, 20, 5500, 0.01);
    ComparisonOptions options = FastOptions();
    if (seed == 1) options.bootstrap_resamples = stats::kDefaultResamples;
    const Comparison c = MustCompare(Run({Ok("x", a)}), Run({Ok("x", b)}), options);
    const BenchmarkComparison& row = c.benchmarks[0];
    CHECK(row.verdict == Verdict::kRegressed);
    CHECK(row.test->method == stats::MannWhitneyMethod::kExact);
    CHECK(row.ratio->lower > 1.03);
    if (row.ratio->lower < 1.1 && 1.1 < row.ratio->upper) ++contains_truth;
    // And the same change the other way round is an improvement.
    CHECK(OneVerdict(b, a, options) == Verdict::kImproved);
  }
  CHECK(contains_truth >= 17);
}

TEST_CASE("a 1% shift inside a 3% band is unchanged", "[comparison][property]") {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const std::vector<double> a = Timings(seed * 2, 20, 5000, 0.005);
    const std::vector<double> b = Timings(seed * 2 + 1, 20, 5050, 0.005);
    const Comparison c = MustCompare(Run({Ok("x", a)}), Run({Ok("x", b)}), FastOptions());
    const BenchmarkComparison& row = c.benchmarks[0];
    CHECK(row.verdict == Verdict::kUnchanged);
    CHECK(row.ratio->lower >= 0.97);
    CHECK(row.ratio->upper <= 1.03);
    CHECK_THAT(row.reason, Catch::StartsWith("interval within the \u00b13% noise band"));
  }
}

TEST_CASE("huge noise is never called a regression", "[comparison][property]") {
  // 50% noise and a true 10% slowdown, 10 repetitions: the data cannot show it.
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    const std::vector<double> a = Timings(seed * 2, 10, 5000, 0.5);
    const std::vector<double> b = Timings(seed * 2 + 1, 10, 5500, 0.5);
    const Verdict v = OneVerdict(a, b, FastOptions());
    CHECK((v == Verdict::kInconclusive || v == Verdict::kUnchanged));
  }
}

TEST_CASE("Holm over 80 benchmarks turns a lone borderline regression inconclusive",
          "[comparison][property]") {
  // 5 against 5 repetitions, every candidate value 20% above every baseline value: the exact
  // two-sided p is 2 / C(10, 5) = 2 / 252 (by hand) and the interval lies far above the band.
  ComparisonOptions options = FastOptions();
  options.min_repetitions = 5;
  const std::vector<double> a = {100, 101, 99, 100.5, 99.5};
  const std::vector<double> b = {120, 121, 119, 120.5, 119.5};

  Comparison alone = MustCompare(Run({Ok("flagged", a)}), Run({Ok("flagged", b)}), options);
  CHECK(alone.benchmarks[0].test->p == Approx(2.0 / 252));
  CHECK(alone.benchmarks[0].verdict == Verdict::kRegressed);

  // Among 79 unchanged benchmarks the family is 80: adjusted p = 80 * 2 / 252 = 0.635.
  SampleRun base = Run({Ok("flagged", a)});
  SampleRun cand = Run({Ok("flagged", b)});
  for (std::uint64_t i = 0; i < 79; ++i) {
    const std::string id = "quiet/" + std::to_string(i);
    const std::vector<double> x = Timings(i + 7, 5, 100, 0.01);
    base.benchmarks.push_back(Ok(id, x));
    cand.benchmarks.push_back(Ok(id, x));
  }
  const Comparison c = MustCompare(base, cand, options);
  const BenchmarkComparison* flagged = c.Find("flagged");
  CHECK(flagged->test->p == Approx(2.0 / 252));
  CHECK(*flagged->adjusted_p == Approx(80 * 2.0 / 252));
  CHECK(flagged->verdict == Verdict::kInconclusive);
  CHECK_THAT(flagged->reason,
             Catch::StartsWith("interval beyond the +3% noise band but not significant"));
  CHECK(c.Count(Verdict::kRegressed) == 0);
  CHECK(c.Count(Verdict::kImproved) == 0);
}

// A benchmark result of a run, with one repetition per time in `times`.
BenchmarkResult Result(BenchmarkId id, const std::vector<double>& times,
                       BenchmarkStatus status = BenchmarkStatus::kOk) {
  BenchmarkResult b;
  b.id = std::move(id);
  b.status = status;
  for (double t : times) b.repetitions.push_back({1000, t, t});
  b.summary = Summarize(b.repetitions);
  return b;
}

TEST_CASE("CompareRuns gives reporters the baseline samples of every row that has them",
          "[comparison]") {
  const std::vector<double> ten(10, 5.0);
  RunResult baseline;
  baseline.context.machine_fingerprint = "fp-1";
  baseline.context.hypervisor = "kvm";
  baseline.benchmarks = {Result({"g", "f", "both"}, kBaseline),
                         Result({"g", "f", "failed"}, {}, BenchmarkStatus::kError),
                         Result({"g", "", "gone"}, ten)};
  RunResult candidate;
  candidate.context = baseline.context;
  candidate.benchmarks = {Result({"g", "f", "both"}, kCandidate), Result({"g", "f", "failed"}, ten),
                          Result({"g", "", "fresh"}, ten)};
  absl::StatusOr<RunComparison> c = CompareRuns(baseline, "base.json", candidate, FastOptions());
  REQUIRE(c.ok());

  // The samples the verdict was computed from, in the baseline's order.
  const ComparedBenchmark* both = c->Find("g/f/both");
  REQUIRE(both != nullptr);
  CHECK(both->baseline_samples_ns == kBaseline);
  CHECK(both->baseline_repetitions == static_cast<int>(kBaseline.size()));
  const ComparedBenchmark* gone = c->Find("g/gone");
  REQUIRE(gone != nullptr);
  CHECK(gone->verdict == Verdict::kMissing);
  CHECK(gone->baseline_samples_ns == ten);
  // A baseline side that failed or is absent has no samples, like its count of 0.
  for (const char* id : {"g/f/failed", "g/fresh"}) {
    INFO(id);
    const ComparedBenchmark* row = c->Find(id);
    REQUIRE(row != nullptr);
    CHECK(row->baseline_repetitions == 0);
    CHECK(row->baseline_samples_ns.empty());
  }
}

}  // namespace
}  // namespace vmbench
