// Test plugin: a hypervisor backend that is never available here, so the tests can check how
// `list hypervisors`, `--hypervisor NAME` and `auto` treat an unavailable backend.

#include "vmbench/plugin/hypervisor.h"

namespace {

class FakeHypervisor final : public vmbench::Hypervisor {
 public:
  vmbench::Availability CheckAvailability() noexcept override {
    return {false, "fake_hypervisor: never available (test plugin)"};
  }
  std::string Version() noexcept override { return "0.0.1"; }
  vmbench::HypervisorCapabilities Capabilities() noexcept override { return {}; }
  absl::StatusOr<std::unique_ptr<vmbench::Vm>> CreateVm() noexcept override {
    return absl::UnavailableError("fake_hypervisor: CreateVm: never available (test plugin)");
  }
};

}  // namespace

VMBENCH_PLUGIN(FakeHypervisor, "fake_hypervisor", "0.0.1",
               "Test plugin: a backend that is never available");
