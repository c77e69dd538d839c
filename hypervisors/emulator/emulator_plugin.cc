// The one exported descriptor of the emulator backend plugin.

#include "emulator_hypervisor.h"
#include "vmbench/plugin/plugin.h"

VMBENCH_PLUGIN(
    vmbench::emulator::EmulatorHypervisor, "emulator", "1.0.0",
    "Software x86-64 CPU (Unicorn 2): runs anywhere, measures the emulator, not hardware");
