// The emulator backend's vCPU: registers and runs of a Unicorn x86-64 CPU.
//
// Exits (RIP after each, as on hardware backends):
//   OUT            IoOutExit, RIP after the OUT (precise: see emulator_engine.cc);
//   HLT            HaltExit, RIP after the HLT (Unicorn cannot hook HLT: uc_emu_start returns OK
//                  with no event recorded, and the byte before RIP is checked to be 0xF4);
//   unmapped or read-only memory access
//                  MmioExit, RIP at the accessing instruction, which has not completed;
//   CPU exception  FaultExit kException with the vector. Unicorn never delivers exceptions to the
//                  guest's IDT, so a guest's own exception handlers do not run on this backend;
//                  #UD (which Unicorn reports as UC_ERR_INSN_INVALID) is vector 6 as well;
//   IN             FaultExit kInternalError: the interface has no exit through which the host
//                  could supply the value;
//   instruction fetch from unmapped memory, other Unicorn errors
//                  FaultExit kInternalError with Unicorn's message.
//
// Registers Unicorn 2.0.1 cannot report are kept as last set: the descriptor caches (everything
// but the selector) of CS, DS, ES, FS, GS and SS, CR8 and the APIC base. Unicorn runs 64-bit code
// from its execution mode, not from CS, so only 64-bit states are accepted (CS.L set, EFER.LMA
// set); EFER.SCE and EFER.NXE cannot be set because Unicorn's CPU model lacks SYSCALL and NX.

#ifndef VMBENCH_HYPERVISORS_EMULATOR_EMULATOR_VCPU_H_
#define VMBENCH_HYPERVISORS_EMULATOR_EMULATOR_VCPU_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "emulator_engine.h"
#include "vmbench/plugin/hypervisor.h"

namespace vmbench::emulator {

class EmulatorVm;

class EmulatorVcpu final : public Vcpu {
 public:
  // Created by EmulatorVm::CreateVcpu; `vm` must outlive the vCPU.
  explicit EmulatorVcpu(EmulatorVm& vm);
  ~EmulatorVcpu() override;

  absl::StatusOr<GeneralRegisters> GetGeneralRegisters() noexcept override;
  absl::Status SetGeneralRegisters(const GeneralRegisters& regs) noexcept override;
  absl::StatusOr<SpecialRegisters> GetSpecialRegisters() noexcept override;
  // Writes CR3, CR4, EFER and then CR0 (the order that turns on paging), and empties Unicorn's
  // TLB when any of them changes, as loading CR3 does on hardware.
  absl::Status SetSpecialRegisters(const SpecialRegisters& sregs) noexcept override;

  absl::StatusOr<VcpuExit> Run() noexcept override;

  // The interrupt is a flag, not an event: Interrupt sets it, and the only things that clear it
  // are a Run returning CancelledExit and ClearInterrupt. Run checks it on entry and the code
  // hook checks it before every guest instruction, so whenever Interrupt happens relative to
  // entry (before Run, during the entry check, before the first instruction, or mid-run) the
  // flag is seen at the next check and that Run, or the next one, returns CancelledExit. An
  // interrupt racing with entry is therefore never lost. A stale one (aimed at a call that
  // finished anyway) stays pending until ClearInterrupt, which the caller issues before it
  // starts an unrelated call.
  void Interrupt() noexcept override;
  void ClearInterrupt() noexcept override;

 private:
  VcpuExit ExitFromEvent(uc_err err, std::uint64_t rip);

  EmulatorVm& vm_;
  Engine& engine_;
  // What Unicorn cannot report (see the file comment); the selectors, FS and GS bases, TR and
  // LDTR are read from Unicorn.
  Segment cs_, ds_, es_, fs_, gs_, ss_;
  std::uint64_t cr8_ = 0;
  std::uint64_t apic_base_ = 0;
};

}  // namespace vmbench::emulator

#endif  // VMBENCH_HYPERVISORS_EMULATOR_EMULATOR_VCPU_H_
