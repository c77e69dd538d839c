// The `counting` backend's Vcpu: forwards to the wrapped backend's vCPU, timing every Run and
// counting its exit by kind.

#ifndef VMBENCH_EXAMPLES_COUNTING_VCPU_H_
#define VMBENCH_EXAMPLES_COUNTING_VCPU_H_

#include <memory>

#include "counting_stats.h"
#include "vmbench/plugin/hypervisor.h"

namespace vmbench::counting {

class CountingVcpu final : public Vcpu {
 public:
  CountingVcpu(std::unique_ptr<Vcpu> inner, std::shared_ptr<CountingStats> stats);

  absl::StatusOr<GeneralRegisters> GetGeneralRegisters() noexcept override;
  absl::Status SetGeneralRegisters(const GeneralRegisters& regs) noexcept override;
  absl::StatusOr<SpecialRegisters> GetSpecialRegisters() noexcept override;
  absl::Status SetSpecialRegisters(const SpecialRegisters& sregs) noexcept override;
  absl::StatusOr<VcpuExit> Run() noexcept override;
  void Interrupt() noexcept override;
  void ClearInterrupt() noexcept override;

 private:
  std::unique_ptr<Vcpu> inner_;
  std::shared_ptr<CountingStats> stats_;
};

}  // namespace vmbench::counting

#endif  // VMBENCH_EXAMPLES_COUNTING_VCPU_H_
