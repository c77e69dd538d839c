// The mshv3 backend's VP: registers (the register page where the hypervisor provides one,
// HVCALL_GET/SET_VP_REGISTERS otherwise), MSHV_RUN_VP and its messages (mshv_intercept.h), and an
// interrupt that survives the kernel's lost-wakeup window.
//
// RIP. The hypervisor stops a VP at an intercepted OUT or HLT without executing it; Run moves RIP
// past the instruction before returning (through the register page's IP class, or a SET of RIP),
// so the exit has the interface's meaning: running again resumes after the OUT, and a snapshot
// taken there resumes there too.
//
// Interrupt. MSHV has no immediate_exit (QEMU's accel/mshv notes it as a TODO): a signal makes
// MSHV_RUN_VP return EINTR, but a signal that lands just before the ioctl starts waiting is lost,
// and the VP runs on. So Interrupt follows Hyperlight's scheme: it sets a flag, then, while the
// flag is set and the VP's thread is inside Run, re-sends the kick signal (SIGRTMIN+1, with a
// no-op handler) every 500 µs. Run checks the flag before each MSHV_RUN_VP; an EINTR with the flag
// set returns CancelledExit and consumes the flag; one without the flag (a stale kick) resumes.
// An interrupt that arrives while no Run is in progress stays for the next Run, as the interface
// requires. Interrupt returns once Run has consumed the flag or left, or after 5 s of kicks (the
// flag then stays set, so the run is cancelled at its next exit at the latest).

#ifndef VMBENCH_HYPERVISORS_MSHV3_MSHV_VCPU_H_
#define VMBENCH_HYPERVISORS_MSHV3_MSHV_VCPU_H_

#include <pthread.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mshv_abi.h"
#include "mshv_device.h"
#include "vmbench/plugin/hypervisor.h"

namespace vmbench::mshv {

class MshvVcpu final : public Vcpu {
 public:
  // MSHV_CREATE_VP `index` on the partition `partition_fd`, and its register page where the
  // kernel offers one (ENODEV, e.g. on SEV-SNP, means none: registers then go by hypercall).
  static absl::StatusOr<std::unique_ptr<MshvVcpu>> Create(int partition_fd,
                                                          std::uint32_t index) noexcept;

  MshvVcpu(const MshvVcpu&) = delete;
  MshvVcpu& operator=(const MshvVcpu&) = delete;
  ~MshvVcpu() override;

  absl::StatusOr<GeneralRegisters> GetGeneralRegisters() noexcept override;
  absl::Status SetGeneralRegisters(const GeneralRegisters& regs) noexcept override;
  absl::StatusOr<SpecialRegisters> GetSpecialRegisters() noexcept override;
  absl::Status SetSpecialRegisters(const SpecialRegisters& sregs) noexcept override;

  absl::StatusOr<VcpuExit> Run() noexcept override;

  void Interrupt() noexcept override;
  void ClearInterrupt() noexcept override;

 private:
  MshvVcpu(FileDescriptor fd, std::uint32_t index, RegisterPage* page)
      : fd_(std::move(fd)), index_(index), page_(page) {}

  // The register page, when mapped and filled by the hypervisor at the last intercept.
  RegisterPage* ValidPage() const {
    return page_ != nullptr && page_->isvalid != 0 ? page_ : nullptr;
  }

  absl::Status GetRegisters(std::span<const std::uint32_t> names, std::span<RegisterValue> values,
                            absl::string_view operation);
  absl::Status SetRegisters(std::span<const std::uint32_t> names,
                            std::span<const RegisterValue> values, absl::string_view operation);
  absl::Status SetRip(std::uint64_t rip);

  void EnterRun();
  void LeaveRun();

  FileDescriptor fd_;
  std::uint32_t index_;
  RegisterPage* page_;  // mmap of fd_, or null

  // Set by Interrupt, consumed by a Run returning CancelledExit, cleared by ClearInterrupt.
  std::atomic<bool> interrupt_{false};
  // Which thread is inside Run, so that Interrupt signals only a thread that is still there.
  std::mutex mu_;
  bool running_ = false;
  pthread_t thread_{};
};

}  // namespace vmbench::mshv

#endif  // VMBENCH_HYPERVISORS_MSHV3_MSHV_VCPU_H_
