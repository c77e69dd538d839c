// The whp plugin's adapter: the Windows layer's results as absl::Status and absl::StatusOr.
//
// The message is kept as it is: it already names "whp", the operation and the cause (with the
// HRESULT when a WHP call failed).

#ifndef VMBENCH_HYPERVISORS_WHP_WHP_STATUS_H_
#define VMBENCH_HYPERVISORS_WHP_WHP_STATUS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "whp_result.h"

namespace vmbench::whp {

inline absl::Status ToStatus(const WhpStatus& status) {
  if (status.ok()) return absl::OkStatus();
  switch (status.kind()) {
    case WhpErrorKind::kInvalidArgument:
      return absl::InvalidArgumentError(status.message());
    case WhpErrorKind::kFailedPrecondition:
      return absl::FailedPreconditionError(status.message());
    case WhpErrorKind::kUnavailable:
      return absl::UnavailableError(status.message());
    case WhpErrorKind::kInternal:
      break;
  }
  return absl::InternalError(status.message());
}

template <typename T>
absl::StatusOr<T> ToStatusOr(WhpResult<T> result) {
  if (!result.ok()) return ToStatus(result.status());
  return std::move(result).value();
}

}  // namespace vmbench::whp

#endif  // VMBENCH_HYPERVISORS_WHP_WHP_STATUS_H_
