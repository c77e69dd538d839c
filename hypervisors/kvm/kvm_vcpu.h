// The kvm backend's vCPU: registers (KVM_GET/SET_REGS, KVM_GET/SET_SREGS), KVM_RUN and its exits,
// and a race-free interrupt from other threads.
//
// Exits (Documentation/virt/kvm/api.rst, "struct kvm_run"):
//   KVM_EXIT_IO, OUT   IoOutExit with port, size and value; RIP after the OUT (see "Pending
//                      exits" below);
//   KVM_EXIT_IO, IN    FaultExit kInternalError (the interface has no exit through which the host
//                      could supply the value), RIP at the IN; a string OUT of more than one item
//                      (rep outs) likewise;
//   KVM_EXIT_HLT       HaltExit, RIP after the HLT (KVM skips it before exiting);
//   KVM_EXIT_MMIO      MmioExit, RIP at the accessing instruction, which has not completed;
//   KVM_EXIT_SHUTDOWN  FaultExit kShutdown: a triple fault, e.g. any exception in a guest without
//                      an IDT. On AMD hosts KVM then INITs the vCPU (arch/x86/kvm/svm/svm.c,
//                      shutdown_interception: "VMCB is undefined after a SHUTDOWN intercept"), so
//                      the registers hold the reset state and the faulting RIP is lost; the
//                      detail says so;
//   KVM_EXIT_FAIL_ENTRY, KVM_EXIT_INTERNAL_ERROR, any other reason
//                      FaultExit kInternalError with KVM's detail and RIP;
//   KVM_RUN failing with EINTR
//                      CancelledExit when Interrupt asked for it; otherwise (another signal with a
//                      handler, or a stale kick) the run resumes, as SA_RESTART would resume a
//                      system call;
//   KVM_RUN failing otherwise
//                      an error "kvm: KVM_RUN failed: <strerror>".
//
// Pending exits. At an I/O or MMIO exit KVM has not finished the instruction: RIP still points at
// it, and the next KVM_RUN finishes it ("complete_userspace_io"; api.rst: "the corresponding
// operations are complete (and guest state is consistent) only after userspace has re-entered the
// kernel with KVM_RUN"). The interface promises RIP after an OUT once Run has returned, so the
// completion must happen before anyone can look. It is done lazily, only when registers are
// accessed, by a KVM_RUN with immediate_exit set, which completes the instruction and returns
// EINTR without entering the guest (api.rst, immediate_exit: "userspace can re-enter the guest
// with ... the immediate_exit field set to complete pending operations without allowing any
// further instructions to be executed"):
//   - the common path after an OUT is the host handling it and calling Run again, whose KVM_RUN
//     completes the OUT for free; an eager completion would add a second KVM_RUN to every exit,
//     where the lazy one costs one per register access (a snapshot, the start of a call);
//   - Get*Registers after an OUT complete it first, so RIP reads after the OUT;
//   - Set*Registers after any I/O or MMIO exit complete it first, so that KVM's completion cannot
//     act on the new state: the fast-PIO completion skips one instruction whenever RIP still
//     equals the OUT's address (arch/x86/kvm/x86.c, complete_fast_pio_out), and the emulator's
//     completion of IN and MMIO writes back its own RIP and destination register;
//   - after an IN or MMIO exit, Get*Registers do not complete: RIP stays at the instruction, as
//     MmioExit describes. Completing such an exit (on Set*Registers or the next Run) finishes the
//     access: a read gets zeros (the data area is zeroed at the exit), a write is dropped.
//
// Interrupt (api.rst, immediate_exit: "userspace can set up a signal handler that sets
// run->immediate_exit to a non-zero value"): Interrupt sets a flag and, when a Run is in
// progress, sends the kick signal (SIGRTMIN) to the thread running it. The process-wide handler
// sets immediate_exit in the kvm_run of the vCPU its thread is running (a thread_local pointer).
// Run checks the flag before every KVM_RUN, and whoever publishes second (the running thread or
// the flag, under one mutex) sees the other: a flag set before Run publishes its thread is seen by
// the check; a flag set after it comes with a signal, which either sets immediate_exit before
// KVM_RUN (EINTR at once) or interrupts it (EINTR). Either way Run returns CancelledExit and
// consumes the flag; a flag set while no Run is in progress stays for the next Run. A signal that
// arrives after its flag was consumed or cleared (a stale kick) only causes an EINTR with no flag
// set, on which Run resumes: it never cancels a later call. Run unblocks the kick signal in each
// thread that runs a vCPU.

#ifndef VMBENCH_HYPERVISORS_KVM_KVM_VCPU_H_
#define VMBENCH_HYPERVISORS_KVM_KVM_VCPU_H_

#include <linux/kvm.h>
#include <pthread.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kvm_device.h"
#include "vmbench/plugin/hypervisor.h"

namespace vmbench::kvm {

class KvmVcpu final : public Vcpu {
 public:
  // KVM_CREATE_VCPU (id 0) on the VM `vm_fd`, the shared kvm_run area, and the guest's CPUID
  // (KVM_SET_CPUID2 from `device`). Installs the kick signal's handler on first use.
  static absl::StatusOr<std::unique_ptr<KvmVcpu>> Create(const KvmDevice& device,
                                                         int vm_fd) noexcept;

  KvmVcpu(const KvmVcpu&) = delete;
  KvmVcpu& operator=(const KvmVcpu&) = delete;
  ~KvmVcpu() override;

  absl::StatusOr<GeneralRegisters> GetGeneralRegisters() noexcept override;
  absl::Status SetGeneralRegisters(const GeneralRegisters& regs) noexcept override;
  absl::StatusOr<SpecialRegisters> GetSpecialRegisters() noexcept override;
  absl::Status SetSpecialRegisters(const SpecialRegisters& sregs) noexcept override;

  absl::StatusOr<VcpuExit> Run() noexcept override;

  void Interrupt() noexcept override;
  void ClearInterrupt() noexcept override;

 private:
  // What KVM still has to finish from the last exit (see "Pending exits" above).
  enum class Pending {
    kNone,
    kOut,     // an OUT: RIP is still at it
    kAccess,  // an IN or MMIO access: RIP is still at it, and it has not completed
  };

  KvmVcpu(FileDescriptor fd, kvm_run* run, std::size_t run_size)
      : fd_(std::move(fd)), run_(run), run_size_(run_size) {}

  // Lets KVM finish the pending exit with a KVM_RUN that has immediate_exit set: a pending OUT
  // always, a pending IN or MMIO access only when `include_access` (register writes). `caller`
  // names the operation in errors.
  absl::Status Complete(bool include_access, absl::string_view caller);

  // Marks this thread as the one running the vCPU (and unmarks it), for Interrupt's signal.
  void EnterRun();
  void LeaveRun();

  // The neutral exit for the exit_reason KVM_RUN just left in run_.
  absl::StatusOr<VcpuExit> DecodeExit();
  // A FaultExit of `kind` whose detail is `what` followed by the current RIP.
  VcpuExit Fault(FaultExit::Kind kind, std::string what);

  FileDescriptor fd_;
  kvm_run* run_;  // mmap of fd_, run_size_ bytes
  std::size_t run_size_;
  Pending pending_ = Pending::kNone;

  // Set by Interrupt, consumed by a Run returning CancelledExit, cleared by ClearInterrupt.
  std::atomic<bool> interrupt_{false};
  // Which thread is inside Run, so that Interrupt signals only a thread that is still there.
  std::mutex mu_;
  bool running_ = false;
  pthread_t thread_{};
};

}  // namespace vmbench::kvm

#endif  // VMBENCH_HYPERVISORS_KVM_KVM_VCPU_H_
