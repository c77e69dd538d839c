#include "registry.h"

#include <catch2/catch.hpp>

#include "test_support.h"

namespace vmbench {
namespace {

using vmbench::testing::FakesDir;
using vmbench::testing::PluginDir;

Registry LoadFakes(std::vector<Rejection>* rejections) {
  return Registry::Build(ScanPlugins(PluginSearchPath{{FakesDir(), PluginDir()}, "", {}}),
                         rejections);
}

const Rejection* RejectionOf(const std::vector<Rejection>& rejections, const std::string& file) {
  for (const Rejection& r : rejections) {
    if (std::filesystem::path(r.path).filename() == file) return &r;
  }
  return nullptr;
}

TEST_CASE("a duplicate name is rejected naming both files", "[registry]") {
  std::vector<Rejection> rejections;
  const Registry registry = LoadFakes(&rejections);
  const Rejection* dup = RejectionOf(rejections, "libvmbench_suite_fake_duplicate_b.so");
  REQUIRE(dup != nullptr);
  CHECK_THAT(dup->reason, Catch::Contains("duplicate suite name 'fake_duplicate'"));
  CHECK_THAT(dup->reason, Catch::Contains("libvmbench_suite_fake_duplicate_a.so"));
  const RegisteredPlugin* kept = registry.Find(PluginKind::kSuite, "fake_duplicate");
  REQUIRE(kept != nullptr);
  CHECK_THAT(kept->info.path, Catch::EndsWith("libvmbench_suite_fake_duplicate_a.so"));
}

TEST_CASE("a failing factory is rejected with the plugin's message", "[registry]") {
  std::vector<Rejection> rejections;
  const Registry registry = LoadFakes(&rejections);
  const Rejection* failed = RejectionOf(rejections, "libvmbench_suite_fake_factory_fails.so");
  REQUIRE(failed != nullptr);
  CHECK_THAT(failed->reason, Catch::Contains("factory failed"));
  CHECK_THAT(failed->reason, Catch::Contains("refusing to be constructed"));
  CHECK(registry.Find(PluginKind::kSuite, "fake_factory_fails") == nullptr);
}

TEST_CASE("the good plugins still load beside the broken ones", "[registry]") {
  std::vector<Rejection> rejections;
  const Registry registry = LoadFakes(&rejections);
  // 4 loader rejections, 1 duplicate, 1 failing factory.
  CHECK(rejections.size() == 6);
  CHECK(registry.FindSuite("fake_suite") != nullptr);
  CHECK(registry.FindHypervisor("fake_hypervisor") != nullptr);
  CHECK(registry.Find(PluginKind::kReporter, "console") != nullptr);
  CHECK(registry.Find(PluginKind::kReporter, "json") != nullptr);
}

TEST_CASE("names are looked up by kind, case-insensitively", "[registry]") {
  std::vector<Rejection> rejections;
  const Registry registry = LoadFakes(&rejections);
  CHECK(registry.FindSuite("FAKE_Suite") != nullptr);
  CHECK(registry.FindSuite("fake_hypervisor") == nullptr);
  CHECK(registry.FindHypervisor("fake_suite") == nullptr);
  CHECK(registry.Names(PluginKind::kReporter) == "console, html, json, junit, markdown");
}

TEST_CASE("each reporter request gets a fresh object", "[registry]") {
  std::vector<Rejection> rejections;
  const Registry registry = LoadFakes(&rejections);
  absl::StatusOr<std::shared_ptr<Reporter>> a = registry.CreateReporter("json");
  absl::StatusOr<std::shared_ptr<Reporter>> b = registry.CreateReporter("JSON");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->get() != b->get());
  CHECK((*a)->FileExtension() == "json");
  absl::StatusOr<std::shared_ptr<Reporter>> missing = registry.CreateReporter("nope");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message() ==
        "unknown reporter 'nope' (known: console, html, json, junit, markdown)");
}

TEST_CASE("objects keep their plugin loaded after the registry is gone", "[registry]") {
  std::shared_ptr<Suite> suite;
  {
    std::vector<Rejection> rejections;
    const Registry registry = LoadFakes(&rejections);
    suite = registry.FindSuite("fake_suite");
  }
  REQUIRE(suite != nullptr);
  // Calling into the plugin would crash if its library had been unloaded with the registry.
  absl::StatusOr<std::vector<BenchmarkSpec>> specs = suite->Benchmarks(SuiteContext{});
  REQUIRE(specs.ok());
  CHECK(specs->size() == 4);
}

}  // namespace
}  // namespace vmbench
