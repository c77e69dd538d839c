// vmbench plugin SDK: hypervisor backends.
//
// One interface per object lifetime, as in cloud-hypervisor and Hyperlight:
//   Hypervisor  the backend (kvm, mshv3, whp, emulator): is it usable here, create a VM;
//   Vm          guest physical memory and vCPUs of one micro-VM;
//   Vcpu        registers, run until an exit, interrupt from another thread.
// Native structures (kvm_regs, WHV_REGISTER_VALUE, ...) are converted to the neutral types below
// inside the backend; the sandbox runtime and the suites never depend on a particular backend.
// Every call is noexcept and reports failure as a Status whose message names the backend, the
// operation and the cause, e.g. "kvm: KVM_CREATE_VM failed: Permission denied".

#ifndef VMBENCH_PLUGIN_HYPERVISOR_H_
#define VMBENCH_PLUGIN_HYPERVISOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "vmbench/plugin/plugin.h"
#include "vmbench/plugin/vcpu_types.h"

namespace vmbench {

// A virtual CPU. Owned by the caller; must not outlive its Vm.
class Vcpu {
 public:
  virtual ~Vcpu();

  virtual absl::StatusOr<GeneralRegisters> GetGeneralRegisters() noexcept = 0;
  virtual absl::Status SetGeneralRegisters(const GeneralRegisters& regs) noexcept = 0;
  virtual absl::StatusOr<SpecialRegisters> GetSpecialRegisters() noexcept = 0;
  virtual absl::Status SetSpecialRegisters(const SpecialRegisters& sregs) noexcept = 0;

  // Runs the guest on the calling thread until the next exit the host must handle.
  virtual absl::StatusOr<VcpuExit> Run() noexcept = 0;

  // Makes a Run on another thread return CancelledExit promptly. May be called from any thread at
  // any time. An interrupt that arrives while the vCPU is not running is kept, so the next Run
  // returns CancelledExit at once (an interrupt racing with entry is never lost); ClearInterrupt
  // drops a pending one, so that a stale interrupt cannot cancel a later, unrelated call.
  virtual void Interrupt() noexcept = 0;
  virtual void ClearInterrupt() noexcept = 0;
};

// One micro-VM: guest-physical memory and vCPUs. Owned by the caller; must not outlive its
// Hypervisor.
class Vm {
 public:
  virtual ~Vm();

  // Maps `size` bytes of host memory at `host` to guest-physical `gpa`. Both page-aligned. The host
  // memory must stay valid until UnmapMemory. `slot` identifies the region for UnmapMemory.
  virtual absl::Status MapMemory(std::uint32_t slot, std::uint64_t gpa, void* host,
                                 std::size_t size, MemoryAccess access) noexcept = 0;
  virtual absl::Status UnmapMemory(std::uint32_t slot) noexcept = 0;

  // Creates vCPU number `index` (0 for the first).
  virtual absl::StatusOr<std::unique_ptr<Vcpu>> CreateVcpu(std::uint32_t index) noexcept = 0;

  // Dirty-page tracking, when Hypervisor::Capabilities says it is supported: starts tracking the
  // region of `slot`, and returns (and clears) the bitmap of pages written since the last call,
  // one bit per 4 KiB page, bit i of word i/64 for page i. Call TakeDirtyPages while no vCPU of
  // the VM runs; the host may then rewrite the pages it returned (a snapshot restore) before the
  // next Run, and the guest sees the new content even where the backend caches translated code.
  virtual absl::Status EnableDirtyTracking(std::uint32_t slot) noexcept;
  virtual absl::StatusOr<std::vector<std::uint64_t>> TakeDirtyPages(std::uint32_t slot) noexcept;
};

// What a backend can do beyond the required operations.
struct HypervisorCapabilities {
  bool dirty_tracking = false;
  // Whether the host pages behind a mapping may be replaced (e.g. with MADV_DONTNEED or a new
  // mmap over them) while mapped. False when the backend pins guest memory (mshv3): the sandbox
  // then restores a snapshot by copying pages, never by replacing them.
  bool replaceable_memory = false;
};

// Whether a backend can run on this machine, and if not, why.
struct Availability {
  bool available = false;
  std::string reason;  // e.g. "/dev/kvm: No such file or directory"; empty when available
};

// A hypervisor backend plugin.
class Hypervisor : public Plugin {
 public:
  ~Hypervisor() override;

  // Probes this machine (device present, API version, capabilities). Cheap enough to call from
  // `vmbench list hypervisors`.
  virtual Availability CheckAvailability() noexcept = 0;

  // The version of the hypervisor itself (e.g. KVM API version, Unicorn version).
  virtual std::string Version() noexcept = 0;

  virtual HypervisorCapabilities Capabilities() noexcept = 0;

  // Creates a VM. Unavailable when CheckAvailability says so.
  virtual absl::StatusOr<std::unique_ptr<Vm>> CreateVm() noexcept = 0;
};

}  // namespace vmbench

#endif  // VMBENCH_PLUGIN_HYPERVISOR_H_
