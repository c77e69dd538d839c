#include "packed_ring.h"

#include <new>

namespace vmbench::virtq {

std::string_view RingErrorName(RingError error) {
  switch (error) {
    case RingError::kInvalidSize:
      return "InvalidSize";
    case RingError::kMisaligned:
      return "Misaligned";
    case RingError::kRegionTooSmall:
      return "RegionTooSmall";
    case RingError::kInvalidArg:
      return "InvalidArg";
    case RingError::kBackpressure:
      return "Backpressure";
    case RingError::kAllocFailed:
      return "AllocFailed";
    case RingError::kChainTooLong:
      return "ChainTooLong";
    case RingError::kBufferTooSmall:
      return "BufferTooSmall";
    case RingError::kMalformedChain:
      return "MalformedChain";
    case RingError::kIndirect:
      return "Indirect";
    case RingError::kOutOfBounds:
      return "OutOfBounds";
    case RingError::kTooLarge:
      return "TooLarge";
    case RingError::kBadUsedId:
      return "BadUsedId";
    case RingError::kNotReady:
      return "NotReady";
  }
  return "Unknown";
}

bool NeedsNotify(EventSuppression& area, RingPosition before, RingPosition after,
                 std::uint16_t ring_size) {
  const std::uint16_t flags =
      std::atomic_ref<std::uint16_t>(area.flags).load(std::memory_order_acquire);
  if (flags == kEventFlagsEnable) return true;
  if (flags != kEventFlagsDesc) return false;
  const std::uint16_t off_wrap =
      std::atomic_ref<std::uint16_t>(area.off_wrap).load(std::memory_order_acquire);
  // Positions are linearised modulo 2 * ring_size (the wrap counter is the
  // extra bit), which is unambiguous because one batch never exceeds a lap.
  const std::uint32_t period = 2U * ring_size;
  const auto linear = [ring_size](std::uint16_t index, bool wrap) {
    return std::uint32_t{index} + (wrap ? 0U : std::uint32_t{ring_size});
  };
  const std::uint32_t event = linear(off_wrap & 0x7fff, (off_wrap & 0x8000) != 0);
  const std::uint32_t start = linear(before.index, before.wrap);
  const std::uint32_t stop = linear(after.index, after.wrap);
  const std::uint32_t moved = (stop + period - start) % period;
  const std::uint32_t distance = (event + period - start) % period;
  return distance < moved;
}

void WriteEventSuppression(EventSuppression& area, std::uint16_t flags, std::uint16_t off_wrap) {
  std::atomic_ref<std::uint16_t>(area.off_wrap).store(off_wrap, std::memory_order_relaxed);
  std::atomic_ref<std::uint16_t>(area.flags).store(flags, std::memory_order_release);
}

Result<RingLayout, RingError> RingLayout::Create(void* memory, std::size_t bytes,
                                                 std::uint16_t size) {
  if (size == 0 || size > kMaxSize) return RingError::kInvalidSize;
  if (reinterpret_cast<std::uintptr_t>(memory) % alignof(Descriptor) != 0) {
    return RingError::kMisaligned;
  }
  if (bytes < QuerySize(size)) return RingError::kRegionTooSmall;
  return RingLayout(static_cast<Descriptor*>(memory), size);
}

RingLayout::RingLayout(Descriptor* descs, std::uint16_t size)
    : descs_(descs),
      driver_event_(reinterpret_cast<EventSuppression*>(descs + size)),
      device_event_(reinterpret_cast<EventSuppression*>(descs + size) + 1),
      size_(size) {}

void RingLayout::Initialize() const {
  // Placement-new starts the lifetime of the overlaid objects in the caller's
  // raw buffer, so later member and atomic_ref accesses are well defined.
  for (std::uint16_t i = 0; i < size_; ++i) new (descs_ + i) Descriptor{};
  new (driver_event_) EventSuppression{0, kEventFlagsEnable};
  new (device_event_) EventSuppression{0, kEventFlagsEnable};
}

Notifier::~Notifier() = default;

}  // namespace vmbench::virtq
