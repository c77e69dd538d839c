#include "plugin_loader.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>

#include "test_support.h"

namespace vmbench {
namespace {

using vmbench::testing::FakesDir;
using vmbench::testing::PluginDir;

const Rejection* FindRejection(const ScanResult& scan, const std::string& file) {
  for (const Rejection& r : scan.rejections) {
    if (std::filesystem::path(r.path).filename() == file) return &r;
  }
  return nullptr;
}

bool Loaded(const ScanResult& scan, const std::string& name) {
  return std::any_of(scan.plugins.begin(), scan.plugins.end(),
                     [&](const LoadedPlugin& p) { return p.name == name; });
}

TEST_CASE("each broken fake is rejected with its own reason", "[loader]") {
  const ScanResult scan = ScanPlugins(PluginSearchPath{{FakesDir()}, "", {}});

  const Rejection* not_library = FindRejection(scan, "libfake_not_a_library.so");
  REQUIRE(not_library != nullptr);
  CHECK_THAT(not_library->reason, Catch::StartsWith("not a shared library"));

  const Rejection* no_descriptor = FindRejection(scan, "libfake_no_descriptor.so");
  REQUIRE(no_descriptor != nullptr);
  CHECK_THAT(no_descriptor->reason, Catch::StartsWith("no descriptor"));

  const Rejection* wrong_abi = FindRejection(scan, "libfake_wrong_abi.so");
  REQUIRE(wrong_abi != nullptr);
  CHECK_THAT(wrong_abi->reason, Catch::Contains("ABI major version 2 does not match"));

  const Rejection* wrong_build = FindRejection(scan, "libfake_wrong_build_id.so");
  REQUIRE(wrong_build != nullptr);
  CHECK_THAT(wrong_build->reason,
             Catch::Contains("build id 'othercc-1/otherlib/vmbench-abi-1' does not match"));

  CHECK(scan.rejections.size() == 4);
  CHECK(Rejection{"/x/libp.so", "why"}.ToString() == "rejected plugin /x/libp.so: why");
}

TEST_CASE("good fakes pass the loader with their descriptor copied", "[loader]") {
  const ScanResult scan = ScanPlugins(PluginSearchPath{{FakesDir()}, "", {}});
  REQUIRE(Loaded(scan, "fake_suite"));
  REQUIRE(Loaded(scan, "fake_hypervisor"));
  // Duplicates and failing factories are the registry's business: the loader accepts them.
  CHECK(std::count_if(scan.plugins.begin(), scan.plugins.end(),
                      [](const LoadedPlugin& p) { return p.name == "fake_duplicate"; }) == 2);
  CHECK(Loaded(scan, "fake_factory_fails"));
  const auto suite = std::find_if(scan.plugins.begin(), scan.plugins.end(),
                                  [](const LoadedPlugin& p) { return p.name == "fake_suite"; });
  CHECK(suite->kind == PluginKind::kSuite);
  CHECK(suite->version == "0.0.1");
  CHECK(suite->build_id == std::string(kBuildId));
  CHECK(suite->library != nullptr);
}

TEST_CASE("search order is plugin dirs then VMBENCH_PLUGIN_PATH then the install folder",
          "[loader]") {
  const PluginSearchPath search{{"/a", "/b"}, "/c::/d:/a", "/e"};
  const std::vector<std::filesystem::path> expected = {"/a", "/b", "/c", "/d", "/e"};
  CHECK(search.Folders() == expected);
}

TEST_CASE("a missing plugin dir is reported but a missing path entry is not", "[loader]") {
  const ScanResult scan =
      ScanPlugins(PluginSearchPath{{"/nonexistent/vmbench-a"}, "/nonexistent/vmbench-b", {}});
  REQUIRE(scan.rejections.size() == 1);
  CHECK(scan.rejections[0].path == "/nonexistent/vmbench-a");
  CHECK_THAT(scan.rejections[0].reason, Catch::Contains("not a directory"));
}

TEST_CASE("files not named *.so are not candidates", "[loader]") {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / "vmbench_loader_test_ignored";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "README.md") << "not a plugin\n";
  const ScanResult scan = ScanPlugins(PluginSearchPath{{dir}, "", {}});
  CHECK(scan.plugins.empty());
  CHECK(scan.rejections.empty());
  std::filesystem::remove_all(dir);
}

TEST_CASE("the built-in plugins load", "[loader]") {
  const ScanResult scan = ScanPlugins(PluginSearchPath{{PluginDir()}, "", {}});
  CHECK(scan.rejections.empty());
  CHECK(Loaded(scan, "console"));
  CHECK(Loaded(scan, "json"));
}

}  // namespace
}  // namespace vmbench
