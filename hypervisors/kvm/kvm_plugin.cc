// The one exported descriptor of the kvm backend plugin.

#include "kvm_hypervisor.h"
#include "vmbench/plugin/plugin.h"

VMBENCH_PLUGIN(vmbench::kvm::KvmHypervisor, "kvm", "1.0.0",
               "Linux KVM through /dev/kvm ioctls: hardware virtualization, the backend most "
               "users run");
