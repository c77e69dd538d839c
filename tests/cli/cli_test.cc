// End-to-end tests of the `vmbench` executable: what a user types and what they see.

#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli_support.h"
#include "test_support.h"
#include "vmbench/plugin/result_file.h"

namespace vmbench {
namespace {

using vmbench::testing::FakesDir;

using vmbench::testing::Outcome;
using vmbench::testing::Slurp;
using vmbench::testing::Vmbench;

TEST_CASE("list plugins loads the good plugins and rejects each broken one", "[cli]") {
  const Outcome o = Vmbench({"--plugin-dir", FakesDir().string(), "list", "plugins"});
  INFO(o.err);
  CHECK(o.exit_code == 0);
  CHECK_THAT(o.out, Catch::Contains("fake_suite"));
  CHECK_THAT(o.out, Catch::Contains("console"));
  CHECK_THAT(o.out, Catch::Contains("json"));
  CHECK_THAT(o.err, Catch::Contains("libfake_not_a_library.so: not a shared library"));
  CHECK_THAT(o.err, Catch::Contains("libfake_no_descriptor.so: no descriptor"));
  CHECK_THAT(o.err, Catch::Contains("libfake_wrong_abi.so: ABI major version 2"));
  CHECK_THAT(o.err, Catch::Contains("libfake_wrong_build_id.so: build id"));
  CHECK_THAT(o.err, Catch::Contains("duplicate suite name 'fake_duplicate'"));
  CHECK_THAT(o.err, Catch::Contains("factory failed"));
}

TEST_CASE("strict mode makes a rejected plugin fatal", "[cli]") {
  const Outcome o = Vmbench({"--plugin-dir", FakesDir().string(), "--strict", "list", "suites"});
  CHECK(o.exit_code == 2);
  CHECK_THAT(o.err, Catch::Contains("--strict: 6 plugin(s) rejected"));
  CHECK(o.out.empty());
}

TEST_CASE("list hypervisors shows why a backend is unavailable", "[cli]") {
  const Outcome o = Vmbench({"--plugin-dir", FakesDir().string(), "list", "hypervisors"});
  CHECK(o.exit_code == 0);
  CHECK_THAT(o.out, Catch::Contains("unavailable: fake_hypervisor: never available"));
}

TEST_CASE("an unknown suite is a usage error listing the known ones", "[cli]") {
  const Outcome o = Vmbench({"--plugin-dir", FakesDir().string(), "run", "--suite", "nope"});
  CHECK(o.exit_code == 2);
  CHECK_THAT(o.err, Catch::Contains("unknown suite 'nope' (known: "));
  CHECK_THAT(o.err, Catch::Contains("fake_suite"));
}

TEST_CASE("usage errors exit with 2", "[cli]") {
  CHECK(Vmbench({"run", "--repetitions", "0"}).exit_code == 2);
  CHECK(Vmbench({"frobnicate"}).exit_code == 2);
  CHECK(Vmbench({"list", "things"}).exit_code == 2);
  const Outcome bad_reporter = Vmbench({"run", "--reporter", "xml"});
  CHECK(bad_reporter.exit_code == 2);
  CHECK_THAT(bad_reporter.err, Catch::Contains("unknown reporter 'xml'"));
}

TEST_CASE("the version and help flags exit with 0", "[cli]") {
  const Outcome version = Vmbench({"--version"});
  CHECK(version.exit_code == 0);
  CHECK_THAT(version.out, Catch::StartsWith("vmbench 0.1.0"));
  const Outcome help = Vmbench({"run", "--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("--filter"));
}

TEST_CASE("run writes the JSON file it was asked for and it reads back", "[cli]") {
  const std::filesystem::path json =
      std::filesystem::temp_directory_path() / absl::StrCat("vmbench_cli_run_", getpid(), ".json");
  const Outcome o =
      Vmbench({"--plugin-dir", FakesDir().string(), "run", "--suite", "fake_suite", "--filter",
               "fake/ok/", "--repetitions", "2", "--min-time", "0.001", "--reporter", "console",
               "--reporter", absl::StrCat("json:out=", json.string())});
  INFO(o.err);
  CHECK(o.exit_code == 0);
  CHECK_THAT(o.out, Catch::Contains("fake/ok/work"));
  CHECK_THAT(o.err, Catch::Contains("[1/2] fake/ok/work  median "));
  CHECK_THAT(o.err, Catch::Contains(absl::StrCat("wrote ", json.string())));
  absl::StatusOr<RunResult> result = ReadResultFile(json.string());
  REQUIRE(result.ok());
  REQUIRE(result->benchmarks.size() == 2);
  CHECK(result->benchmarks[0].repetitions.size() == 2);

  // `vmbench report` reads the file back and renders it through a reporter.
  const Outcome report = Vmbench({"report", json.string()});
  INFO(report.err);
  CHECK(report.exit_code == 0);
  CHECK_THAT(report.out, Catch::Contains("fake/ok/manual"));
  CHECK_THAT(report.out, Catch::Contains("2 benchmarks: 2 ok, 0 errors, 0 skipped"));
  std::filesystem::remove(json);
}

TEST_CASE("report names the file and the problem when a result file is bad", "[cli]") {
  const std::filesystem::path bad =
      std::filesystem::temp_directory_path() / absl::StrCat("vmbench_cli_bad_", getpid(), ".json");
  std::ofstream(bad) << "{\"schema_version\": 7}";
  const Outcome o = Vmbench({"report", bad.string()});
  CHECK(o.exit_code == 2);
  CHECK_THAT(o.err, Catch::Contains(
                        absl::StrCat(bad.string(), ": schema_version: unsupported version 7")));
  CHECK(Vmbench({"report", "/nonexistent/x.json"}).exit_code == 2);
  std::filesystem::remove(bad);
}

TEST_CASE("a benchmark error gives exit code 1 and keeps the other results", "[cli]") {
  const std::filesystem::path json =
      std::filesystem::temp_directory_path() / absl::StrCat("vmbench_cli_err_", getpid(), ".json");
  const Outcome o = Vmbench({"--plugin-dir", FakesDir().string(), "run", "--suite", "fake_suite",
                             "--repetitions", "1", "--min-time", "0.001", "--quiet", "--reporter",
                             absl::StrCat("json:out=", json.string())});
  CHECK(o.exit_code == 1);
  CHECK_THAT(o.err, Catch::Contains("2 benchmark(s) ended in error"));
  absl::StatusOr<RunResult> result = ReadResultFile(json.string());
  REQUIRE(result.ok());
  CHECK(result->Find("fake/ok/work")->status == BenchmarkStatus::kOk);
  CHECK(result->Find("fake/error/throw")->status == BenchmarkStatus::kError);
  std::filesystem::remove(json);
}

// Writes a result file of fake_calibrated at `scale` with `reps` repetitions.
std::filesystem::path CalibratedRun(const std::string& name, const std::string& scale, int reps) {
  const std::filesystem::path json = std::filesystem::temp_directory_path() /
                                     absl::StrCat("vmbench_cli_", name, "_", getpid(), ".json");
  const Outcome o = Vmbench({"--plugin-dir", FakesDir().string(), "run", "--suite",
                             "fake_calibrated", "--suite-option", "fake_calibrated.delays=20000",
                             "--suite-option", absl::StrCat("fake_calibrated.scale=", scale),
                             "--repetitions", absl::StrCat(reps), "--min-time", "0.002", "-q",
                             "--reporter", absl::StrCat("json:out=", json.string())});
  INFO(o.err);
  REQUIRE(o.exit_code == 0);
  return json;
}

TEST_CASE("compare gives every benchmark a verdict and fail-on sets the exit code", "[cli]") {
  const std::filesystem::path base = CalibratedRun("base", "1.0", 10);
  // Three times slower: far beyond any noise on a shared machine, so the verdict is certain.
  const std::filesystem::path slow = CalibratedRun("slow", "3.0", 10);
  const Outcome o =
      Vmbench({"--plugin-dir", FakesDir().string(), "compare", base.string(), slow.string()});
  INFO(o.err);
  CHECK(o.exit_code == 0);
  CHECK_THAT(o.out, Catch::Contains("regressed"));
  CHECK_THAT(o.out, Catch::Contains("1 benchmarks: 1 regressed"));

  const Outcome gated =
      Vmbench({"--plugin-dir", FakesDir().string(), "compare", base.string(), slow.string(),
               "--fail-on", "regressed", "--reporter", "markdown"});
  CHECK(gated.exit_code == 1);
  CHECK_THAT(gated.err, Catch::Contains("--fail-on regressed: 1 benchmark(s) matched"));
  CHECK_THAT(gated.out, Catch::StartsWith("**vmbench: 1 regression on 1 of 1 platform"));

  // The other way round it is an improvement, which does not fail a regression gate.
  const Outcome reversed = Vmbench({"--plugin-dir", FakesDir().string(), "compare", slow.string(),
                                    base.string(), "--fail-on", "regressed"});
  CHECK(reversed.exit_code == 0);
  CHECK_THAT(reversed.out, Catch::Contains("improved"));
  std::filesystem::remove(base);
  std::filesystem::remove(slow);
}

TEST_CASE("too few repetitions are inconclusive rather than a verdict", "[cli]") {
  const std::filesystem::path base = CalibratedRun("few_base", "1.0", 3);
  const std::filesystem::path slow = CalibratedRun("few_slow", "3.0", 3);
  const Outcome o = Vmbench({"--plugin-dir", FakesDir().string(), "compare", base.string(),
                             slow.string(), "--fail-on", "regressed"});
  CHECK(o.exit_code == 0);
  CHECK_THAT(o.out, Catch::Contains("inconclusive"));
  std::filesystem::remove(base);
  std::filesystem::remove(slow);
}

TEST_CASE("report merges platforms with their baselines and names what has none", "[cli]") {
  const std::filesystem::path base = CalibratedRun("rbase", "1.0", 10);
  const std::filesystem::path now = CalibratedRun("rnow", "1.0", 10);
  const Outcome o = Vmbench({"--plugin-dir", FakesDir().string(), "report", now.string(),
                             "--baseline", base.string(), "--reporter", "markdown"});
  INFO(o.err);
  CHECK(o.exit_code == 0);
  CHECK_THAT(o.out, Catch::Contains("<details>"));
  CHECK_THAT(o.out, Catch::Contains("calibrated"));
  const Outcome none = Vmbench({"report", now.string(), "--baseline", "/nonexistent/b.json"});
  CHECK(none.exit_code == 2);
  CHECK_THAT(none.err, Catch::Contains("/nonexistent/b.json: cannot open result file"));
  std::filesystem::remove(base);
  std::filesystem::remove(now);
}

TEST_CASE("comparison settings and fail-on verdicts are checked before anything runs", "[cli]") {
  const Outcome verdict = Vmbench({"run", "--fail-on", "slower"});
  CHECK(verdict.exit_code == 2);
  CHECK_THAT(verdict.err, Catch::Contains("--fail-on: unknown verdict 'slower' (known: "));
  const std::filesystem::path config =
      std::filesystem::temp_directory_path() / absl::StrCat("vmbench_cli_cfg_", getpid(), ".json");
  std::ofstream(config)
      << R"({"noise_band": 0.05, "noise_bands": [{"pattern": "(", "band": 0.1}]})";
  const Outcome bad_pattern = Vmbench({"run", "--config", config.string()});
  CHECK(bad_pattern.exit_code == 2);
  CHECK_THAT(bad_pattern.err, Catch::Contains(config.string()));
  std::ofstream(config) << R"({"noise_band": 2})";
  const Outcome bad_band = Vmbench({"run", "--config", config.string()});
  CHECK(bad_band.exit_code == 2);
  CHECK_THAT(bad_band.err,
             Catch::Contains(absl::StrCat(config.string(), ": noise_band: must be at least 0")));
  std::ofstream(config) << R"({"noise_bnad": 0.1})";
  const Outcome typo = Vmbench({"run", "--config", config.string()});
  CHECK(typo.exit_code == 2);
  CHECK_THAT(typo.err, Catch::Contains(absl::StrCat(config.string(), ": noise_bnad: unknown key")));
  std::filesystem::remove(config);
}

TEST_CASE("report over a six-platform matrix gives one verdict line and a JUnit file", "[cli]") {
  // One real run, relabelled as each of three hypervisors on two CPU vendors: the matrix CI
  // merges. Baselines are the same samples; kvm/amd's candidate is three times slower.
  const std::filesystem::path base = CalibratedRun("matrix_base", "1.0", 10);
  const std::filesystem::path slow = CalibratedRun("matrix_slow", "3.0", 10);
  absl::StatusOr<RunResult> base_run = ReadResultFile(base.string());
  absl::StatusOr<RunResult> slow_run = ReadResultFile(slow.string());
  REQUIRE(base_run.ok());
  REQUIRE(slow_run.ok());
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / absl::StrCat("vmbench_cli_matrix_", getpid());
  std::filesystem::create_directories(dir);
  std::vector<std::string> args = {"--plugin-dir", FakesDir().string(), "report"};
  std::vector<std::string> baselines;
  for (const char* hypervisor : {"kvm", "mshv3", "whp"}) {
    for (const char* vendor : {"amd", "intel"}) {
      const bool slower = std::string(hypervisor) == "kvm" && std::string(vendor) == "amd";
      RunResult candidate = slower ? *slow_run : *base_run;
      RunResult baseline = *base_run;
      for (RunResult* run : {&candidate, &baseline}) {
        run->context.hypervisor = hypervisor;
        run->context.host.cpu_vendor = vendor;
        run->context.machine_fingerprint = absl::StrCat(hypervisor, "-", vendor);
      }
      const std::string name = absl::StrCat(hypervisor, "-", vendor);
      std::ofstream(dir / (name + ".json")) << ResultToJson(candidate);
      std::ofstream(dir / (name + "-base.json")) << ResultToJson(baseline);
      args.push_back((dir / (name + ".json")).string());
      baselines.push_back((dir / (name + "-base.json")).string());
    }
  }
  for (const std::string& b : baselines) {
    args.push_back("--baseline");
    args.push_back(b);
  }
  const std::filesystem::path md = dir / "comment.md";
  const std::filesystem::path xml = dir / "junit.xml";
  args.insert(args.end(), {"--reporter", absl::StrCat("markdown:out=", md.string()), "--reporter",
                           absl::StrCat("junit:out=", xml.string()), "--fail-on", "regressed"});
  const Outcome o = Vmbench(args);
  INFO(o.err);
  CHECK(o.exit_code == 1);
  const std::string comment = Slurp(md);
  // The five identical platforms are unchanged, or inconclusive when the samples of this busy
  // machine spread wider than the noise band; never a regression or an improvement.
  const std::string headline = comment.substr(0, comment.find('\n'));
  std::smatch counts;
  REQUIRE(std::regex_match(
      headline, counts,
      std::regex(
          R"(\*\*vmbench: 1 regression on 1 of 6 platforms, 0 improvements, (\d) unchanged, )"
          R"((\d) inconclusive\*\*)")));
  CHECK(std::stoi(counts[1]) + std::stoi(counts[2]) == 5);
  // A real JUnit consumer reads the file: one failure, six suites.
  const std::string check =
      absl::StrCat("/usr/bin/python3 '",
                   (vmbench::testing::SourceDir() / "reporters" / "junit_check.py").string(), "' '",
                   xml.string(), "' > '", (dir / "junit.txt").string(), "'");
  REQUIRE(std::system(check.c_str()) == 0);
  const std::string summary = Slurp(dir / "junit.txt");
  CHECK_THAT(summary, Catch::StartsWith("testsuites tests=6 failures=1 errors=0"));
  std::filesystem::remove_all(dir);
  std::filesystem::remove(base);
  std::filesystem::remove(slow);
}

TEST_CASE("import turns Google Benchmark output into a result file", "[cli]") {
  // Written at build time by tests/importers from a real Google Benchmark program.
  const std::filesystem::path fixture =
      FakesDir().parent_path().parent_path() / "importers" / "gbench_sample.json";
  REQUIRE(std::filesystem::exists(fixture));
  const std::filesystem::path out = std::filesystem::temp_directory_path() /
                                    absl::StrCat("vmbench_cli_import_", getpid(), ".json");
  const Outcome o =
      Vmbench({"import", "google-benchmark", fixture.string(), "--out", out.string()});
  INFO(o.err);
  CHECK(o.exit_code == 0);
  CHECK_THAT(o.err, Catch::Contains(absl::StrCat("wrote ", out.string(), " (5 benchmarks)")));
  absl::StatusOr<RunResult> run = ReadResultFile(out.string());
  REQUIRE(run.ok());
  CHECK(run->Find("BM_sum/64") != nullptr);
  const Outcome to_stdout = Vmbench({"import", "google-benchmark", fixture.string()});
  CHECK(to_stdout.exit_code == 0);
  CHECK(ResultFromJson(to_stdout.out, "stdout").ok());
  const Outcome bad = Vmbench({"import", "criterion", "/nonexistent/criterion"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("import criterion: /nonexistent/criterion"));
  std::filesystem::remove(out);
}

}  // namespace
}  // namespace vmbench
