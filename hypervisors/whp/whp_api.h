// The whp backend's Windows layer: the WinHvPlatform and WinHvEmulation functions it calls,
// resolved at run time.
//
// The two DLLs are loaded with LoadLibraryExW from System32 and every function with
// GetProcAddress, as QEMU's WHPX accelerator does, rather than through import libraries. The DLLs
// exist only where the optional Windows feature "Windows Hypervisor Platform" is enabled; an
// import would stop a program (whp_probe.exe) from starting and a plugin from loading there,
// whereas run-time loading lets both report the backend unavailable, with the reason. Each
// pointer has the exact type of the function's declaration in <winhvplatform.h> or
// <winhvemulation.h> (decltype), so calls are checked as if they were direct.
//
// Requires Windows 10 1809 / Windows Server 2019 or later: WHvQueryGpaRangeDirtyBitmap first
// appeared there.

#ifndef VMBENCH_HYPERVISORS_WHP_WHP_API_H_
#define VMBENCH_HYPERVISORS_WHP_WHP_API_H_

#include <windows.h>  // first: the WHP headers rely on its types
#include <winhvemulation.h>
#include <winhvplatform.h>

#include "whp_result.h"

namespace vmbench::whp {

// X(name) for every function of WinHvPlatform.dll the backend calls.
#define VMB_WHP_PLATFORM_FUNCTIONS(X) \
  X(WHvGetCapability)                 \
  X(WHvCreatePartition)               \
  X(WHvSetPartitionProperty)          \
  X(WHvSetupPartition)                \
  X(WHvDeletePartition)               \
  X(WHvMapGpaRange)                   \
  X(WHvUnmapGpaRange)                 \
  X(WHvTranslateGva)                  \
  X(WHvCreateVirtualProcessor)        \
  X(WHvDeleteVirtualProcessor)        \
  X(WHvRunVirtualProcessor)           \
  X(WHvCancelRunVirtualProcessor)     \
  X(WHvGetVirtualProcessorRegisters)  \
  X(WHvSetVirtualProcessorRegisters)  \
  X(WHvQueryGpaRangeDirtyBitmap)

// X(name) for every function of WinHvEmulation.dll the backend calls (MMIO decoding, whp_mmio.h).
#define VMB_WHP_EMULATION_FUNCTIONS(X) \
  X(WHvEmulatorCreateEmulator)         \
  X(WHvEmulatorDestroyEmulator)        \
  X(WHvEmulatorTryMmioEmulation)

// The resolved functions, one member per function, named and typed as declared.
struct WhpApi {
#define VMB_WHP_DECLARE_FUNCTION(name) decltype(&::name) name = nullptr;
  VMB_WHP_PLATFORM_FUNCTIONS(VMB_WHP_DECLARE_FUNCTION)
  VMB_WHP_EMULATION_FUNCTIONS(VMB_WHP_DECLARE_FUNCTION)
#undef VMB_WHP_DECLARE_FUNCTION
};

// The functions, loading the DLLs on first use. Thread-safe; the outcome, success or failure, is
// kept for the life of the process (the DLLs are never unloaded, so the pointers stay valid).
// Unavailable when a DLL is missing ("... is not installed: enable the Windows feature ...") or
// lacks a function (an older Windows).
WhpResult<const WhpApi*> LoadWhpApi();

}  // namespace vmbench::whp

#endif  // VMBENCH_HYPERVISORS_WHP_WHP_API_H_
