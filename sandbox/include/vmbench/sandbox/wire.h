// The guest call wire format (docs/wire-format.md): typed values, and the records the host and the
// guest exchange through guest memory. Encoding writes into a caller-provided buffer (guest
// memory, with no intermediate copy); decoding reads a buffer the guest controls, so it checks
// every header field, length, count and tag before use and reports the first problem with its
// offset.

#ifndef VMBENCH_SANDBOX_WIRE_H_
#define VMBENCH_SANDBOX_WIRE_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "vmbench/sandbox/guest_abi.h"

namespace vmbench::sandbox {

using Bytes = std::vector<std::uint8_t>;

// A typed value. The alternative's index is its wire tag (enum vmb_value_tag); std::monostate is
// `void`, allowed only as a return value.
using Value = std::variant<std::monostate, std::int32_t, std::uint32_t, std::int64_t, std::uint64_t,
                           float, double, bool, std::string, Bytes>;

// "i32", "string", ... for a tag; "tag 200" for an unknown one.
std::string ValueTypeName(std::size_t tag);

// A CALL or HOST_CALL record.
struct FunctionCall {
  std::string name;
  std::vector<Value> args;

  bool operator==(const FunctionCall&) const = default;
};

// A RESULT or HOST_RESULT record: a value when `status` is VMB_STATUS_OK, else an error message.
struct FunctionResult {
  std::uint32_t status = VMB_STATUS_OK;
  Value value;
  std::string message;

  bool operator==(const FunctionResult&) const = default;
};

// Bytes the record takes on the wire, header included.
std::size_t EncodedSize(absl::string_view name, std::span<const Value> args);
std::size_t EncodedSize(const FunctionResult& result);

// Writes a record into `out` and returns the bytes written. ResourceExhausted when it does not fit
// (nothing useful is left in `out` then); InvalidArgument for a name or argument list the format
// cannot carry (empty or too long name, too many arguments, void argument).
absl::StatusOr<std::size_t> EncodeCall(vmb_record_kind kind, absl::string_view name,
                                       std::span<const Value> args, std::span<std::uint8_t> out);
absl::StatusOr<std::size_t> EncodeResult(vmb_record_kind kind, const FunctionResult& result,
                                         std::span<std::uint8_t> out);

// Reads a record of `kind` from the start of `in` (the whole buffer: the header's payload size
// says where the record ends). DataLoss naming the field and its offset when the record is
// malformed; `what` starts the message ("guest result", "host call", ...).
absl::StatusOr<FunctionCall> DecodeCall(vmb_record_kind kind, std::span<const std::uint8_t> in,
                                        absl::string_view what);
absl::StatusOr<FunctionResult> DecodeResult(vmb_record_kind kind, std::span<const std::uint8_t> in,
                                            absl::string_view what);

}  // namespace vmbench::sandbox

#endif  // VMBENCH_SANDBOX_WIRE_H_
