#include "compare_runs.h"

#include <boost/json.hpp>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "vmbench/plugin/result_file.h"
#include "vmbench/plugin/status_macros.h"

namespace vmbench {
namespace {

namespace json = boost::json;

SampleRun ToSampleRun(const RunResult& run) {
  SampleRun samples;
  samples.machine_fingerprint = run.context.machine_fingerprint;
  samples.hypervisor = run.context.hypervisor;
  for (const BenchmarkResult& b : run.benchmarks) {
    SampleSet set;
    set.id = b.id.ToString();
    for (const Repetition& r : b.repetitions) set.samples.push_back(r.real_time_ns);
    set.status = b.status == BenchmarkStatus::kOk      ? SampleStatus::kOk
                 : b.status == BenchmarkStatus::kError ? SampleStatus::kError
                                                       : SampleStatus::kSkipped;
    set.message = b.message;
    samples.benchmarks.push_back(std::move(set));
  }
  return samples;
}

// The samples of each id of a run, by id (Compare() rejects a run that holds an id twice).
using SamplesById = std::map<absl::string_view, const std::vector<double>*>;

// `baseline_samples` are the baseline run's samples as Compare() was given them.
ComparedBenchmark ToCompared(const BenchmarkComparison& row, const SamplesById& baseline_samples) {
  ComparedBenchmark out;
  out.id = row.id;
  out.verdict = row.verdict;
  out.reason = row.reason;
  out.warning = row.warning;
  out.noise_band = row.noise_band;
  // A side that did not run has count 0 and NaN statistics; reporters get 0 and no repetitions.
  if (row.baseline.count > 0) {
    out.baseline_median_ns = row.baseline.median;
    out.baseline_repetitions = static_cast<int>(row.baseline.count);
    // A side is counted only when it is in the run, so its samples are there.
    const auto samples = baseline_samples.find(row.id);
    VMB_CHECK(samples != baseline_samples.end() && samples->second->size() == row.baseline.count);
    out.baseline_samples_ns = *samples->second;
  }
  if (row.candidate.count > 0) {
    out.candidate_median_ns = row.candidate.median;
    out.candidate_repetitions = static_cast<int>(row.candidate.count);
  }
  if (row.ratio.has_value()) {
    out.ratio =
        RatioEstimate{row.ratio->estimate, row.ratio->lower, row.ratio->upper, row.ratio->level};
  }
  if (row.test.has_value()) out.p_value = row.test->p;
  out.adjusted_p = row.adjusted_p;
  return out;
}

// Reads the settings object of a config file; `file` names it in errors.
class ConfigReader {
 public:
  ConfigReader(const json::object& object, const std::string& file)
      : object_(object), file_(file) {}

  absl::Status Error(absl::string_view key, absl::string_view problem) const {
    return absl::InvalidArgumentError(absl::StrCat(file_, ": ", key, ": ", problem));
  }

  // Reads a number in [min, max) into `out` when the key is present.
  absl::Status Number(absl::string_view key, double min, double max, double* out) const {
    const json::value* v = object_.if_contains(json::string_view(key.data(), key.size()));
    if (v == nullptr) return absl::OkStatus();
    if (!v->is_number()) return Error(key, "expected a number");
    const double value = v->to_number<double>();
    if (!(value >= min && value < max)) {
      return Error(key, absl::StrCat("must be at least ", min, " and below ", max));
    }
    *out = value;
    return absl::OkStatus();
  }

  absl::Status Integer(absl::string_view key, std::int64_t min, std::int64_t* out) const {
    const json::value* v = object_.if_contains(json::string_view(key.data(), key.size()));
    if (v == nullptr) return absl::OkStatus();
    if (!v->is_int64() && !v->is_uint64()) return Error(key, "expected an integer");
    const std::int64_t value =
        v->is_int64() ? v->get_int64() : static_cast<std::int64_t>(v->get_uint64());
    if (value < min) return Error(key, absl::StrCat("must be at least ", min));
    *out = value;
    return absl::OkStatus();
  }

 private:
  const json::object& object_;
  const std::string& file_;
};

}  // namespace

absl::StatusOr<RunComparison> CompareRuns(const RunResult& baseline,
                                          absl::string_view baseline_source,
                                          const RunResult& candidate,
                                          const ComparisonOptions& options) {
  const SampleRun baseline_run = ToSampleRun(baseline);
  VMB_ASSIGN_OR_RETURN(const Comparison comparison,
                       Compare(baseline_run, ToSampleRun(candidate), options));
  SamplesById baseline_samples;
  for (const SampleSet& set : baseline_run.benchmarks) {
    baseline_samples.emplace(set.id, &set.samples);
  }
  RunComparison out;
  out.baseline_source = std::string(baseline_source);
  out.baseline_context = baseline.context;
  out.comparable = comparison.comparable;
  out.warning = comparison.warning;
  for (const BenchmarkComparison& row : comparison.benchmarks) {
    out.benchmarks.push_back(ToCompared(row, baseline_samples));
  }
  return out;
}

absl::StatusOr<ComparisonOptions> LoadComparisonConfig(const std::string& path,
                                                       ComparisonOptions defaults) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open comparison settings"));
  std::ostringstream text;
  text << in.rdbuf();
  VMB_ASSIGN_OR_RETURN(const json::value document, ParseJsonDocument(text.str(), path));
  if (!document.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": expected a JSON object"));
  }
  const json::object& o = document.get_object();
  const ConfigReader r(o, path);
  static constexpr const char* kKeys[] = {"alpha",
                                          "noise_band",
                                          "noise_bands",
                                          "min_repetitions",
                                          "bootstrap_resamples",
                                          "confidence_level",
                                          "seed",
                                          "allow_cross_machine"};
  for (const auto& [key, unused] : o) {
    if (std::find(std::begin(kKeys), std::end(kKeys), absl::string_view(key.data(), key.size())) ==
        std::end(kKeys)) {
      return r.Error(absl::string_view(key.data(), key.size()),
                     absl::StrCat("unknown key (known: ", absl::StrJoin(kKeys, ", "), ")"));
    }
  }
  ComparisonOptions options = std::move(defaults);
  VMB_RETURN_IF_ERROR(r.Number("alpha", 1e-9, 1, &options.alpha));
  VMB_RETURN_IF_ERROR(r.Number("noise_band", 0, 1, &options.noise_band));
  VMB_RETURN_IF_ERROR(r.Number("confidence_level", 1e-9, 1, &options.confidence_level));
  std::int64_t integer = options.min_repetitions;
  VMB_RETURN_IF_ERROR(r.Integer("min_repetitions", 2, &integer));
  options.min_repetitions = static_cast<int>(std::min<std::int64_t>(integer, 1 << 20));
  integer = options.bootstrap_resamples;
  VMB_RETURN_IF_ERROR(r.Integer("bootstrap_resamples", 1, &integer));
  options.bootstrap_resamples = static_cast<int>(std::min<std::int64_t>(integer, 10'000'000));
  integer = static_cast<std::int64_t>(options.seed);
  VMB_RETURN_IF_ERROR(r.Integer("seed", 0, &integer));
  options.seed = static_cast<std::uint64_t>(integer);
  if (const json::value* v = o.if_contains("allow_cross_machine")) {
    if (!v->is_bool()) return r.Error("allow_cross_machine", "expected true or false");
    options.allow_cross_machine = v->get_bool();
  }
  if (const json::value* v = o.if_contains("noise_bands")) {
    if (!v->is_array()) return r.Error("noise_bands", "expected an array");
    const json::array& bands = v->get_array();
    for (std::size_t i = 0; i < bands.size(); ++i) {
      const std::string key = absl::StrCat("noise_bands[", i, "]");
      if (!bands[i].is_object()) return r.Error(key, "expected an object with pattern and band");
      const json::object& band = bands[i].get_object();
      const json::value* pattern = band.if_contains("pattern");
      const json::value* value = band.if_contains("band");
      if (pattern == nullptr || !pattern->is_string()) {
        return r.Error(absl::StrCat(key, ".pattern"), "expected a string");
      }
      if (value == nullptr || !value->is_number() || !(value->to_number<double>() >= 0) ||
          !(value->to_number<double>() < 1)) {
        return r.Error(absl::StrCat(key, ".band"), "expected a number at least 0 and below 1");
      }
      options.noise_band_overrides.push_back(
          {std::string(pattern->get_string()), value->to_number<double>()});
    }
  }
  // Compare() validates the regular expressions; check them here so the error names the file.
  for (const NoiseBandOverride& band : options.noise_band_overrides) {
    ComparisonOptions one;
    one.noise_band_overrides = {band};
    if (absl::StatusOr<double> checked = NoiseBandFor("", one); !checked.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": ", checked.status().message()));
    }
  }
  return options;
}

std::optional<std::size_t> MatchBaseline(const RunContext& candidate,
                                         const std::vector<RunResult>& baselines) {
  for (std::size_t i = 0; i < baselines.size(); ++i) {
    const RunContext& b = baselines[i].context;
    if (b.machine_fingerprint == candidate.machine_fingerprint &&
        b.hypervisor == candidate.hypervisor) {
      return i;
    }
  }
  for (std::size_t i = 0; i < baselines.size(); ++i) {
    if (PlatformName(baselines[i].context) == PlatformName(candidate)) return i;
  }
  return std::nullopt;
}

absl::StatusOr<std::vector<Verdict>> ParseVerdictList(absl::string_view text) {
  std::vector<Verdict> verdicts;
  for (absl::string_view name : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    std::optional<Verdict> verdict = ParseVerdict(name);
    if (!verdict.has_value()) {
      std::vector<absl::string_view> known;
      for (Verdict v : kAllVerdicts) known.push_back(VerdictName(v));
      return absl::InvalidArgumentError(absl::StrCat(
          "--fail-on: unknown verdict '", name, "' (known: ", absl::StrJoin(known, ", "), ")"));
    }
    verdicts.push_back(*verdict);
  }
  return verdicts;
}

int CountVerdicts(const Report& report, const std::vector<Verdict>& verdicts) {
  int count = 0;
  for (const PlatformResult& platform : report.platforms) {
    if (!platform.comparison.has_value()) continue;
    for (Verdict verdict : verdicts) count += platform.comparison->Count(verdict);
  }
  return count;
}

}  // namespace vmbench
