// vmbench plugin SDK: the result model.
//
// A `RunResult` is what one `vmbench run` measured: the context it ran in and one
// `BenchmarkResult` per benchmark, with every repetition's per-iteration time (aggregates are
// derived from the samples, never stored instead of them). Reporters read these types; the JSON
// result file (see result_file.h and docs/result-schema.md) is their serialized form and the input
// of later comparisons.

#ifndef VMBENCH_PLUGIN_RESULTS_H_
#define VMBENCH_PLUGIN_RESULTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "vmbench/plugin/verdict.h"

namespace vmbench {

// The identity of a benchmark: `group/function/param`, with empty parts left out of the id. The id
// is the stable key across runs and byte-identical to the reference implementation's id.
struct BenchmarkId {
  std::string group;     // e.g. "alloc_single"; never empty
  std::string function;  // e.g. "create_initialized"; may be empty
  std::string param;     // e.g. "default" or "256"; may be empty

  // The joined form, "group/function/param" without empty parts.
  std::string ToString() const;

  friend bool operator==(const BenchmarkId&, const BenchmarkId&) = default;
};

// What one iteration of a benchmark processes, for throughput figures.
struct Throughput {
  enum class Kind { kNone, kBytes, kElements };
  Kind kind = Kind::kNone;
  std::uint64_t per_iteration = 0;

  friend bool operator==(const Throughput&, const Throughput&) = default;
};

// Returns "none", "bytes" or "elements".
absl::string_view ThroughputKindName(Throughput::Kind kind);

// One repetition of a benchmark: a Google Benchmark run of `iterations` iterations.
struct Repetition {
  std::int64_t iterations = 0;
  double real_time_ns = 0;  // wall time per iteration, nanoseconds
  double cpu_time_ns = 0;   // CPU time of the benchmark thread per iteration, nanoseconds

  friend bool operator==(const Repetition&, const Repetition&) = default;
};

// Descriptive statistics of the per-iteration real times of all repetitions (statistics.h).
struct Summary {
  double median_ns = 0;
  double mean_ns = 0;
  double stddev_ns = 0;  // sample standard deviation (n - 1); 0 for one repetition
  double min_ns = 0;
  double max_ns = 0;
  double mad_ns = 0;  // median absolute deviation, unscaled
  double cv = 0;      // coefficient of variation, stddev / mean; 0 when the mean is 0
  // Bootstrap 95% interval of the median (kSummaryResamples resamples, fixed seed).
  double median_lower_ns = 0;
  double median_upper_ns = 0;

  friend bool operator==(const Summary&, const Summary&) = default;
};

// Resamples behind Summary's interval of the median: enough for a figure people read; verdicts
// use their own, larger bootstrap.
inline constexpr int kSummaryResamples = 2000;

// Computes the summary of `repetitions`; all zero when there are none.
Summary Summarize(const std::vector<Repetition>& repetitions);

// How a benchmark ended.
enum class BenchmarkStatus {
  kOk,       // measured
  kError,    // the benchmark failed; `message` says why
  kSkipped,  // not run on this machine (e.g. backend unavailable); `message` says why
};

// Returns "ok", "error" or "skipped".
absl::string_view BenchmarkStatusName(BenchmarkStatus status);

// Everything measured for one benchmark.
struct BenchmarkResult {
  BenchmarkId id;
  std::string suite;  // the plugin that provided the benchmark
  std::string unit = "ns";
  Throughput throughput;
  std::vector<Repetition> repetitions;
  Summary summary;  // derived from `repetitions` by Summarize()
  BenchmarkStatus status = BenchmarkStatus::kOk;
  std::string message;  // why it failed or was skipped; empty when ok

  friend bool operator==(const BenchmarkResult&, const BenchmarkResult&) = default;
};

// The machine a run happened on. Only stable fields go into the fingerprint.
struct HostInfo {
  std::string os;          // e.g. "Debian GNU/Linux 12 (bookworm)"
  std::string kernel;      // e.g. "6.1.0-18-amd64"
  std::string arch;        // e.g. "x86_64"
  std::string cpu_model;   // e.g. "AMD EPYC 7763 64-Core Processor"
  std::string cpu_vendor;  // "amd", "intel" or the raw vendor string
  int logical_cpus = 0;
  int physical_cores = 0;
  std::uint64_t memory_bytes = 0;

  friend bool operator==(const HostInfo&, const HostInfo&) = default;
};

// Where and how a run was made.
struct RunContext {
  std::string vmbench_version;
  std::string git_revision;  // empty when unknown
  std::string timestamp;     // RFC 3339, UTC, e.g. "2026-11-25T12:00:00Z"
  std::string build_type;    // CMake build type of the vmbench binary, e.g. "Release"
  HostInfo host;
  std::string hypervisor;          // backend name, or "none" when no suite needed one
  std::string hypervisor_version;  // empty when no backend ran
  std::string machine_fingerprint;
  int repetitions = 0;      // requested repetitions per benchmark
  double min_time_s = 0;    // requested minimum time per repetition
  bool incomplete = false;  // the run was interrupted; only part of the selection is here

  friend bool operator==(const RunContext&, const RunContext&) = default;
};

// The result of one `vmbench run`, and the content of one result file.
struct RunResult {
  RunContext context;
  std::vector<BenchmarkResult> benchmarks;

  // Returns the result with this id, or nullptr.
  const BenchmarkResult* Find(absl::string_view id) const;

  friend bool operator==(const RunResult&, const RunResult&) = default;
};

// "hypervisor/cpu-vendor", e.g. "kvm/amd" or "none/intel": how reports name the platform a run
// was made on (one column of a hypervisor x CPU matrix).
std::string PlatformName(const RunContext& context);

// A ratio of medians, candidate / baseline, with its confidence interval. Above 1 is slower.
struct RatioEstimate {
  double estimate = 1;
  double lower = 1;
  double upper = 1;
  double level = 0.95;  // confidence level of [lower, upper]

  friend bool operator==(const RatioEstimate&, const RatioEstimate&) = default;
};

// One benchmark of a comparison between a baseline and a candidate run.
struct ComparedBenchmark {
  std::string id;
  Verdict verdict = Verdict::kInconclusive;
  // One line for humans: what decided the verdict, then the numbers.
  std::string reason;
  std::string warning;    // set when the runs were compared across machines
  double noise_band = 0;  // the band used for this id, as a fraction (0.03 is +-3%)
  // Medians and sample counts of each side; 0 when the side is absent or did not run.
  double baseline_median_ns = 0;
  double candidate_median_ns = 0;
  int baseline_repetitions = 0;
  int candidate_repetitions = 0;
  std::optional<RatioEstimate> ratio;  // set when the samples were tested
  std::optional<double> p_value;       // two-sided Mann-Whitney U, when tested
  std::optional<double> adjusted_p;    // Holm-Bonferroni over the run, when tested
  // The baseline's samples, one per repetition in the baseline's order: the per-iteration real
  // time (Repetition::real_time_ns) the verdict was computed from, so that a report can show them
  // beside the candidate's (which are in the candidate's BenchmarkResult). Empty when
  // baseline_repetitions is 0; otherwise it holds baseline_repetitions values.
  std::vector<double> baseline_samples_ns;

  friend bool operator==(const ComparedBenchmark&, const ComparedBenchmark&) = default;
};

// A candidate run compared with its baseline.
struct RunComparison {
  std::string baseline_source;  // where the baseline came from, e.g. its file path
  RunContext baseline_context;
  bool comparable = true;  // same machine fingerprint and hypervisor
  std::string warning;     // what differs when not comparable
  // One row per id of either run: candidate order, then ids only in the baseline.
  std::vector<ComparedBenchmark> benchmarks;

  // The row for `id`, or nullptr.
  const ComparedBenchmark* Find(absl::string_view id) const;
  // How many rows have `verdict`.
  int Count(Verdict verdict) const;
};

// One platform of a report: a run, and its comparison when a baseline was given.
struct PlatformResult {
  RunResult run;
  std::string source;  // where the run came from (a file path); empty for a run just made
  std::optional<RunComparison> comparison;
};

// What a reporter is given: one platform for `vmbench run`, one per result file for
// `vmbench report` (a hypervisor x CPU matrix merged into one document).
struct Report {
  std::vector<PlatformResult> platforms;
};

}  // namespace vmbench

#endif  // VMBENCH_PLUGIN_RESULTS_H_
