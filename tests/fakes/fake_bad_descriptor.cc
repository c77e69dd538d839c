// Test plugins with a hand-made descriptor that the loader must reject: built once with
// FAKE_WRONG_ABI (ABI major version + 1) and once with FAKE_WRONG_BUILD_ID (another compiler).

#include "vmbench/plugin/suite.h"

namespace {

class BadSuite final : public vmbench::Suite {
 public:
  bool NeedsHypervisor() const noexcept override { return false; }
  absl::StatusOr<std::vector<vmbench::BenchmarkSpec>> Benchmarks(
      const vmbench::SuiteContext& /*context*/) noexcept override {
    return std::vector<vmbench::BenchmarkSpec>{};
  }
};

#if defined(FAKE_WRONG_ABI)
constexpr std::uint16_t kMajor = vmbench::kAbiMajor + 1;
constexpr const char* kBuild = VMBENCH_INTERNAL_BUILD_ID;
constexpr const char* kName = "fake_wrong_abi";
#elif defined(FAKE_WRONG_BUILD_ID)
constexpr std::uint16_t kMajor = vmbench::kAbiMajor;
constexpr const char* kBuild = "othercc-1/otherlib/vmbench-abi-1";
constexpr const char* kName = "fake_wrong_build_id";
#endif

const vmbench::PluginDescriptor fake_descriptor{sizeof(vmbench::PluginDescriptor),
                                                kMajor,
                                                vmbench::kAbiMinor,
                                                vmbench::PluginKind::kSuite,
                                                kName,
                                                "0.0.1",
                                                "Test plugin: a descriptor the loader must reject",
                                                kBuild,
                                                &vmbench::plugin_internal::Create<BadSuite>};

}  // namespace

BOOST_DLL_ALIAS_SECTIONED(fake_descriptor, vmbench_plugin, vmbench)
