// The whp backend's Windows layer: one WHP partition with one virtual processor, with an
// interface shaped like vmbench::Vm and vmbench::Vcpu so that the plugin's adapter stays thin.
//
// Windows Hypervisor Platform (<winhvplatform.h>, Microsoft's "Windows Hypervisor Platform" API
// documentation), call sequence as in Hyperlight's WhpVm and Microsoft's WinHvSampleAmd64.cpp:
//   WHvCreatePartition, ProcessorCount = 1, WHvSetupPartition; WHvMapGpaRange straight from the
//   caller's host memory; WHvCreateVirtualProcessor(0); registers through
//   WHvGet/SetVirtualProcessorRegisters; WHvRunVirtualProcessor until an exit.
// No local APIC emulation is configured (WHvPartitionPropertyCodeLocalApicEmulationMode stays
// "none"): with the APIC in the hypervisor, WHP keeps a halted VP inside WHvRunVirtualProcessor
// and HLT never exits (QEMU's WHPX: "as of build 19043.1526 (21H1), this exit reason is no longer
// used" with its in-hypervisor APIC), and vmbench guests take no interrupts anyway.
//
// Exits (WHV_RUN_VP_EXIT_CONTEXT.ExitReason):
//   X64IoPortAccess, OUT   IoOutExit with the low AccessSize bytes of RAX. WHP does not advance
//                          RIP at an I/O exit (Hyperlight sets RIP = VpContext.Rip +
//                          InstructionLength itself on WHP, as Cloud Hypervisor and OpenHCL do on
//                          Hyper-V's MSHV intercepts), so Run does it before returning: RIP is
//                          after the OUT, as IoOutExit says;
//   X64IoPortAccess, IN or string I/O (INS/OUTS, REP)
//                          FaultExit kInternalError, RIP at the instruction: the interface has no
//                          way to supply input, and string I/O would need the instruction
//                          emulator to walk memory;
//   X64Halt                HaltExit. RIP is left as WHP reports it, which is taken to be after the
//                          HLT: Microsoft's own VMM on WHP (OpenVMM, vmm_core/virt_whp,
//                          handle_halt) and on Hyper-V intercepts (OpenHCL, handle_halt) mark the
//                          VP halted and never move RIP at a halt, while they do advance it after
//                          every I/O intercept; a RIP left on the HLT would re-execute it after
//                          each wake-up. Not verified on Windows here: whp_probe checks it and says
//                          so. (Were it wrong, the failure is loud, a second HaltExit at once,
//                          rather than a skipped instruction);
//   MemoryAccess           MmioExit (decoded by whp_mmio.h), RIP at the instruction, which has not
//                          completed and is executed again by the next Run; an instruction fetch
//                          from unbacked memory is FaultExit kInternalError;
//   UnrecoverableException FaultExit kShutdown: a triple fault, e.g. any exception in a guest
//                          without an IDT;
//   Canceled               see Interrupt below;
//   anything else          FaultExit kInternalError with the reason's name and RIP.
//
// Interrupt. WHvCancelRunVirtualProcessor makes a running (or the next) WHvRunVirtualProcessor
// return a Canceled exit; a cancel that lands between two runs stays pending (sticky) and cancels
// the next one. Interrupt sets a flag, then cancels if a Run is in progress. Run checks the flag
// before each WHvRunVirtualProcessor; since the flag and the "Run in progress" mark are published
// with sequentially consistent atomics in opposite orders, either Run sees the flag or Interrupt
// sees the mark and cancels, whose stickiness covers the window before entry. A Run that returns
// CancelledExit consumes the flag; a flag set while no Run is in progress stays for the next Run.
// A Canceled exit when no flag is set (a sticky cancel left by an interrupt that arrived as the
// last Run was returning, or one whose flag ClearInterrupt dropped) is stale: Run resumes the
// guest, as Hyperlight does.
//
// Deletion. Hyperlight found that WHvDeletePartition concurrent with WHvCancelRunVirtualProcessor
// from another thread is a use-after-free in WHP (access violations, heap corruption). Every WHP
// call here runs under one SRW lock: shared by Run, Interrupt's cancel and the calls that only
// read, exclusive for the calls that change this object and for Delete, which first cancels a Run
// in progress. No call can overlap the deletion, and every call after it fails cleanly (Interrupt
// does nothing).
//
// Threading: like vmbench::Vm and Vcpu, use one thread at a time, except Interrupt and
// ClearInterrupt (any thread, any time) and Delete (any thread).

#ifndef VMBENCH_HYPERVISORS_WHP_WHP_PARTITION_H_
#define VMBENCH_HYPERVISORS_WHP_WHP_PARTITION_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "vmbench/plugin/vcpu_types.h"
#include "whp_api.h"
#include "whp_mmio.h"
#include "whp_result.h"

namespace vmbench::whp {

// Whether WHP can be used on this machine.
struct WhpAvailability {
  bool available = false;
  // WHvCapabilityCodeFeatures.DirtyPageTracking: WHvMapGpaRangeFlagTrackDirtyPages works.
  bool dirty_tracking = false;
  std::string reason;  // why not, when unavailable
};

// Loads the WHP DLLs and asks WHvGetCapability whether a hypervisor is present and which
// features it has. Cheap after the first call.
WhpAvailability ProbeWhp();

// The version of Windows, which WHP is part of: "10.0.22631" (RtlGetVersion, which, unlike
// GetVersionEx, does not depend on the program's compatibility manifest), or "unknown".
std::string WindowsVersion();

class WhpPartition {
 public:
  // A set-up partition with one processor slot: WHvCreatePartition, the ProcessorCount property,
  // WHvSetupPartition. Unavailable when ProbeWhp says so.
  static WhpResult<std::unique_ptr<WhpPartition>> Create();

  WhpPartition(const WhpPartition&) = delete;
  WhpPartition& operator=(const WhpPartition&) = delete;
  // Delete().
  ~WhpPartition();

  // Maps `size` bytes of this process's memory at `host` to guest-physical `gpa`
  // (WHvMapGpaRange, Read | Execute, plus Write for kReadWrite). Both page-aligned; the memory
  // must stay valid until UnmapMemory or Delete. WHP has no slots and silently replaces an
  // existing mapping, so `slot` is this layer's name for the range and overlaps are refused here.
  WhpStatus MapMemory(std::uint32_t slot, std::uint64_t gpa, void* host, std::size_t size,
                      MemoryAccess access);
  // WHvUnmapGpaRange of the slot's range.
  WhpStatus UnmapMemory(std::uint32_t slot);

  // Dirty-page tracking needs a range mapped with WHvMapGpaRangeFlagTrackDirtyPages, so this maps
  // the slot's range again with the flag (WHvMapGpaRange replaces the mapping of those pages),
  // then clears the log, which starts empty. Enabling again keeps it. FailedPrecondition where
  // the hypervisor lacks the feature.
  WhpStatus EnableDirtyTracking(std::uint32_t slot);
  // The pages of the slot written since tracking began or the last call, one bit per 4 KiB page
  // (bit i of word i / 64 for page i), and clears them. Call while the vCPU does not run.
  WhpResult<std::vector<std::uint64_t>> TakeDirtyPages(std::uint32_t slot);

  // WHvCreateVirtualProcessor(0), once per partition (FailedPrecondition after that), and the
  // instruction emulator that decodes its MMIO exits.
  WhpStatus CreateVcpu();

  WhpResult<GeneralRegisters> GetGeneralRegisters();
  WhpStatus SetGeneralRegisters(const GeneralRegisters& regs);
  WhpResult<SpecialRegisters> GetSpecialRegisters();
  WhpStatus SetSpecialRegisters(const SpecialRegisters& sregs);

  // Runs VP 0 until an exit the host must handle (see the list above).
  WhpResult<VcpuExit> Run();

  // See "Interrupt" above. Never block for long and never fail.
  void Interrupt() noexcept;
  void ClearInterrupt() noexcept;

  // Deletes the processor and the partition now, once; a Run in progress returns an error. Every
  // later call fails with FailedPrecondition and Interrupt does nothing.
  void Delete() noexcept;

 private:
  struct Slot {
    std::uint64_t gpa = 0;
    std::uint64_t size = 0;
    void* host = nullptr;
    WHV_MAP_GPA_RANGE_FLAGS flags = WHvMapGpaRangeFlagNone;
  };

  WhpPartition(const WhpApi& api, WHV_PARTITION_HANDLE handle) : api_(api), handle_(handle) {}

  // FailedPrecondition naming `operation` unless the partition (and, with `need_processor`, the
  // processor) exists. Under the lock.
  WhpStatus CheckUsable(const char* operation, bool need_processor) const;
  // The slot, or InvalidArgument naming `operation`. Under the lock.
  WhpResult<Slot*> FindSlot(const char* operation, std::uint32_t slot);
  // The host memory behind [gpa, gpa + size) when a slot backs all of it for that kind of access.
  std::uint8_t* HostMemory(std::uint64_t gpa, std::size_t size, bool write) const;

  // Run's loop, between marking the Run in progress and unmarking it. Under the lock.
  WhpResult<VcpuExit> RunUntilExit();
  // The neutral exit for `exit`. Under the lock.
  WhpResult<VcpuExit> DecodeExit(const WHV_RUN_VP_EXIT_CONTEXT& exit);
  WhpResult<VcpuExit> DecodeIoPort(const WHV_RUN_VP_EXIT_CONTEXT& exit);

  const WhpApi& api_;
  WHV_PARTITION_HANDLE handle_;  // null once deleted
  bool dirty_tracking_supported_ = false;
  std::unique_ptr<MmioDecoder> mmio_;  // with the processor
  bool processor_created_ = false;
  // The APIC base as WHP holds it: written only when SetSpecialRegisters changes it (see there).
  std::uint64_t apic_base_ = 0;
  std::map<std::uint32_t, Slot> slots_;

  // See "Deletion" above.
  SRWLOCK lock_ = SRWLOCK_INIT;
  std::atomic<bool> deleting_{false};
  // See "Interrupt" above.
  std::atomic<bool> interrupt_{false};
  std::atomic<bool> running_{false};
};

}  // namespace vmbench::whp

#endif  // VMBENCH_HYPERVISORS_WHP_WHP_PARTITION_H_
