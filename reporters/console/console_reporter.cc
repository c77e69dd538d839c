// The `console` reporter: one aligned table per platform, with human units.
//
// Without a baseline:
//   BENCHMARK        MEDIAN   95% CI              MEAN     STDDEV   CV    MIN      MAX   REPS ...
//   alloc_single/64  12.1 ns  [11.9 ns, 12.4 ns]  12.3 ns  0.41 ns  3.3%  11.9 ns  13.2 ns  10 ...
// With a baseline, the verdict of each benchmark and the change that decided it:
//   BENCHMARK        BASELINE  MEDIAN   CHANGE [95% CI]          P (HOLM)  VERDICT
//   alloc_single/64  12.1 ns   13.6 ns  +12.0% [+8.0%, +16.0%]  p=0.0004  regressed
// Errors and skips show their reason in place of the figures. A header line names the platform,
// so a merged report of several runs stays readable.

#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "vmbench/plugin/format.h"
#include "vmbench/plugin/reporter.h"

namespace vmbench {
namespace {

using Align = TextTable::Align;

void WriteHeader(const PlatformResult& platform, std::ostream& out) {
  const RunContext& c = platform.run.context;
  out << absl::StrFormat(
      "%s: vmbench %s on %s (%s, %d cores), hypervisor %s%s, %s build\n", PlatformName(c),
      c.vmbench_version, c.host.cpu_model.empty() ? "unknown CPU" : c.host.cpu_model, c.host.kernel,
      c.host.physical_cores, c.hypervisor,
      c.hypervisor_version.empty() ? "" : " " + c.hypervisor_version, c.build_type);
  if (!platform.source.empty()) out << "results: " << platform.source << "\n";
  if (c.incomplete) out << "INCOMPLETE RUN: interrupted before every benchmark finished\n";
}

void WriteMeasurements(const RunResult& run, std::ostream& out) {
  TextTable table(
      {"BENCHMARK", "MEDIAN", "95% CI", "MEAN", "STDDEV", "CV", "MIN", "MAX", "REPS", "THROUGHPUT"},
      {Align::kLeft, Align::kRight, Align::kLeft, Align::kRight, Align::kRight, Align::kRight,
       Align::kRight, Align::kRight, Align::kRight, Align::kLeft});
  int errors = 0;
  int skipped = 0;
  for (const BenchmarkResult& b : run.benchmarks) {
    const Summary& s = b.summary;
    switch (b.status) {
      case BenchmarkStatus::kOk:
        table.AddRow({b.id.ToString(), FormatDuration(s.median_ns),
                      absl::StrCat("[", FormatDuration(s.median_lower_ns), ", ",
                                   FormatDuration(s.median_upper_ns), "]"),
                      FormatDuration(s.mean_ns), FormatDuration(s.stddev_ns),
                      absl::StrFormat("%.1f%%", s.cv * 100), FormatDuration(s.min_ns),
                      FormatDuration(s.max_ns), absl::StrCat(b.repetitions.size()),
                      FormatThroughput(b.throughput, s.median_ns)});
        break;
      case BenchmarkStatus::kError:
        ++errors;
        table.AddRow({b.id.ToString(), "ERROR", "", "", "", "", "", "", "", b.message});
        break;
      case BenchmarkStatus::kSkipped:
        ++skipped;
        table.AddRow({b.id.ToString(), "skipped", "", "", "", "", "", "", "", b.message});
        break;
    }
  }
  table.Print(out);
  out << absl::StrFormat("%d benchmarks: %d ok, %d errors, %d skipped\n", run.benchmarks.size(),
                         run.benchmarks.size() - static_cast<std::size_t>(errors + skipped), errors,
                         skipped);
}

std::string DurationOrBlank(double ns, int repetitions) {
  return repetitions > 0 ? FormatDuration(ns) : "";
}

void WriteComparison(const RunComparison& comparison, std::ostream& out) {
  out << "baseline: "
      << (comparison.baseline_source.empty() ? "(given)" : comparison.baseline_source) << " ("
      << PlatformName(comparison.baseline_context) << ", " << comparison.baseline_context.timestamp
      << ")\n";
  if (!comparison.warning.empty()) out << "WARNING: " << comparison.warning << "\n";
  TextTable table(
      {"BENCHMARK", "BASELINE", "MEDIAN", "CHANGE [CI]", "P (HOLM)", "VERDICT"},
      {Align::kLeft, Align::kRight, Align::kRight, Align::kLeft, Align::kLeft, Align::kLeft});
  for (const ComparedBenchmark& b : comparison.benchmarks) {
    const bool tested = b.ratio.has_value();
    table.AddRow({b.id, DurationOrBlank(b.baseline_median_ns, b.baseline_repetitions),
                  DurationOrBlank(b.candidate_median_ns, b.candidate_repetitions),
                  tested ? FormatChange(*b.ratio) : "",
                  b.adjusted_p.has_value() ? FormatPValue(*b.adjusted_p) : "",
                  tested ? std::string(VerdictName(b.verdict))
                         : absl::StrCat(VerdictName(b.verdict), ": ", b.reason)});
  }
  table.Print(out);
  std::vector<std::string> counts;
  for (Verdict verdict : kAllVerdicts) {
    if (const int n = comparison.Count(verdict); n > 0) {
      counts.push_back(absl::StrCat(n, " ", VerdictName(verdict)));
    }
  }
  out << comparison.benchmarks.size() << " benchmarks: " << absl::StrJoin(counts, ", ") << "\n";
}

class ConsoleReporter final : public Reporter {
 public:
  absl::string_view FileExtension() const noexcept override { return "txt"; }

  absl::Status Write(const Report& report, std::ostream& out) noexcept override {
    try {
      for (std::size_t i = 0; i < report.platforms.size(); ++i) {
        const PlatformResult& platform = report.platforms[i];
        if (i > 0) out << "\n";
        WriteHeader(platform, out);
        if (platform.comparison.has_value()) {
          WriteComparison(*platform.comparison, out);
        } else {
          WriteMeasurements(platform.run, out);
        }
      }
      out.flush();
      if (!out) return absl::DataLossError("console: writing the report failed");
      return absl::OkStatus();
    } catch (const std::exception& e) {
      return absl::InternalError(absl::StrCat("console: ", e.what()));
    }
  }
};

}  // namespace
}  // namespace vmbench

VMBENCH_PLUGIN(vmbench::ConsoleReporter, "console", "0.1.0",
               "Aligned table of medians, spread and throughput, or of changes and verdicts");
