// The one exported descriptor of the whp backend plugin.

#include "vmbench/plugin/plugin.h"
#include "whp_hypervisor.h"

VMBENCH_PLUGIN(vmbench::whp::WhpHypervisor, "whp", "1.0.0",
               "Windows Hypervisor Platform (WinHvPlatform.dll): hardware virtualization on "
               "Windows 10 1809 / Windows Server 2019 or later");
