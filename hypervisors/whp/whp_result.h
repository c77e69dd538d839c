// The whp backend's Windows layer: the outcome of an operation, OK or an error with its kind,
// message and HRESULT.
//
// The Windows layer (whp_api, whp_partition, whp_registers, whp_mmio) uses only the C++ standard
// library and the Windows headers, so that it can be cross-compiled and linked on Linux with
// mingw-w64, for which Debian has no Abseil. These two small types stand in for absl::Status and
// absl::StatusOr there; the plugin's adapter (whp_vm.cc, whp_vcpu.cc) turns them into absl::Status
// with ToStatus, keeping the message, which always names "whp", the operation and the cause, e.g.
// "whp: WHvMapGpaRange failed: HRESULT 0x80070057 (The parameter is incorrect.)".

#ifndef VMBENCH_HYPERVISORS_WHP_WHP_RESULT_H_
#define VMBENCH_HYPERVISORS_WHP_WHP_RESULT_H_

#include <windows.h>  // HRESULT

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace vmbench::whp {

// What went wrong, in the terms of absl::StatusCode, which the adapter maps it to.
enum class WhpErrorKind {
  kInvalidArgument,     // the caller's request is malformed (unaligned, overlapping, unknown slot)
  kFailedPrecondition,  // not now: e.g. the VM was deleted, the vCPU already exists
  kUnavailable,         // WHP cannot be used on this machine
  kInternal,            // a WHP call failed
};

// OK, or an error.
class WhpStatus {
 public:
  // OK.
  WhpStatus() = default;

  // An error of `kind` with `message`, which names "whp", the operation and the cause.
  static WhpStatus Error(WhpErrorKind kind, std::string message, HRESULT hresult = S_OK) {
    WhpStatus status;
    status.ok_ = false;
    status.kind_ = kind;
    status.message_ = std::move(message);
    status.hresult_ = hresult;
    return status;
  }

  // The error for a WHP function that returned the failure `hresult`:
  // "whp: <operation> failed: HRESULT 0x........ (<what it means>)".
  static WhpStatus Failed(std::string_view operation, HRESULT hresult,
                          WhpErrorKind kind = WhpErrorKind::kInternal);

  bool ok() const { return ok_; }
  WhpErrorKind kind() const { return kind_; }
  const std::string& message() const { return message_; }
  HRESULT hresult() const { return hresult_; }  // S_OK unless a WHP call failed

 private:
  bool ok_ = true;
  WhpErrorKind kind_ = WhpErrorKind::kInternal;
  std::string message_;
  HRESULT hresult_ = S_OK;
};

// A value of T, or an error (never an OK WhpStatus). Implicitly constructible from either, like
// absl::StatusOr.
template <typename T>
class WhpResult {
 public:
  WhpResult(T value) : state_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  WhpResult(WhpStatus error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(state_); }
  // The error; OK when there is a value.
  WhpStatus status() const { return ok() ? WhpStatus() : std::get<WhpStatus>(state_); }

  // The value. Only when ok().
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, WhpStatus> state_;
};

// "0x1f": `value` in lower-case hex, for messages.
std::string Hex(std::uint64_t value);

// "HRESULT 0x80370305 (WHV_E_GPA_RANGE_NOT_FOUND)": the code in hex, then its WHP name or the
// system's message for it when there is one.
std::string DescribeHresult(HRESULT hresult);

}  // namespace vmbench::whp

#endif  // VMBENCH_HYPERVISORS_WHP_WHP_RESULT_H_
