// The `console` reporter: one aligned table per run, with human units.
//
//   BENCHMARK        MEDIAN   MEAN     STDDEV   MIN      MAX      REPS  THROUGHPUT
//   alloc_single/64  12.1 ns  12.3 ns  0.41 ns  11.9 ns  13.2 ns    10  82.6 M/s
//
// Errors and skips show their reason in place of the figures. The header line names the platform
// so a merged report of several runs stays readable.

#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "vmbench/plugin/format.h"
#include "vmbench/plugin/reporter.h"

namespace vmbench {
namespace {

class ConsoleReporter final : public Reporter {
 public:
  absl::string_view FileExtension() const noexcept override { return "txt"; }

  absl::Status Write(const Report& report, std::ostream& out) noexcept override {
    try {
      for (std::size_t i = 0; i < report.runs.size(); ++i) {
        if (i > 0) out << "\n";
        WriteRun(report.runs[i], out);
      }
      out.flush();
      if (!out) return absl::DataLossError("console: writing the report failed");
      return absl::OkStatus();
    } catch (const std::exception& e) {
      return absl::InternalError(absl::StrCat("console: ", e.what()));
    }
  }

 private:
  static void WriteRun(const RunResult& run, std::ostream& out) {
    const RunContext& c = run.context;
    out << absl::StrFormat(
        "vmbench %s on %s (%s, %d cores), hypervisor %s%s, %s build\n", c.vmbench_version,
        c.host.cpu_model.empty() ? "unknown CPU" : c.host.cpu_model, c.host.kernel,
        c.host.physical_cores, c.hypervisor,
        c.hypervisor_version.empty() ? "" : " " + c.hypervisor_version, c.build_type);
    if (c.incomplete) out << "INCOMPLETE RUN: interrupted before every benchmark finished\n";
    using Align = TextTable::Align;
    TextTable table({"BENCHMARK", "MEDIAN", "MEAN", "STDDEV", "MIN", "MAX", "REPS", "THROUGHPUT"},
                    {Align::kLeft, Align::kRight, Align::kRight, Align::kRight, Align::kRight,
                     Align::kRight, Align::kRight, Align::kLeft});
    int errors = 0;
    int skipped = 0;
    for (const BenchmarkResult& b : run.benchmarks) {
      const Summary& s = b.summary;
      switch (b.status) {
        case BenchmarkStatus::kOk:
          table.AddRow({b.id.ToString(), FormatDuration(s.median_ns), FormatDuration(s.mean_ns),
                        FormatDuration(s.stddev_ns), FormatDuration(s.min_ns),
                        FormatDuration(s.max_ns), absl::StrCat(b.repetitions.size()),
                        FormatThroughput(b.throughput, s.median_ns)});
          break;
        case BenchmarkStatus::kError:
          ++errors;
          table.AddRow({b.id.ToString(), "ERROR", "", "", "", "", "", b.message});
          break;
        case BenchmarkStatus::kSkipped:
          ++skipped;
          table.AddRow({b.id.ToString(), "skipped", "", "", "", "", "", b.message});
          break;
      }
    }
    table.Print(out);
    out << absl::StrFormat("%d benchmarks: %d ok, %d errors, %d skipped\n", run.benchmarks.size(),
                           run.benchmarks.size() - static_cast<std::size_t>(errors + skipped),
                           errors, skipped);
  }
};

}  // namespace
}  // namespace vmbench

VMBENCH_PLUGIN(vmbench::ConsoleReporter, "console", "0.1.0",
               "Aligned table of medians, spread and throughput with human units");
