#include "comparison.h"

#include <cmath>
#include <regex>
#include <unordered_map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace vmbench {
namespace {

// Where a ratio interval lies against the noise band; rule 6 of the header maps it to a verdict.
enum class Position {
  kInside,       // 1 - b <= lo and hi <= 1 + b
  kAcrossBoth,   // lo < 1 - b and hi > 1 + b
  kAbove,        // lo > 1 + b
  kBelow,        // hi < 1 - b
  kAcrossUpper,  // reaches from inside the band to above it
  kAcrossLower,  // reaches from below the band to inside it
};

Position Locate(double lower, double upper, double band) {
  const double low_edge = 1 - band;
  const double high_edge = 1 + band;
  if (lower >= low_edge && upper <= high_edge) return Position::kInside;
  if (lower < low_edge && upper > high_edge) return Position::kAcrossBoth;
  if (lower > high_edge) return Position::kAbove;
  if (upper < low_edge) return Position::kBelow;
  return upper > high_edge ? Position::kAcrossUpper : Position::kAcrossLower;
}

bool AnyNaN(double a, double b, double c) {
  return std::isnan(a) || std::isnan(b) || std::isnan(c);
}

Verdict VerdictAt(Position position, bool significant) {
  switch (position) {
    case Position::kInside:
      return Verdict::kUnchanged;
    case Position::kAcrossBoth:
      return Verdict::kInconclusive;
    case Position::kAbove:
      return significant ? Verdict::kRegressed : Verdict::kInconclusive;
    case Position::kBelow:
      return significant ? Verdict::kImproved : Verdict::kInconclusive;
    case Position::kAcrossUpper:
    case Position::kAcrossLower:
      return significant ? Verdict::kInconclusive : Verdict::kUnchanged;
  }
  return Verdict::kInconclusive;
}

// "3" for 0.03: the band as a percentage without trailing zeros.
std::string Percent(double band) { return absl::StrFormat("%g", band * 100); }

// The one-line reason of a rule-6 verdict: what decided it, then the numbers behind it.
std::string ChangeReason(Position position, bool significant, double band,
                         const stats::IntervalEstimate& ratio, double p, double adjusted_p) {
  const std::string numbers =
      absl::StrFormat("ratio %.3f [%.3f, %.3f], p=%.2g (Holm %.2g)", ratio.estimate, ratio.lower,
                      ratio.upper, p, adjusted_p);
  const std::string pct = Percent(band);
  std::string what;
  switch (position) {
    case Position::kInside:
      what = absl::StrCat("interval within the \u00b1", pct, "% noise band");
      break;
    case Position::kAcrossBoth:
      what = absl::StrCat("interval wider than the \u00b1", pct,
                          "% noise band on both sides; more repetitions needed");
      break;
    case Position::kAbove:
      what = significant ? absl::StrFormat("%.1f%% slower, interval beyond the +%s%% noise band",
                                           (ratio.estimate - 1) * 100, pct)
                         : absl::StrCat("interval beyond the +", pct,
                                        "% noise band but not significant after correction");
      break;
    case Position::kBelow:
      what = significant ? absl::StrFormat("%.1f%% faster, interval beyond the -%s%% noise band",
                                           (1 - ratio.estimate) * 100, pct)
                         : absl::StrCat("interval beyond the -", pct,
                                        "% noise band but not significant after correction");
      break;
    case Position::kAcrossUpper:
    case Position::kAcrossLower: {
      const std::string edge =
          absl::StrCat(position == Position::kAcrossUpper ? "+" : "-", pct, "%");
      what = significant ? absl::StrCat("significant, but the interval crosses the ", edge,
                                        " band edge; more repetitions needed")
                         : absl::StrCat("not significant, interval reaches into the \u00b1", pct,
                                        "% noise band");
      break;
    }
  }
  return absl::StrCat(what, ": ", numbers);
}

// Times are durations: a NaN, an infinity or a negative value can only come from a corrupt or
// hand-edited result, and would break the sorting the statistics rely on.
bool ValidTimes(const std::vector<double>& samples) {
  for (double x : samples) {
    if (!std::isfinite(x) || x < 0) return false;
  }
  return true;
}

absl::Status ValidateOptions(const ComparisonOptions& options) {
  const auto valid_band = [](double band) { return band >= 0 && band < 1; };
  if (!(options.alpha > 0 && options.alpha < 1)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("comparison: alpha %g is not between 0 and 1", options.alpha));
  }
  if (!valid_band(options.noise_band)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "comparison: noise band %g is not in [0, 1) (0.03 means \u00b13%%)", options.noise_band));
  }
  for (const NoiseBandOverride& o : options.noise_band_overrides) {
    if (!valid_band(o.band)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "comparison: noise band %g for '%s' is not in [0, 1)", o.band, o.pattern));
    }
  }
  if (options.min_repetitions < 2) {
    return absl::InvalidArgumentError(
        absl::StrFormat("comparison: min repetitions %d is below 2", options.min_repetitions));
  }
  if (options.bootstrap_resamples < 1) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "comparison: bootstrap resamples %d is below 1", options.bootstrap_resamples));
  }
  if (!(options.confidence_level > 0 && options.confidence_level < 1)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "comparison: confidence level %g is not between 0 and 1", options.confidence_level));
  }
  return absl::OkStatus();
}

struct CompiledBand {
  std::regex pattern;
  double band;
};

// std::regex reports a bad pattern by exception; it is turned into a Status here so that nothing
// throws past this module.
absl::StatusOr<std::vector<CompiledBand>> CompileBands(const ComparisonOptions& options) {
  std::vector<CompiledBand> bands;
  for (const NoiseBandOverride& o : options.noise_band_overrides) {
    try {
      bands.push_back({std::regex(o.pattern, std::regex::ECMAScript), o.band});
    } catch (const std::regex_error& e) {
      return absl::InvalidArgumentError(absl::StrCat("comparison: noise band pattern '", o.pattern,
                                                     "' is not a valid regex: ", e.what()));
    }
  }
  return bands;
}

double BandFor(const std::string& id, const std::vector<CompiledBand>& bands, double fallback) {
  for (const CompiledBand& b : bands) {
    if (std::regex_search(id, b.pattern)) return b.band;
  }
  return fallback;
}

absl::StatusOr<std::unordered_map<std::string, const SampleSet*>> IndexRun(const SampleRun& run,
                                                                           absl::string_view side) {
  std::unordered_map<std::string, const SampleSet*> index;
  for (const SampleSet& set : run.benchmarks) {
    if (!index.emplace(set.id, &set).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("comparison: benchmark id '", set.id, "' appears twice in the ", side));
    }
  }
  return index;
}

// " (message)" or "".
std::string Detail(const std::string& message) {
  return message.empty() ? "" : absl::StrCat(": ", message);
}

// Rules 1 to 5 of the header: a verdict that needs no test, with its reason, or nullopt when the
// row goes on to the test. `base` or `cand` is null when the id is absent on that side.
std::optional<std::pair<Verdict, std::string>> VerdictWithoutTest(
    const SampleSet* base, const SampleSet* cand, const Comparison& comparison,
    const ComparisonOptions& options) {
  std::vector<std::string> errors;
  for (const auto& [set, side] : {std::pair{cand, "candidate"}, std::pair{base, "baseline"}}) {
    if (set == nullptr) continue;
    if (set->status == SampleStatus::kError) {
      errors.push_back(absl::StrCat("error in the ", side, Detail(set->message)));
    } else if (set->status == SampleStatus::kOk && !ValidTimes(set->samples)) {
      errors.push_back(absl::StrCat("the ", side, " has a non-finite or negative time"));
    }
  }
  if (!errors.empty()) {
    std::string reason = errors[0];
    if (errors.size() > 1) absl::StrAppend(&reason, "; ", errors[1]);
    return std::pair{Verdict::kError, reason};
  }
  for (const auto& [set, side] : {std::pair{cand, "candidate"}, std::pair{base, "baseline"}}) {
    if (set != nullptr && set->status == SampleStatus::kSkipped) {
      return std::pair{Verdict::kSkipped,
                       absl::StrCat("skipped in the ", side, Detail(set->message))};
    }
  }
  if (base == nullptr) return std::pair{Verdict::kNew, std::string("only in the candidate")};
  if (cand == nullptr) return std::pair{Verdict::kMissing, std::string("only in the baseline")};
  if (!comparison.comparable && !options.allow_cross_machine) {
    return std::pair{Verdict::kIncomparable, comparison.warning};
  }
  const auto min = static_cast<std::size_t>(options.min_repetitions);
  if (base->samples.size() < min || cand->samples.size() < min) {
    return std::pair{Verdict::kInconclusive,
                     absl::StrFormat("too few repetitions for a verdict: baseline %d, candidate "
                                     "%d, need %d",
                                     base->samples.size(), cand->samples.size(), min)};
  }
  if (stats::Median(base->samples) == 0) {
    return std::pair{Verdict::kInconclusive, std::string("baseline median is 0; no ratio")};
  }
  return std::nullopt;
}

std::uint64_t SplitMix64(std::uint64_t x) {
  // One step of SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number
  // generators", OOPSLA 2014): spreads nearby inputs over the whole 64-bit range.
  std::uint64_t z = x + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

std::size_t Comparison::Count(Verdict verdict) const {
  std::size_t count = 0;
  for (const BenchmarkComparison& row : benchmarks) count += row.verdict == verdict ? 1 : 0;
  return count;
}

const BenchmarkComparison* Comparison::Find(absl::string_view id) const {
  for (const BenchmarkComparison& row : benchmarks) {
    if (absl::string_view(row.id) == id) return &row;
  }
  return nullptr;
}

Verdict ClassifyChange(double lower, double upper, double adjusted_p, double alpha,
                       double noise_band) {
  if (AnyNaN(lower, upper, adjusted_p)) return Verdict::kInconclusive;
  return VerdictAt(Locate(lower, upper, noise_band), adjusted_p < alpha);
}

absl::StatusOr<double> NoiseBandFor(absl::string_view id, const ComparisonOptions& options) {
  absl::StatusOr<std::vector<CompiledBand>> bands = CompileBands(options);
  if (!bands.ok()) return bands.status();
  return BandFor(std::string(id), *bands, options.noise_band);
}

std::uint64_t BootstrapSeedFor(std::uint64_t seed, absl::string_view id) {
  // FNV-1a 64 (Fowler, Noll & Vo; offset basis and prime from the IETF draft
  // draft-eastlake-fnv): a fixed, documented hash of the id bytes.
  std::uint64_t hash = 0xCBF29CE484222325ULL;
  for (char c : id) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001B3ULL;
  }
  return SplitMix64(seed ^ hash);
}

absl::StatusOr<Comparison> Compare(const SampleRun& baseline, const SampleRun& candidate,
                                   const ComparisonOptions& options) {
  if (absl::Status status = ValidateOptions(options); !status.ok()) return status;
  absl::StatusOr<std::vector<CompiledBand>> bands = CompileBands(options);
  if (!bands.ok()) return bands.status();
  absl::StatusOr<std::unordered_map<std::string, const SampleSet*>> base_index =
      IndexRun(baseline, "baseline");
  if (!base_index.ok()) return base_index.status();
  absl::StatusOr<std::unordered_map<std::string, const SampleSet*>> cand_index =
      IndexRun(candidate, "candidate");
  if (!cand_index.ok()) return cand_index.status();

  Comparison comparison;
  std::vector<std::string> differences;
  if (baseline.machine_fingerprint != candidate.machine_fingerprint) {
    differences.push_back(absl::StrCat("machine fingerprint differs (baseline '",
                                       baseline.machine_fingerprint, "', candidate '",
                                       candidate.machine_fingerprint, "')"));
  }
  if (baseline.hypervisor != candidate.hypervisor) {
    differences.push_back(absl::StrCat("hypervisor differs (baseline '", baseline.hypervisor,
                                       "', candidate '", candidate.hypervisor, "')"));
  }
  if (!differences.empty()) {
    comparison.comparable = false;
    comparison.warning = absl::StrCat("runs not comparable: ", differences[0]);
    if (differences.size() > 1) absl::StrAppend(&comparison.warning, "; ", differences[1]);
  }
  const std::string row_warning =
      comparison.comparable || !options.allow_cross_machine
          ? std::string()
          : absl::StrCat(comparison.warning, "; compared anyway (allow_cross_machine)");

  // Row order: the candidate's, then what only the baseline has.
  std::vector<std::pair<const SampleSet*, const SampleSet*>> pairs;  // (baseline, candidate)
  for (const SampleSet& set : candidate.benchmarks) {
    const auto it = base_index->find(set.id);
    pairs.emplace_back(it == base_index->end() ? nullptr : it->second, &set);
  }
  for (const SampleSet& set : baseline.benchmarks) {
    if (!cand_index->contains(set.id)) pairs.emplace_back(&set, nullptr);
  }

  const stats::MannWhitneyOptions& mw_options = options.mann_whitney;
  std::vector<std::size_t> tested;  // rows that got a p-value: the Holm family
  for (const auto& [base, cand] : pairs) {
    BenchmarkComparison row;
    row.id = base != nullptr ? base->id : cand->id;
    row.noise_band = BandFor(row.id, *bands, options.noise_band);
    if (std::optional<std::pair<Verdict, std::string>> early =
            VerdictWithoutTest(base, cand, comparison, options)) {
      row.verdict = early->first;
      row.reason = std::move(early->second);
    } else {
      row.ratio =
          stats::BootstrapMedianRatio(base->samples, cand->samples,
                                      {options.bootstrap_resamples, options.confidence_level,
                                       BootstrapSeedFor(options.seed, row.id)});
      row.test = stats::MannWhitneyU(base->samples, cand->samples, mw_options);
      tested.push_back(comparison.benchmarks.size());
    }
    // Statistics of a side are only meaningful when it was measured and holds valid times.
    if (base != nullptr && base->status == SampleStatus::kOk && ValidTimes(base->samples)) {
      row.baseline = stats::Describe(base->samples);
    }
    if (cand != nullptr && cand->status == SampleStatus::kOk && ValidTimes(cand->samples)) {
      row.candidate = stats::Describe(cand->samples);
    }
    row.warning = row_warning;
    comparison.benchmarks.push_back(std::move(row));
  }

  std::vector<double> p_values;
  p_values.reserve(tested.size());
  for (std::size_t i : tested) p_values.push_back(comparison.benchmarks[i].test->p);
  const std::vector<double> adjusted = stats::HolmAdjust(p_values);
  for (std::size_t k = 0; k < tested.size(); ++k) {
    BenchmarkComparison& row = comparison.benchmarks[tested[k]];
    row.adjusted_p = adjusted[k];
    const stats::IntervalEstimate& ratio = *row.ratio;
    const bool significant = adjusted[k] < options.alpha;
    row.verdict =
        ClassifyChange(ratio.lower, ratio.upper, adjusted[k], options.alpha, row.noise_band);
    row.reason = ChangeReason(Locate(ratio.lower, ratio.upper, row.noise_band), significant,
                              row.noise_band, ratio, row.test->p, adjusted[k]);
  }
  return comparison;
}

}  // namespace vmbench
