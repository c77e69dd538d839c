// The whp backend's Windows layer: what a guest access to unbacked memory was.
//
// A WHvRunVpExitReasonMemoryAccess exit gives the guest-physical address, the kind of access and
// the instruction's bytes, but not the operand size or the value written: WHP leaves decoding
// to the host. WinHvEmulation.dll (the emulator QEMU's WHPX used for years) decodes it; run with
// callbacks that record the access and discard every register write, it executes nothing: RIP
// stays at the instruction and the guest's registers are unchanged, which is what MmioExit
// promises ("the access has not completed").

#ifndef VMBENCH_HYPERVISORS_WHP_WHP_MMIO_H_
#define VMBENCH_HYPERVISORS_WHP_WHP_MMIO_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "vmbench/plugin/vcpu_types.h"
#include "whp_api.h"
#include "whp_result.h"

namespace vmbench::whp {

// The host memory behind [gpa, gpa + size) if the guest may access it that way (a read, or a write
// when `write`), or null. The decoder reads mapped memory itself when it needs more than the exit
// carries (instruction bytes beyond the 16 reported, a second memory operand).
using GuestMemoryLookup =
    std::function<std::uint8_t*(std::uint64_t gpa, std::size_t size, bool write)>;

// One WinHvEmulation emulator for the VP 0 of one partition.
class MmioDecoder {
 public:
  // WHvEmulatorCreateEmulator.
  static WhpResult<std::unique_ptr<MmioDecoder>> Create(const WhpApi& api,
                                                        WHV_PARTITION_HANDLE partition);
  MmioDecoder(const MmioDecoder&) = delete;
  MmioDecoder& operator=(const MmioDecoder&) = delete;
  // WHvEmulatorDestroyEmulator. Before the partition is deleted.
  ~MmioDecoder();

  // The access behind the MemoryAccess exit `exit`: an MmioExit when the emulator decoded an access
  // to memory that `lookup` does not back, otherwise a FaultExit kInternalError saying why not.
  // An error only when the emulator itself fails.
  WhpResult<VcpuExit> Decode(const WHV_RUN_VP_EXIT_CONTEXT& exit, const GuestMemoryLookup& lookup);

 private:
  MmioDecoder(const WhpApi& api, WHV_PARTITION_HANDLE partition, WHV_EMULATOR_HANDLE emulator)
      : api_(api), partition_(partition), emulator_(emulator) {}

  const WhpApi& api_;
  WHV_PARTITION_HANDLE partition_;
  WHV_EMULATOR_HANDLE emulator_;
};

}  // namespace vmbench::whp

#endif  // VMBENCH_HYPERVISORS_WHP_WHP_MMIO_H_
