// The reporters, loaded as plugins and run over a fixed result, against approved golden files in
// tests/reporters/golden/. After an intended change of output, regenerate them with
// VMBENCH_UPDATE_GOLDEN=1 and review the diff.

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "registry.h"
#include "sample_results.h"
#include "test_support.h"
#include "vmbench/plugin/result_file.h"

namespace vmbench {
namespace {

using vmbench::testing::PluginDir;
using vmbench::testing::SampleRun;
using vmbench::testing::SourceDir;

std::string Render(const std::string& reporter_name, const Report& report) {
  std::vector<Rejection> rejections;
  const Registry registry =
      Registry::Build(ScanPlugins(PluginSearchPath{{PluginDir()}, "", {}}), &rejections);
  absl::StatusOr<std::shared_ptr<Reporter>> reporter = registry.CreateReporter(reporter_name);
  REQUIRE(reporter.ok());
  std::ostringstream out;
  const absl::Status status = (*reporter)->Write(report, out);
  REQUIRE(status.ok());
  return out.str();
}

void CheckGolden(const std::string& actual, const std::string& file) {
  const std::filesystem::path path = SourceDir() / "reporters" / "golden" / file;
  if (std::getenv("VMBENCH_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
  }
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream expected;
  expected << in.rdbuf();
  CHECK(actual == expected.str());
}

TEST_CASE("console reporter output matches the approved table", "[reporters]") {
  CheckGolden(Render("console", Report{{{SampleRun(), "", {}}}}), "console.txt");
}

TEST_CASE("json reporter writes the result file that reads back", "[reporters]") {
  const std::string json = Render("json", Report{{{SampleRun(), "", {}}}});
  CheckGolden(json, "result.json");
  absl::StatusOr<RunResult> back = ResultFromJson(json, "golden");
  REQUIRE(back.ok());
  CHECK(*back == SampleRun());
}

TEST_CASE("json reporter refuses to put two runs in one file", "[reporters]") {
  std::vector<Rejection> rejections;
  const Registry registry =
      Registry::Build(ScanPlugins(PluginSearchPath{{PluginDir()}, "", {}}), &rejections);
  absl::StatusOr<std::shared_ptr<Reporter>> json = registry.CreateReporter("json");
  REQUIRE(json.ok());
  std::ostringstream out;
  const absl::Status status =
      (*json)->Write(Report{{{SampleRun(), "", {}}, {SampleRun(), "", {}}}}, out);
  CHECK(status.message() == "json: a result file holds exactly one run, this report has 2");
  CHECK(out.str().empty());
}

}  // namespace
}  // namespace vmbench
