// End-to-end tests of `vmbench run` as an orchestrator: benchmarks that crash, abort, hang or
// write garbage become error results with the right reason while the others are measured; an
// interrupted run keeps what it measured; -j is checked against the physical cores.

#include <signal.h>
#include <spawn.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "cli_support.h"
#include "test_support.h"
#include "vmbench/plugin/result_file.h"

extern char** environ;

namespace vmbench {
namespace {

using vmbench::testing::FakesDir;
using vmbench::testing::Outcome;
using vmbench::testing::ScratchDir;
using vmbench::testing::Vmbench;

TEST_CASE("crashing hanging and noisy benchmarks become errors and the others are measured",
          "[cli][workers]") {
  const std::filesystem::path json = ScratchDir() / "crashing.json";
  const Outcome o = Vmbench({"--plugin-dir", FakesDir().string(), "run", "--suite", "fake_crashing",
                             "--repetitions", "2", "--processes", "2", "--min-time", "0.001",
                             "--timeout", "2", "--progress", "stream", "--reporter", "console",
                             "--reporter", absl::StrCat("json:out=", json.string())});
  INFO(o.err);
  CHECK(o.exit_code == 1);
  absl::StatusOr<RunResult> run = ReadResultFile(json.string());
  REQUIRE(run.ok());
  CHECK_FALSE(run->context.incomplete);
  const auto message = [&](const std::string& id) {
    const BenchmarkResult* b = run->Find(id);
    REQUIRE(b != nullptr);
    return b->message;
  };
  const auto status = [&](const std::string& id) { return run->Find(id)->status; };

  CHECK(status("crash/segfault") == BenchmarkStatus::kError);
  // Under a sanitizer the worker reports the segfault itself and exits (ASan with 1, TSan with
  // 66), so its stderr ends with the sanitizer's report rather than the plugin's line.
  const std::string segfault = message("crash/segfault");
  if (segfault.find("killed by signal 11") != std::string::npos) {
    CHECK_THAT(segfault, Catch::Contains("fake_crashing: about to segfault"));
  } else {
    CHECK_THAT(segfault, Catch::StartsWith("worker exited with code "));
  }
  CHECK(status("crash/abort") == BenchmarkStatus::kError);
  CHECK_THAT(message("crash/abort"), Catch::Contains("killed by signal 6 (Aborted)"));
  CHECK_THAT(message("crash/abort"), Catch::Contains("fake_crashing: about to abort"));
  CHECK(status("crash/hang") == BenchmarkStatus::kError);
  CHECK(message("crash/hang") == "timeout after 2 s");
  CHECK(status("crash/exit") == BenchmarkStatus::kError);
  CHECK_THAT(message("crash/exit"), Catch::StartsWith("worker exited with code 3"));
  // Garbage on a worker's stdout cannot reach the results or the report on stdout.
  CHECK(status("crash/garbage_stdout") == BenchmarkStatus::kOk);
  CHECK(run->Find("crash/garbage_stdout")->repetitions.size() == 2);
  CHECK(status("crash/ok") == BenchmarkStatus::kOk);
  CHECK(run->Find("crash/ok")->repetitions.size() == 2);
  CHECK(o.out.find("{\"schema_version\"") == std::string::npos);
  CHECK_THAT(o.out, Catch::Contains("6 benchmarks: 2 ok, 4 errors, 0 skipped"));
}

TEST_CASE("an interrupted run writes what it measured marked incomplete", "[cli][workers]") {
  const std::filesystem::path json = ScratchDir() / "interrupted.json";
  const std::filesystem::path out = ScratchDir() / "interrupted.out";
  const std::filesystem::path err = ScratchDir() / "interrupted.err";
  // Five benchmarks of 20 repetitions over 5 processes, each repetition at least 50 ms: about
  // 6 s of work, interrupted after 2.5 s, when only part of the repetitions are in.
  const std::string command = vmbench::testing::Command(
      {"--plugin-dir", FakesDir().string(), "run", "--suite", "fake_calibrated", "--suite-option",
       "fake_calibrated.delays=1000:2000:3000:4000:5000", "--repetitions", "20", "--min-time",
       "0.05", "--progress", "stream,summary", "--reporter",
       absl::StrCat("json:out=", json.string())},
      out, err);
  const std::string exec = "exec " + command;
  const char* argv[] = {"/bin/sh", "-c", exec.c_str(), nullptr};
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  REQUIRE(kill(pid, SIGINT) == 0);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  INFO(vmbench::testing::Slurp(err));
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);
  absl::StatusOr<RunResult> run = ReadResultFile(json.string());
  REQUIRE(run.ok());
  CHECK(run->context.incomplete);
  REQUIRE_FALSE(run->benchmarks.empty());
  for (const BenchmarkResult& b : run->benchmarks) {
    CHECK(b.status == BenchmarkStatus::kOk);
    CHECK_FALSE(b.repetitions.empty());
    CHECK(b.repetitions.size() < 20);
    CHECK_THAT(b.message, Catch::StartsWith("interrupted after "));
  }
  CHECK_THAT(vmbench::testing::Slurp(err), Catch::Contains("(interrupted)"));
}

TEST_CASE("more jobs than physical cores is a usage error", "[cli][workers]") {
  const Outcome o = Vmbench({"run", "-j", "1000"});
  CHECK(o.exit_code == 2);
  CHECK_THAT(o.err, Catch::Contains("-j 1000 is more than the"));
  CHECK_THAT(o.err, Catch::Contains("physical cores available"));
}

TEST_CASE("two jobs measure every benchmark once", "[cli][workers]") {
  const Outcome o = Vmbench({"--plugin-dir", FakesDir().string(), "run", "--suite", "fake_suite",
                             "--filter", "/ok/", "-j", "2", "--repetitions", "4", "--min-time",
                             "0.001", "--progress", "none", "--reporter", "console"});
  INFO(o.err);
  if (o.exit_code == 2 && o.err.find("more than the 1 physical") != std::string::npos) {
    WARN("this machine has one physical core: -j 2 cannot be tested here");
    return;
  }
  CHECK(o.exit_code == 0);
  CHECK_THAT(o.out, Catch::Contains("2 benchmarks: 2 ok, 0 errors, 0 skipped"));
}

TEST_CASE("ab runs two builds alternately and reports B against A", "[cli][workers]") {
  // Build B is vmbench behind a wrapper that makes the calibrated suite three times slower: a
  // change no noise can hide, so the verdict is certain.
  const std::filesystem::path slower = ScratchDir() / "slower-build";
  std::ofstream(slower) << "#!/bin/sh\nVMBENCH_FAKE_CALIBRATED_SCALE=3.0 exec '"
                        << VMBENCH_TEST_BINARY << "' \"$@\"\n";
  std::filesystem::permissions(slower, std::filesystem::perms::owner_all);
  const std::filesystem::path results = ScratchDir() / "ab-results";
  const Outcome o = Vmbench({"--plugin-dir",
                             FakesDir().string(),
                             "ab",
                             "--a",
                             VMBENCH_TEST_BINARY,
                             "--b",
                             slower.string(),
                             "--suite",
                             "fake_calibrated",
                             "--suite-option",
                             "fake_calibrated.delays=20000",
                             "--repetitions",
                             "10",
                             "--min-time",
                             "0.002",
                             "--progress",
                             "none",
                             "--results-dir",
                             results.string(),
                             "--fail-on",
                             "regressed",
                             "--confirm"});
  INFO(o.err);
  CHECK(o.exit_code == 1);
  CHECK_THAT(o.err,
             Catch::Contains("--confirm: running 1 flagged benchmark(s) again with B first"));
  CHECK_THAT(o.err, Catch::Contains("--confirm: 1 of 1 verdict(s) held"));
  CHECK_THAT(o.out, Catch::Contains("calibrated/spin/20000"));
  CHECK_THAT(o.out, Catch::Contains("regressed"));
  CHECK_THAT(o.err, Catch::Contains("--fail-on regressed: 1 benchmark(s) matched"));
  // Both sides are kept as result files, each with all its repetitions (twice 10, confirmed).
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(results)) {
    absl::StatusOr<RunResult> run = ReadResultFile(entry.path().string());
    REQUIRE(run.ok());
    CHECK(run->benchmarks.at(0).repetitions.size() == 20);
    ++files;
  }
  CHECK(files == 2);
  const Outcome missing = Vmbench({"ab", "--a", "/nonexistent/build", "--b", VMBENCH_TEST_BINARY});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("--a: '/nonexistent/build' is not a vmbench binary"));
}

}  // namespace
}  // namespace vmbench
