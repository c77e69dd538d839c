// The VM suites: their ids are the reference's, byte for byte; every benchmark runs on the
// emulator; an unavailable backend skips the VM benchmarks with the reason; a guest failure in
// one benchmark is that benchmark's error and the others still run; options are checked.

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli/cli_support.h"
#include "registry.h"
#include "test_support.h"
#include "vmbench/plugin/result_file.h"
#include "vmbench/plugin/suite.h"

namespace vmbench {
namespace {

using Catch::Contains;
using testing::Outcome;
using testing::ScratchDir;
using testing::Vmbench;

const char* const kVmSuites =
    "sandboxes,snapshots,guest_calls,shared_memory,function_call_serialization,"
    "guest_functions_with_large_parameters,sample_workloads,vcpu_exits";

std::vector<std::string> ExpectedIds() {
  std::vector<std::string> ids;
  const char* sizes[] = {"default", "small", "medium", "large"};
  for (const char* f : {"create_uninitialized", "create_initialized",
                        "create_uninitialized_and_drop", "create_initialized_and_drop"}) {
    for (const char* size : sizes) ids.push_back(absl::StrCat("sandboxes/", f, "/", size));
  }
  for (const char* f : {"create", "restore"}) {
    for (const char* size : sizes) ids.push_back(absl::StrCat("snapshots/", f, "/", size));
  }
  for (const char* f : {"call", "call_with_restore", "call_with_host_function"}) {
    for (const char* size : sizes) ids.push_back(absl::StrCat("guest_calls/", f, "/", size));
  }
  ids.push_back("guest_calls/different_thread");
  ids.push_back("guest_calls/interrupt_latency");
  for (const char* f :
       {"fill", "copy_to_slice", "copy_from_slice", "memcpy_reference", "memset_reference"}) {
    for (const char* size : {"1MB", "64MB"}) {
      ids.push_back(absl::StrCat("shared_memory/", f, "/", size));
    }
  }
  ids.push_back("function_call_serialization/serialize_function_call");
  ids.push_back("function_call_serialization/deserialize_function_call");
  ids.push_back("guest_functions_with_large_parameters/guest_call_with_large_parameters");
  ids.push_back("sample_workloads/24K_in_8K_out");
  ids.push_back("vcpu_exits/io_out_roundtrip");
  ids.push_back("vcpu_exits/halt_roundtrip");
  return ids;
}

Registry LoadPlugins() {
  std::vector<Rejection> rejections;
  return Registry::Build(ScanPlugins(PluginSearchPath{{testing::PluginDir()}, "", {}}),
                         &rejections);
}

absl::StatusOr<std::vector<BenchmarkSpec>> Specs(const Registry& registry, const std::string& suite,
                                                 std::map<std::string, std::string> options = {}) {
  std::shared_ptr<Suite> plugin = registry.FindSuite(suite);
  REQUIRE(plugin != nullptr);
  return plugin->Benchmarks(SuiteContext{nullptr, std::move(options)});
}

RunResult ReadRun(const std::filesystem::path& path) {
  absl::StatusOr<RunResult> run = ReadResultFile(path.string());
  INFO(run.status().ToString());
  REQUIRE(run.ok());
  return *std::move(run);
}

TEST_CASE("the VM suites list the reference ids in order", "[vm_suites]") {
  const Registry registry = LoadPlugins();
  std::vector<std::string> ids;
  const std::vector<std::string> suites = absl::StrSplit(kVmSuites, ',');
  for (const std::string& suite : suites) {
    absl::StatusOr<std::vector<BenchmarkSpec>> specs = Specs(registry, suite);
    REQUIRE(specs.ok());
    for (const BenchmarkSpec& spec : *specs) ids.push_back(spec.id.ToString());
  }
  std::vector<std::string> expected = ExpectedIds();
  std::sort(ids.begin(), ids.end());
  std::sort(expected.begin(), expected.end());
  CHECK(ids == expected);
}

TEST_CASE("the VM suites refuse unknown options and bad sizes", "[vm_suites]") {
  const Registry registry = LoadPlugins();
  absl::StatusOr<std::vector<BenchmarkSpec>> unknown = Specs(registry, "sandboxes", {{"x", "1"}});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().message() == "unknown option 'x' (the sandboxes suite takes none)");

  const std::string large = "guest_functions_with_large_parameters";
  CHECK(Specs(registry, large, {{"size", "8MiB"}}).ok());
  CHECK(Specs(registry, large, {{"size", "512KiB"}}).ok());
  CHECK(Specs(registry, large, {{"size", "4096"}}).ok());
  for (const char* bad : {"0", "8MB", "-1", "2048MiB", ""}) {
    absl::StatusOr<std::vector<BenchmarkSpec>> specs = Specs(registry, large, {{"size", bad}});
    CAPTURE(bad);
    REQUIRE_FALSE(specs.ok());
    CHECK_THAT(std::string(specs.status().message()), Contains("option size: '"));
  }
}

TEST_CASE("every VM benchmark runs on the emulator and records ok", "[vm_suites][emulator]") {
  const std::filesystem::path json = ScratchDir() / "emulator.json";
  const Outcome outcome =
      Vmbench({"run", "--hypervisor", "emulator", "--suite", kVmSuites, "--min-time", "0.0001",
               "--repetitions", "1", "--processes", "1", "-q", "--suite-option",
               "guest_functions_with_large_parameters.size=1MiB", "--reporter",
               absl::StrCat("json:out=", json.string())});
  INFO(outcome.out << outcome.err);
  REQUIRE(outcome.exit_code == 0);
  const RunResult run = ReadRun(json);
  CHECK(run.context.hypervisor == "emulator");
  for (const std::string& id : ExpectedIds()) {
    CAPTURE(id);
    const BenchmarkResult* result = run.Find(id);
    REQUIRE(result != nullptr);
    CHECK(result->status == BenchmarkStatus::kOk);
    CHECK(result->message.empty());
    CHECK(result->summary.median_ns > 0);
  }
  CHECK(run.benchmarks.size() == ExpectedIds().size());
}

TEST_CASE("an unavailable backend skips the VM benchmarks with its reason", "[vm_suites]") {
  const std::filesystem::path json = ScratchDir() / "unavailable.json";
  const Outcome outcome =
      Vmbench({"run", "--plugin-dir", testing::FakesDir().string(), "--hypervisor",
               "fake_hypervisor", "--suite", "vcpu_exits,shared_memory", "--filter",
               "vcpu_exits|shared_memory/fill/1MB", "--min-time", "0.0001", "--repetitions", "1",
               "--processes", "1", "-q", "--reporter", absl::StrCat("json:out=", json.string())});
  INFO(outcome.out << outcome.err);
  REQUIRE(outcome.exit_code == 0);
  const RunResult run = ReadRun(json);
  for (const char* id : {"vcpu_exits/io_out_roundtrip", "vcpu_exits/halt_roundtrip"}) {
    const BenchmarkResult* result = run.Find(id);
    REQUIRE(result != nullptr);
    CHECK(result->status == BenchmarkStatus::kSkipped);
    CHECK_THAT(result->message, Contains("fake_hypervisor: never available"));
  }
  const BenchmarkResult* fill = run.Find("shared_memory/fill/1MB");
  REQUIRE(fill != nullptr);
  CHECK(fill->status == BenchmarkStatus::kOk);
}

TEST_CASE("a guest failure is that benchmark's error and the others still run", "[vm_suites]") {
  const std::filesystem::path json = ScratchDir() / "faulting.json";
  const Outcome outcome =
      Vmbench({"run", "--plugin-dir", VMBENCH_TEST_FAULTING_FAKE_DIR, "--hypervisor",
               "fake_faulting", "--suite", "sandboxes,guest_calls,shared_memory", "--filter",
               "sandboxes/create_(un)?initialized/default|guest_calls/call/default|fill/1MB",
               "--min-time", "0.0001", "--repetitions", "1", "--processes", "1", "-q", "--reporter",
               absl::StrCat("json:out=", json.string())});
  INFO(outcome.out << outcome.err);
  CHECK(outcome.exit_code == 1);  // benchmarks ended in error
  const RunResult run = ReadRun(json);
  REQUIRE(run.benchmarks.size() == 4);
  for (const char* id : {"sandboxes/create_initialized/default", "guest_calls/call/default"}) {
    const BenchmarkResult* result = run.Find(id);
    REQUIRE(result != nullptr);
    CHECK(result->status == BenchmarkStatus::kError);
    CHECK_THAT(result->message, Contains("guest init: guest stopped: fake_faulting: triple fault"));
  }
  for (const char* id : {"sandboxes/create_uninitialized/default", "shared_memory/fill/1MB"}) {
    const BenchmarkResult* result = run.Find(id);
    REQUIRE(result != nullptr);
    CHECK(result->status == BenchmarkStatus::kOk);
  }
}

}  // namespace
}  // namespace vmbench
