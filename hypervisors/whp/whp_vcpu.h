// The whp backend's vCPU: virtual processor 0 of a WHP partition. Registers, Run and its exits,
// and Interrupt are those of WhpPartition, whose header lists the exits and explains the
// interrupt protocol (WHvCancelRunVirtualProcessor is sticky) and where RIP is after each exit.

#ifndef VMBENCH_HYPERVISORS_WHP_WHP_VCPU_H_
#define VMBENCH_HYPERVISORS_WHP_WHP_VCPU_H_

#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "vmbench/plugin/hypervisor.h"
#include "whp_partition.h"

namespace vmbench::whp {

class WhpVcpu final : public Vcpu {
 public:
  // Created by WhpVm::CreateVcpu once the partition has its virtual processor.
  explicit WhpVcpu(std::shared_ptr<WhpPartition> partition) : partition_(std::move(partition)) {}

  absl::StatusOr<GeneralRegisters> GetGeneralRegisters() noexcept override;
  absl::Status SetGeneralRegisters(const GeneralRegisters& regs) noexcept override;
  absl::StatusOr<SpecialRegisters> GetSpecialRegisters() noexcept override;
  absl::Status SetSpecialRegisters(const SpecialRegisters& sregs) noexcept override;

  absl::StatusOr<VcpuExit> Run() noexcept override;

  void Interrupt() noexcept override;
  void ClearInterrupt() noexcept override;

 private:
  std::shared_ptr<WhpPartition> partition_;
};

}  // namespace vmbench::whp

#endif  // VMBENCH_HYPERVISORS_WHP_WHP_VCPU_H_
