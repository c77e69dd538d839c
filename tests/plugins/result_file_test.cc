#include "vmbench/plugin/result_file.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <random>

#include "sample_results.h"

namespace vmbench {
namespace {

using vmbench::testing::SampleRun;

// Serializes the sample, lets `edit` change the JSON document, and parses the result back.
template <typename Edit>
absl::StatusOr<RunResult> ParseEdited(Edit edit) {
  boost::json::value document = boost::json::parse(ResultToJson(SampleRun()));
  edit(document.as_object());
  return ResultFromJson(boost::json::serialize(document), "edited.json");
}

std::string ErrorOf(const absl::StatusOr<RunResult>& result) {
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(result.status().message());
}

TEST_CASE("a result file round-trips to an equal result", "[result_file]") {
  const RunResult run = SampleRun();
  const std::string json = ResultToJson(run);
  absl::StatusOr<RunResult> back = ResultFromJson(json, "sample.json");
  REQUIRE(back.ok());
  CHECK(*back == run);
  CHECK(ResultToJson(*back) == json);
}

TEST_CASE("measured times read back bit for bit", "[result_file]") {
  // Boost.JSON 1.81's own parser reads this shortest representation one ulp off.
  RunResult run = SampleRun();
  run.benchmarks[0].repetitions[0].real_time_ns = 22.306861893535178;
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> times(1e-3, 1e9);
  for (int i = 0; i < 1000; ++i) {
    run.benchmarks[1].repetitions.push_back({1 + i, times(random), times(random)});
  }
  run.benchmarks[1].summary = Summarize(run.benchmarks[1].repetitions);
  run.benchmarks[0].summary = Summarize(run.benchmarks[0].repetitions);
  absl::StatusOr<RunResult> back = ResultFromJson(ResultToJson(run), "random.json");
  REQUIRE(back.ok());
  CHECK(back->benchmarks[0].repetitions[0].real_time_ns == 22.306861893535178);
  CHECK(*back == run);
}

TEST_CASE("trailing data after the document is an error", "[result_file]") {
  const std::string json = ResultToJson(SampleRun()) + "{}";
  CHECK_THAT(ErrorOf(ResultFromJson(json, "two.json")),
             Catch::StartsWith("two.json: not a JSON document"));
}

TEST_CASE("the document carries the schema version and the joined id", "[result_file]") {
  const boost::json::value document = boost::json::parse(ResultToJson(SampleRun()));
  CHECK(document.at("schema_version").as_int64() == kResultSchemaVersion);
  CHECK(document.at("benchmarks").at(0).at("id").as_string() == "alloc_single/64");
  CHECK(document.at("benchmarks").at(0).at("summary").at("median_ns").as_double() == 12.5);
}

TEST_CASE("malformed files are errors naming the file and the field", "[result_file]") {
  CHECK(ErrorOf(ResultFromJson("{\"schema_version\": 1,", "broken.json"))
            .rfind("broken.json: not a JSON document", 0) == 0);
  CHECK(ErrorOf(ResultFromJson("[]", "list.json")) == "list.json: expected a JSON object");
  CHECK(ErrorOf(ParseEdited([](boost::json::object& o) { o["schema_version"] = 2; })) ==
        "edited.json: schema_version: unsupported version 2 (this vmbench reads version 1)");
  CHECK(ErrorOf(ParseEdited([](boost::json::object& o) { o.erase("context"); })) ==
        "edited.json: context: missing field");
  CHECK(ErrorOf(ParseEdited([](boost::json::object& o) {
          o["context"].as_object()["host"].as_object()["logical_cpus"] = "four";
        })) == "edited.json: context.host.logical_cpus: expected an integer");
  CHECK(ErrorOf(ParseEdited([](boost::json::object& o) {
          o["benchmarks"]
              .as_array()[1]
              .as_object()["repetitions"]
              .as_array()[2]
              .as_object()["real_time_ns"] = -1.0;
        })) ==
        "edited.json: benchmarks[1].repetitions[2].real_time_ns: expected a finite, "
        "non-negative number");
  CHECK(ErrorOf(ParseEdited([](boost::json::object& o) {
          o["benchmarks"].as_array()[0].as_object()["id"] = "alloc_single/128";
        })) ==
        "edited.json: benchmarks[0].id: 'alloc_single/128' does not match group/function/param "
        "'alloc_single/64'");
  CHECK(ErrorOf(ParseEdited([](boost::json::object& o) {
          o["benchmarks"].as_array()[0].as_object()["status"] = "fine";
        })) ==
        "edited.json: benchmarks[0].status: unknown status 'fine' (expected ok, error or "
        "skipped)");
  CHECK(ErrorOf(ParseEdited([](boost::json::object& o) {
          auto& benchmarks = o["benchmarks"].as_array();
          benchmarks.push_back(benchmarks[0]);
        })) == "edited.json: benchmarks[4].id: duplicate benchmark id 'alloc_single/64'");
  CHECK(ErrorOf(ParseEdited([](boost::json::object& o) {
          o["benchmarks"].as_array()[0].as_object()["repetitions"] = boost::json::array();
        })) ==
        "edited.json: benchmarks[0].repetitions: an ok benchmark needs at least one "
        "repetition");
}

TEST_CASE("the summary is recomputed from the samples, never trusted", "[result_file]") {
  absl::StatusOr<RunResult> result = ParseEdited([](boost::json::object& o) {
    o["benchmarks"].as_array()[0].as_object()["summary"].as_object()["median_ns"] = 1.0;
  });
  REQUIRE(result.ok());
  CHECK(result->benchmarks[0].summary.median_ns == 12.5);
}

TEST_CASE("a missing file is NotFound naming the path", "[result_file]") {
  absl::StatusOr<RunResult> result = ReadResultFile("/nonexistent/run.json");
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == absl::StatusCode::kNotFound);
  CHECK_THAT(std::string(result.status().message()),
             Catch::StartsWith("/nonexistent/run.json: cannot open result file"));
}

TEST_CASE("summaries use the sample standard deviation and the middle median", "[result_file]") {
  const Summary s = Summarize({{1, 1.0, 0}, {1, 2.0, 0}, {1, 4.0, 0}, {1, 9.0, 0}});
  CHECK(s.median_ns == 3.0);
  CHECK(s.mean_ns == 4.0);
  CHECK(s.min_ns == 1.0);
  CHECK(s.max_ns == 9.0);
  CHECK(s.stddev_ns == Approx(3.5590260840104371));
  // |x - 3| = 2, 1, 1, 6: median 1.5.
  CHECK(s.mad_ns == 1.5);
  CHECK(s.cv == Approx(3.5590260840104371 / 4));
  CHECK(s.median_lower_ns <= s.median_ns);
  CHECK(s.median_upper_ns >= s.median_ns);
  CHECK(s.median_lower_ns >= 1.0);
  CHECK(s.median_upper_ns <= 9.0);
  CHECK(Summarize({}) == Summary{});
}

}  // namespace
}  // namespace vmbench
