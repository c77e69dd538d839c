// Test plugin: built twice into two files that both call themselves "fake_duplicate"; the
// registry keeps the first and rejects the second, naming both files.

#include "vmbench/plugin/suite.h"

namespace {

class DuplicateSuite final : public vmbench::Suite {
 public:
  bool NeedsHypervisor() const noexcept override { return false; }
  absl::StatusOr<std::vector<vmbench::BenchmarkSpec>> Benchmarks(
      const vmbench::SuiteContext& /*context*/) noexcept override {
    return std::vector<vmbench::BenchmarkSpec>{};
  }
};

}  // namespace

VMBENCH_PLUGIN(DuplicateSuite, "fake_duplicate", "0.0.1", "Test plugin: a name given twice");
