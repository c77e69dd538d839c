// Value types shared by the virtq buffer allocators and the packed ring:
// an allocation, the allocator error codes, a small heap-free result type and
// the scatter-gather list that `AllocSg` returns.
//
// Errors are plain enums rather than absl::Status because every allocator call
// sits on the timed path of the virtq benchmarks; a failed call never changes
// allocator state.

#ifndef VMBENCH_SUITES_VIRTQ_ALLOCATION_H_
#define VMBENCH_SUITES_VIRTQ_ALLOCATION_H_

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "absl/container/inlined_vector.h"

namespace vmbench::virtq {

// A block handed out by an allocator. `addr` is a guest address (in the
// benchmark harness, a host pointer value); `len` is the capacity actually
// reserved, i.e. the request rounded up to the allocator's slot size.
struct Allocation {
  std::uint64_t addr = 0;
  std::size_t len = 0;

  // Field-wise equality, used by tests.
  friend bool operator==(const Allocation&, const Allocation&) = default;
};

// Why an allocator call failed.
enum class AllocError {
  kInvalidAlign,  // A region base is not aligned to the slot size.
  kInvalidFree,   // Dealloc of an address that is not the start of a live allocation.
  kInvalidArg,    // Zero length or zero slot size.
  kEmptyRegion,   // The region holds no whole slot.
  kNoSpace,       // Enough capacity in total, but no free slots that fit now (backpressure).
  kOutOfMemory,   // The request can never fit (larger than the slab or the slot).
  kOverflow,      // Address arithmetic would wrap around 2^64.
};

// Returns the enumerator name without the leading `k`, e.g. "NoSpace".
constexpr std::string_view AllocErrorName(AllocError error) {
  switch (error) {
    case AllocError::kInvalidAlign:
      return "InvalidAlign";
    case AllocError::kInvalidFree:
      return "InvalidFree";
    case AllocError::kInvalidArg:
      return "InvalidArg";
    case AllocError::kEmptyRegion:
      return "EmptyRegion";
    case AllocError::kNoSpace:
      return "NoSpace";
    case AllocError::kOutOfMemory:
      return "OutOfMemory";
    case AllocError::kOverflow:
      return "Overflow";
  }
  return "Unknown";
}

// Aborts the process; called when value() is read from a failed Result or
// error() from a successful one, which is a programming error.
[[noreturn]] inline void ResultAccessFailed() { std::abort(); }

// Either a `T` or an error code `E`. Stored inline (no heap on either path);
// marked [[nodiscard]] so that allocation failures cannot be silently dropped.
template <typename T, typename E = AllocError>
class [[nodiscard]] Result {
 public:
  // Success holding `value`.
  Result(T value)
      : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  // Failure holding `error`.
  Result(E error) : state_(std::in_place_index<1>, error) {}  // NOLINT(google-explicit-constructor)

  // True when a value is present.
  bool ok() const { return state_.index() == 0; }

  // The value; aborts if !ok().
  T& value() & {
    if (!ok()) ResultAccessFailed();
    return *std::get_if<0>(&state_);
  }
  // The value; aborts if !ok().
  const T& value() const& {
    if (!ok()) ResultAccessFailed();
    return *std::get_if<0>(&state_);
  }
  // The value, moved out; aborts if !ok().
  T&& value() && {
    if (!ok()) ResultAccessFailed();
    return std::move(*std::get_if<0>(&state_));
  }

  // The error; aborts if ok().
  E error() const {
    if (ok()) ResultAccessFailed();
    return *std::get_if<1>(&state_);
  }

 private:
  std::variant<T, E> state_;
};

// Success-or-error with no value, e.g. for Dealloc.
template <typename E>
class [[nodiscard]] Result<void, E> {
 public:
  // Success.
  Result() = default;
  // Failure holding `error`.
  Result(E error) : ok_(false), error_(error) {}  // NOLINT(google-explicit-constructor)

  // True on success.
  bool ok() const { return ok_; }
  // The error; aborts if ok().
  E error() const {
    if (ok_) ResultAccessFailed();
    return error_;
  }

 private:
  bool ok_ = true;
  E error_{};
};

// Result of a single allocation.
using AllocResult = Result<Allocation>;

// Result of a deallocation or other state change without a value.
using AllocStatus = Result<void>;

// Segments of one logical buffer, as returned by AllocSg. Four entries live
// inline and more spill to the heap, like the SmallVec<[Allocation; 4]> of the
// reference implementation; the 16- and 64-segment benchmarks measure that spill.
using SgList = absl::InlinedVector<Allocation, 4>;

// Result of a scatter-gather allocation.
using SgResult = Result<SgList>;

// Rounds `value` up to a multiple of `align` (any non-zero `align`). Returns
// false and leaves `out` untouched if the result would not fit in 64 bits.
constexpr bool AlignUp(std::uint64_t value, std::uint64_t align, std::uint64_t& out) {
  const std::uint64_t rem = value % align;
  if (rem == 0) {
    out = value;
    return true;
  }
  const std::uint64_t add = align - rem;
  if (value > UINT64_MAX - add) return false;
  out = value + add;
  return true;
}

}  // namespace vmbench::virtq

#endif  // VMBENCH_SUITES_VIRTQ_ALLOCATION_H_
