// The one descriptor of the `counting` plugin.

#include "counting_hypervisor.h"

VMBENCH_PLUGIN(vmbench::counting::CountingHypervisor, "counting", "0.1.0",
               "Example backend: forwards to another backend (VMBENCH_COUNTING_BACKEND, default "
               "emulator) and counts vCPU runs and exits");
