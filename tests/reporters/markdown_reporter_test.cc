// The markdown reporter: golden files for a plain run and for a four-platform matrix, the
// comment-size limit, escaping of hostile names, and a real renderer (cmark-gfm) that must find
// every table.

#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "registry.h"
#include "reporter_test_support.h"
#include "sample_results.h"
#include "test_support.h"

namespace vmbench {
namespace {

using vmbench::testing::SampleMatrixReport;
using vmbench::testing::SampleRun;

std::string Markdown(const Report& report, const ReporterOptions& options = {}) {
  return vmbench::testing::Render("markdown", report, options);
}

using vmbench::testing::CheckGolden;
using vmbench::testing::Count;

// Renders markdown to HTML with GitHub's table extension.
std::string RenderHtml(const std::string& markdown) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path();
  const std::filesystem::path in = dir / absl::StrCat("vmbench_md_", getpid(), ".md");
  const std::filesystem::path out = dir / absl::StrCat("vmbench_md_", getpid(), ".html");
  std::ofstream(in, std::ios::binary) << markdown;
  const std::string command =
      absl::StrCat("cmark-gfm --unsafe -e table '", in.string(), "' > '", out.string(), "'");
  const int status = std::system(command.c_str());
  INFO("cmark-gfm comes from Debian's cmark-gfm package, which test.sh installs");
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  std::ifstream html(out, std::ios::binary);
  std::ostringstream text;
  text << html.rdbuf();
  std::filesystem::remove(in);
  std::filesystem::remove(out);
  return text.str();
}

// Delimiter rows ("|:--|--:|...") start every markdown table this reporter writes.
std::size_t TableCount(const std::string& markdown) {
  const std::regex delimiter(R"(^\|:?-)");
  std::size_t n = 0;
  std::istringstream lines(markdown);
  for (std::string line; std::getline(lines, line);) {
    if (std::regex_search(line, delimiter)) ++n;
  }
  return n;
}

TEST_CASE("markdown for a matrix matches the approved comment", "[markdown]") {
  CheckGolden(Markdown(SampleMatrixReport()), "markdown_matrix.md");
}

TEST_CASE("markdown for a run without baseline matches the approved comment", "[markdown]") {
  CheckGolden(Markdown(Report{{{SampleRun(), "", {}}}}), "markdown_run.md");
}

TEST_CASE("the first line is the verdict for the whole matrix in words", "[markdown]") {
  const std::string md = Markdown(SampleMatrixReport(), {{"title", "Benchmarks"}});
  const std::string first = md.substr(0, md.find('\n'));
  CHECK(first ==
        "**Benchmarks: 2 regressions on 1 of 4 platforms, 1 improvement, 9 unchanged, 1 "
        "inconclusive, 1 error, 1 skipped, 1 new, 1 missing, 9 incomparable, 1 platform(s) "
        "without baseline**");
  Report quiet = SampleMatrixReport();
  quiet.platforms.erase(quiet.platforms.begin());
  const std::string calm = Markdown(quiet);
  CHECK(calm.substr(0, calm.find('\n')) ==
        "**vmbench: No regressions on 3 platforms: 0 improvements, 7 unchanged, 0 inconclusive, "
        "9 incomparable, 1 platform(s) without baseline**");
}

TEST_CASE("regressions are listed largest first with interval and p", "[markdown]") {
  const std::string md = Markdown(SampleMatrixReport());
  const std::size_t list = md.find("### Regressions");
  REQUIRE(list != std::string::npos);
  const std::size_t first =
      md.find("`alloc_single/64` | `kvm/amd` | +25.0% [+20.0%, +30.0%]", list);
  const std::size_t second =
      md.find("`sandboxes/create_initialized/default` | `kvm/amd` | +20.0% [+15.0%, +26.0%]", list);
  CHECK(first != std::string::npos);
  CHECK(second != std::string::npos);
  CHECK(first < second);
  CHECK(md.find("### Improvements") > second);
}

TEST_CASE("every table renders as a table and the legend names every verdict", "[markdown]") {
  const std::string md = Markdown(SampleMatrixReport());
  const std::string html = RenderHtml(md);
  CHECK(TableCount(md) > 10);
  CHECK(Count(html, "<table>") == TableCount(md));
  for (Verdict v : kAllVerdicts) {
    CHECK_THAT(md, Catch::Contains(absl::StrCat("| ", VerdictName(v), " |")));
  }
}

TEST_CASE("hostile names cannot break a table or inject HTML", "[markdown]") {
  Report report = SampleMatrixReport();
  const std::string evil = "evil|id<script>alert(1)</script>`\nnext";
  BenchmarkResult& b = report.platforms[0].run.benchmarks[0];
  b.id = {"sandboxes", evil, "default"};
  report.platforms[0].comparison->benchmarks[0].id = b.id.ToString();
  report.platforms[0].run.context.hypervisor = "kvm<img src=x onerror=alert(1)>";
  const std::string md = Markdown(report);
  const std::string html = RenderHtml(md);
  CHECK(Count(html, "<table>") == TableCount(md));
  CHECK(html.find("<script>") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK_THAT(html, Catch::Contains("&lt;script&gt;"));
}

TEST_CASE("a comment over the size limit drops whole details and keeps the summary", "[markdown]") {
  const Report report = SampleMatrixReport();
  const std::string full = Markdown(report);
  const std::string summary_end = "<details>\n<summary>";
  const std::string summary = full.substr(0, full.find(summary_end));
  const std::string cut = Markdown(report, {{"max_chars", absl::StrCat(summary.size() + 3000)}});
  CHECK(cut.size() <= summary.size() + 3000);
  CHECK(cut.substr(0, summary.size()) == summary);
  CHECK_THAT(cut, Catch::Contains("platforms were left out to stay under"));
  CHECK_THAT(cut, Catch::Contains("<summary>Legend</summary>"));
  CHECK(Count(RenderHtml(cut), "<table>") == TableCount(cut));
}

TEST_CASE("rows follow the natural order of sizes and numbers", "[markdown]") {
  const std::string md = Markdown(SampleMatrixReport());
  const std::size_t details = md.find("<summary>kvm/amd");
  REQUIRE(details != std::string::npos);
  const std::size_t small_number = md.find("| `64` |", details);
  const std::size_t big_number = md.find("| `1024` |", details);
  CHECK(small_number < big_number);
  const std::size_t default_row = md.find("| `default` |", details);
  const std::size_t large_row = md.find("| `large` |", details);
  CHECK(default_row < large_row);
}

TEST_CASE("markdown options are checked", "[markdown]") {
  const std::shared_ptr<Reporter> reporter = vmbench::testing::LoadReporter("markdown");
  CHECK(reporter->Configure({{"max_chars", "ten"}}).message() ==
        "max_chars: 'ten' is not a number of at least 1000");
  CHECK(reporter->Configure({{"colour", "red"}}).message() ==
        "unknown option 'colour' (known: title, max_chars)");
}

}  // namespace
}  // namespace vmbench
