// Device side of the packed virtqueue: takes chains the driver made
// available, copies their readable bytes out of shared memory, lets the
// caller write a response into the writable buffers, and marks the chain
// used. Descriptors are treated as untrusted input: every buffer is checked
// against the shared region and malformed chains are reported as errors.

#ifndef VMBENCH_SUITES_VIRTQ_CONSUMER_H_
#define VMBENCH_SUITES_VIRTQ_CONSUMER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "allocation.h"
#include "packed_ring.h"

namespace vmbench::virtq {

// One chain taken off the ring by Consumer::Poll: copies of its readable
// segments and references to its writable segments in shared memory. Hand it
// back with Consumer::Complete. Move-only in practice (copies would complete twice).
class Request {
 public:
  Request() = default;
  Request(Request&&) noexcept;
  Request& operator=(Request&&) noexcept;
  Request(const Request&) = delete;
  Request& operator=(const Request&) = delete;
  ~Request();

  // Buffer id from the chain's last descriptor, echoed in the used descriptor.
  std::uint16_t id() const { return id_; }
  // Ring slots the chain occupies.
  std::uint16_t descriptor_count() const { return descriptors_; }
  // Number of readable segments (each copied into its own vector).
  std::size_t segment_count() const { return segments_.size(); }
  // The readable segments, copied out of shared memory in chain order.
  const absl::InlinedVector<std::vector<std::uint8_t>, 4>& segments() const { return segments_; }
  // Total readable bytes.
  std::size_t readable_bytes() const { return readable_bytes_; }
  // All readable bytes concatenated (a further copy; for tests and diagnostics).
  std::vector<std::uint8_t> ConcatReadable() const;

  // Number of device-writable segments.
  std::size_t writable_segment_count() const { return writable_.size(); }
  // Total bytes the device may write.
  std::size_t writable_capacity() const { return writable_capacity_; }
  // Bytes written so far with WriteAll; becomes the used descriptor's len.
  std::uint32_t written() const { return written_; }
  // Appends `data` to the response, scattering it across the writable
  // segments in shared memory. kBufferTooSmall (and nothing written) if it
  // does not fit.
  Result<void, RingError> WriteAll(std::span<const std::uint8_t> data);

 private:
  friend class Consumer;

  struct WritableSegment {
    std::uint8_t* data;
    std::uint32_t len;
  };

  std::uint16_t id_ = 0;
  std::uint16_t descriptors_ = 0;  // 0 once completed or moved from.
  std::size_t readable_bytes_ = 0;
  std::size_t writable_capacity_ = 0;
  std::uint32_t written_ = 0;
  absl::InlinedVector<std::vector<std::uint8_t>, 4> segments_;
  absl::InlinedVector<WritableSegment, 4> writable_;
};

// The device end of one packed virtqueue. Holds references to the ring
// memory and the notifier, which must outlive it. Single-threaded.
class Consumer {
 public:
  // Default Poll limit: no limit on readable bytes per chain.
  static constexpr std::size_t kNoLimit = SIZE_MAX;

  // A consumer for `ring` that only accepts buffers inside `region` and
  // signals used buffers through `notifier`.
  Consumer(RingLayout ring, SharedRegion region, Notifier& notifier);

  // Takes the next available chain, if any. Errors (the chain stays on the
  // ring and the next Poll reports the same error): kMalformedChain (a tail
  // descriptor is not available, a readable descriptor follows a writable
  // one, or the chain runs into descriptors still outstanding),
  // kChainTooLong (longer than the ring), kIndirect, kOutOfBounds (a buffer
  // outside the shared region), kTooLarge (more than `max_readable_bytes`
  // readable bytes).
  Result<std::optional<Request>, RingError> Poll(std::size_t max_readable_bytes = kNoLimit);

  // Marks `request` used with len = request.written() (0 for a plain
  // acknowledgement) and notifies the driver unless its event suppression
  // says otherwise. kInvalidArg for a request that was already completed (or
  // moved from) or that claims more descriptors than are outstanding.
  Result<void, RingError> Complete(Request&& request);

  // Sets the device event suppression area, which tells the driver when to
  // call Notifier::NotifyDevice (kEventFlags*; off_wrap only for kEventFlagsDesc).
  void SetAvailNotifications(std::uint16_t flags, std::uint16_t off_wrap = 0) {
    WriteEventSuppression(ring_.device_event(), flags, off_wrap);
  }

  // Where the next available chain is expected.
  RingPosition avail_position() const { return avail_; }
  // Where the next used descriptor will be written.
  RingPosition used_position() const { return used_; }
  // Descriptors polled but not yet completed.
  std::size_t outstanding_descriptors() const { return outstanding_; }

 private:
  RingLayout ring_;
  SharedRegion region_;
  Notifier* notifier_;
  RingPosition avail_;
  RingPosition used_;
  std::size_t outstanding_ = 0;
};

}  // namespace vmbench::virtq

#endif  // VMBENCH_SUITES_VIRTQ_CONSUMER_H_
