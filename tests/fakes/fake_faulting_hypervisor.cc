// Test plugin: a backend that is available and creates VMs, but whose vCPU stops with a triple
// fault on every run, so the suite tests can check that a guest failure inside one benchmark
// becomes that benchmark's error while the other benchmarks still run. Built into its own folder
// (see CMakeLists.txt): an available backend among the other fakes would change what `auto` picks.

#include "vmbench/plugin/hypervisor.h"

namespace {

using vmbench::GeneralRegisters;
using vmbench::SpecialRegisters;

class FaultingVcpu final : public vmbench::Vcpu {
 public:
  absl::StatusOr<GeneralRegisters> GetGeneralRegisters() noexcept override { return regs_; }
  absl::Status SetGeneralRegisters(const GeneralRegisters& regs) noexcept override {
    regs_ = regs;
    return absl::OkStatus();
  }
  absl::StatusOr<SpecialRegisters> GetSpecialRegisters() noexcept override { return sregs_; }
  absl::Status SetSpecialRegisters(const SpecialRegisters& sregs) noexcept override {
    sregs_ = sregs;
    return absl::OkStatus();
  }
  absl::StatusOr<vmbench::VcpuExit> Run() noexcept override {
    return vmbench::FaultExit{vmbench::FaultExit::Kind::kShutdown, 0, regs_.rip,
                              "fake_faulting: triple fault (test plugin)"};
  }
  void Interrupt() noexcept override {}
  void ClearInterrupt() noexcept override {}

 private:
  GeneralRegisters regs_;
  SpecialRegisters sregs_;
};

class FaultingVm final : public vmbench::Vm {
 public:
  absl::Status MapMemory(std::uint32_t, std::uint64_t, void*, std::size_t,
                         vmbench::MemoryAccess) noexcept override {
    return absl::OkStatus();
  }
  absl::Status UnmapMemory(std::uint32_t) noexcept override { return absl::OkStatus(); }
  absl::StatusOr<std::unique_ptr<vmbench::Vcpu>> CreateVcpu(std::uint32_t) noexcept override {
    return std::make_unique<FaultingVcpu>();
  }
};

class FaultingHypervisor final : public vmbench::Hypervisor {
 public:
  vmbench::Availability CheckAvailability() noexcept override { return {true, ""}; }
  std::string Version() noexcept override { return "0.0.1"; }
  vmbench::HypervisorCapabilities Capabilities() noexcept override { return {}; }
  absl::StatusOr<std::unique_ptr<vmbench::Vm>> CreateVm() noexcept override {
    return std::make_unique<FaultingVm>();
  }
};

}  // namespace

VMBENCH_PLUGIN(FaultingHypervisor, "fake_faulting", "0.0.1",
               "Test plugin: a backend whose vCPU triple-faults on every run");
