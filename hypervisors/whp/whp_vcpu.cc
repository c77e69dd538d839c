#include "whp_vcpu.h"

#include "whp_status.h"

namespace vmbench::whp {

absl::StatusOr<GeneralRegisters> WhpVcpu::GetGeneralRegisters() noexcept {
  return ToStatusOr(partition_->GetGeneralRegisters());
}

absl::Status WhpVcpu::SetGeneralRegisters(const GeneralRegisters& regs) noexcept {
  return ToStatus(partition_->SetGeneralRegisters(regs));
}

absl::StatusOr<SpecialRegisters> WhpVcpu::GetSpecialRegisters() noexcept {
  return ToStatusOr(partition_->GetSpecialRegisters());
}

absl::Status WhpVcpu::SetSpecialRegisters(const SpecialRegisters& sregs) noexcept {
  return ToStatus(partition_->SetSpecialRegisters(sregs));
}

absl::StatusOr<VcpuExit> WhpVcpu::Run() noexcept { return ToStatusOr(partition_->Run()); }

void WhpVcpu::Interrupt() noexcept { partition_->Interrupt(); }

void WhpVcpu::ClearInterrupt() noexcept { partition_->ClearInterrupt(); }

}  // namespace vmbench::whp
