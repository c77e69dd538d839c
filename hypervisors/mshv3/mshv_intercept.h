// Decoding the message MSHV_RUN_VP returns into the neutral exit.
//
// Messages (HVMSG_*):
//   X64_IO_PORT_INTERCEPT, OUT   IoOutExit with the low access-size bytes of RAX; resume_rip is
//                                RIP + the instruction length: the hypervisor leaves RIP at the
//                                OUT, and the host must move it on;
//   X64_IO_PORT_INTERCEPT, other FaultExit kInternalError: IN (the interface has no way to hand
//                                the guest a value) and string I/O (INS/OUTS, which the hypervisor
//                                leaves to the host's instruction emulator), RIP at the
//                                instruction;
//   X64_HALT                     HaltExit; resume_rip is after the HLT (RIP + the reported length,
//                                or 1, HLT's length, where none is reported) [inferred: the
//                                hypervisor reports intercepted instructions unexecuted];
//   UNMAPPED_GPA, GPA_INTERCEPT  MmioExit with the GPA and the direction; size and value are 0,
//                                because MSHV reports neither (a VMM decodes the instruction
//                                bytes to get them) and vmbench guests do no MMIO;
//   UNRECOVERABLE_EXCEPTION      FaultExit kShutdown (a triple fault) with RIP;
//   anything else                FaultExit kInternalError naming the message type.
// The message comes from the kernel, but it is checked like any untrusted record: payload size
// against the structure read, instruction length within 1-15, access size 1, 2 or 4.

#ifndef VMBENCH_HYPERVISORS_MSHV3_MSHV_INTERCEPT_H_
#define VMBENCH_HYPERVISORS_MSHV3_MSHV_INTERCEPT_H_

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "mshv_abi.h"
#include "vmbench/plugin/vcpu_types.h"

namespace vmbench::mshv {

struct DecodedMessage {
  VcpuExit exit;
  // Where the VP resumes, when the host completed the intercepted instruction (OUT, HLT) and must
  // move RIP past it; empty when RIP stays.
  std::optional<std::uint64_t> resume_rip;
};

// An error (InternalError naming the field) when the message is malformed.
absl::StatusOr<DecodedMessage> DecodeMessage(const MessageBuffer& message);

}  // namespace vmbench::mshv

#endif  // VMBENCH_HYPERVISORS_MSHV3_MSHV_INTERCEPT_H_
