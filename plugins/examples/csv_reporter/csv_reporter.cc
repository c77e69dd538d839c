// The `csv` reporter: one row per benchmark and platform, for spreadsheets and scripts
// (docs/writing-a-reporter.md walks through it).
//
//   platform,source,suite,id,status,message,repetitions,median_ns,median_lower_ns,...
//   none/amd,,example,example_hash/fnv1a/64,ok,,10,21.5,21.25,21.75,...
//
// Columns: platform, source, suite, id, status, message, repetitions, median_ns, median_lower_ns,
// median_upper_ns, mean_ns, stddev_ns, cv, baseline_median_ns, change, verdict. The last three are
// empty without a baseline; `change` is the ratio of medians minus one (0.12 is 12% slower).
// Times are nanoseconds written in the shortest form that reads back to the same double, so
// nothing is lost on the way to another tool. Fields are quoted as RFC 4180 says.
//
// Option: `delimiter=comma|semicolon|tab` (default comma). The delimiter is named rather than
// given as a character because `,` already separates reporter options on the command line.

#include <charconv>
#include <cstddef>
#include <iterator>
#include <optional>
#include <ostream>
#include <string>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "vmbench/plugin/reporter.h"

namespace vmbench::csv {
namespace {

constexpr const char* kColumns[] = {"platform",
                                    "source",
                                    "suite",
                                    "id",
                                    "status",
                                    "message",
                                    "repetitions",
                                    "median_ns",
                                    "median_lower_ns",
                                    "median_upper_ns",
                                    "mean_ns",
                                    "stddev_ns",
                                    "cv",
                                    "baseline_median_ns",
                                    "change",
                                    "verdict"};
// The last three columns come from the comparison with a baseline.
constexpr std::size_t kVerdictColumns = 3;

std::string Number(double value) {
  char buffer[32];
  const std::to_chars_result r = std::to_chars(buffer, buffer + sizeof buffer, value);
  return r.ec == std::errc() ? std::string(buffer, r.ptr) : std::string();
}

class CsvReporter final : public Reporter {
 public:
  absl::Status Configure(const ReporterOptions& options) noexcept override {
    for (const auto& [key, value] : options) {
      if (key != "delimiter") {
        return absl::InvalidArgumentError(
            absl::StrCat("csv: unknown option '", key, "' (known: delimiter)"));
      }
      if (value == "comma") {
        delimiter_ = ',';
      } else if (value == "semicolon") {
        delimiter_ = ';';
      } else if (value == "tab") {
        delimiter_ = '\t';
      } else {
        return absl::InvalidArgumentError(absl::StrCat("csv: option delimiter: '", value,
                                                       "' is not one of comma, semicolon, tab"));
      }
    }
    return absl::OkStatus();
  }

  absl::string_view FileExtension() const noexcept override { return "csv"; }

  absl::Status Write(const Report& report, std::ostream& out) noexcept override {
    // Nothing below should throw but std::bad_alloc; it must still not leave the plugin.
    try {
      WriteRow(out, std::vector<std::string>(std::begin(kColumns), std::end(kColumns)));
      for (const PlatformResult& platform : report.platforms) WritePlatform(platform, out);
      out.flush();
      if (!out) return absl::DataLossError("csv: writing the report failed");
      return absl::OkStatus();
    } catch (const std::exception& e) {
      return absl::InternalError(absl::StrCat("csv: ", e.what()));
    }
  }

 private:
  void WritePlatform(const PlatformResult& platform, std::ostream& out) const {
    const std::string name = PlatformName(platform.run.context);
    const std::optional<RunComparison>& comparison = platform.comparison;
    for (const BenchmarkResult& b : platform.run.benchmarks) {
      const std::string id = b.id.ToString();
      const Summary& s = b.summary;
      std::vector<std::string> row = {name,
                                      platform.source,
                                      b.suite,
                                      id,
                                      std::string(BenchmarkStatusName(b.status)),
                                      b.message,
                                      absl::StrCat(b.repetitions.size())};
      // Figures of a benchmark that did not run would be zeros that look like measurements.
      const bool measured = b.status == BenchmarkStatus::kOk;
      for (double v :
           {s.median_ns, s.median_lower_ns, s.median_upper_ns, s.mean_ns, s.stddev_ns, s.cv}) {
        row.push_back(measured ? Number(v) : "");
      }
      AppendVerdict(comparison ? comparison->Find(id) : nullptr, &row);
      WriteRow(out, row);
    }
    if (!comparison) return;
    // Benchmarks of the baseline that this run lacks: a row each, so a dropped benchmark is seen.
    for (const ComparedBenchmark& c : comparison->benchmarks) {
      if (c.verdict != Verdict::kMissing) continue;
      std::vector<std::string> row = {name, platform.source, "", c.id};
      row.resize(std::size(kColumns) - kVerdictColumns);
      AppendVerdict(&c, &row);
      WriteRow(out, row);
    }
  }

  static void AppendVerdict(const ComparedBenchmark* c, std::vector<std::string>* row) {
    if (c == nullptr) {
      row->resize(row->size() + kVerdictColumns);
      return;
    }
    row->push_back(c->baseline_median_ns > 0 ? Number(c->baseline_median_ns) : "");
    row->push_back(c->ratio ? Number(c->ratio->estimate - 1) : "");
    row->push_back(std::string(VerdictName(c->verdict)));
  }

  void WriteRow(std::ostream& out, const std::vector<std::string>& fields) const {
    const std::string special = {delimiter_, '"', '\r', '\n'};
    out << absl::StrJoin(fields, std::string(1, delimiter_),
                         [&](std::string* to, const std::string& field) {
                           if (field.find_first_of(special) == std::string::npos) {
                             to->append(field);
                             return;
                           }
                           to->push_back('"');
                           for (char c : field) {
                             if (c == '"') to->push_back('"');
                             to->push_back(c);
                           }
                           to->push_back('"');
                         })
        << "\r\n";
  }

  char delimiter_ = ',';
};

}  // namespace
}  // namespace vmbench::csv

VMBENCH_PLUGIN(vmbench::csv::CsvReporter, "csv", "0.1.0",
               "Example reporter: one CSV row per benchmark and platform (RFC 4180)");
