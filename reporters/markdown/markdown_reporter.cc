// The `markdown` reporter: one pull-request comment for a whole hypervisor x CPU matrix.
//
// Layout (docs/reading-a-report.md explains it to readers):
//   1. one line, the verdict for the whole matrix in words;
//   2. a platform table: counts per verdict, worst and best change;
//   3. "Regressions" then "Improvements": every such benchmark with platform, change and its
//      interval, and p, largest change first;
//   4. per platform, a folded <details> with one table per group (rows = parameter, columns =
//      function, cells = median and change with the verdict's icon);
//   5. the legend: what each icon means and which rule made it.
// An icon stands for exactly one verdict, never for a raw ratio. Names from result files are
// untrusted: they are escaped so that no `|`, backtick, `<` or newline can break a table or inject
// HTML. The comment stays under GitHub's 65,536-character limit: when it would not, whole
// platform details are left out from the end, with a note; the summary is always complete.
//
// Options: `title=TEXT` (default "vmbench"), `max_chars=N` (default 65536).

#include <algorithm>
#include <cmath>
#include <map>
#include <ostream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "vmbench/plugin/format.h"
#include "vmbench/plugin/reporter.h"
#include "vmbench/plugin/verdict_summary.h"
#include "vmbench/plugin/xml_escape.h"

namespace vmbench {
namespace {

constexpr std::size_t kGitHubCommentLimit = 65536;

// `text` with every character of `active` backslash-escaped and line breaks flattened, so that
// text from a result file cannot start markup, close a table cell or open raw HTML.
std::string Escape(absl::string_view text, absl::string_view active) {
  std::string out;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t') {
      out += ' ';
    } else {
      if (active.find(c) != absl::string_view::npos) out += '\\';
      out += c;
    }
  }
  return out;
}

// A name from a result file, safe in a table cell: a code span when it holds only harmless
// characters, else escaped text.
std::string Name(absl::string_view text) {
  const bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
           absl::string_view("_./:+=,-").find(c) != absl::string_view::npos;
  });
  if (plain) return absl::StrCat("`", text, "`");
  return Escape(text, "\\`*_{}[]<>()#+-.!|&~");
}

// Prose from a result file (messages, reasons): escaped, never a code span.
std::string Prose(absl::string_view text) { return Escape(text, "\\`*_[]<>|&~"); }

// Orders names naturally: the sandbox sizes default < small < medium < large first, then
// numbers by value ("64" < "1024"), then everything else alphabetically.
bool NaturalLess(const std::string& a, const std::string& b) {
  static const std::map<std::string, int> kSizes = {
      {"default", 0}, {"small", 1}, {"medium", 2}, {"large", 3}};
  const auto rank = [](const std::string& s) -> std::pair<int, double> {
    if (auto it = kSizes.find(s); it != kSizes.end()) return {0, it->second};
    double value = 0;
    if (absl::SimpleAtod(s, &value)) return {1, value};
    return {2, 0};
  };
  const auto ra = rank(a);
  const auto rb = rank(b);
  if (ra != rb) return ra < rb;
  return a < b;
}

struct NaturalOrder {
  bool operator()(const std::string& a, const std::string& b) const { return NaturalLess(a, b); }
};

// One cell of a details table.
struct Cell {
  const BenchmarkResult* result = nullptr;      // in the candidate run, if there
  const ComparedBenchmark* compared = nullptr;  // when the platform has a comparison
};

std::string CellText(const Cell& cell) {
  if (cell.compared != nullptr) {
    const ComparedBenchmark& c = *cell.compared;
    const std::string icon(VerdictIcon(c.verdict));
    switch (c.verdict) {
      case Verdict::kError:
      case Verdict::kSkipped:
      case Verdict::kIncomparable:
        return absl::StrCat(icon, " ", VerdictName(c.verdict));
      case Verdict::kMissing:
        return absl::StrCat(icon, " missing (was `", FormatDuration(c.baseline_median_ns), "`)");
      case Verdict::kNew:
        return absl::StrCat("`", FormatDuration(c.candidate_median_ns), "` ", icon);
      default:
        break;
    }
    std::string text = absl::StrCat("`", FormatDuration(c.candidate_median_ns), "` ", icon);
    if (c.ratio.has_value()) absl::StrAppend(&text, " ", FormatPercentChange(c.ratio->estimate));
    return text;
  }
  if (cell.result == nullptr) return "";
  switch (cell.result->status) {
    case BenchmarkStatus::kOk:
      return absl::StrCat("`", FormatDuration(cell.result->summary.median_ns), "`");
    case BenchmarkStatus::kError:
      return absl::StrCat(VerdictIcon(Verdict::kError), " error");
    case BenchmarkStatus::kSkipped:
      return absl::StrCat(VerdictIcon(Verdict::kSkipped), " skipped");
  }
  return "";
}

// A benchmark id split as the reference's tables split it: group, column (function), row (param).
struct IdParts {
  std::string group;
  std::string function;
  std::string param;
};

// Ids of rows only in the baseline are not in the candidate's results: split them at '/'.
IdParts SplitId(absl::string_view id) {
  std::vector<std::string> parts = absl::StrSplit(id, absl::MaxSplits('/', 2));
  parts.resize(3);
  if (parts[2].empty()) std::swap(parts[1], parts[2]);  // "group/param", as from_parameter ids
  return {parts[0], parts[1], parts[2]};
}

void WriteGroupTables(const PlatformResult& platform, std::ostream& out) {
  // group -> param -> function -> cell
  std::map<std::string,
           std::map<std::string, std::map<std::string, Cell, NaturalOrder>, NaturalOrder>,
           NaturalOrder>
      groups;
  for (const BenchmarkResult& b : platform.run.benchmarks) {
    groups[b.id.group][b.id.param][b.id.function].result = &b;
  }
  if (platform.comparison.has_value()) {
    for (const ComparedBenchmark& c : platform.comparison->benchmarks) {
      const BenchmarkResult* result = platform.run.Find(c.id);
      const IdParts parts = result != nullptr
                                ? IdParts{result->id.group, result->id.function, result->id.param}
                                : SplitId(c.id);
      groups[parts.group][parts.param][parts.function].compared = &c;
    }
  }
  for (const auto& [group, rows] : groups) {
    std::set<std::string, NaturalOrder> functions;
    bool all_params_empty = true;
    for (const auto& [param, cells] : rows) {
      all_params_empty = all_params_empty && param.empty();
      for (const auto& [function, cell] : cells) functions.insert(function);
    }
    out << "#### " << Name(group) << "\n\n";
    if (all_params_empty) {
      // Ids of the form group/function: one row per function is easier to read than one wide row.
      out << "| function | median |\n|:--|:--|\n";
      for (const auto& [function, cell] : rows.begin()->second) {
        out << "| " << Name(function) << " | " << CellText(cell) << " |\n";
      }
    } else {
      out << "| |";
      for (const std::string& function : functions) {
        out << " " << (function.empty() ? "median" : Name(function)) << " |";
      }
      out << "\n|:--|";
      for (std::size_t i = 0; i < functions.size(); ++i) out << ":--|";
      out << "\n";
      for (const auto& [param, cells] : rows) {
        out << "| " << (param.empty() ? "" : Name(param)) << " |";
        for (const std::string& function : functions) {
          auto it = cells.find(function);
          out << " " << (it == cells.end() ? "" : CellText(it->second)) << " |";
        }
        out << "\n";
      }
    }
    out << "\n";
  }
}

// A regression or improvement, for the lists.
struct Change {
  const ComparedBenchmark* row;
  std::string platform;
};

std::string ChangeCell(const ComparedBenchmark* row) {
  if (row == nullptr || !row->ratio.has_value()) return "";
  return absl::StrCat(VerdictIcon(row->verdict), " ", Name(row->id), " ",
                      FormatPercentChange(row->ratio->estimate));
}

void WriteChangeList(absl::string_view title, std::vector<Change> changes, bool slower_first,
                     std::ostream& out) {
  if (changes.empty()) return;
  std::sort(changes.begin(), changes.end(), [&](const Change& a, const Change& b) {
    const double ra = a.row->ratio->estimate;
    const double rb = b.row->ratio->estimate;
    if (ra != rb) return slower_first ? ra > rb : ra < rb;
    if (a.row->id != b.row->id) return NaturalLess(a.row->id, b.row->id);
    return a.platform < b.platform;
  });
  out << "### " << title << "\n\n";
  out << "| benchmark | platform | change [95% CI] | p (Holm) |\n|:--|:--|:--|:--|\n";
  for (const Change& c : changes) {
    out << "| " << Name(c.row->id) << " | " << Name(c.platform) << " | "
        << FormatChange(*c.row->ratio) << " | "
        << (c.row->adjusted_p.has_value() ? FormatPValue(*c.row->adjusted_p) : "") << " |\n";
  }
  out << "\n";
}

class MarkdownReporter final : public Reporter {
 public:
  absl::Status Configure(const ReporterOptions& options) noexcept override {
    for (const auto& [key, value] : options) {
      if (key == "title") {
        title_ = value;
      } else if (key == "max_chars") {
        if (!absl::SimpleAtoi(value, &max_chars_) || max_chars_ < 1000) {
          return absl::InvalidArgumentError(
              absl::StrCat("max_chars: '", value, "' is not a number of at least 1000"));
        }
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("unknown option '", key, "' (known: title, max_chars)"));
      }
    }
    return absl::OkStatus();
  }

  absl::string_view FileExtension() const noexcept override { return "md"; }

  absl::Status Write(const Report& report, std::ostream& out) noexcept override {
    try {
      std::string summary = Summary(report);
      std::vector<std::string> details;
      for (const PlatformResult& platform : report.platforms) details.push_back(Details(platform));
      const std::string legend = Legend(report);
      // The summary and legend always stay; whole platform details go from the end until the
      // comment fits, and a note says what was left out.
      std::size_t kept = details.size();
      const auto size = [&](std::size_t n) {
        std::size_t total = summary.size() + legend.size() + 200;
        for (std::size_t i = 0; i < n; ++i) total += details[i].size();
        return total;
      };
      while (kept > 0 && size(kept) > max_chars_) --kept;
      out << summary;
      for (std::size_t i = 0; i < kept; ++i) out << details[i];
      if (kept < details.size()) {
        out << "> Details of " << details.size() - kept << " of " << details.size()
            << " platforms were left out to stay under " << max_chars_
            << " characters; the summary above is complete.\n\n";
      }
      out << legend;
      out.flush();
      if (!out) return absl::DataLossError("markdown: writing the report failed");
      return absl::OkStatus();
    } catch (const std::exception& e) {
      return absl::InternalError(absl::StrCat("markdown: ", e.what()));
    }
  }

 private:
  std::string Summary(const Report& report) const {
    std::ostringstream out;
    out << "**" << Prose(title_) << ": " << ReportHeadline(report) << "**\n\n";
    out << "| platform |";
    for (Verdict v : kChangeVerdicts) out << " " << VerdictIcon(v) << " " << VerdictName(v) << " |";
    out << " other | worst change | best change |\n";
    out << "|:--|--:|--:|--:|--:|:--|:--|:--|\n";
    std::vector<Change> regressions;
    std::vector<Change> improvements;
    for (const PlatformResult& p : report.platforms) {
      const std::string platform = PlatformName(p.run.context);
      out << "| " << Name(platform) << " | ";
      if (!p.comparison.has_value()) {
        out << " |  |  |  | " << p.run.benchmarks.size() << " measured, no baseline |  |  |\n";
        continue;
      }
      const RunComparison& c = *p.comparison;
      for (Verdict v : kChangeVerdicts) out << c.Count(v) << " | ";
      std::vector<std::string> other;
      for (Verdict v : kOtherVerdicts) {
        if (const int n = c.Count(v); n > 0) {
          other.push_back(absl::StrCat(VerdictIcon(v), " ", n, " ", VerdictName(v)));
        }
      }
      const ChangeExtremes extremes = FindChangeExtremes(c);
      out << absl::StrJoin(other, ", ") << " | " << ChangeCell(extremes.worst) << " | "
          << ChangeCell(extremes.best) << " |\n";
      for (const ComparedBenchmark& row : c.benchmarks) {
        if (!row.ratio.has_value()) continue;
        if (row.verdict == Verdict::kRegressed) regressions.push_back({&row, platform});
        if (row.verdict == Verdict::kImproved) improvements.push_back({&row, platform});
      }
    }
    out << "\n";
    for (const PlatformResult& p : report.platforms) {
      if (p.comparison.has_value() && !p.comparison->warning.empty()) {
        out << "> " << VerdictIcon(Verdict::kIncomparable) << " "
            << Name(PlatformName(p.run.context)) << ": " << Prose(p.comparison->warning) << "\n\n";
      }
    }
    WriteChangeList("Regressions", std::move(regressions), true, out);
    WriteChangeList("Improvements", std::move(improvements), false, out);
    return out.str();
  }

  static std::string Details(const PlatformResult& platform) {
    std::ostringstream out;
    const RunContext& c = platform.run.context;
    // <summary> holds raw HTML, where markdown's backslash escapes do not apply.
    out << "<details>\n<summary>" << EscapeXml(PlatformName(c), XmlContext::kLine) << ": "
        << PlatformCounts(platform) << "</summary>\n\n";
    out << Prose(c.host.cpu_model) << ", " << c.host.physical_cores << " cores, kernel "
        << Prose(c.host.kernel) << "; hypervisor " << Prose(c.hypervisor)
        << (c.hypervisor_version.empty() ? "" : " " + Prose(c.hypervisor_version)) << "; vmbench "
        << Prose(c.vmbench_version)
        << (c.git_revision.empty() ? "" : " (" + Prose(c.git_revision) + ")") << ", "
        << c.repetitions << " repetitions";
    if (platform.comparison.has_value()) {
      out << "; baseline "
          << Prose(platform.comparison->baseline_context.git_revision.empty()
                       ? platform.comparison->baseline_source
                       : platform.comparison->baseline_context.git_revision)
          << " of " << Prose(platform.comparison->baseline_context.timestamp);
    }
    out << ".\n\n";
    WriteGroupTables(platform, out);
    out << "</details>\n\n";
    return out.str();
  }

  static std::string Legend(const Report& report) {
    std::ostringstream out;
    out << "<details>\n<summary>Legend</summary>\n\n";
    out << VerdictMethod(report) << ". Cells show the new median and the change.\n\n";
    out << "| icon | verdict | rule |\n|:--|:--|:--|\n";
    for (Verdict v : kAllVerdicts) {
      out << "| " << VerdictIcon(v) << " | " << VerdictName(v) << " | " << VerdictRule(v) << " |\n";
    }
    out << "\n</details>\n";
    return out.str();
  }

  std::string title_ = "vmbench";
  std::size_t max_chars_ = kGitHubCommentLimit;
};

}  // namespace
}  // namespace vmbench

VMBENCH_PLUGIN(vmbench::MarkdownReporter, "markdown", "0.1.0",
               "One pull-request comment for a whole matrix: verdicts in words, tables, legend");
