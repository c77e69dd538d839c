// The Google Benchmark importer, on real output of gbench_sample.cc (built and run at build time)
// and on small hand-made documents for each error.

#include "google_benchmark_importer.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "build_info.h"
#include "host_info.h"
#include "vmbench/plugin/result_file.h"

namespace vmbench {
namespace {

namespace json = boost::json;

// The JSON written by tests/importers/gbench_sample.cc at build time (3 repetitions).
constexpr const char* kFixture = VMBENCH_GBENCH_FIXTURE;

const RunResult& Fixture() {
  static const RunResult* const run = [] {
    absl::StatusOr<RunResult> imported = ImportGoogleBenchmark(kFixture);
    if (!imported.ok()) FAIL(imported.status().ToString());
    return new RunResult(*std::move(imported));
  }();
  return *run;
}

const BenchmarkResult& Get(const RunResult& run, const std::string& id) {
  const BenchmarkResult* b = run.Find(id);
  if (b == nullptr) FAIL("no benchmark " << id);
  return *b;
}

// A minimal valid document: one benchmark, one repetition of 100 iterations at 12.5 us.
json::object MinimalDocument() {
  return {
      {"context",
       {{"date", "2026-11-25T13:00:00+01:00"},
        {"host_name", "ci"},
        {"executable", "./build/bench_alloc"},
        {"num_cpus", 8},
        {"mhz_per_cpu", 2800},
        {"library_build_type", "release"}}},
      {"benchmarks", json::array{json::object{{"name", "BM_alloc/64"},
                                              {"run_name", "BM_alloc/64"},
                                              {"run_type", "iteration"},
                                              {"repetitions", 1},
                                              {"repetition_index", 0},
                                              {"threads", 1},
                                              {"iterations", 100},
                                              {"real_time", 12.5},
                                              {"cpu_time", 12.0},
                                              {"time_unit", "us"}}}},
  };
}

json::object& Entry(json::object& document, std::size_t i) {
  return document["benchmarks"].as_array()[i].as_object();
}

absl::StatusOr<RunResult> Import(const json::object& document) {
  return ImportGoogleBenchmarkJson(json::serialize(document), "gb.json");
}

// Imports `document` after `edit` changed it.
template <typename Edit>
absl::StatusOr<RunResult> ImportEdited(Edit edit) {
  json::object document = MinimalDocument();
  edit(document);
  return Import(document);
}

std::string ErrorOf(const absl::StatusOr<RunResult>& result) {
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(result.status().message());
}

TEST_CASE("real Google Benchmark output imports every benchmark in run order", "[gbench]") {
  const RunResult& run = Fixture();
  std::vector<std::string> ids;
  for (const BenchmarkResult& b : run.benchmarks) ids.push_back(b.id.ToString());
  CHECK(ids == std::vector<std::string>{"BM_copy", "BM_sum/8", "BM_sum/64", "BM_fails",
                                        "BM_spin/real_time"});
  CHECK(Get(run, "BM_sum/64").id == BenchmarkId{.group = "BM_sum", .function = "", .param = "64"});
  CHECK(Get(run, "BM_copy").id == BenchmarkId{.group = "BM_copy", .function = "", .param = ""});
  for (const BenchmarkResult& b : run.benchmarks) {
    CHECK(b.suite == "gbench_sample");
    CHECK(b.unit == "ns");
  }
}

TEST_CASE("real output gives three repetitions of per-iteration times", "[gbench]") {
  for (const char* id : {"BM_copy", "BM_sum/8", "BM_sum/64", "BM_spin/real_time"}) {
    INFO(id);
    const BenchmarkResult& b = Get(Fixture(), id);
    CHECK(b.status == BenchmarkStatus::kOk);
    CHECK(b.message.empty());
    REQUIRE(b.repetitions.size() == 3);
    for (const Repetition& r : b.repetitions) {
      CHECK(r.iterations >= 1);
      CHECK(r.real_time_ns > 0);
      CHECK(r.cpu_time_ns > 0);
      // A copy of 64 bytes or a sum of 64 ints takes nanoseconds, not milliseconds: the time is
      // per iteration, not the repetition's total.
      CHECK(r.real_time_ns < 1e6);
    }
    CHECK(b.summary == Summarize(b.repetitions));
  }
}

TEST_CASE("real output times match the file converted to nanoseconds", "[gbench]") {
  std::ifstream in(kFixture);
  std::stringstream text;
  text << in.rdbuf();
  // Read with the same correctly rounded parser: Boost.JSON's own can be one ulp off the text.
  absl::StatusOr<json::value> parsed = ParseJsonDocument(text.str(), kFixture);
  REQUIRE(parsed.ok());
  const json::value& document = *parsed;
  const json::object& first = document.at("benchmarks").at(0).as_object();
  REQUIRE(first.at("name").as_string() == "BM_copy");
  REQUIRE(first.at("time_unit").as_string() == "ns");
  const Repetition& r = Get(Fixture(), "BM_copy").repetitions[0];
  CHECK(r.iterations == first.at("iterations").to_number<std::int64_t>());
  CHECK(r.real_time_ns == first.at("real_time").to_number<double>());
  CHECK(r.cpu_time_ns == first.at("cpu_time").to_number<double>());
}

TEST_CASE("real output rates become whole per-iteration throughput", "[gbench]") {
  CHECK(Get(Fixture(), "BM_copy").throughput ==
        Throughput{.kind = Throughput::Kind::kBytes, .per_iteration = 64});
  CHECK(Get(Fixture(), "BM_sum/8").throughput ==
        Throughput{.kind = Throughput::Kind::kElements, .per_iteration = 8});
  CHECK(Get(Fixture(), "BM_sum/64").throughput ==
        Throughput{.kind = Throughput::Kind::kElements, .per_iteration = 64});
  // A real_time benchmark's rate is over wall time, so the real time gives the amount.
  CHECK(Get(Fixture(), "BM_spin/real_time").throughput ==
        Throughput{.kind = Throughput::Kind::kBytes, .per_iteration = 3});
}

TEST_CASE("real output SkipWithError becomes an error with its message", "[gbench]") {
  const BenchmarkResult& b = Get(Fixture(), "BM_fails");
  CHECK(b.status == BenchmarkStatus::kError);
  CHECK(b.message == "device unavailable");
  CHECK(b.repetitions.empty());
  CHECK(b.throughput == Throughput{});
}

TEST_CASE("real output context is marked as imported", "[gbench]") {
  const RunContext& c = Fixture().context;
  CHECK(c.vmbench_version == kVmbenchVersion);
  CHECK(c.build_type == "imported:google-benchmark");
  CHECK(c.git_revision.empty());
  CHECK(c.hypervisor == "none");
  CHECK(c.hypervisor_version.empty());
  CHECK(c.host.logical_cpus > 0);
  CHECK(c.host.cpu_model.empty());
  CHECK(c.machine_fingerprint == MachineFingerprint(c.host));
  CHECK(c.repetitions == 3);
  CHECK(c.min_time_s == 0);
  CHECK_FALSE(c.incomplete);
  CHECK(std::regex_match(c.timestamp, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
}

TEST_CASE("real output round-trips through the result file", "[gbench]") {
  const std::string text = ResultToJson(Fixture());
  absl::StatusOr<RunResult> back = ResultFromJson(text, "imported.json");
  REQUIRE(back.ok());
  CHECK(*back == Fixture());
}

TEST_CASE("times are converted from their unit and the date to UTC", "[gbench]") {
  absl::StatusOr<RunResult> run = Import(MinimalDocument());
  REQUIRE(run.ok());
  REQUIRE(run->benchmarks.size() == 1);
  const BenchmarkResult& b = run->benchmarks[0];
  CHECK(b.id == BenchmarkId{.group = "BM_alloc", .function = "", .param = "64"});
  CHECK(b.suite == "bench_alloc");
  CHECK(b.repetitions ==
        std::vector<Repetition>{{.iterations = 100, .real_time_ns = 12500, .cpu_time_ns = 12000}});
  CHECK(run->context.timestamp == "2026-11-25T12:00:00Z");
  CHECK(run->context.host.logical_cpus == 8);
  for (const auto& [unit, factor] : std::vector<std::pair<std::string, double>>{
           {"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}}) {
    INFO(unit);
    absl::StatusOr<RunResult> scaled =
        ImportEdited([unit = unit](json::object& d) { Entry(d, 0)["time_unit"] = unit; });
    REQUIRE(scaled.ok());
    CHECK(scaled->benchmarks[0].repetitions[0].real_time_ns == 12.5 * factor);
  }
}

TEST_CASE("run-setting name components are left out of the id", "[gbench]") {
  json::object document = MinimalDocument();
  json::object entry = Entry(document, 0);
  json::array& entries = document["benchmarks"].as_array();
  entries.clear();
  for (const char* name :
       {"BM_a/8/min_time:0.500/repeats:3", "BM_b/iterations:10/repeats:2/real_time/threads:4",
        "BM_c/min_warmup_time:1.000/manual_time", "BM_d/repeats:x"}) {
    entry["name"] = name;
    entry["run_name"] = name;
    entries.push_back(entry);
  }
  absl::StatusOr<RunResult> run = Import(document);
  REQUIRE(run.ok());
  std::vector<std::string> ids;
  for (const BenchmarkResult& b : run->benchmarks) ids.push_back(b.id.ToString());
  CHECK(ids == std::vector<std::string>{"BM_a/8", "BM_b/iterations:10/real_time/threads:4",
                                        "BM_c/manual_time", "BM_d/repeats:x"});
}

TEST_CASE("aggregates are ignored and entries grouped by run name", "[gbench]") {
  // GB prints NaN as a bare word (not JSON); in an aggregate it must not stop the import.
  json::object document = MinimalDocument();
  json::object second = Entry(document, 0);
  second["real_time"] = 13.5;
  second.erase("run_name");
  document["benchmarks"].as_array().push_back(second);
  json::object aggregate = Entry(document, 0);
  aggregate["name"] = "BM_alloc/64_cv";
  aggregate["run_type"] = "aggregate";
  aggregate["aggregate_name"] = "cv";
  aggregate["real_time"] = "NAN_HERE";
  document["benchmarks"].as_array().push_back(aggregate);
  std::string text = json::serialize(document);
  text.replace(text.find("\"NAN_HERE\""), 10, "-NaN");
  absl::StatusOr<RunResult> run = ImportGoogleBenchmarkJson(text, "gb.json");
  REQUIRE(run.ok());
  REQUIRE(run->benchmarks.size() == 1);
  REQUIRE(run->benchmarks[0].repetitions.size() == 2);
  CHECK(run->benchmarks[0].repetitions[1].real_time_ns == 13500);
  CHECK(run->context.repetitions == 2);
}

TEST_CASE("throughput is none unless every repetition gives the same whole amount", "[gbench]") {
  // 12 us per iteration of CPU time at 1e6 items/s is 12 items per iteration.
  absl::StatusOr<RunResult> whole =
      ImportEdited([](json::object& d) { Entry(d, 0)["items_per_second"] = 1e6; });
  REQUIRE(whole.ok());
  CHECK(whole->benchmarks[0].throughput ==
        Throughput{.kind = Throughput::Kind::kElements, .per_iteration = 12});
  absl::StatusOr<RunResult> fractional =
      ImportEdited([](json::object& d) { Entry(d, 0)["bytes_per_second"] = 1.1e5; });
  REQUIRE(fractional.ok());
  CHECK(fractional->benchmarks[0].throughput == Throughput{});
  absl::StatusOr<RunResult> differing = ImportEdited([](json::object& d) {
    Entry(d, 0)["bytes_per_second"] = 1e6;
    json::object second = Entry(d, 0);
    second["bytes_per_second"] = 2e6;
    d["benchmarks"].as_array().push_back(second);
  });
  REQUIRE(differing.ok());
  CHECK(differing->benchmarks[0].throughput == Throughput{});
}

TEST_CASE("an error in one repetition keeps the others and the first message", "[gbench]") {
  absl::StatusOr<RunResult> run = ImportEdited([](json::object& d) {
    json::object failed = Entry(d, 0);
    failed["error_occurred"] = true;
    failed["error_message"] = "out of memory";
    failed["iterations"] = 0;
    failed["real_time"] = -1;
    d["benchmarks"].as_array().push_back(failed);
  });
  REQUIRE(run.ok());
  CHECK(run->benchmarks[0].status == BenchmarkStatus::kError);
  CHECK(run->benchmarks[0].message == "out of memory");
  CHECK(run->benchmarks[0].repetitions.size() == 1);
}

TEST_CASE("malformed Google Benchmark files name the file and the field", "[gbench]") {
  CHECK(ErrorOf(ImportGoogleBenchmarkJson("{\"context\": ", "gb.json"))
            .rfind("gb.json: not a JSON document", 0) == 0);
  CHECK(ErrorOf(ImportGoogleBenchmarkJson("[]", "gb.json")) == "gb.json: expected a JSON object");
  CHECK(ErrorOf(ImportEdited([](json::object& d) { d.erase("context"); })) ==
        "gb.json: context: missing field");
  CHECK(ErrorOf(ImportEdited(
            [](json::object& d) { d["context"].as_object()["date"] = "11/25/26 13:00:00"; })) ==
        "gb.json: context.date: '11/25/26 13:00:00' is not an RFC 3339 date-time with a "
        "UTC offset (e.g. 2026-11-25T13:00:00+01:00)");
  CHECK(ErrorOf(ImportEdited([](json::object& d) {
          d["context"].as_object()["date"] = "2026-02-30T13:00:00Z";
        })).find("context.date: '2026-02-30T13:00:00Z' is not") != std::string::npos);
  CHECK(ErrorOf(ImportEdited([](json::object& d) {
          d["context"].as_object()["num_cpus"] = "8";
        })) == "gb.json: context.num_cpus: expected an integer");
  CHECK(ErrorOf(ImportEdited([](json::object& d) { d["benchmarks"] = json::object(); })) ==
        "gb.json: benchmarks: expected an array");
  CHECK(ErrorOf(ImportEdited([](json::object& d) { d["benchmarks"].as_array().push_back(3); })) ==
        "gb.json: benchmarks[1]: expected an object");
  CHECK(ErrorOf(ImportEdited([](json::object& d) { Entry(d, 0).erase("run_type"); })) ==
        "gb.json: benchmarks[0].run_type: missing field");
  CHECK(ErrorOf(ImportEdited([](json::object& d) { Entry(d, 0)["run_type"] = "complexity"; })) ==
        "gb.json: benchmarks[0].run_type: unknown run type 'complexity' (expected iteration or "
        "aggregate)");
  CHECK(ErrorOf(ImportEdited([](json::object& d) {
          Entry(d, 0).erase("run_name");
          Entry(d, 0)["name"] = 7;
        })) == "gb.json: benchmarks[0].name: expected a string");
  CHECK(ErrorOf(ImportEdited([](json::object& d) { Entry(d, 0)["run_name"] = "/64"; })) ==
        "gb.json: benchmarks[0].run_name: '/64' is not a benchmark name (empty part before the "
        "first '/' or after the last)");
  CHECK(ErrorOf(ImportEdited([](json::object& d) { Entry(d, 0)["iterations"] = 0; })) ==
        "gb.json: benchmarks[0].iterations: must be at least 1");
  CHECK(ErrorOf(ImportEdited([](json::object& d) { Entry(d, 0)["iterations"] = 2.5; })) ==
        "gb.json: benchmarks[0].iterations: expected an integer");
  CHECK(ErrorOf(ImportEdited([](json::object& d) { Entry(d, 0)["real_time"] = -1.0; })) ==
        "gb.json: benchmarks[0].real_time: expected a finite, non-negative number");
  CHECK(ErrorOf(ImportEdited([](json::object& d) { Entry(d, 0)["cpu_time"] = "fast"; })) ==
        "gb.json: benchmarks[0].cpu_time: expected a number");
  CHECK(ErrorOf(ImportEdited([](json::object& d) { Entry(d, 0).erase("cpu_time"); })) ==
        "gb.json: benchmarks[0].cpu_time: missing field");
  CHECK(ErrorOf(ImportEdited([](json::object& d) { Entry(d, 0)["time_unit"] = "ps"; })) ==
        "gb.json: benchmarks[0].time_unit: unknown time unit 'ps' (expected ns, us, ms or s)");
  CHECK(ErrorOf(ImportEdited([](json::object& d) { Entry(d, 0)["bytes_per_second"] = -5; })) ==
        "gb.json: benchmarks[0].bytes_per_second: expected a finite, non-negative number");
  CHECK(ErrorOf(ImportEdited([](json::object& d) { Entry(d, 0)["error_occurred"] = "yes"; })) ==
        "gb.json: benchmarks[0].error_occurred: expected true or false");
  CHECK(ErrorOf(ImportEdited([](json::object& d) { Entry(d, 0)["error_occurred"] = true; })) ==
        "gb.json: benchmarks[0].error_message: missing field");
  CHECK(ErrorOf(ImportEdited([](json::object& d) {
          json::object other = Entry(d, 0);
          Entry(d, 0)["run_name"] = "BM_alloc/64/repeats:2";
          other["run_name"] = "BM_alloc/64/repeats:3";
          d["benchmarks"].as_array().push_back(other);
        })) ==
        "gb.json: benchmarks[1].run_name: 'BM_alloc/64/repeats:3' and "
        "'BM_alloc/64/repeats:2' both import as id 'BM_alloc/64'");
  CHECK(ErrorOf(ImportEdited([](json::object& d) { Entry(d, 0)["run_type"] = "aggregate"; })) ==
        "gb.json: benchmarks: no benchmark runs (entries with run_type \"iteration\"; "
        "--benchmark_report_aggregates_only leaves them out)");
}

TEST_CASE("a NaN time in Google Benchmark output is an error at its field", "[gbench]") {
  std::string text = json::serialize(MinimalDocument());
  const std::string time = "\"real_time\":1.25E1";
  REQUIRE(text.find(time) != std::string::npos);
  text.replace(text.find(time), time.size(), "\"real_time\":NaN");
  CHECK(ErrorOf(ImportGoogleBenchmarkJson(text, "gb.json")) ==
        "gb.json: benchmarks[0].real_time: expected a finite, non-negative number");
  // The word inside a string is data, not a number.
  absl::StatusOr<RunResult> named =
      ImportEdited([](json::object& d) { Entry(d, 0)["run_name"] = "BM_NaN/Infinity"; });
  REQUIRE(named.ok());
  CHECK(named->benchmarks[0].id.ToString() == "BM_NaN/Infinity");
}

TEST_CASE("a missing Google Benchmark file is NotFound naming it", "[gbench]") {
  absl::StatusOr<RunResult> run = ImportGoogleBenchmark("/nonexistent/gb.json");
  REQUIRE_FALSE(run.ok());
  CHECK(run.status().code() == absl::StatusCode::kNotFound);
  CHECK(run.status().message() ==
        "/nonexistent/gb.json: cannot open Google Benchmark output: No such file or directory");
}

}  // namespace
}  // namespace vmbench
