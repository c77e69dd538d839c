// The criterion importer, on trees written by the test in criterion's on-disk format (benchmark,
// sample and estimates files, baselines, report folders).

#include "criterion_importer.h"

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "build_info.h"
#include "host_info.h"
#include "vmbench/plugin/result_file.h"

namespace vmbench {
namespace {

namespace fs = std::filesystem;

// A scratch directory for one test, removed with everything in it at the end.
class TempTree {
 public:
  TempTree() {
    static std::atomic<int> counter{0};
    root_ = fs::temp_directory_path() /
            absl::StrCat("vmbench_criterion_test_", getpid(), "_", counter++);
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  ~TempTree() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  // Writes `content` to `relative` below the root, creating its folders.
  void Write(const std::string& relative, const std::string& content) const {
    const fs::path path = root_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << content;
  }

  std::string Path(const std::string& relative = "") const {
    return relative.empty() ? root_.string() : (root_ / relative).string();
  }

 private:
  fs::path root_;
};

// criterion's estimates.json for a benchmark of about `ns` per iteration (not read by the
// importer; written so that the fixture looks like criterion's tree).
std::string Estimates(double ns) {
  const auto estimate = [](double value) {
    return absl::StrCat(R"({"confidence_interval":{"confidence_level":0.95,"lower_bound":)",
                        value * 0.99, R"(,"upper_bound":)", value * 1.01, R"(},"point_estimate":)",
                        value, R"(,"standard_error":0.1})");
  };
  return absl::StrCat(R"({"mean":)", estimate(ns), R"(,"median":)", estimate(ns),
                      R"(,"median_abs_dev":)", estimate(ns * 0.01), R"(,"slope":)", estimate(ns),
                      R"(,"std_dev":)", estimate(ns * 0.02), "}");
}

// Writes one benchmark the way criterion does: `dir`/new/{benchmark,estimates,sample}.json plus
// a saved baseline and a change folder.
void WriteBenchmark(const TempTree& tree, const std::string& dir, const std::string& benchmark,
                    const std::string& sample) {
  tree.Write(dir + "/new/benchmark.json", benchmark);
  tree.Write(dir + "/new/sample.json", sample);
  tree.Write(dir + "/new/estimates.json", Estimates(10));
  tree.Write(dir + "/new/tukey.json", "[1.0,2.0,3.0,4.0]");
  tree.Write(dir + "/base/benchmark.json", benchmark);
  tree.Write(dir + "/base/sample.json", sample);
  tree.Write(dir + "/change/estimates.json",
             R"({"mean":{"point_estimate":0.05},"median":{"point_estimate":0.04}})");
  tree.Write(dir + "/report/index.html", "<html></html>");
}

std::string BenchmarkJson(const std::string& group, const std::string& function,
                          const std::string& value, const std::string& throughput,
                          const std::string& full_id, const std::string& directory) {
  return absl::StrCat(R"({"group_id":")", group, R"(","function_id":)", function,
                      R"(,"value_str":)", value, R"(,"throughput":)", throughput, R"(,"full_id":")",
                      full_id, R"(","directory_name":")", directory, R"(","title":")", full_id,
                      R"("})");
}

// Linear sampling: sample i runs (i + 1) * 10 iterations, each taking `ns`.
std::string LinearSample(int samples, double ns) {
  std::string iters;
  std::string times;
  for (int i = 0; i < samples; ++i) {
    const double n = (i + 1) * 10;
    absl::StrAppend(&iters, i == 0 ? "" : ",", n, ".0");
    absl::StrAppend(&times, i == 0 ? "" : ",", n * ns + i);
  }
  return absl::StrCat(R"({"sampling_mode":"Linear","iters":[)", iters, R"(],"times":[)", times,
                      "]}");
}

// The hyperlight-style tree: from_parameter ids, a function id with a '/', BenchmarkId::new, a
// top-level bench_function with a '/', report folders and a hidden folder.
void WriteSampleTree(const TempTree& tree) {
  for (const char* size : {"64", "8", "128"}) {
    WriteBenchmark(
        tree, absl::StrCat("alloc_single/", size),
        BenchmarkJson("alloc_single", "null", absl::StrCat("\"", size, "\""), R"({"Elements":1})",
                      absl::StrCat("alloc_single/", size), absl::StrCat("alloc_single/", size)),
        LinearSample(5, 12.5));
  }
  tree.Write("alloc_single/report/index.html", "<html></html>");
  WriteBenchmark(
      tree, "sandboxes/create_initialized_default",
      BenchmarkJson("sandboxes", R"("create_initialized/default")", "null", "null",
                    "sandboxes/create_initialized/default", "sandboxes/create_initialized_default"),
      LinearSample(3, 2500000));
  WriteBenchmark(tree, "fill/fill/1MB",
                 BenchmarkJson("fill", R"("fill")", R"("1MB")", R"({"Bytes":1048576})",
                               "fill/fill/1MB", "fill/fill/1MB"),
                 R"({"sampling_mode":"Flat","iters":[4.0,4.0],"times":[400.0,480.0]})");
  WriteBenchmark(
      tree, "guest_calls_call_default",
      BenchmarkJson("guest_calls/call_default", "null", "null", R"({"BytesDecimal":1000})",
                    "guest_calls/call_default", "guest_calls_call_default"),
      LinearSample(2, 900));
  tree.Write("report/index.html", "<html></html>");
  WriteBenchmark(tree, ".cache/stale",
                 BenchmarkJson("stale", "null", "null", "null", "stale", "stale"),
                 LinearSample(2, 1));
}

std::vector<std::string> Ids(const RunResult& run) {
  std::vector<std::string> ids;
  for (const BenchmarkResult& b : run.benchmarks) ids.push_back(b.id.ToString());
  return ids;
}

std::string ErrorOf(const absl::StatusOr<RunResult>& result) {
  REQUIRE_FALSE(result.ok());
  return std::string(result.status().message());
}

TEST_CASE("a criterion tree imports every benchmark in natural id order", "[criterion]") {
  TempTree tree;
  WriteSampleTree(tree);
  absl::StatusOr<RunResult> run = ImportCriterion(tree.Path());
  REQUIRE(run.ok());
  CHECK(Ids(*run) == std::vector<std::string>{
                         "alloc_single/8", "alloc_single/64", "alloc_single/128", "fill/fill/1MB",
                         "guest_calls/call_default", "sandboxes/create_initialized/default"});
  CHECK(run->Find("alloc_single/64")->id ==
        BenchmarkId{.group = "alloc_single", .function = "", .param = "64"});
  CHECK(run->Find("sandboxes/create_initialized/default")->id ==
        BenchmarkId{.group = "sandboxes", .function = "create_initialized/default", .param = ""});
  CHECK(run->Find("guest_calls/call_default")->id ==
        BenchmarkId{.group = "guest_calls/call_default", .function = "", .param = ""});
  CHECK(run->Find("fill/fill/1MB")->id ==
        BenchmarkId{.group = "fill", .function = "fill", .param = "1MB"});
  for (const BenchmarkResult& b : run->benchmarks) {
    CHECK(b.suite == "criterion");
    CHECK(b.status == BenchmarkStatus::kOk);
    CHECK(b.unit == "ns");
  }
}

TEST_CASE("criterion samples become per-iteration repetitions", "[criterion]") {
  TempTree tree;
  WriteSampleTree(tree);
  absl::StatusOr<RunResult> run = ImportCriterion(tree.Path());
  REQUIRE(run.ok());
  const BenchmarkResult& flat = *run->Find("fill/fill/1MB");
  CHECK(flat.repetitions ==
        std::vector<Repetition>{{.iterations = 4, .real_time_ns = 100, .cpu_time_ns = 0},
                                {.iterations = 4, .real_time_ns = 120, .cpu_time_ns = 0}});
  CHECK(flat.summary.median_ns == 110);
  const BenchmarkResult& linear = *run->Find("alloc_single/64");
  REQUIRE(linear.repetitions.size() == 5);
  CHECK(linear.repetitions[2].iterations == 30);
  CHECK(linear.repetitions[2].real_time_ns == Approx((30 * 12.5 + 2) / 30));
  CHECK(linear.summary == Summarize(linear.repetitions));
}

TEST_CASE("criterion throughput kinds map to bytes and elements", "[criterion]") {
  TempTree tree;
  WriteSampleTree(tree);
  absl::StatusOr<RunResult> run = ImportCriterion(tree.Path());
  REQUIRE(run.ok());
  CHECK(run->Find("alloc_single/8")->throughput ==
        Throughput{.kind = Throughput::Kind::kElements, .per_iteration = 1});
  CHECK(run->Find("fill/fill/1MB")->throughput ==
        Throughput{.kind = Throughput::Kind::kBytes, .per_iteration = 1048576});
  CHECK(run->Find("guest_calls/call_default")->throughput ==
        Throughput{.kind = Throughput::Kind::kBytes, .per_iteration = 1000});
  CHECK(run->Find("sandboxes/create_initialized/default")->throughput == Throughput{});
}

TEST_CASE("criterion imports are marked and round-trip through the result file", "[criterion]") {
  TempTree tree;
  WriteSampleTree(tree);
  absl::StatusOr<RunResult> run = ImportCriterion(tree.Path());
  REQUIRE(run.ok());
  const RunContext& c = run->context;
  CHECK(c.vmbench_version == kVmbenchVersion);
  CHECK(c.build_type == "imported:criterion");
  CHECK(c.hypervisor == "none");
  CHECK(c.host == HostInfo{});
  CHECK(c.machine_fingerprint == MachineFingerprint(HostInfo{}));
  CHECK(c.repetitions == 5);
  CHECK(std::regex_match(c.timestamp, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
  absl::StatusOr<RunResult> back = ResultFromJson(ResultToJson(*run), "imported.json");
  REQUIRE(back.ok());
  CHECK(*back == *run);
}

TEST_CASE("one benchmark directory can be imported on its own", "[criterion]") {
  TempTree tree;
  WriteSampleTree(tree);
  absl::StatusOr<RunResult> run = ImportCriterion(tree.Path("alloc_single/64"));
  REQUIRE(run.ok());
  CHECK(Ids(*run) == std::vector<std::string>{"alloc_single/64"});
}

TEST_CASE("the Bits throughput and missing optional ids are accepted", "[criterion]") {
  TempTree tree;
  WriteBenchmark(tree, "net/send",
                 R"({"group_id":"net","value_str":"send","throughput":{"Bits":64}})",
                 LinearSample(2, 5));
  WriteBenchmark(tree, "net/both",
                 R"({"group_id":"net","function_id":"both","throughput":)"
                 R"({"ElementsAndBytes":{"elements":4,"bytes":32}}})",
                 LinearSample(2, 5));
  absl::StatusOr<RunResult> run = ImportCriterion(tree.Path());
  REQUIRE(run.ok());
  CHECK(Ids(*run) == std::vector<std::string>{"net/both", "net/send"});
  CHECK(run->Find("net/send")->throughput == Throughput{});
  CHECK(run->Find("net/both")->throughput ==
        Throughput{.kind = Throughput::Kind::kBytes, .per_iteration = 32});
}

TEST_CASE("natural order compares digit runs as numbers", "[criterion]") {
  CHECK(NaturalLess("a/8", "a/64"));
  CHECK_FALSE(NaturalLess("a/64", "a/8"));
  CHECK(NaturalLess("a/64", "a/128"));
  CHECK(NaturalLess("a/2/b", "a/10/a"));
  CHECK(NaturalLess("a/1MB", "a/1b"));
  CHECK(NaturalLess("a", "a/1"));
  CHECK(NaturalLess("a/08", "a/8"));
  CHECK_FALSE(NaturalLess("a/8", "a/08"));
  CHECK_FALSE(NaturalLess("a/8", "a/8"));
  CHECK(NaturalLess("x/99999999999999999999", "x/100000000000000000000"));
}

TEST_CASE("a missing or empty criterion directory is an error", "[criterion]") {
  absl::StatusOr<RunResult> missing = ImportCriterion("/nonexistent/target/criterion");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == absl::StatusCode::kNotFound);
  CHECK(missing.status().message() == "/nonexistent/target/criterion: no such directory");

  TempTree tree;
  tree.Write("report/index.html", "<html></html>");
  tree.Write("file.json", "{}");
  absl::StatusOr<RunResult> empty = ImportCriterion(tree.Path());
  CHECK(empty.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(ErrorOf(empty) == tree.Path() +
                              ": no criterion benchmarks (no <benchmark>/new/benchmark.json below "
                              "it)");
  CHECK(ErrorOf(ImportCriterion(tree.Path("file.json"))) ==
        tree.Path("file.json") + ": not a directory (expected criterion's target/criterion)");
}

// Imports a tree with one benchmark "g/1" whose files are `benchmark` and `sample`, and returns
// the error message with the tree's path replaced by "T".
std::string ErrorFor(const std::string& benchmark, const std::string& sample) {
  TempTree tree;
  WriteBenchmark(tree, "g/1", benchmark, sample);
  std::string message = ErrorOf(ImportCriterion(tree.Path()));
  const std::string root = tree.Path();
  if (message.rfind(root, 0) == 0) message.replace(0, root.size(), "T");
  return message;
}

TEST_CASE("malformed benchmark.json files name the file and the field", "[criterion]") {
  const std::string sample = LinearSample(2, 5);
  CHECK(ErrorFor("{\"group_id\":", sample)
            .rfind("T/g/1/new/benchmark.json: not a JSON document", 0) == 0);
  CHECK(ErrorFor("[]", sample) == "T/g/1/new/benchmark.json: expected a JSON object");
  CHECK(ErrorFor(R"({"value_str":"1"})", sample) ==
        "T/g/1/new/benchmark.json: group_id: missing field");
  CHECK(ErrorFor(R"({"group_id":5})", sample) ==
        "T/g/1/new/benchmark.json: group_id: expected a string");
  CHECK(ErrorFor(R"({"group_id":""})", sample) ==
        "T/g/1/new/benchmark.json: group_id: must not be empty");
  CHECK(ErrorFor(R"({"group_id":"g","function_id":""})", sample) ==
        "T/g/1/new/benchmark.json: function_id: must not be empty (or null)");
  CHECK(ErrorFor(R"({"group_id":"g","value_str":1})", sample) ==
        "T/g/1/new/benchmark.json: value_str: expected a string or null");
  CHECK(ErrorFor(R"({"group_id":"g","value_str":"1","full_id":"g/2"})", sample) ==
        "T/g/1/new/benchmark.json: full_id: 'g/2' does not match group_id/function_id/value_str "
        "'g/1'");
  CHECK(ErrorFor(R"({"group_id":"g","throughput":{"Furlongs":3}})", sample) ==
        "T/g/1/new/benchmark.json: throughput.Furlongs: unknown throughput kind (expected Bytes, "
        "BytesDecimal, Elements, ElementsAndBytes or Bits)");
  CHECK(ErrorFor(R"({"group_id":"g","throughput":{"Bytes":-1}})", sample) ==
        "T/g/1/new/benchmark.json: throughput.Bytes: expected a non-negative integer");
  CHECK(ErrorFor(R"({"group_id":"g","throughput":{"Bytes":1,"Elements":2}})", sample) ==
        "T/g/1/new/benchmark.json: throughput: expected null or an object with one kind, e.g. "
        "{\"Bytes\": 64}");
  CHECK(ErrorFor(R"({"group_id":"g","throughput":{"ElementsAndBytes":{"elements":1}}})", sample) ==
        "T/g/1/new/benchmark.json: throughput.ElementsAndBytes.bytes: missing field");
}

TEST_CASE("malformed sample.json files name the file and the field", "[criterion]") {
  const std::string benchmark = R"({"group_id":"g","value_str":"1"})";
  CHECK(ErrorFor(benchmark, R"({"iters":[1.0]})") == "T/g/1/new/sample.json: times: missing field");
  CHECK(ErrorFor(benchmark, R"({"iters":{},"times":[]})") ==
        "T/g/1/new/sample.json: iters: expected an array");
  CHECK(ErrorFor(benchmark, R"({"iters":[],"times":[]})") ==
        "T/g/1/new/sample.json: iters: no samples");
  CHECK(ErrorFor(benchmark, R"({"iters":[1.0,2.0],"times":[5.0]})") ==
        "T/g/1/new/sample.json: times: has 1 entries but iters has 2");
  CHECK(ErrorFor(benchmark, R"({"iters":[1.0,1.5],"times":[5.0,5.0]})") ==
        "T/g/1/new/sample.json: iters[1]: expected a whole number of at least 1");
  CHECK(ErrorFor(benchmark, R"({"iters":[0.0],"times":[5.0]})") ==
        "T/g/1/new/sample.json: iters[0]: expected a whole number of at least 1");
  CHECK(ErrorFor(benchmark, R"({"iters":["1"],"times":[5.0]})") ==
        "T/g/1/new/sample.json: iters[0]: expected a whole number of at least 1");
  CHECK(ErrorFor(benchmark, R"({"iters":[1.0,2.0],"times":[5.0,-1.0]})") ==
        "T/g/1/new/sample.json: times[1]: expected a finite, non-negative number");
  CHECK(ErrorFor(benchmark, R"({"sampling_mode":3,"iters":[1.0],"times":[5.0]})") ==
        "T/g/1/new/sample.json: sampling_mode: expected a string or null");
}

TEST_CASE("a benchmark without samples or with a duplicate id is an error", "[criterion]") {
  TempTree tree;
  tree.Write("g/1/new/benchmark.json", R"({"group_id":"g","value_str":"1"})");
  absl::StatusOr<RunResult> no_samples = ImportCriterion(tree.Path());
  CHECK(no_samples.status().code() == absl::StatusCode::kNotFound);
  CHECK(ErrorOf(no_samples) == tree.Path("g/1/new/sample.json") +
                                   ": cannot open criterion samples: No such file or directory");

  TempTree twice;
  WriteBenchmark(twice, "g/1", R"({"group_id":"g","value_str":"1"})", LinearSample(2, 5));
  WriteBenchmark(twice, "g_1", R"({"group_id":"g","value_str":"1"})", LinearSample(2, 5));
  CHECK(ErrorOf(ImportCriterion(twice.Path())) == twice.Path("g_1/new/benchmark.json") +
                                                      ": duplicate benchmark id 'g/1' (also in " +
                                                      twice.Path("g/1/new/benchmark.json") + ")");
}

}  // namespace
}  // namespace vmbench
