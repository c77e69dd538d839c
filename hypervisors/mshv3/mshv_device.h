// The mshv3 backend's view of /dev/mshv: opening it, errors, and hypercalls passed through the
// MSHV_ROOT_HVCALL ioctl.

#ifndef VMBENCH_HYPERVISORS_MSHV3_MSHV_DEVICE_H_
#define VMBENCH_HYPERVISORS_MSHV3_MSHV_DEVICE_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "vmbench/posix/file_descriptor.h"

namespace vmbench::mshv {

using posix::FileDescriptor;

// "mshv: <operation> failed: <strerror(error_number)>", with the canonical code of the errno.
absl::Status MshvError(absl::string_view operation, int error_number);

// The TLFS name of a hypercall status, e.g. "HV_STATUS_INVALID_PARAMETER".
const char* HvStatusName(std::uint16_t status);

// Opens /dev/mshv read-write. Unavailable with the reason otherwise: the path and strerror, and
// what a machine needs for the device to exist at all.
absl::StatusOr<FileDescriptor> OpenMshvDevice() noexcept;

// One hypercall through MSHV_ROOT_HVCALL on `fd` (a partition or a VP): `code` with `reps`
// repetitions (0 for a simple hypercall), `input`/`output` of the given sizes (at most 4 KiB each).
// Retries while the kernel answers EAGAIN (it deposited memory the hypervisor asked for) or EINTR.
// An error names `operation`, the hypercall, and the HV_STATUS or errno; a repetition count short
// of `reps` is an error too.
absl::Status Hvcall(int fd, absl::string_view operation, std::uint16_t code, std::uint16_t reps,
                    const void* input, std::size_t input_size, void* output,
                    std::size_t output_size);

}  // namespace vmbench::mshv

#endif  // VMBENCH_HYPERVISORS_MSHV3_MSHV_DEVICE_H_
