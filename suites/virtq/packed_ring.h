// Shared pieces of the VIRTIO 1.1 packed virtqueue used by both ends: ring
// errors, the ring memory layout, ring cursors with wrap counters, flag
// helpers with the required memory ordering, event suppression decisions,
// the notifier interface, and the shared guest memory region.
//
// Guest addresses are host pointer values (as in the reference benchmark
// harness), so "translating" an address is a cast; the device side still
// checks every address against the SharedRegion before using it.

#ifndef VMBENCH_SUITES_VIRTQ_PACKED_RING_H_
#define VMBENCH_SUITES_VIRTQ_PACKED_RING_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "allocation.h"
#include "descriptor.h"

namespace vmbench::virtq {

// Why a ring operation failed.
enum class RingError {
  kInvalidSize,     // Ring size is 0 or larger than 32768.
  kMisaligned,      // Ring memory is not 16-byte aligned.
  kRegionTooSmall,  // Ring memory is smaller than RingLayout::QuerySize.
  kInvalidArg,      // Empty chain or other bad argument.
  kBackpressure,    // Not enough free descriptors, ids or pool space right now.
  kAllocFailed,     // The pool rejected the request for a reason other than lack of space.
  kChainTooLong,    // More descriptors than the ring holds.
  kBufferTooSmall,  // Data does not fit in the chain's buffers.
  kMalformedChain,  // Device side: tail not available, readable after writable, etc.
  kIndirect,        // Device side: VIRTQ_DESC_F_INDIRECT is not supported.
  kOutOfBounds,     // Device side: a buffer lies outside the shared region.
  kTooLarge,        // Device side: readable bytes exceed the Poll limit.
  kBadUsedId,       // Driver side: used descriptor names an id that is not in flight.
  kNotReady,        // A step that must produce a chain or completion found none.
};

// Returns the enumerator name without the leading `k`, e.g. "Backpressure".
std::string_view RingErrorName(RingError error);

// Maps a pool error to the ring error reported for it (kNoSpace is backpressure).
constexpr RingError FromAllocError(AllocError error) {
  return error == AllocError::kNoSpace ? RingError::kBackpressure : RingError::kAllocFailed;
}

// Converts a guest address to a host pointer. In this harness guest addresses
// are host pointer values; a VMM would translate through its memory map here.
inline std::uint8_t* GuestToHost(std::uint64_t addr) {
  return reinterpret_cast<std::uint8_t*>(static_cast<std::uintptr_t>(addr));
}

// The memory the device may access on behalf of the driver (the guest RAM).
// Not owned.
struct SharedRegion {
  std::uint8_t* base = nullptr;  // First byte.
  std::size_t size = 0;          // Length in bytes.

  // Whether [addr, addr + len) lies entirely inside the region (overflow-safe).
  bool Contains(std::uint64_t addr, std::uint64_t len) const {
    const auto start = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(base));
    return addr >= start && len <= size && addr - start <= size - len;
  }
};

// A cursor into the ring: the next slot index and the wrap counter that
// belongs to that lap (VIRTIO 1.1 section 2.7, "Driver and Device Ring Wrap Counters"; both start
// at 1).
struct RingPosition {
  std::uint16_t index = 0;  // Slot index in [0, ring size).
  bool wrap = true;         // Wrap counter of the current lap.

  // Moves forward `count` slots (count <= ring_size), flipping the wrap counter on wrap-around.
  void Advance(std::uint16_t count, std::uint16_t ring_size) {
    const std::uint32_t next = std::uint32_t{index} + count;
    if (next >= ring_size) {
      index = static_cast<std::uint16_t>(next - ring_size);
      wrap = !wrap;
    } else {
      index = static_cast<std::uint16_t>(next);
    }
  }

  // Field-wise equality, used by tests.
  friend bool operator==(const RingPosition&, const RingPosition&) = default;
};

// Flags that make a descriptor available in the lap with wrap counter `wrap`:
// AVAIL = wrap, USED = !wrap (same section).
constexpr std::uint16_t AvailFlags(bool wrap) { return wrap ? kDescFAvail : kDescFUsed; }
// Flags of a used descriptor in the lap with wrap counter `wrap`: AVAIL = USED = wrap.
constexpr std::uint16_t UsedFlags(bool wrap) {
  return wrap ? static_cast<std::uint16_t>(kDescFAvail | kDescFUsed) : 0;
}
// Whether `flags` mark a descriptor available for the lap with counter `wrap`.
constexpr bool IsAvailable(std::uint16_t flags, bool wrap) {
  return ((flags & kDescFAvail) != 0) == wrap && ((flags & kDescFUsed) != 0) != wrap;
}
// Whether `flags` mark a descriptor used for the lap with counter `wrap`.
constexpr bool IsUsed(std::uint16_t flags, bool wrap) {
  return ((flags & kDescFAvail) != 0) == wrap && ((flags & kDescFUsed) != 0) == wrap;
}

// Loads a descriptor's flags with acquire ordering: everything the other side
// wrote before publishing them is visible afterwards.
inline std::uint16_t LoadFlagsAcquire(Descriptor& desc) {
  return std::atomic_ref<std::uint16_t>(desc.flags).load(std::memory_order_acquire);
}
// Stores a descriptor's flags with release ordering, publishing the other fields.
inline void StoreFlagsRelease(Descriptor& desc, std::uint16_t flags) {
  std::atomic_ref<std::uint16_t>(desc.flags).store(flags, std::memory_order_release);
}

// Decides whether the side that moved its cursor from `before` to `after`
// must notify, given the other side's event suppression area: always for
// ENABLE, never for DISABLE, and for DESC only if the position in off_wrap
// lies in [before, after). Call after a full fence following the ring writes.
bool NeedsNotify(EventSuppression& area, RingPosition before, RingPosition after,
                 std::uint16_t ring_size);

// Writes an event suppression area (off_wrap first, then flags with release).
void WriteEventSuppression(EventSuppression& area, std::uint16_t flags, std::uint16_t off_wrap);

// A view of the packed ring memory: `size()` descriptors followed by the
// driver event suppression area, then the device event suppression area.
// Does not own the memory; copies refer to the same ring.
class RingLayout {
 public:
  // Largest ring size allowed for packed virtqueues (spec 2.7: 2^15).
  static constexpr std::size_t kMaxSize = 32768;

  // Bytes needed for a ring of `size` descriptors: size * 16 + 4 + 4.
  static constexpr std::size_t QuerySize(std::uint16_t size) {
    return std::size_t{size} * sizeof(Descriptor) + 2 * sizeof(EventSuppression);
  }

  // A view over `memory` (16-byte aligned, at least QuerySize(size) bytes).
  // Errors: kInvalidSize, kMisaligned, kRegionTooSmall. Does not modify memory.
  static Result<RingLayout, RingError> Create(void* memory, std::size_t bytes, std::uint16_t size);

  // Resets the ring to its initial state: all descriptors zero (so none is
  // available or used) and both event areas ENABLE. The driver calls this
  // once before either side starts.
  void Initialize() const;

  // Descriptor slot `index` (< size()).
  Descriptor& desc(std::uint16_t index) const { return descs_[index]; }
  // Driver event suppression: written by the driver, read by the device
  // before it notifies about used buffers.
  EventSuppression& driver_event() const { return *driver_event_; }
  // Device event suppression: written by the device, read by the driver
  // before it notifies about available buffers.
  EventSuppression& device_event() const { return *device_event_; }
  // Number of descriptors.
  std::uint16_t size() const { return size_; }
  // First byte of the ring memory.
  std::uint8_t* base() const { return reinterpret_cast<std::uint8_t*>(descs_); }

 private:
  RingLayout(Descriptor* descs, std::uint16_t size);

  Descriptor* descs_;
  EventSuppression* driver_event_;
  EventSuppression* device_event_;
  std::uint16_t size_;
};

// Receives the two kinds of notification. In a VM these are a doorbell write
// (VM exit) and an interrupt; implementations must be cheap and must not
// call back into the ring.
class Notifier {
 public:
  virtual ~Notifier();
  // The driver made buffers available.
  virtual void NotifyDevice() = 0;
  // The device marked buffers used.
  virtual void NotifyDriver() = 0;
};

// A Notifier that only counts, like the reference BenchNotifier.
class CountingNotifier final : public Notifier {
 public:
  void NotifyDevice() override { device_.fetch_add(1, std::memory_order_relaxed); }
  void NotifyDriver() override { driver_.fetch_add(1, std::memory_order_relaxed); }
  // Number of NotifyDevice calls so far.
  std::uint64_t device_notifications() const { return device_.load(std::memory_order_relaxed); }
  // Number of NotifyDriver calls so far.
  std::uint64_t driver_notifications() const { return driver_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> device_{0};
  std::atomic<std::uint64_t> driver_{0};
};

}  // namespace vmbench::virtq

#endif  // VMBENCH_SUITES_VIRTQ_PACKED_RING_H_
