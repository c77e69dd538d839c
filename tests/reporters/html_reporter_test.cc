// The `html` reporter, loaded as a plugin: golden pages for a run and for a six-platform matrix
// (tests/reporters/golden/html_*.html; regenerate with VMBENCH_UPDATE_GOLDEN=1 and review the
// diff), the same conclusion as the markdown comment, escaping of hostile names, robustness to
// corrupt samples, well-formedness checked by xmllint, a real browser (headless Chromium) that
// must render the page and find every chart, and `vmbench report` writing the page.

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/cli_support.h"
#include "reporter_test_support.h"
#include "sample_results.h"
#include "test_support.h"
#include "vmbench/plugin/result_file.h"
#include "vmbench/plugin/statistics.h"

namespace vmbench {
namespace {

using vmbench::testing::CheckGolden;
using vmbench::testing::Count;
using vmbench::testing::GoldenPath;
using vmbench::testing::Has;
using vmbench::testing::NotMeasured;
using vmbench::testing::SampleMatrixReport;
using vmbench::testing::SampleRun;
using vmbench::testing::ScratchDir;
using vmbench::testing::Slurp;
using vmbench::testing::Tested;
using vmbench::testing::Untested;

std::string Html(const Report& report, const ReporterOptions& options = {}) {
  return vmbench::testing::Render("html", report, options);
}

std::string Markdown(const Report& report) { return vmbench::testing::Render("markdown", report); }

// ---------------------------------------------------------------------------------------------
// Sample reports

// `n` repetitions around `median_ns`, spread by up to +-`spread`, deterministic.
std::vector<Repetition> Samples(double median_ns, int n, double spread) {
  std::vector<Repetition> reps;
  for (int i = 0; i < n; ++i) {
    const double t = median_ns * (1 + spread * ((i * 7) % 11 - 5) / 5);
    reps.push_back({1000, t, t});
  }
  return reps;
}

BenchmarkResult Noisy(BenchmarkId id, const std::string& suite, double median_ns, int n = 10,
                      double spread = 0.02) {
  BenchmarkResult b;
  b.id = std::move(id);
  b.suite = suite;
  b.repetitions = Samples(median_ns, n, spread);
  b.summary = Summarize(b.repetitions);
  return b;
}

// `n` baseline samples of a comparison row, around `median_ns` and with exactly that median, as
// CompareRuns gives them.
std::vector<double> BaselineSamples(double median_ns, int n) {
  std::vector<double> samples;
  for (const Repetition& r : Samples(median_ns, n, 0.02)) samples.push_back(r.real_time_ns);
  const double scale = median_ns / stats::Median(samples);
  for (double& x : samples) x *= scale;
  return samples;
}

RunResult PlatformRun(const std::string& hypervisor, const std::string& vendor) {
  RunResult run = SampleRun();
  run.benchmarks.clear();
  run.context.hypervisor = hypervisor;
  run.context.hypervisor_version = hypervisor == "kvm" ? "12" : "";
  run.context.host.cpu_vendor = vendor;
  run.context.host.cpu_model = vendor == "amd" ? "AMD EPYC 7763" : "Intel Xeon Platinum 8370C";
  run.context.machine_fingerprint = absl::StrCat(hypervisor, "-", vendor);
  run.context.repetitions = 10;
  return run;
}

RunComparison BaselineOf(const RunResult& run) {
  RunComparison c;
  c.baseline_source = absl::StrCat("baseline/", run.context.machine_fingerprint, ".json");
  c.baseline_context = run.context;
  c.baseline_context.git_revision = "0123456789ab";
  c.baseline_context.timestamp = "2026-11-24T08:00:00Z";
  return c;
}

// The comparison row of candidate `b` with a tested ratio; the baseline median is the one that
// gives that ratio, so that a chart's change bar sits on the candidate's median as in real data.
ComparedBenchmark Against(const BenchmarkResult& b, Verdict verdict, double ratio, double lower,
                          double upper, double p) {
  return Tested(b.id.ToString(), verdict, b.summary.median_ns / ratio, ratio, lower, upper, p);
}

// `report` with the baseline samples of every row whose baseline was measured, as CompareRuns
// fills them (sample_results.h's rows carry only the baseline median and count).
Report WithBaselineSamples(Report report) {
  for (PlatformResult& p : report.platforms) {
    if (!p.comparison.has_value()) continue;
    for (ComparedBenchmark& row : p.comparison->benchmarks) {
      if (row.baseline_repetitions > 0) {
        row.baseline_samples_ns = BaselineSamples(row.baseline_median_ns, row.baseline_repetitions);
      }
    }
  }
  return report;
}

// The hypervisor x CPU matrix of the reference's PR comment (kvm, mshv3, whp on amd and intel),
// between them every verdict: kvm/amd regressed, improved, unchanged, inconclusive (noisy), new
// and missing; kvm/intel unchanged; mshv3/amd a regression and an error; mshv3/intel a skip and a
// single repetition; whp/amd against another machine (incomparable); whp/intel without baseline.
Report SixPlatformReport() {
  Report report;
  {
    RunResult run = PlatformRun("kvm", "amd");
    run.benchmarks = {
        Noisy({"sandboxes", "create_initialized", "default"}, "sandboxes", 1.2e6),
        Noisy({"sandboxes", "create_initialized", "large"}, "sandboxes", 1.9e6),
        Noisy({"guest_calls", "call", "default"}, "guest_calls", 7.3e4),
        Noisy({"alloc_single", "", "64"}, "virtq", 12.5, 10, 0.15),
        Noisy({"alloc_single", "", "1024"}, "virtq", 17.0),
    };
    RunComparison c = BaselineOf(run);
    c.benchmarks = {
        Against(run.benchmarks[0], Verdict::kRegressed, 1.2, 1.17, 1.23, 0.0004),
        Against(run.benchmarks[1], Verdict::kImproved, 0.76, 0.74, 0.78, 0.001),
        Against(run.benchmarks[2], Verdict::kUnchanged, 1.0, 0.99, 1.01, 0.8),
        Against(run.benchmarks[3], Verdict::kInconclusive, 1.04, 0.9, 1.2, 0.3),
        Untested("alloc_single/1024", Verdict::kNew, 0, 17.0, "only in the candidate"),
        Untested("snapshots/create/large", Verdict::kMissing, 2.4e8, 0, "only in the baseline"),
    };
    report.platforms.push_back({run, "results/kvm-amd.json", std::move(c)});
  }
  {
    RunResult run = PlatformRun("kvm", "intel");
    run.benchmarks = {
        Noisy({"sandboxes", "create_initialized", "default"}, "sandboxes", 1.1e6),
        Noisy({"guest_calls", "call", "default"}, "guest_calls", 6.8e4),
        Noisy({"alloc_single", "", "64"}, "virtq", 11.0),
    };
    RunComparison c = BaselineOf(run);
    for (const BenchmarkResult& b : run.benchmarks) {
      c.benchmarks.push_back(Against(b, Verdict::kUnchanged, 0.99, 0.98, 1.01, 0.8));
    }
    report.platforms.push_back({run, "results/kvm-intel.json", std::move(c)});
  }
  {
    RunResult run = PlatformRun("mshv3", "amd");
    run.benchmarks = {
        Noisy({"snapshots", "restore", "medium"}, "snapshots", 1.6e4),
        NotMeasured({"guest_calls", "interrupt_latency", ""}, "guest_calls",
                    BenchmarkStatus::kError, "mshv3: MSHV_RUN_VP failed: Interrupted system call"),
    };
    RunComparison c = BaselineOf(run);
    c.benchmarks = {
        Against(run.benchmarks[0], Verdict::kRegressed, 1.28, 1.22, 1.34, 0.0001),
        Untested("guest_calls/interrupt_latency", Verdict::kError, 2.0e4, 0,
                 "error in the candidate: mshv3: MSHV_RUN_VP failed: Interrupted system call"),
    };
    report.platforms.push_back({run, "results/mshv3-amd.json", std::move(c)});
  }
  {
    RunResult run = PlatformRun("mshv3", "intel");
    run.benchmarks = {
        Noisy({"snapshots", "restore", "medium"}, "snapshots", 1.5e4),
        Noisy({"shared_memory", "copy_to_slice", "64MB"}, "shared_memory", 3.9e6, 1),
        NotMeasured({"sandboxes", "create_initialized", "large"}, "sandboxes",
                    BenchmarkStatus::kSkipped, "mshv3: /dev/mshv is not present"),
    };
    RunComparison c = BaselineOf(run);
    c.benchmarks = {
        Against(run.benchmarks[0], Verdict::kUnchanged, 1.0, 0.98, 1.02, 1),
        Untested("shared_memory/copy_to_slice/64MB", Verdict::kInconclusive, 4.0e6, 3.9e6,
                 "too few repetitions: 1 in the candidate, at least 10 needed"),
        Untested("sandboxes/create_initialized/large", Verdict::kSkipped, 0, 0,
                 "skipped in the candidate: mshv3: /dev/mshv is not present"),
    };
    report.platforms.push_back({run, "results/mshv3-intel.json", std::move(c)});
  }
  {
    RunResult run = PlatformRun("whp", "amd");
    run.benchmarks = {Noisy({"sandboxes", "create_initialized", "default"}, "sandboxes", 9.0e6)};
    RunComparison c = BaselineOf(run);
    c.baseline_context.machine_fingerprint = "whp-amd-other";
    c.comparable = false;
    c.warning = "machine fingerprint differs: whp-amd vs whp-amd-other";
    c.benchmarks = {Untested("sandboxes/create_initialized/default", Verdict::kIncomparable, 8.0e6,
                             9.0e6, c.warning)};
    report.platforms.push_back({run, "results/whp-amd.json", std::move(c)});
  }
  {
    RunResult run = PlatformRun("whp", "intel");
    run.benchmarks = {
        Noisy({"sandboxes", "create_initialized", "default"}, "sandboxes", 8.5e6),
        Noisy({"snapshots", "restore", "medium"}, "snapshots", 3.1e4),
    };
    report.platforms.push_back({run, "results/whp-intel.json", std::nullopt});
  }
  return WithBaselineSamples(std::move(report));
}

// How many charts the page of `report` has: one per benchmark whose candidate has a finite
// sample (rows only in the baseline, and results without samples, have nothing to plot).
std::size_t ChartedBenchmarks(const Report& report) {
  std::size_t n = 0;
  for (const PlatformResult& p : report.platforms) {
    for (const BenchmarkResult& b : p.run.benchmarks) {
      if (std::any_of(b.repetitions.begin(), b.repetitions.end(),
                      [](const Repetition& r) { return std::isfinite(r.real_time_ns); })) {
        ++n;
      }
    }
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Commands

// Runs a shell command to completion, its stdout and stderr into files of the scratch folder.
vmbench::testing::Outcome Run(const std::string& command) {
  static int counter = 0;
  const std::filesystem::path out = ScratchDir() / absl::StrCat("command-", ++counter, ".out");
  const std::filesystem::path err = ScratchDir() / absl::StrCat("command-", counter, ".err");
  const int status =
      std::system(absl::StrCat(command, " >'", out.string(), "' 2>'", err.string(), "'").c_str());
  vmbench::testing::Outcome outcome;
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  outcome.out = Slurp(out);
  outcome.err = Slurp(err);
  return outcome;
}

std::filesystem::path WriteScratch(const std::string& name, const std::string& content) {
  const std::filesystem::path file = ScratchDir() / name;
  std::ofstream(file, std::ios::binary) << content;
  return file;
}

// Checks that `page` is well-formed XML: xmllint's XML parser, stricter than any HTML parser,
// reads it without a single error.
void CheckWellFormed(const std::string& page, const std::string& name) {
  if (Run("command -v xmllint").exit_code != 0) {
    FAIL("xmllint not found: install Debian's libxml2-utils (tools/install-deps.sh does)");
  }
  const vmbench::testing::Outcome r =
      Run(absl::StrCat("xmllint --noout '", WriteScratch(name, page).string(), "'"));
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
}

// The text that follows the first `opening` tag in `page`, up to the next tag.
std::string ElementText(const std::string& page, const std::string& opening) {
  const std::size_t start = page.find(opening);
  if (start == std::string::npos) return "";
  const std::size_t text = start + opening.size();
  return page.substr(text, page.find('<', text) - text);
}

// The <svg> element of chart `chart_id` in `html`, or "".
std::string Chart(const std::string& html, const std::string& chart_id) {
  const std::size_t start = html.find(absl::StrCat("aria-labelledby=\"", chart_id, "\""));
  if (start == std::string::npos) return "";
  return html.substr(start, html.find("</svg>", start) - start);
}

// The mean cx of the circles of class `css_class` in `svg`.
double MeanX(const std::string& svg, const std::string& css_class) {
  const std::regex circle(absl::StrCat("<circle class=\"", css_class, "\" cx=\"([0-9.]+)\""));
  double sum = 0;
  std::size_t n = 0;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), circle); it != std::sregex_iterator();
       ++it) {
    sum += std::stod((*it)[1].str());
    ++n;
  }
  REQUIRE(n > 0);
  return sum / static_cast<double>(n);
}

// ---------------------------------------------------------------------------------------------
// Tests

TEST_CASE("html for a run without baseline matches the approved page", "[reporters][html]") {
  CheckGolden(Html(Report{{{SampleRun(), "", {}}}}), "html_run.html");
}

TEST_CASE("html for a six-platform comparison matches the approved page", "[reporters][html]") {
  CheckGolden(Html(SixPlatformReport()), "html_matrix.html");
}

TEST_CASE("html headline says what the markdown comment says", "[reporters][html]") {
  for (const Report& report :
       {SixPlatformReport(), SampleMatrixReport(), Report{{{SampleRun(), "", {}}}}}) {
    const std::string md = Markdown(report);
    const std::string first_line = md.substr(0, md.find('\n'));
    REQUIRE(first_line.size() > std::string("**vmbench: **").size());
    const std::string markdown_headline = first_line.substr(
        std::string("**vmbench: ").size(), first_line.size() - std::string("**vmbench: **").size());
    const std::string html = Html(report);
    std::string html_headline = ElementText(html, "<p class=\"headline regressed\">");
    if (html_headline.empty()) html_headline = ElementText(html, "<p class=\"headline clean\">");
    if (html_headline.empty()) html_headline = ElementText(html, "<p class=\"headline\">");
    CHECK(html_headline == markdown_headline);
  }
  CHECK(Has(Html(SixPlatformReport()),
            "<p class=\"headline regressed\">2 regressions on 2 of 6 platforms, 1 improvement, 5 "
            "unchanged, 2 inconclusive, 1 error, 1 skipped, 1 new, 1 missing, 1 incomparable, 1 "
            "platform(s) without baseline</p>"));
}

TEST_CASE("html legend uses the icons rules and method of the markdown legend",
          "[reporters][html]") {
  const std::string md = Markdown(SampleMatrixReport());
  const std::string html = Html(SampleMatrixReport());
  for (Verdict v : kAllVerdicts) {
    const std::string name(VerdictName(v));
    // Markdown's legend row is "| ICON | name | rule |".
    const std::size_t row = md.find(absl::StrCat(" | ", name, " | "));
    REQUIRE(row != std::string::npos);
    const std::size_t start = md.rfind("| ", row) + 2;
    const std::string icon = md.substr(start, row - start);
    const std::size_t rule_start = row + name.size() + 6;
    const std::string rule = md.substr(rule_start, md.find(" |\n", rule_start) - rule_start);
    INFO(name << " " << icon << " " << rule);
    CHECK(Has(html, absl::StrCat("<span class=\"verdict v-", name, "\">", icon, " ", name,
                                 "</span></td><td>", rule, "</td>")));
  }
  const std::string method_start = "Each benchmark gets exactly one verdict";
  const std::size_t method = md.find(method_start);
  REQUIRE(method != std::string::npos);
  CHECK(
      Has(html, absl::StrCat("<p>", md.substr(method, md.find(". Cells show") - method), ".</p>")));
}

TEST_CASE("html page has a chart per measured benchmark with a description in words",
          "[reporters][html]") {
  const Report report = SixPlatformReport();
  const std::string html = Html(report);
  CHECK(Count(html, "<svg ") == ChartedBenchmarks(report));
  CHECK(Count(html, "<svg ") == Count(html, "role=\"img\" aria-labelledby=\"chart-"));
  // Ten repetitions are ten dots; the chart of kvm/amd's regression shows baseline, candidate and
  // change, and says so in words.
  const std::string svg = Chart(html, "chart-1-1");
  REQUIRE_FALSE(svg.empty());
  CHECK(Count(svg, "<circle class=\"dot\"") == 10);
  CHECK(Has(svg, ">baseline</text>"));
  CHECK(Has(svg, ">change</text>"));
  CHECK(Has(svg,
            "<title id=\"chart-1-1\">sandboxes/create_initialized/default on kvm/amd. Candidate: "
            "10 samples from 1.18 ms to 1.22 ms, median 1.20 ms (95% CI "));
  CHECK(Has(svg,
            "Baseline: 10 samples from 980 µs to 1.02 ms, median 1.00 ms. Change +20.0% [+17.0%, "
            "+23.0%] against a noise band of ±3.0%. Verdict: regressed.</title>"));
  // Without a baseline only the candidate is drawn; an incomparable baseline is not drawn.
  const std::string run_only = Chart(html, "chart-6-1");
  REQUIRE_FALSE(run_only.empty());
  CHECK_FALSE(Has(run_only, "baseline"));
  CHECK(Has(html, "Baseline not drawn: the runs are not comparable."));
}

TEST_CASE("html charts draw one dot per baseline repetition on the candidate's axis",
          "[reporters][html]") {
  const Report report = SixPlatformReport();
  const std::string html = Html(report);
  // Every chart that draws a baseline has a dot per baseline repetition; an incomparable baseline
  // and a row without a chart draw none.
  std::size_t expected = 0;
  for (std::size_t p = 0; p < report.platforms.size(); ++p) {
    const PlatformResult& platform = report.platforms[p];
    if (!platform.comparison.has_value()) continue;
    for (std::size_t i = 0; i < platform.run.benchmarks.size(); ++i) {
      const ComparedBenchmark* row =
          platform.comparison->Find(platform.run.benchmarks[i].id.ToString());
      const std::string svg = Chart(html, absl::StrCat("chart-", p + 1, "-", i + 1));
      INFO(platform.run.benchmarks[i].id.ToString());
      REQUIRE(row != nullptr);
      const std::size_t dots = Count(svg, "<circle class=\"dot baseline\"");
      if (svg.empty() || row->verdict == Verdict::kIncomparable) {
        CHECK(dots == 0);
        continue;
      }
      CHECK(dots == static_cast<std::size_t>(row->baseline_repetitions));
      expected += dots;
    }
  }
  CHECK(expected >= 100);
  CHECK(Count(html, "<circle class=\"dot baseline\"") == expected);

  // One axis for both rows: kvm/amd's regression puts the baseline's cloud left of the
  // candidate's, its improvement right of it.
  const std::string regressed = Chart(html, "chart-1-1");
  CHECK(MeanX(regressed, "dot baseline") + 100 < MeanX(regressed, "dot"));
  const std::string improved = Chart(html, "chart-1-2");
  CHECK(MeanX(improved, "dot baseline") > MeanX(improved, "dot") + 100);
}

TEST_CASE("html charts of a comparison without baseline samples draw the baseline median",
          "[reporters][html]") {
  // sample_results.h's rows carry the baseline's median and count only.
  const std::string svg = Chart(Html(SampleMatrixReport()), "chart-1-1");
  REQUIRE_FALSE(svg.empty());
  CHECK(Count(svg, "<circle class=\"dot baseline\"") == 0);
  CHECK(Has(svg, "<line class=\"median baseline\""));
  CHECK(Has(svg, "Baseline: median 1.00 ms of 10 repetitions."));
}

TEST_CASE("html page loads nothing from outside itself", "[reporters][html]") {
  for (const std::string& html :
       {Html(SixPlatformReport()), Html(Report{{{SampleRun(), "", {}}}})}) {
    for (const char* reference : {"http:", "https:", "//", "src=", "url(", "@import", "<script",
                                  "<link", "<img", "<iframe", "<object", "xlink:"}) {
      INFO(reference);
      CHECK_FALSE(Has(html, reference));
    }
    const std::regex href("href=\"([^\"]*)\"");
    for (auto it = std::sregex_iterator(html.begin(), html.end(), href);
         it != std::sregex_iterator(); ++it) {
      CHECK((*it)[1].str().rfind("#platform-", 0) == 0);
    }
  }
}

// Every tag in `page`, checked against the elements and attributes the reporter writes: text
// that broke out of an attribute or an element would show up as an unknown one, or as a tag this
// pattern cannot read.
void CheckOnlyOwnMarkup(const std::string& page) {
  static const std::set<std::string> kElements = {
      "html",   "head",    "meta", "title", "style", "body",  "header", "h1",   "h2", "h3", "p",
      "strong", "section", "div",  "table", "thead", "tbody", "tr",     "th",   "td", "a",  "code",
      "span",   "ul",      "li",   "svg",   "rect",  "line",  "circle", "text", "wbr"};
  static const std::set<std::string> kAttributes = {
      "lang",  "charset", "name",    "content",    "class", "id", "href", "role", "aria-labelledby",
      "width", "height",  "viewBox", "x",          "y",     "x1", "y1",   "x2",   "y2",
      "cx",    "cy",      "r",       "text-anchor"};
  const std::regex tag(
      R"re(<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[A-Za-z][A-Za-z0-9-]*="[^"<>]*")*)\s*(/?)>)re");
  const std::regex attribute(R"re(([A-Za-z][A-Za-z0-9-]*)="[^"]*")re");
  std::size_t tags = 0;
  for (std::size_t at = page.find('<'); at != std::string::npos; at = page.find('<', at + 1)) {
    if (page.compare(at, 15, "<!DOCTYPE html>") == 0) continue;
    std::smatch m;
    const std::string rest = page.substr(at, page.find('>', at) + 1 - at);
    INFO(rest);
    REQUIRE(std::regex_match(rest, m, tag));
    CHECK(kElements.count(m[2]) == 1);
    const std::string attributes = m[3];
    for (auto it = std::sregex_iterator(attributes.begin(), attributes.end(), attribute);
         it != std::sregex_iterator(); ++it) {
      CHECK(kAttributes.count((*it)[1]) == 1);
    }
    ++tags;
  }
  CHECK(tags > 50);
}

TEST_CASE("html escapes hostile ids platform names messages and titles", "[reporters][html]") {
  Report report = SixPlatformReport();
  PlatformResult& kvm = report.platforms[0];
  const std::string script = "<script>alert(1)</script>";
  const std::string quotes = "\"onmouseover=\"alert(1)\" x='y'";
  BenchmarkResult& first = kvm.run.benchmarks[0];
  first.id = {"sandboxes", script, "a&b"};
  kvm.comparison->benchmarks[0].id = first.id.ToString();
  kvm.run.benchmarks[1].id = {"sandboxes", quotes, "]]>"};
  kvm.comparison->benchmarks[1].id = kvm.run.benchmarks[1].id.ToString();
  kvm.run.context.hypervisor = "kvm<img src=x onerror=alert(1)>";
  kvm.run.context.host.cpu_model = "</p><style>body{display:none}</style>";
  kvm.comparison->benchmarks[4].reason = "bell\a esc\x1b[31m bad\xff\xfe surrogate\xed\xa0\x80";
  report.platforms[4].comparison->warning = "differs: 'a' & \"b\" <i>";
  const std::string html = Html(report, {{"title", "PR #1 <b>\"fast\" & 'safe'</b>"}});

  CHECK_FALSE(Has(html, script));
  CHECK_FALSE(Has(html, quotes));
  CHECK_FALSE(Has(html, "<img"));
  CHECK_FALSE(Has(html, "<b>"));
  CHECK_FALSE(Has(html, "<i>"));
  // Ids may wrap after each `/`.
  CHECK(Has(
      html,
      "<code>sandboxes/<wbr/>&lt;script&gt;alert(1)&lt;/<wbr/>script&gt;/<wbr/>a&amp;b</code>"));
  CHECK(Has(html, "&quot;onmouseover=&quot;alert(1)&quot; x=&apos;y&apos;/]]&gt;"));
  CHECK(Has(html, "<h1>PR #1 &lt;b&gt;&quot;fast&quot; &amp; &apos;safe&apos;&lt;/b&gt;</h1>"));
  CHECK(Has(html, "differs: &apos;a&apos; &amp; &quot;b&quot; &lt;i&gt;"));
  // Control characters and invalid UTF-8 become U+FFFD.
  CHECK(Has(html, "bell\xEF\xBF\xBD esc\xEF\xBF\xBD[31m bad\xEF\xBF\xBD\xEF\xBF\xBD surrogate"));
  // The chart's title, an element inside the SVG, is escaped too.
  CHECK(Has(html,
            "<title id=\"chart-1-1\">sandboxes/&lt;script&gt;alert(1)&lt;/script&gt;/a&amp;b "
            "on kvm&lt;img src=x onerror=alert(1)&gt;/amd."));
  CheckOnlyOwnMarkup(html);
  CheckWellFormed(html, "hostile.html");
}

TEST_CASE("html charts stay valid for NaN infinity empty and single samples", "[reporters][html]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  Report report = SixPlatformReport();
  std::vector<BenchmarkResult>& kvm = report.platforms[0].run.benchmarks;
  // Summarize() needs finite samples (statistics.h), so corrupt summaries are written by hand.
  kvm[0].repetitions = {{100, nan, nan}, {100, 1.1e6, 1.1e6}, {100, inf, inf}, {100, 1.3e6, 0}};
  kvm[0].summary = Summarize({{100, 1.1e6, 1.1e6}, {100, 1.3e6, 0}});
  kvm[1].repetitions = {{100, nan, nan}, {100, -inf, 0}};  // nothing finite: no chart
  kvm[1].summary.median_ns = nan;
  kvm[1].summary.median_lower_ns = nan;
  kvm[1].summary.median_upper_ns = nan;
  kvm[2].repetitions = {{1, 7.3e4, 7.3e4}};  // one sample, with an unbounded interval
  kvm[2].summary = Summarize(kvm[2].repetitions);
  kvm[2].summary.median_upper_ns = inf;
  kvm[3].repetitions = {{1, 1e308, 1}, {1, -1e308, 1}, {1, 0, 0}};  // a span beyond any double
  kvm[3].summary = Summarize(kvm[3].repetitions);
  kvm[4].repetitions.clear();  // ok, yet no repetition
  kvm[4].summary = Summarize(kvm[4].repetitions);
  // An unbounded interval (a baseline median of 0 in some resamples) and a corrupt baseline.
  report.platforms[0].comparison->benchmarks[0].ratio->upper = inf;
  report.platforms[0].comparison->benchmarks[2].baseline_median_ns = nan;
  report.platforms[0].comparison->benchmarks[3].ratio = RatioEstimate{nan, nan, nan, 0.95};
  const std::string html = Html(report);

  CHECK(Count(html, "<svg ") == ChartedBenchmarks(report));
  CHECK(Has(html, "2 non-finite samples are not drawn."));
  CHECK(Has(html, "Candidate: 1 sample, 73.0 µs."));
  // Every number in the drawing is a plain finite decimal.
  const std::regex number_attribute(R"re(\s(x|y|x1|y1|x2|y2|cx|cy|r|width|height)="([^"]*)")re");
  std::size_t numbers = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), number_attribute);
       it != std::sregex_iterator(); ++it) {
    INFO((*it)[0].str());
    CHECK(std::regex_match((*it)[2].str(), std::regex(R"(-?[0-9]+\.[0-9])")));
    ++numbers;
  }
  CHECK(numbers > 100);
  const std::regex view_box(R"re(viewBox="0 0 [0-9]+\.[0-9] [0-9]+\.[0-9]")re");
  CHECK(static_cast<std::size_t>(std::distance(
            std::sregex_iterator(html.begin(), html.end(), view_box), std::sregex_iterator())) ==
        Count(html, "<svg "));
  CheckWellFormed(html, "corrupt.html");
}

TEST_CASE("html pages are well-formed XML", "[reporters][html]") {
  CheckWellFormed(Slurp(GoldenPath("html_run.html")), "run.html");
  CheckWellFormed(Slurp(GoldenPath("html_matrix.html")), "matrix.html");
  CheckWellFormed(Html(SampleMatrixReport()), "sample-matrix.html");
  CheckWellFormed(Html(Report{}), "empty.html");
}

TEST_CASE("html options are checked", "[reporters][html]") {
  const std::shared_ptr<Reporter> reporter = vmbench::testing::LoadReporter("html");
  CHECK(reporter->Configure({{"colour", "red"}}).message() ==
        "unknown option 'colour' (known: title)");
  CHECK(reporter->Configure({{"colour", "red"}}).code() == absl::StatusCode::kInvalidArgument);
  CHECK(reporter->FileExtension() == "html");
  const std::string html = Html(Report{{{SampleRun(), "", {}}}}, {{"title", "Nightly"}});
  CHECK(Has(html, "<title>Nightly: No baseline to compare with: 4 results on 1 platform.</title>"));
  CHECK(Has(html, "<h1>Nightly</h1>"));
}

TEST_CASE("html reporter returns a status when the stream fails and never throws",
          "[reporters][html]") {
  const std::shared_ptr<Reporter> reporter = vmbench::testing::LoadReporter("html");
  // Linux's /dev/full fails every write with ENOSPC: a full disk.
  std::ofstream full("/dev/full", std::ios::binary);
  REQUIRE(full.is_open());
  absl::Status status;
  CHECK_NOTHROW(status = reporter->Write(Report{{{SampleRun(), "", {}}}}, full));
  CHECK(status.code() == absl::StatusCode::kDataLoss);
  std::ofstream throwing("/dev/full", std::ios::binary);
  throwing.exceptions(std::ios::badbit);
  CHECK_NOTHROW(status = reporter->Write(Report{{{SampleRun(), "", {}}}}, throwing));
  CHECK(status.code() == absl::StatusCode::kInternal);
  CHECK(status.message().substr(0, 6) == "html: ");
}

// The chromium executable on PATH, or empty.
std::string FindChromium() {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return "";
  for (absl::string_view dir : absl::StrSplit(path, ':', absl::SkipEmpty())) {
    const std::filesystem::path candidate = std::filesystem::path(std::string(dir)) / "chromium";
    if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

// Headless Chromium as root in a container: no sandbox (it refuses to run as root with one), no
// GPU, /tmp instead of a small /dev/shm, and a fresh profile and HOME so nothing of the machine's
// user leaks in. `timeout` bounds it even outside CTest (whose TIMEOUT property bounds the test).
std::string ChromiumCommand(const std::string& chromium, const std::string& arguments,
                            const std::filesystem::path& html) {
  const std::filesystem::path home = ScratchDir() / "chromium-home";
  std::filesystem::create_directories(home);
  return absl::StrCat("HOME='", home.string(), "' timeout 90 '", chromium,
                      "' --headless --no-sandbox --disable-gpu --disable-dev-shm-usage "
                      "--no-first-run --user-data-dir='",
                      (home / "profile").string(), "' ", arguments, " 'file://", html.string(),
                      "'");
}

TEST_CASE("html page renders in headless chromium with every chart in the DOM",
          "[reporters][html][chromium]") {
  const std::string chromium = FindChromium();
  if (chromium.empty()) {
    vmbench::testing::SkipTest(
        "chromium not found (install Debian's chromium; tools/install-deps.sh does)");
  }
  const Report report = SixPlatformReport();
  const std::string page = Html(report);
  const std::filesystem::path html = WriteScratch("matrix.html", page);
  const std::filesystem::path png = ScratchDir() / "matrix.png";

  const vmbench::testing::Outcome shot = Run(ChromiumCommand(
      chromium, absl::StrCat("--screenshot='", png.string(), "' --window-size=1200,2000"), html));
  INFO(shot.out << shot.err);
  REQUIRE(shot.exit_code == 0);
  REQUIRE(std::filesystem::exists(png));
  const std::string image = Slurp(png);
  REQUIRE(image.size() > 24);
  CHECK(image.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
  // The IHDR chunk, first in every PNG, holds width and height big-endian at bytes 16 to 23.
  const auto be32 = [&](std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(image[at + i]);
    return v;
  };
  CHECK(image.substr(12, 4) == "IHDR");
  CHECK(be32(16) == 1200);
  CHECK(be32(20) == 2000);
  // A blank page compresses to a few kilobytes; tables, text and charts take far more.
  CHECK(image.size() > 50 * 1024);

  const vmbench::testing::Outcome dom = Run(ChromiumCommand(chromium, "--dump-dom", html));
  INFO(dom.err);
  REQUIRE(dom.exit_code == 0);
  CHECK(Has(dom.out, "<h1>vmbench</h1>"));
  CHECK(Has(dom.out, "2 regressions on 2 of 6 platforms"));
  CHECK(Count(dom.out, "<section class=\"platform\"") == 6);
  CHECK(Count(dom.out, "<svg ") == ChartedBenchmarks(report));
  CHECK(Count(dom.out, "<circle class=\"dot\"") == Count(page, "<circle class=\"dot\""));
}

TEST_CASE("vmbench report writes the html page of a six-platform matrix", "[reporters][html]") {
  // Six result files and their baselines, as CI's matrix jobs upload them; kvm/amd's candidate is
  // three times slower than its baseline.
  std::vector<std::string> args = {"report"};
  std::vector<std::string> baselines;
  std::size_t charted = 0;
  for (const char* hypervisor : {"kvm", "mshv3", "whp"}) {
    for (const char* vendor : {"amd", "intel"}) {
      const std::string name = absl::StrCat(hypervisor, "-", vendor);
      const double scale = name == "kvm-amd" ? 3.0 : 1.0;
      RunResult baseline = PlatformRun(hypervisor, vendor);
      baseline.benchmarks = {
          Noisy({"sandboxes", "create_initialized", "default"}, "sandboxes", 1e6),
          Noisy({"alloc_single", "", "64"}, "virtq", 12.5)};
      RunResult candidate = baseline;
      for (BenchmarkResult& b : candidate.benchmarks) {
        for (Repetition& r : b.repetitions) r.real_time_ns *= scale;
        b.summary = Summarize(b.repetitions);
      }
      charted += candidate.benchmarks.size();
      args.push_back(WriteScratch(name + ".json", ResultToJson(candidate)).string());
      baselines.push_back(WriteScratch(name + "-base.json", ResultToJson(baseline)).string());
    }
  }
  for (const std::string& b : baselines) args.insert(args.end(), {"--baseline", b});
  const std::filesystem::path page = ScratchDir() / "report.html";
  args.insert(args.end(),
              {"--reporter", absl::StrCat("html:out=", page.string()), "--reporter", "markdown"});
  const vmbench::testing::Outcome o = vmbench::testing::Vmbench(args);
  INFO(o.err);
  REQUIRE(o.exit_code == 0);
  REQUIRE(std::filesystem::exists(page));
  CHECK_THAT(o.err, Catch::Contains(absl::StrCat("wrote ", page.string())));
  const std::string html = Slurp(page);
  CHECK_THAT(html, Catch::StartsWith("<!DOCTYPE html>\n"));
  CHECK(Count(html, "<section class=\"platform\"") == 6);
  CHECK(Count(html, "<svg ") == charted);
  // The page and the comment of the same command reach the same conclusion.
  const std::string first_line = o.out.substr(0, o.out.find('\n'));
  CHECK_THAT(first_line, Catch::StartsWith("**vmbench: 2 regressions on 1 of 6 platforms"));
  CHECK(Has(html, absl::StrCat(">", first_line.substr(11, first_line.size() - 13), "</p>")));
  CheckWellFormed(html, "cli.html");
}

}  // namespace
}  // namespace vmbench
