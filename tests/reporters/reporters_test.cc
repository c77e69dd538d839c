// The reporters, loaded as plugins and run over a fixed result, against approved golden files in
// tests/reporters/golden/. After an intended change of output, regenerate them with
// VMBENCH_UPDATE_GOLDEN=1 and review the diff.

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "registry.h"
#include "reporter_test_support.h"
#include "sample_results.h"
#include "test_support.h"
#include "vmbench/plugin/result_file.h"

namespace vmbench {
namespace {

using vmbench::testing::SampleRun;

using vmbench::testing::CheckGolden;
using vmbench::testing::Render;

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
  std::ostringstream out;
  const absl::Status status = vmbench::testing::LoadReporter("json")->Write(
      Report{{{SampleRun(), "", {}}, {SampleRun(), "", {}}}}, out);
  CHECK(status.message() == "json: a result file holds exactly one run, this report has 2");
  CHECK(out.str().empty());
}

}  // namespace
}  // namespace vmbench
