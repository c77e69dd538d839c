// Out-of-line definitions of the SDK: destructors (so every plugin shares one vtable and type_info
// per interface), names of enumerations, and small helpers of the result model.

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "vmbench/plugin/hypervisor.h"
#include "vmbench/plugin/plugin.h"
#include "vmbench/plugin/reporter.h"
#include "vmbench/plugin/results.h"
#include "vmbench/plugin/statistics.h"
#include "vmbench/plugin/suite.h"
#include "vmbench/plugin/verdict.h"

namespace vmbench {

static_assert(VMBENCH_INTERNAL_ABI_MAJOR_LITERAL == kAbiMajor,
              "the build id must carry the ABI major version");

Plugin::~Plugin() = default;
Suite::~Suite() = default;
Reporter::~Reporter() = default;
Hypervisor::~Hypervisor() = default;
Vm::~Vm() = default;
Vcpu::~Vcpu() = default;

absl::string_view PluginKindName(PluginKind kind) noexcept {
  switch (kind) {
    case PluginKind::kHypervisor:
      return "hypervisor";
    case PluginKind::kSuite:
      return "suite";
    case PluginKind::kReporter:
      return "reporter";
  }
  return "unknown";
}

absl::Status Reporter::Configure(const ReporterOptions& options) noexcept {
  if (options.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError("unknown reporter option '" + options.begin()->first +
                                    "' (this reporter takes none)");
}

absl::Status Vm::EnableDirtyTracking(std::uint32_t /*slot*/) noexcept {
  return absl::UnimplementedError("dirty-page tracking is not supported by this backend");
}

absl::StatusOr<std::vector<std::uint64_t>> Vm::TakeDirtyPages(std::uint32_t /*slot*/) noexcept {
  return absl::UnimplementedError("dirty-page tracking is not supported by this backend");
}

std::string BenchmarkId::ToString() const {
  std::vector<absl::string_view> parts;
  for (const std::string* part : {&group, &function, &param}) {
    if (!part->empty()) parts.push_back(*part);
  }
  return absl::StrJoin(parts, "/");
}

absl::string_view ThroughputKindName(Throughput::Kind kind) {
  switch (kind) {
    case Throughput::Kind::kNone:
      return "none";
    case Throughput::Kind::kBytes:
      return "bytes";
    case Throughput::Kind::kElements:
      return "elements";
  }
  return "none";
}

absl::string_view BenchmarkStatusName(BenchmarkStatus status) {
  switch (status) {
    case BenchmarkStatus::kOk:
      return "ok";
    case BenchmarkStatus::kError:
      return "error";
    case BenchmarkStatus::kSkipped:
      return "skipped";
  }
  return "error";
}

Summary Summarize(const std::vector<Repetition>& repetitions) {
  Summary summary;
  if (repetitions.empty()) return summary;
  std::vector<double> times;
  times.reserve(repetitions.size());
  for (const Repetition& r : repetitions) times.push_back(r.real_time_ns);
  const stats::Description d = stats::Describe(times);
  const stats::IntervalEstimate median =
      stats::BootstrapMedian(times, {kSummaryResamples, 0.95, stats::kDefaultSeed});
  summary.median_ns = d.median;
  summary.mean_ns = d.mean;
  summary.stddev_ns = d.stddev;
  summary.min_ns = d.min;
  summary.max_ns = d.max;
  summary.mad_ns = d.mad;
  summary.cv = std::isfinite(d.cv) ? d.cv : 0;
  summary.median_lower_ns = median.lower;
  summary.median_upper_ns = median.upper;
  return summary;
}

absl::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kRegressed:
      return "regressed";
    case Verdict::kImproved:
      return "improved";
    case Verdict::kUnchanged:
      return "unchanged";
    case Verdict::kInconclusive:
      return "inconclusive";
    case Verdict::kNew:
      return "new";
    case Verdict::kMissing:
      return "missing";
    case Verdict::kError:
      return "error";
    case Verdict::kSkipped:
      return "skipped";
    case Verdict::kIncomparable:
      return "incomparable";
  }
  return "inconclusive";
}

std::optional<Verdict> ParseVerdict(absl::string_view name) {
  for (Verdict verdict : kAllVerdicts) {
    if (VerdictName(verdict) == name) return verdict;
  }
  return std::nullopt;
}

const BenchmarkResult* RunResult::Find(absl::string_view id) const {
  for (const BenchmarkResult& b : benchmarks) {
    if (b.id.ToString() == id) return &b;
  }
  return nullptr;
}

std::string PlatformName(const RunContext& context) {
  const std::string& vendor = context.host.cpu_vendor.empty() ? "unknown" : context.host.cpu_vendor;
  return absl::StrCat(context.hypervisor.empty() ? "none" : context.hypervisor, "/", vendor);
}

const ComparedBenchmark* RunComparison::Find(absl::string_view id) const {
  for (const ComparedBenchmark& b : benchmarks) {
    if (b.id == id) return &b;
  }
  return nullptr;
}

int RunComparison::Count(Verdict verdict) const {
  return static_cast<int>(
      std::count_if(benchmarks.begin(), benchmarks.end(),
                    [&](const ComparedBenchmark& b) { return b.verdict == verdict; }));
}

}  // namespace vmbench
