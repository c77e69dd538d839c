#include "mshv_device.h"

#include <fcntl.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "mshv_abi.h"

namespace vmbench::mshv {
namespace {

const char* HvcallName(std::uint16_t code) {
  switch (code) {
    case kHvcallGetPartitionProperty:
      return "HVCALL_GET_PARTITION_PROPERTY";
    case kHvcallSetPartitionProperty:
      return "HVCALL_SET_PARTITION_PROPERTY";
    case kHvcallGetVpRegisters:
      return "HVCALL_GET_VP_REGISTERS";
    case kHvcallSetVpRegisters:
      return "HVCALL_SET_VP_REGISTERS";
    default:
      return "hypercall";
  }
}

}  // namespace

absl::Status MshvError(absl::string_view operation, int error_number) {
  return absl::ErrnoToStatus(error_number, absl::StrCat("mshv: ", operation, " failed"));
}

const char* HvStatusName(std::uint16_t status) {
  switch (status) {
    case kHvStatusSuccess:
      return "HV_STATUS_SUCCESS";
    case kHvStatusInvalidHypercallCode:
      return "HV_STATUS_INVALID_HYPERCALL_CODE";
    case kHvStatusInvalidHypercallInput:
      return "HV_STATUS_INVALID_HYPERCALL_INPUT";
    case kHvStatusInvalidAlignment:
      return "HV_STATUS_INVALID_ALIGNMENT";
    case kHvStatusInvalidParameter:
      return "HV_STATUS_INVALID_PARAMETER";
    case kHvStatusAccessDenied:
      return "HV_STATUS_ACCESS_DENIED";
    case kHvStatusInvalidPartitionState:
      return "HV_STATUS_INVALID_PARTITION_STATE";
    case kHvStatusOperationDenied:
      return "HV_STATUS_OPERATION_DENIED";
    case kHvStatusUnknownProperty:
      return "HV_STATUS_UNKNOWN_PROPERTY";
    case kHvStatusPropertyValueOutOfRange:
      return "HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE";
    case kHvStatusInsufficientMemory:
      return "HV_STATUS_INSUFFICIENT_MEMORY";
    case kHvStatusInvalidVpIndex:
      return "HV_STATUS_INVALID_VP_INDEX";
    case kHvStatusInvalidRegisterValue:
      return "HV_STATUS_INVALID_REGISTER_VALUE";
    default:
      return "an unknown HV_STATUS";
  }
}

absl::StatusOr<FileDescriptor> OpenMshvDevice() noexcept {
  FileDescriptor fd(::open(kDevicePath, O_RDWR | O_CLOEXEC));
  if (fd.get() < 0) {
    const int error = errno;
    std::string reason = absl::StrCat(kDevicePath, ": ", std::strerror(error));
    if (error == ENOENT) {
      absl::StrAppend(&reason,
                      " (the device exists only where Linux 6.15 or later runs as the root "
                      "partition of the Microsoft Hypervisor, with CONFIG_MSHV_ROOT)");
    }
    return absl::UnavailableError(reason);
  }
  return fd;
}

absl::Status Hvcall(int fd, absl::string_view operation, std::uint16_t code, std::uint16_t reps,
                    const void* input, std::size_t input_size, void* output,
                    std::size_t output_size) {
  if (input_size > kMaxHvcallBytes || output_size > kMaxHvcallBytes) {
    return absl::InternalError(absl::StrCat("mshv: ", operation, ": ", HvcallName(code), " with ",
                                            input_size, " input and ", output_size,
                                            " output bytes exceeds the 4096-byte limit"));
  }
  RootHvcall call{};
  call.code = code;
  call.reps = reps;
  call.in_sz = static_cast<std::uint16_t>(input_size);
  call.out_sz = static_cast<std::uint16_t>(output_size);
  call.in_ptr = reinterpret_cast<std::uintptr_t>(input);
  call.out_ptr = reinterpret_cast<std::uintptr_t>(output);
  int result = 0;
  do {
    call.status = 0;
    call.reps = reps;
    result = ::ioctl(fd, kIoctlRootHvcall, &call);
  } while (result != 0 && (errno == EAGAIN || errno == EINTR));
  const int error = errno;
  // The kernel copies the hypervisor's status back before turning a failure into an errno.
  if (call.status != kHvStatusSuccess) {
    return absl::InternalError(absl::StrCat("mshv: ", operation, ": ", HvcallName(code),
                                            " failed: ", HvStatusName(call.status), " (0x",
                                            absl::Hex(call.status), ")"));
  }
  if (result != 0) {
    return MshvError(absl::StrCat(operation, ": MSHV_ROOT_HVCALL ", HvcallName(code)), error);
  }
  if (call.reps != reps) {
    return absl::InternalError(absl::StrCat("mshv: ", operation, ": ", HvcallName(code),
                                            " completed ", call.reps, " of ", reps,
                                            " repetitions"));
  }
  return absl::OkStatus();
}

}  // namespace vmbench::mshv
