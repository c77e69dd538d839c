#include "consumer.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <utility>

namespace vmbench::virtq {

Request::Request(Request&& other) noexcept { *this = std::move(other); }

Request& Request::operator=(Request&& other) noexcept {
  if (this != &other) {
    id_ = other.id_;
    descriptors_ = std::exchange(other.descriptors_, 0);
    readable_bytes_ = std::exchange(other.readable_bytes_, 0);
    writable_capacity_ = std::exchange(other.writable_capacity_, 0);
    written_ = std::exchange(other.written_, 0);
    segments_ = std::move(other.segments_);
    writable_ = std::move(other.writable_);
  }
  return *this;
}

Request::~Request() = default;

std::vector<std::uint8_t> Request::ConcatReadable() const {
  std::vector<std::uint8_t> out;
  out.reserve(readable_bytes_);
  for (const std::vector<std::uint8_t>& segment : segments_) {
    out.insert(out.end(), segment.begin(), segment.end());
  }
  return out;
}

Result<void, RingError> Request::WriteAll(std::span<const std::uint8_t> data) {
  // written_ must stay representable in the 32-bit used length.
  if (data.size() > writable_capacity_ - written_ || data.size() > UINT32_MAX - written_) {
    return RingError::kBufferTooSmall;
  }
  std::size_t skip = written_;
  std::size_t done = 0;
  for (const WritableSegment& segment : writable_) {
    if (done == data.size()) break;
    if (skip >= segment.len) {
      skip -= segment.len;
      continue;
    }
    const std::size_t n = std::min<std::size_t>(segment.len - skip, data.size() - done);
    std::memcpy(segment.data + skip, data.data() + done, n);
    done += n;
    skip = 0;
  }
  written_ += static_cast<std::uint32_t>(data.size());
  return {};
}

Consumer::Consumer(RingLayout ring, SharedRegion region, Notifier& notifier)
    : ring_(ring), region_(region), notifier_(&notifier) {}

Result<std::optional<Request>, RingError> Consumer::Poll(std::size_t max_readable_bytes) {
  const std::uint16_t size = ring_.size();
  std::uint16_t flags = LoadFlagsAcquire(ring_.desc(avail_.index));
  if (!IsAvailable(flags, avail_.wrap)) return std::optional<Request>();

  // A well-behaved driver never reuses slots the device still holds, so a
  // chain may span at most the slots that are not outstanding.
  const std::size_t limit = size - outstanding_;
  std::optional<Request> request(std::in_place);
  RingPosition pos = avail_;
  std::uint16_t count = 0;
  std::uint16_t last_id = 0;
  bool seen_writable = false;
  for (;;) {
    if (count >= limit) {
      return count >= size ? RingError::kChainTooLong : RingError::kMalformedChain;
    }
    Descriptor& desc = ring_.desc(pos.index);
    if (count > 0) {
      // The head's acquire load already ordered these reads after the
      // driver's writes; a tail that is not available means a broken chain.
      flags = std::atomic_ref<std::uint16_t>(desc.flags).load(std::memory_order_relaxed);
      if (!IsAvailable(flags, pos.wrap)) return RingError::kMalformedChain;
    }
    if ((flags & kDescFIndirect) != 0) return RingError::kIndirect;
    // Each field is read exactly once so a driver rewriting the descriptor
    // cannot make the checked values differ from the used ones.
    const std::uint64_t addr = desc.addr;
    const std::uint32_t len = desc.len;
    last_id = desc.id;
    if (!region_.Contains(addr, len)) return RingError::kOutOfBounds;
    if ((flags & kDescFWrite) != 0) {
      seen_writable = true;
      request->writable_.push_back({GuestToHost(addr), len});
      request->writable_capacity_ += len;
    } else {
      // VIRTIO requires device-writable descriptors after all readable ones.
      if (seen_writable) return RingError::kMalformedChain;
      if (len > max_readable_bytes - request->readable_bytes_) return RingError::kTooLarge;
      const std::uint8_t* data = GuestToHost(addr);
      request->segments_.emplace_back(data, data + len);
      request->readable_bytes_ += len;
    }
    ++count;
    pos.Advance(1, size);
    if ((flags & kDescFNext) == 0) break;
  }
  // The buffer id is defined by the last descriptor of the chain.
  request->id_ = last_id;
  request->descriptors_ = count;
  avail_ = pos;
  outstanding_ += count;
  return request;
}

Result<void, RingError> Consumer::Complete(Request&& request) {
  const std::uint16_t count = request.descriptors_;
  if (count == 0 || count > outstanding_) return RingError::kInvalidArg;
  const std::uint16_t size = ring_.size();
  Descriptor& desc = ring_.desc(used_.index);
  desc.id = request.id_;
  desc.len = request.written_;
  StoreFlagsRelease(desc, UsedFlags(used_.wrap));
  const RingPosition before = used_;
  used_.Advance(count, size);
  outstanding_ -= count;
  request.descriptors_ = 0;
  // Store-load ordering between the used flags and the driver's suppression
  // area needs a full fence (see Producer::Submit).
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (NeedsNotify(ring_.driver_event(), before, used_, size)) notifier_->NotifyDriver();
  return {};
}

}  // namespace vmbench::virtq
