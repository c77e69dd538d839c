// Test plugin whose constructor throws: the SDK's factory turns that into a status inside the
// plugin, and the registry rejects the plugin with that message.

#include <stdexcept>

#include "vmbench/plugin/suite.h"

namespace {

class FailingSuite final : public vmbench::Suite {
 public:
  FailingSuite() { throw std::runtime_error("fake_factory_fails: refusing to be constructed"); }
  bool NeedsHypervisor() const noexcept override { return false; }
  absl::StatusOr<std::vector<vmbench::BenchmarkSpec>> Benchmarks(
      const vmbench::SuiteContext& /*context*/) noexcept override {
    return std::vector<vmbench::BenchmarkSpec>{};
  }
};

}  // namespace

VMBENCH_PLUGIN(FailingSuite, "fake_factory_fails", "0.0.1", "Test plugin: the factory fails");
