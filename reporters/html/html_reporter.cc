// The `html` reporter: one self-contained HTML5 page for a run, a comparison or a whole
// hypervisor x CPU matrix, with a chart of every benchmark's samples.
//
// Layout (docs/reporters/html.md explains it to readers):
//   1. the title and one line, the verdict for the whole report in the markdown comment's words;
//   2. a platform table: counts per verdict, worst and best change, each platform a link to its
//      section; warnings of cross-machine comparisons;
//   3. "Regressions" then "Improvements": every such benchmark, largest change first;
//   4. per platform, its context and one table with a row per benchmark: baseline, median and
//      its interval, change and its interval, p, verdict, and the chart (sample_chart.h);
//   5. the legend: what each icon means, which rule made it, how to read a chart.
// Rows keep the report's order: the run's selection order, then ids only in the baseline.
//
// The page loads nothing (inline CSS and SVG, no script, no link to anything outside the page)
// so it can be archived as a CI artifact and opened offline. It is also well-formed XML, so XML
// tools can check it. Names and messages come from result files and are untrusted: every one
// goes through Escape() (html_text.h); ids and classes in the markup are made here, never from
// input. Nothing depends on the clock or the locale: the same report gives the same bytes.
//
// Options: `title=TEXT` (default "vmbench"); `out=PATH` is the host's.

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "html_text.h"
#include "sample_chart.h"
#include "vmbench/plugin/format.h"
#include "vmbench/plugin/reporter.h"
#include "vmbench/plugin/verdict_summary.h"

namespace vmbench::html {
namespace {

// Colours follow GitHub's light theme, so the page sits well beside the PR it is attached to.
// The font lists name only fonts installed locally; the emoji fonts come last so that icons find
// a glyph wherever one exists.
constexpr absl::string_view kStyle = R"(
body { margin: 24px; max-width: 1400px; color: #1f2328; background: #ffffff; font-size: 14px;
  line-height: 1.45; font-family: system-ui, "Segoe UI", Roboto, "DejaVu Sans", sans-serif,
  "Noto Color Emoji", "Apple Color Emoji", "Segoe UI Emoji"; }
h1 { font-size: 22px; margin: 0 0 8px; }
h2 { font-size: 18px; margin: 28px 0 4px; padding-bottom: 4px; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 15px; margin: 18px 0 4px; }
.headline { font-size: 17px; font-weight: 600; margin: 0 0 16px; padding: 10px 14px;
  background: #f6f8fa; border-left: 6px solid #8c959f; }
.headline.regressed { border-left-color: #cf222e; }
.headline.clean { border-left-color: #1a7f37; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: middle; }
th { background: #f6f8fa; font-weight: 600; }
tbody tr:nth-child(even) { background: #f9fafb; }
td.number { text-align: right; white-space: nowrap; }
td.chart-cell { padding: 2px 4px; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; }
.interval, .note, .context { color: #57606a; }
.interval { font-size: 12px; }
.note { font-size: 12px; margin-top: 2px; }
.warning { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: 6px 10px; }
.verdict { white-space: nowrap; font-weight: 600; padding: 1px 8px; border-radius: 10px; }
.verdict.v-regressed { color: #a40e26; background: #ffebe9; }
.verdict.v-improved { color: #116329; background: #dafbe1; }
.verdict.v-unchanged { color: #424a53; background: #eaeef2; }
.verdict.v-inconclusive { color: #7d4e00; background: #fff8c5; }
.verdict.v-new { color: #0550ae; background: #ddf4ff; }
.verdict.v-missing { color: #424a53; background: #eaeef2; }
.verdict.v-error { color: #82071e; background: #ffebe9; }
.verdict.v-skipped { color: #424a53; background: #eaeef2; }
.verdict.v-incomparable { color: #953800; background: #fff1e5; }
svg.chart { display: block; }
svg.chart text { font-size: 10px; fill: #57606a; }
svg.chart .band { fill: #eaeef2; }
svg.chart .dot { fill: #0969da; fill-opacity: 0.6; }
svg.chart .dot.baseline { fill: #57606a; }
svg.chart .median { stroke: #0a3069; stroke-width: 2; }
svg.chart .median.baseline { stroke: #57606a; stroke-dasharray: 3 2; }
svg.chart .median-ci { fill: #0969da; fill-opacity: 0.25; }
svg.chart .change { stroke-width: 6; stroke: #8c959f; }
svg.chart .change-mark { stroke: #1f2328; stroke-width: 1.5; }
svg.chart .change.v-regressed { stroke: #cf222e; }
svg.chart .change.v-improved { stroke: #1a7f37; }
svg.chart .change.v-inconclusive { stroke: #bf8700; }
svg.chart .axis { stroke: #8c959f; stroke-width: 1; }
)";

// A table cell: its markup (already escaped) and whether it holds a number (right-aligned).
struct Cell {
  std::string html;
  bool number = false;
};

// A right-aligned cell of formatted figures. They are escaped too: "p<0.0001" holds a `<`.
Cell Figure(absl::string_view text) { return {Escape(text), true}; }

void WriteTable(const std::vector<std::string>& header, const std::vector<std::vector<Cell>>& rows,
                std::string& page) {
  page += "<div class=\"scroll\"><table>\n<thead><tr>";
  for (const std::string& h : header) absl::StrAppend(&page, "<th>", h, "</th>");
  page += "</tr></thead>\n<tbody>\n";
  for (const std::vector<Cell>& row : rows) {
    page += "<tr>";
    for (const Cell& cell : row) {
      absl::StrAppend(&page, cell.number ? "<td class=\"number\">" : "<td>", cell.html, "</td>");
    }
    page += "</tr>\n";
  }
  page += "</tbody>\n</table></div>\n";
}

// A verdict as a coloured badge: icon and name, so that it reads without colour or emoji font.
std::string Badge(Verdict verdict) {
  return absl::StrCat("<span class=\"verdict v-", VerdictName(verdict), "\">", VerdictIcon(verdict),
                      " ", VerdictName(verdict), "</span>");
}

// A benchmark id as code, with a line-break opportunity after each `/` so that long ids wrap at
// their parts instead of widening the table.
std::string IdCode(absl::string_view id) {
  return absl::StrCat("<code>", absl::StrReplaceAll(Escape(id), {{"/", "/<wbr/>"}}), "</code>");
}

std::string Note(absl::string_view text) {
  return absl::StrCat("<div class=\"note\">", Escape(text), "</div>");
}

// The id of platform `index`'s section (made here: platform names may repeat or hold anything).
std::string SectionId(std::size_t index) { return absl::StrCat("platform-", index + 1); }

// The name of platform `index` of `report`, linking to its section.
std::string PlatformLink(const Report& report, std::size_t index) {
  return absl::StrCat("<a href=\"#", SectionId(index), "\">",
                      Escape(PlatformName(report.platforms[index].run.context)), "</a>");
}

// An estimate over its interval, on two lines to keep the column narrow.
Cell EstimateCell(absl::string_view estimate, absl::string_view interval) {
  return {absl::StrCat(Escape(estimate), "<div class=\"interval\">", Escape(interval), "</div>"),
          true};
}

// "1.20 ms" over "[1.19 ms, 1.21 ms]": the median and its 95% bootstrap interval.
Cell MedianCell(const BenchmarkResult* b) {
  if (b == nullptr || b->repetitions.empty()) return Figure("");
  return EstimateCell(FormatDuration(b->summary.median_ns),
                      absl::StrCat("[", FormatDuration(b->summary.median_lower_ns), ", ",
                                   FormatDuration(b->summary.median_upper_ns), "]"));
}

// "+20.0%" over "[+17.0%, +23.0%]": FormatChange's text, split after the estimate.
Cell ChangeCell(const ComparedBenchmark* row) {
  if (row == nullptr || !row->ratio.has_value()) return Figure("");
  const std::vector<std::string> parts =
      absl::StrSplit(FormatChange(*row->ratio), absl::MaxSplits(' ', 1));
  return EstimateCell(parts[0], parts.size() > 1 ? parts[1] : "");
}

// "🔴 <code>id</code> +20.0%": a worst or best change with the icon of its verdict.
std::string ExtremeCell(const ComparedBenchmark* row) {
  if (row == nullptr) return "";
  return absl::StrCat(VerdictIcon(row->verdict), " ", IdCode(row->id), " ",
                      Escape(FormatPercentChange(row->ratio->estimate)));
}

// ---------------------------------------------------------------------------------------------
// Summary

struct Change {
  const ComparedBenchmark* row;
  std::size_t platform;  // index in the report
};

void WriteChangeList(absl::string_view title, std::vector<Change> changes, bool slower_first,
                     const Report& report, std::string& page) {
  if (changes.empty()) return;
  std::sort(changes.begin(), changes.end(), [&](const Change& a, const Change& b) {
    const double ra = a.row->ratio->estimate;
    const double rb = b.row->ratio->estimate;
    if (ra != rb) return slower_first ? ra > rb : ra < rb;
    if (a.row->id != b.row->id) return a.row->id < b.row->id;
    return a.platform < b.platform;
  });
  absl::StrAppend(&page, "<h3>", title, "</h3>\n");
  std::vector<std::vector<Cell>> rows;
  for (const Change& c : changes) {
    rows.push_back({{IdCode(c.row->id)},
                    {PlatformLink(report, c.platform)},
                    Figure(FormatChange(*c.row->ratio)),
                    Figure(c.row->adjusted_p.has_value() ? FormatPValue(*c.row->adjusted_p) : "")});
  }
  WriteTable({"benchmark", "platform", "change [95% CI]", "p (Holm)"}, rows, page);
}

void WriteSummary(const Report& report, std::string& page) {
  std::vector<std::vector<Cell>> rows;
  std::vector<Change> regressions;
  std::vector<Change> improvements;
  for (std::size_t i = 0; i < report.platforms.size(); ++i) {
    const PlatformResult& p = report.platforms[i];
    std::vector<Cell> row = {{PlatformLink(report, i)}};
    if (!p.comparison.has_value()) {
      row.insert(row.end(), {Figure(""),
                             Figure(""),
                             Figure(""),
                             Figure(""),
                             {absl::StrCat(p.run.benchmarks.size(), " measured, no baseline")},
                             {""},
                             {""}});
      rows.push_back(std::move(row));
      continue;
    }
    const RunComparison& c = *p.comparison;
    for (Verdict v : kChangeVerdicts) {
      row.push_back(Figure(absl::StrCat(c.Count(v))));
    }
    std::vector<std::string> other;
    for (Verdict v : kOtherVerdicts) {
      if (const int n = c.Count(v); n > 0) {
        other.push_back(absl::StrCat(VerdictIcon(v), " ", n, " ", VerdictName(v)));
      }
    }
    const ChangeExtremes extremes = FindChangeExtremes(c);
    row.insert(row.end(), {{absl::StrJoin(other, ", ")},
                           {ExtremeCell(extremes.worst)},
                           {ExtremeCell(extremes.best)}});
    rows.push_back(std::move(row));
    for (const ComparedBenchmark& b : c.benchmarks) {
      if (b.verdict == Verdict::kRegressed && b.ratio.has_value()) regressions.push_back({&b, i});
      if (b.verdict == Verdict::kImproved && b.ratio.has_value()) improvements.push_back({&b, i});
    }
  }
  page += "<section id=\"summary\">\n<h2>Summary</h2>\n";
  std::vector<std::string> header = {"platform"};
  for (Verdict v : kChangeVerdicts) {
    header.push_back(absl::StrCat(VerdictIcon(v), " ", VerdictName(v)));
  }
  header.insert(header.end(), {"other", "worst change", "best change"});
  WriteTable(header, rows, page);
  for (const PlatformResult& p : report.platforms) {
    if (p.comparison.has_value() && !p.comparison->warning.empty()) {
      absl::StrAppend(&page, "<p class=\"warning\">", VerdictIcon(Verdict::kIncomparable), " ",
                      Escape(PlatformName(p.run.context)), ": ", Escape(p.comparison->warning),
                      "</p>\n");
    }
  }
  WriteChangeList("Regressions", std::move(regressions), true, report, page);
  WriteChangeList("Improvements", std::move(improvements), false, report, page);
  page += "</section>\n";
}

// ---------------------------------------------------------------------------------------------
// Platforms

// The machine, the build and the baseline of a platform, in one line.
std::string ContextLine(const PlatformResult& platform) {
  const RunContext& c = platform.run.context;
  std::string line = absl::StrCat(c.host.cpu_model, ", ", c.host.physical_cores, " cores, kernel ",
                                  c.host.kernel, "; hypervisor ", c.hypervisor);
  if (!c.hypervisor_version.empty()) absl::StrAppend(&line, " ", c.hypervisor_version);
  absl::StrAppend(&line, "; vmbench ", c.vmbench_version);
  if (!c.git_revision.empty()) absl::StrAppend(&line, " (", c.git_revision, ")");
  absl::StrAppend(&line, ", ", c.build_type, " build, ", c.repetitions, " repetitions, run at ",
                  c.timestamp);
  if (!platform.source.empty()) absl::StrAppend(&line, ", from ", platform.source);
  if (platform.comparison.has_value()) {
    const RunComparison& comparison = *platform.comparison;
    absl::StrAppend(&line, "; baseline ",
                    comparison.baseline_context.git_revision.empty()
                        ? comparison.baseline_source
                        : comparison.baseline_context.git_revision,
                    " of ", comparison.baseline_context.timestamp);
  }
  return absl::StrCat(line, ".");
}

// The chart cell of a benchmark; `chart_id` must be unique in the page.
Cell ChartCell(const PlatformResult& platform, absl::string_view id,
               const BenchmarkResult* candidate, const ComparedBenchmark* compared,
               const std::string& chart_id) {
  const std::string platform_name = PlatformName(platform.run.context);
  std::string svg = SampleChart({id, platform_name, candidate, compared}, chart_id);
  if (svg.empty()) return {"<span class=\"note\">no samples</span>"};
  return {std::move(svg)};
}

// The status of a benchmark of a run without baseline, with the icon markdown uses for it.
std::string StatusCell(const BenchmarkResult& b) {
  switch (b.status) {
    case BenchmarkStatus::kOk:
      return "ok";
    case BenchmarkStatus::kError:
      return Badge(Verdict::kError);
    case BenchmarkStatus::kSkipped:
      return Badge(Verdict::kSkipped);
  }
  return "";
}

void WriteMeasuredTable(std::size_t index, const PlatformResult& platform, std::string& page) {
  std::vector<std::vector<Cell>> rows;
  for (std::size_t i = 0; i < platform.run.benchmarks.size(); ++i) {
    const BenchmarkResult& b = platform.run.benchmarks[i];
    const std::string id = b.id.ToString();
    rows.push_back(
        {{absl::StrCat(IdCode(id), b.message.empty() ? "" : Note(b.message))},
         MedianCell(&b),
         Figure(absl::StrCat(b.repetitions.size())),
         {StatusCell(b)},
         ChartCell(platform, id, &b, nullptr, absl::StrCat("chart-", index + 1, "-", i + 1))});
  }
  WriteTable({"benchmark", "median [95% CI]", "repetitions", "status", "samples"}, rows, page);
}

void WriteComparedTable(std::size_t index, const PlatformResult& platform, std::string& page) {
  const RunComparison& comparison = *platform.comparison;
  // Candidate order, then ids only in the baseline; a candidate id without a row (which a
  // comparison should not produce) still gets its own.
  struct Entry {
    std::string id;
    const BenchmarkResult* candidate;
    const ComparedBenchmark* compared;
  };
  std::vector<Entry> entries;
  for (const BenchmarkResult& b : platform.run.benchmarks) {
    std::string id = b.id.ToString();
    const ComparedBenchmark* row = comparison.Find(id);
    entries.push_back({std::move(id), &b, row});
  }
  for (const ComparedBenchmark& row : comparison.benchmarks) {
    if (platform.run.Find(row.id) == nullptr) entries.push_back({row.id, nullptr, &row});
  }

  std::vector<std::vector<Cell>> rows;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    const ComparedBenchmark* c = e.compared;
    std::string name = IdCode(e.id);
    std::string verdict;
    if (c != nullptr) {
      // Tested rows explain themselves with their numbers; the others say why they were not.
      if (!c->ratio.has_value() && !c->reason.empty()) absl::StrAppend(&name, Note(c->reason));
      if (!c->warning.empty() && c->warning != c->reason) absl::StrAppend(&name, Note(c->warning));
      verdict = Badge(c->verdict);
    } else {
      if (!e.candidate->message.empty()) absl::StrAppend(&name, Note(e.candidate->message));
      verdict = StatusCell(*e.candidate);
    }
    rows.push_back(
        {{std::move(name)},
         Figure(c != nullptr && c->baseline_repetitions > 0 ? FormatDuration(c->baseline_median_ns)
                                                            : ""),
         MedianCell(e.candidate),
         ChangeCell(c),
         Figure(c != nullptr && c->adjusted_p.has_value() ? FormatPValue(*c->adjusted_p) : ""),
         {std::move(verdict)},
         ChartCell(platform, e.id, e.candidate, c, absl::StrCat("chart-", index + 1, "-", i + 1))});
  }
  WriteTable({"benchmark", "baseline", "median [95% CI]", "change [95% CI]", "p (Holm)", "verdict",
              "samples"},
             rows, page);
}

void WritePlatform(std::size_t index, const PlatformResult& platform, std::string& page) {
  absl::StrAppend(&page, "<section class=\"platform\" id=\"", SectionId(index), "\">\n<h2>",
                  Escape(PlatformName(platform.run.context)), "</h2>\n<p><strong>",
                  Escape(PlatformCounts(platform)), "</strong></p>\n<p class=\"context\">",
                  Escape(ContextLine(platform)), "</p>\n");
  if (platform.run.context.incomplete) {
    page +=
        "<p class=\"warning\">This run was interrupted: only part of the selection is here.</p>\n";
  }
  if (platform.comparison.has_value()) {
    WriteComparedTable(index, platform, page);
  } else {
    WriteMeasuredTable(index, platform, page);
  }
  page += "</section>\n";
}

// ---------------------------------------------------------------------------------------------
// Legend

void WriteLegend(const Report& report, std::string& page) {
  absl::StrAppend(&page, "<section id=\"legend\">\n<h2>Legend</h2>\n<p>",
                  Escape(VerdictMethod(report)), ".</p>\n");
  std::vector<std::vector<Cell>> rows;
  for (Verdict v : kAllVerdicts) {
    rows.push_back({{std::string(VerdictIcon(v))}, {Badge(v)}, {Escape(VerdictRule(v))}});
  }
  WriteTable({"icon", "verdict", "rule"}, rows, page);
  page +=
      "<h3>Reading a chart</h3>\n<ul>\n"
      "<li>Each dot is one repetition (its time per iteration): grey dots in the baseline row, "
      "blue dots in the candidate row, on the same axis; dots that would overlap are stacked. A "
      "wide cloud is noise; two clouds apart are a shift.</li>\n"
      "<li>The tall dark tick is the candidate's median, the light bar around it the 95% "
      "confidence interval of that median.</li>\n"
      "<li>The dashed tick in the baseline row is the baseline's median; the grey band around it "
      "is the noise band.</li>\n"
      "<li>The change bar is the 95% interval of the ratio of medians, placed on the time axis "
      "(ratio times the baseline median), in the colour of the verdict: a regression or an "
      "improvement needs the whole bar outside the grey band, on one side.</li>\n"
      "<li>Each chart has its own axis, fitted to what it draws; compare positions within a chart, "
      "not across charts.</li>\n</ul>\n</section>\n";
}

std::string Page(const Report& report, absl::string_view title) {
  const std::string headline = ReportHeadline(report);
  bool compared = false;
  bool regressed = false;
  for (const PlatformResult& p : report.platforms) {
    if (!p.comparison.has_value()) continue;
    compared = true;
    regressed = regressed || p.comparison->Count(Verdict::kRegressed) > 0;
  }
  std::string page = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n",
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>",
      Escape(title), ": ", Escape(headline), "</title>\n<style>", kStyle, "</style>\n</head>\n",
      "<body>\n<header>\n<h1>", Escape(title), "</h1>\n<p class=\"headline",
      regressed ? " regressed" : (compared ? " clean" : ""), "\">", Escape(headline),
      "</p>\n</header>\n");
  WriteSummary(report, page);
  for (std::size_t i = 0; i < report.platforms.size(); ++i) {
    WritePlatform(i, report.platforms[i], page);
  }
  WriteLegend(report, page);
  page += "</body>\n</html>\n";
  return page;
}

class HtmlReporter final : public Reporter {
 public:
  absl::Status Configure(const ReporterOptions& options) noexcept override {
    for (const auto& [key, value] : options) {
      if (key != "title") {
        return absl::InvalidArgumentError(
            absl::StrCat("unknown option '", key, "' (known: title)"));
      }
      title_ = value;
    }
    return absl::OkStatus();
  }

  absl::string_view FileExtension() const noexcept override { return "html"; }

  absl::Status Write(const Report& report, std::ostream& out) noexcept override {
    try {
      const std::string page = Page(report, title_);
      out.write(page.data(), static_cast<std::streamsize>(page.size()));
      out.flush();
      if (!out) return absl::DataLossError("html: writing the report failed");
      return absl::OkStatus();
    } catch (const std::exception& e) {
      return absl::InternalError(absl::StrCat("html: ", e.what()));
    } catch (...) {
      return absl::InternalError("html: writing the report threw a non-standard exception");
    }
  }

 private:
  std::string title_ = "vmbench";
};

}  // namespace
}  // namespace vmbench::html

VMBENCH_PLUGIN(vmbench::html::HtmlReporter, "html", "0.1.0",
               "One self-contained HTML page: verdicts, tables and a chart of every benchmark's "
               "samples");
