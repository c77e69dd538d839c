// The one exported descriptor of the mshv3 backend plugin.

#include "mshv_hypervisor.h"
#include "vmbench/plugin/plugin.h"

VMBENCH_PLUGIN(vmbench::mshv::MshvHypervisor, "mshv3", "1.0.0",
               "Linux as the root partition of the Microsoft Hypervisor, through /dev/mshv ioctls "
               "(upstream mshv3 numbers, Linux 6.15+): Azure Linux hosts");
