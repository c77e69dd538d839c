// The mshv3 hypervisor backend: Linux as the root partition of the Microsoft Hypervisor, through
// direct ioctls on /dev/mshv with the upstream ("mshv3", Linux 6.15+) numbers. The ABI structures
// are this backend's own (mshv_abi.h), since Debian 12 ships no linux/mshv.h.
//
// Available where /dev/mshv opens read-write; otherwise unavailable with the reason. Supports
// dirty-page tracking (the hypervisor's GPA access bitmap); memory is pinned, so not replaceable.
// See README.md for what it needs, what was verified and how (contract tests against an ioctl
// interposer, not a real host).

#ifndef VMBENCH_HYPERVISORS_MSHV3_MSHV_HYPERVISOR_H_
#define VMBENCH_HYPERVISORS_MSHV3_MSHV_HYPERVISOR_H_

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "mshv_device.h"
#include "vmbench/plugin/hypervisor.h"

namespace vmbench::mshv {

class MshvHypervisor final : public Hypervisor {
 public:
  // Opens /dev/mshv until it opens; from then on the open device is kept for every VM.
  Availability CheckAvailability() noexcept override;
  // "mshv3 ioctls, Linux <kernel release>", or "Linux <kernel release>, no usable /dev/mshv".
  std::string Version() noexcept override;
  HypervisorCapabilities Capabilities() noexcept override;
  absl::StatusOr<std::unique_ptr<Vm>> CreateVm() noexcept override;

 private:
  // The descriptor of the open device, opening it on first use. Thread-safe.
  absl::StatusOr<int> Device() noexcept;

  std::mutex mu_;
  std::optional<FileDescriptor> device_;  // empty until /dev/mshv opened
};

}  // namespace vmbench::mshv

#endif  // VMBENCH_HYPERVISORS_MSHV3_MSHV_HYPERVISOR_H_
