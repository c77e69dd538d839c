#include "mshv_intercept.h"

#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "vmbench/x86/hyperv_x64.h"

namespace vmbench::mshv {
namespace {

// The longest x86 instruction.
constexpr std::uint8_t kMaxInstructionLength = 15;
constexpr std::uint8_t kHltLength = 1;

std::string MessageName(std::uint32_t type) {
  switch (type) {
    case kMessageUnmappedGpa:
      return "HVMSG_UNMAPPED_GPA";
    case kMessageGpaIntercept:
      return "HVMSG_GPA_INTERCEPT";
    case kMessageUnrecoverableException:
      return "HVMSG_UNRECOVERABLE_EXCEPTION";
    case kMessageIoPortIntercept:
      return "HVMSG_X64_IO_PORT_INTERCEPT";
    case kMessageHalt:
      return "HVMSG_X64_HALT";
    default:
      return absl::StrCat("message type 0x", absl::Hex(type));
  }
}

// The payload of `message` as a T, when the message says it carries at least sizeof(T) bytes.
template <typename T>
absl::StatusOr<T> Payload(const MessageBuffer& message, const MessageHeader& header) {
  static_assert(sizeof(T) <= kMessagePayloadSize);
  if (header.payload_size < sizeof(T) || header.payload_size > kMessagePayloadSize) {
    return absl::InternalError(absl::StrCat(
        "mshv: ", MessageName(header.message_type), " with payload_size ", int{header.payload_size},
        ", expected ", sizeof(T), " to ", kMessagePayloadSize, " bytes"));
  }
  T payload;
  std::memcpy(&payload, message.bytes + sizeof(MessageHeader), sizeof(T));
  return payload;
}

// An exit after which RIP stays where the hypervisor left it.
DecodedMessage Unmoved(VcpuExit exit) { return DecodedMessage{std::move(exit), std::nullopt}; }

std::uint8_t InstructionLength(const InterceptHeader& header) {
  return header.instruction_length_cr8 & 0xF;
}

FaultExit Fault(FaultExit::Kind kind, const InterceptHeader& header, std::string what) {
  absl::StrAppend(&what, " at rip 0x", absl::Hex(header.rip));
  return FaultExit{.kind = kind, .rip = header.rip, .detail = std::move(what)};
}

absl::StatusOr<DecodedMessage> DecodeIoPort(const IoPortIntercept& io) {
  const std::uint8_t length = InstructionLength(io.header);
  const std::uint8_t size = io.access_info & kIoAccessSizeMask;
  if (length == 0 || length > kMaxInstructionLength || !x86::IsPortAccessSize(size)) {
    return absl::InternalError(
        absl::StrCat("mshv: HVMSG_X64_IO_PORT_INTERCEPT with instruction length ", int{length},
                     " and access size ", int{size}, " (expected 1-15 and 1, 2 or 4)"));
  }
  if ((io.access_info & (kIoAccessStringOp | kIoAccessRepPrefix)) != 0) {
    return Unmoved(
        Fault(FaultExit::Kind::kInternalError, io.header,
              absl::StrCat("mshv: the guest executed string I/O on port 0x",
                           absl::Hex(io.port_number), ", and only single IN/OUT are intercepted")));
  }
  if (io.header.intercept_access_type != kAccessWrite) {
    return Unmoved(
        Fault(FaultExit::Kind::kInternalError, io.header,
              absl::StrCat("mshv: the guest executed IN from port 0x", absl::Hex(io.port_number),
                           " (", int{size}, " bytes), and port input is not supported")));
  }
  return DecodedMessage{x86::IoOutFromRax(io.port_number, size, io.rax),
                        x86::RipAfter(io.header.rip, length)};
}

}  // namespace

absl::StatusOr<DecodedMessage> DecodeMessage(const MessageBuffer& message) {
  MessageHeader header;
  std::memcpy(&header, message.bytes, sizeof(header));
  switch (header.message_type) {
    case kMessageIoPortIntercept: {
      absl::StatusOr<IoPortIntercept> io = Payload<IoPortIntercept>(message, header);
      if (!io.ok()) return io.status();
      return DecodeIoPort(*io);
    }
    case kMessageHalt: {
      absl::StatusOr<InterceptHeader> intercept = Payload<InterceptHeader>(message, header);
      if (!intercept.ok()) return intercept.status();
      const std::uint8_t length = InstructionLength(*intercept);
      return DecodedMessage{HaltExit{},
                            x86::RipAfter(intercept->rip, length == 0 ? kHltLength : length)};
    }
    case kMessageUnmappedGpa:
    case kMessageGpaIntercept: {
      absl::StatusOr<MemoryIntercept> memory = Payload<MemoryIntercept>(message, header);
      if (!memory.ok()) return memory.status();
      return Unmoved(MmioExit{.gpa = memory->guest_physical_address,
                              .is_write = memory->header.intercept_access_type == kAccessWrite});
    }
    case kMessageUnrecoverableException: {
      absl::StatusOr<InterceptHeader> intercept = Payload<InterceptHeader>(message, header);
      if (!intercept.ok()) return intercept.status();
      return Unmoved(Fault(FaultExit::Kind::kShutdown, *intercept,
                           "mshv: unrecoverable exception in the guest (a triple fault, "
                           "e.g. an exception without an IDT to handle it)"));
    }
    default:
      return Unmoved(FaultExit{
          .kind = FaultExit::Kind::kInternalError,
          .detail = absl::StrCat("mshv: the VP stopped with ", MessageName(header.message_type),
                                 ", which this backend does not handle")});
  }
}

}  // namespace vmbench::mshv
