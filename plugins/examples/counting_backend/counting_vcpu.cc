#include "counting_vcpu.h"

#include <chrono>
#include <cstdint>
#include <utility>

namespace vmbench::counting {

CountingVcpu::CountingVcpu(std::unique_ptr<Vcpu> inner, std::shared_ptr<CountingStats> stats)
    : inner_(std::move(inner)), stats_(std::move(stats)) {}

absl::StatusOr<GeneralRegisters> CountingVcpu::GetGeneralRegisters() noexcept {
  return inner_->GetGeneralRegisters();
}

absl::Status CountingVcpu::SetGeneralRegisters(const GeneralRegisters& regs) noexcept {
  return inner_->SetGeneralRegisters(regs);
}

absl::StatusOr<SpecialRegisters> CountingVcpu::GetSpecialRegisters() noexcept {
  return inner_->GetSpecialRegisters();
}

absl::Status CountingVcpu::SetSpecialRegisters(const SpecialRegisters& sregs) noexcept {
  return inner_->SetSpecialRegisters(sregs);
}

absl::StatusOr<VcpuExit> CountingVcpu::Run() noexcept {
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<VcpuExit> exit = inner_->Run();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  // Relaxed: the counters are only read once every vCPU is gone (the summary line), after the
  // threads that ran them have been joined.
  stats_->runs.fetch_add(1, std::memory_order_relaxed);
  stats_->run_ns.fetch_add(
      static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()),
      std::memory_order_relaxed);
  if (exit.ok()) {
    stats_->exits[exit->index()].fetch_add(1, std::memory_order_relaxed);
  } else {
    stats_->run_errors.fetch_add(1, std::memory_order_relaxed);
  }
  return exit;
}

void CountingVcpu::Interrupt() noexcept {
  stats_->interrupts.fetch_add(1, std::memory_order_relaxed);
  inner_->Interrupt();
}

void CountingVcpu::ClearInterrupt() noexcept { inner_->ClearInterrupt(); }

}  // namespace vmbench::counting
