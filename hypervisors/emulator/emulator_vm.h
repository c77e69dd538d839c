// The emulator backend's VM: guest-physical memory slots mapped into one Unicorn instance, one
// vCPU, and dirty-page tracking.
//
// Memory is mapped zero-copy (uc_mem_map_ptr): guest stores land in the caller's buffer, and the
// caller may replace the pages behind a mapping (MADV_DONTNEED, mmap MAP_FIXED) because Unicorn
// only keeps the host address. What Unicorn does keep is translated code: a host write to a page
// the guest has executed from would leave stale translations behind. TakeDirtyPages drops the
// translations of every page it returns, so restoring exactly those pages is safe. (Rewriting a
// page the guest executed but never wrote, after it ran, is the one case left unhandled; the
// sandbox never does it: it loads code before the first run.)
//
// Not thread-safe: use a VM and its vCPU from one thread at a time (only Vcpu::Interrupt may be
// called from any thread).

#ifndef VMBENCH_HYPERVISORS_EMULATOR_EMULATOR_VM_H_
#define VMBENCH_HYPERVISORS_EMULATOR_EMULATOR_VM_H_

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "emulator_engine.h"
#include "vmbench/plugin/hypervisor.h"

namespace vmbench::emulator {

class EmulatorVm final : public Vm {
 public:
  static absl::StatusOr<std::unique_ptr<EmulatorVm>> Create() noexcept;

  absl::Status MapMemory(std::uint32_t slot, std::uint64_t gpa, void* host, std::size_t size,
                         MemoryAccess access) noexcept override;
  absl::Status UnmapMemory(std::uint32_t slot) noexcept override;

  // One vCPU per VM: index 0, once at a time (InvalidArgument for another index,
  // FailedPrecondition while vCPU 0 exists).
  absl::StatusOr<std::unique_ptr<Vcpu>> CreateVcpu(std::uint32_t index) noexcept override;

  // Dirty pages are recorded by a write hook over the slot, added here. Enabling starts with a
  // clean log; enabling again keeps the log. TakeDirtyPages also drops Unicorn's translations of
  // the pages it returns (see the file comment).
  absl::Status EnableDirtyTracking(std::uint32_t slot) noexcept override;
  absl::StatusOr<std::vector<std::uint64_t>> TakeDirtyPages(std::uint32_t slot) noexcept override;

  // Empties Unicorn's software TLB. Unicorn 2.0.1 does not do it when CR0, CR3, CR4 or EFER are
  // written through its API, and offers no call for it: mapping (and unmapping) memory is the one
  // public operation that flushes, so this maps a scratch page at an unused guest-physical
  // address and unmaps it again (25-35 us).
  absl::Status FlushTlb() noexcept;

  Engine& engine() { return *engine_; }

  // Called by the vCPU's destructor, so that vCPU 0 may be created again.
  void ReleaseVcpu() noexcept { has_vcpu_ = false; }

 private:
  // The dirty-page log of one slot: bit i of words[i / 64] is set when the guest wrote to the
  // page at begin + i * 4 KiB since the log was last taken. Heap-allocated: its hook keeps its
  // address.
  struct DirtyLog {
    std::uint64_t begin = 0;
    std::uint64_t end = 0;
    std::vector<std::uint64_t> words;
    uc_hook hook = 0;
  };
  struct Slot {
    std::uint64_t gpa = 0;
    std::uint64_t size = 0;
    std::unique_ptr<DirtyLog> dirty;  // null until EnableDirtyTracking
  };

  explicit EmulatorVm(std::unique_ptr<Engine> engine) : engine_(std::move(engine)) {}

  static void OnWrite(uc_engine* uc, uc_mem_type type, std::uint64_t address, int size,
                      std::int64_t value, void* user);

  // Drops Unicorn's translated code for guest-physical [begin, end), within one slot, so that the
  // next run translates the memory's current content.
  absl::Status FlushTranslations(std::uint64_t begin, std::uint64_t end);

  std::unique_ptr<Engine> engine_;
  std::map<std::uint32_t, Slot> slots_;
  bool has_vcpu_ = false;
};

}  // namespace vmbench::emulator

#endif  // VMBENCH_HYPERVISORS_EMULATOR_EMULATOR_VM_H_
