// The kvm hypervisor backend: Linux KVM through direct ioctls on /dev/kvm (<linux/kvm.h>), the
// backend most users run.
//
// Available where /dev/kvm opens read-write and offers API version 12 with KVM_CAP_USER_MEMORY and
// KVM_CAP_IMMEDIATE_EXIT; otherwise unavailable with the precise reason. Supports dirty-page
// tracking (KVM's dirty log) and replaceable memory (KVM follows the host's page tables through
// MMU notifiers). See README.md for what it needs, what it was tested on, and how.

#ifndef VMBENCH_HYPERVISORS_KVM_KVM_HYPERVISOR_H_
#define VMBENCH_HYPERVISORS_KVM_KVM_HYPERVISOR_H_

#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "kvm_device.h"
#include "vmbench/plugin/hypervisor.h"

namespace vmbench::kvm {

class KvmHypervisor final : public Hypervisor {
 public:
  // Probes /dev/kvm until it opens; from then on the open device is kept and shared by every VM.
  Availability CheckAvailability() noexcept override;
  // "KVM API 12, Linux <kernel release>", or "Linux <kernel release>, no usable /dev/kvm".
  std::string Version() noexcept override;
  HypervisorCapabilities Capabilities() noexcept override;
  absl::StatusOr<std::unique_ptr<Vm>> CreateVm() noexcept override;

 private:
  // The open device, opening it on first use. Thread-safe.
  absl::StatusOr<std::shared_ptr<const KvmDevice>> Device() noexcept;

  std::mutex mu_;
  std::shared_ptr<const KvmDevice> device_;  // null until /dev/kvm opened and passed the checks
};

}  // namespace vmbench::kvm

#endif  // VMBENCH_HYPERVISORS_KVM_KVM_HYPERVISOR_H_
