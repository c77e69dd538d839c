// Driver side of the packed virtqueue: builds descriptor chains from pool
// allocations, publishes them on the ring, notifies the device, and reclaims
// used chains. Generic over the pool (see buffer_provider.h for why a
// concept rather than a virtual interface).
//
// Typical round trip (single thread, as in the benchmarks):
//   Result<Chain<Pool>, RingError> chain = producer.NewChain(request.size(), response_capacity);
//   chain.value().WriteAll(request);
//   producer.Submit(std::move(chain).value());
//   ... device side runs ...
//   Result<std::optional<UsedChain<Pool>>, RingError> used = producer.Poll();

#ifndef VMBENCH_SUITES_VIRTQ_PRODUCER_H_
#define VMBENCH_SUITES_VIRTQ_PRODUCER_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "allocation.h"
#include "buffer_provider.h"
#include "descriptor.h"
#include "packed_ring.h"

namespace vmbench::virtq {

template <BufferProvider Pool>
class Producer;

// A descriptor chain being prepared: device-readable segments followed by
// device-writable segments, all owned (their pool slots are returned when an
// unsubmitted Chain is destroyed). Move-only. Created by Producer::NewChain.
template <BufferProvider Pool>
class Chain {
 public:
  Chain(Chain&& other) noexcept { *this = std::move(other); }
  Chain& operator=(Chain&& other) noexcept {
    if (this != &other) {
      Release();
      pool_ = std::exchange(other.pool_, nullptr);
      readable_ = std::move(other.readable_);
      writable_ = std::move(other.writable_);
      readable_len_ = other.readable_len_;
      written_ = other.written_;
      writable_len_ = other.writable_len_;
    }
    return *this;
  }
  Chain(const Chain&) = delete;
  Chain& operator=(const Chain&) = delete;
  ~Chain() { Release(); }

  // Appends `data` to the readable part, scattering it across the readable
  // segments. kBufferTooSmall (and nothing written) if it does not fit in
  // the readable length requested from NewChain.
  Result<void, RingError> WriteAll(std::span<const std::uint8_t> data) {
    if (data.size() > readable_len_ - written_) return RingError::kBufferTooSmall;
    std::size_t skip = written_;
    std::size_t done = 0;
    for (const Allocation& segment : readable_) {
      if (done == data.size()) break;
      if (skip >= segment.len) {
        skip -= segment.len;
        continue;
      }
      const std::size_t n = std::min(segment.len - skip, data.size() - done);
      std::memcpy(GuestToHost(segment.addr) + skip, data.data() + done, n);
      done += n;
      skip = 0;
    }
    written_ += data.size();
    return {};
  }

  // Readable length requested from NewChain.
  std::size_t readable_len() const { return readable_len_; }
  // Bytes written into the readable part so far.
  std::size_t readable_written() const { return written_; }
  // Writable length requested from NewChain (what the device may write).
  std::size_t writable_len() const { return writable_len_; }
  // Device-readable segments.
  const SgList& readable() const { return readable_; }
  // Device-writable segments.
  const SgList& writable() const { return writable_; }
  // Descriptors this chain will occupy on the ring.
  std::size_t descriptor_count() const { return readable_.size() + writable_.size(); }

 private:
  friend class Producer<Pool>;

  Chain(Pool* pool, SgList readable, std::size_t readable_len, SgList writable,
        std::size_t writable_len)
      : pool_(pool),
        readable_(std::move(readable)),
        writable_(std::move(writable)),
        readable_len_(readable_len),
        writable_len_(writable_len) {}

  void Release() {
    if (pool_ == nullptr) return;
    // Dealloc cannot fail for addresses this pool just handed out.
    for (const Allocation& a : readable_) (void)pool_->Dealloc(a.addr);
    for (const Allocation& a : writable_) (void)pool_->Dealloc(a.addr);
    pool_ = nullptr;
  }

  Pool* pool_ = nullptr;
  SgList readable_;
  SgList writable_;
  std::size_t readable_len_ = 0;
  std::size_t written_ = 0;
  std::size_t writable_len_ = 0;
};

// The bytes a device wrote into a chain's writable segments, read in place
// (zero copy). Owns the segments: their pool slots are returned by Release()
// or the destructor, so it must not outlive the pool. Move-only.
template <BufferProvider Pool>
class ReceivedData {
 public:
  ReceivedData(ReceivedData&& other) noexcept { *this = std::move(other); }
  ReceivedData& operator=(ReceivedData&& other) noexcept {
    if (this != &other) {
      Release();
      pool_ = std::exchange(other.pool_, nullptr);
      segments_ = std::move(other.segments_);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  ReceivedData(const ReceivedData&) = delete;
  ReceivedData& operator=(const ReceivedData&) = delete;
  ~ReceivedData() { Release(); }

  // Bytes the device wrote (clamped to the writable length offered).
  std::size_t size() const { return size_; }
  // Number of writable segments, including any the device left empty.
  std::size_t segment_count() const { return segments_.size(); }
  // The written bytes inside segment `index` (empty past the end of the data).
  std::span<const std::uint8_t> segment(std::size_t index) const {
    std::size_t before = 0;
    for (std::size_t i = 0; i < index; ++i) before += segments_[i].len;
    if (before >= size_) return {};
    return {GuestToHost(segments_[index].addr), std::min(segments_[index].len, size_ - before)};
  }
  // Copies up to out.size() written bytes into `out`; returns how many.
  std::size_t CopyTo(std::span<std::uint8_t> out) const {
    std::size_t done = 0;
    const std::size_t total = std::min(out.size(), size_);
    for (const Allocation& s : segments_) {
      if (done == total) break;
      const std::size_t n = std::min(s.len, total - done);
      std::memcpy(out.data() + done, GuestToHost(s.addr), n);
      done += n;
    }
    return done;
  }
  // All written bytes as one vector (a copy; for tests and diagnostics).
  std::vector<std::uint8_t> ToVector() const {
    std::vector<std::uint8_t> out(size_);
    CopyTo(out);
    return out;
  }
  // Returns the segments to the pool now; the data must not be read afterwards.
  void Release() {
    if (pool_ == nullptr) return;
    for (const Allocation& a : segments_) (void)pool_->Dealloc(a.addr);
    pool_ = nullptr;
    segments_.clear();
    size_ = 0;
  }

 private:
  friend class Producer<Pool>;

  ReceivedData(Pool* pool, SgList segments, std::size_t size)
      : pool_(pool), segments_(std::move(segments)), size_(size) {}

  Pool* pool_ = nullptr;
  SgList segments_;
  std::size_t size_ = 0;
};

// A chain the device has finished with, as returned by Producer::Poll. Its
// readable segments are already back in the pool.
template <BufferProvider Pool>
struct UsedChain {
  std::uint16_t id = 0;           // Buffer id the chain was submitted with.
  std::uint16_t descriptors = 0;  // Ring slots the chain occupied (now free again).
  std::uint32_t written = 0;      // Length field of the used descriptor, as the device wrote it.
  // The response when the chain had writable segments ("Data"); empty for a
  // read-only chain ("Ack").
  std::optional<ReceivedData<Pool>> data;

  // Whether this is an acknowledgement without data.
  bool is_ack() const { return !data.has_value(); }
};

// The driver end of one packed virtqueue. Holds references to the ring
// memory, the pool and the notifier, which must outlive it. Single-threaded.
template <BufferProvider Pool>
class Producer {
 public:
  // A producer for `ring` (already initialised with RingLayout::Initialize)
  // allocating buffers from `pool` and kicking the device through `notifier`.
  Producer(RingLayout ring, Pool& pool, Notifier& notifier);

  // Allocates a chain with `readable_len` device-readable bytes (pool.AllocSg)
  // and `writable_len` device-writable bytes (a second AllocSg); either may be
  // 0 but not both. On failure nothing stays allocated. kBackpressure when the
  // pool is out of space, kAllocFailed for other pool errors, kChainTooLong
  // when the chain would need more descriptors than the ring has.
  Result<Chain<Pool>, RingError> NewChain(std::size_t readable_len, std::size_t writable_len);

  // Publishes `chain` on the ring and notifies the device unless its event
  // suppression says otherwise. Returns the buffer id. On success the ring
  // owns the buffers and `chain` is left empty; on failure (kBackpressure:
  // not enough free descriptors; kInvalidArg: empty chain or a chain from
  // another pool) `chain` is untouched and still owns them.
  Result<std::uint16_t, RingError> Submit(Chain<Pool>&& chain);

  // Takes the next used chain off the ring, if any: frees its readable
  // segments and hands the writable ones back as ReceivedData. kBadUsedId if
  // the device reported an id that is not in flight.
  Result<std::optional<UsedChain<Pool>>, RingError> Poll();

  // Sets the driver event suppression area, which tells the device when to
  // call Notifier::NotifyDriver (kEventFlags*; off_wrap only for kEventFlagsDesc).
  void SetUsedNotifications(std::uint16_t flags, std::uint16_t off_wrap = 0) {
    WriteEventSuppression(ring_.driver_event(), flags, off_wrap);
  }

  // Ring slots not occupied by in-flight chains.
  std::uint16_t free_descriptors() const { return num_free_; }
  // Chains submitted and not yet polled back.
  std::size_t in_flight() const { return ring_.size() - id_free_.size(); }
  // Where the next chain will be written.
  RingPosition avail_position() const { return avail_; }
  // Where the next used descriptor is expected.
  RingPosition used_position() const { return used_; }
  // The pool buffers come from.
  Pool& pool() { return *pool_; }

 private:
  struct InFlight {
    SgList readable;
    SgList writable;
    std::size_t writable_len = 0;
  };

  RingLayout ring_;
  Pool* pool_;
  Notifier* notifier_;
  RingPosition avail_;
  RingPosition used_;
  std::uint16_t num_free_;
  std::vector<std::uint16_t> id_free_;  // Stack of unused buffer ids.
  std::vector<std::uint16_t> id_num_;   // Per id: descriptors in its chain (0 = not in flight).
  std::vector<InFlight> in_flight_;     // Per id: the buffers the chain owns.
};

// ---------------------------------------------------------------------------
// Implementation.

template <BufferProvider Pool>
Producer<Pool>::Producer(RingLayout ring, Pool& pool, Notifier& notifier)
    : ring_(ring),
      pool_(&pool),
      notifier_(&notifier),
      num_free_(ring.size()),
      id_num_(ring.size(), 0),
      in_flight_(ring.size()) {
  id_free_.reserve(ring.size());
  // Highest id at the bottom so that ids are handed out 0, 1, 2, ...
  for (std::size_t id = ring.size(); id-- > 0;) id_free_.push_back(static_cast<std::uint16_t>(id));
}

template <BufferProvider Pool>
Result<Chain<Pool>, RingError> Producer<Pool>::NewChain(std::size_t readable_len,
                                                        std::size_t writable_len) {
  if (readable_len == 0 && writable_len == 0) return RingError::kInvalidArg;
  SgList readable;
  SgList writable;
  if (readable_len > 0) {
    SgResult r = pool_->AllocSg(readable_len);
    if (!r.ok()) return FromAllocError(r.error());
    readable = std::move(r).value();
  }
  if (writable_len > 0) {
    SgResult w = pool_->AllocSg(writable_len);
    if (!w.ok()) {
      for (const Allocation& a : readable) (void)pool_->Dealloc(a.addr);
      return FromAllocError(w.error());
    }
    writable = std::move(w).value();
  }
  Chain<Pool> chain(pool_, std::move(readable), readable_len, std::move(writable), writable_len);
  // A descriptor's len is 32 bits; the chain is freed by its destructor on error.
  for (const Allocation& a : chain.readable_) {
    if (a.len > UINT32_MAX) return RingError::kAllocFailed;
  }
  for (const Allocation& a : chain.writable_) {
    if (a.len > UINT32_MAX) return RingError::kAllocFailed;
  }
  if (chain.descriptor_count() > ring_.size()) return RingError::kChainTooLong;
  return chain;
}

template <BufferProvider Pool>
Result<std::uint16_t, RingError> Producer<Pool>::Submit(Chain<Pool>&& chain) {
  const std::size_t count = chain.descriptor_count();
  if (chain.pool_ != pool_ || count == 0) return RingError::kInvalidArg;
  if (count > ring_.size()) return RingError::kChainTooLong;
  if (count > num_free_ || id_free_.empty()) return RingError::kBackpressure;

  const std::uint16_t id = id_free_.back();
  id_free_.pop_back();
  const std::uint16_t size = ring_.size();
  const RingPosition head = avail_;
  RingPosition pos = avail_;
  std::uint16_t head_flags = 0;
  std::size_t emitted = 0;
  // Descriptors go out head first in memory order, but the head's flags are
  // stored last (below) with release ordering: until then the device sees no
  // part of the chain, and afterwards it sees all of it (VIRTIO 1.1 section 2.7, "Supplying Buffers
  // to The Device / Updating flags").
  const auto emit = [&](std::uint64_t addr, std::size_t len, std::uint16_t type) {
    const bool last = emitted + 1 == count;
    const auto flags =
        static_cast<std::uint16_t>(type | (last ? 0 : kDescFNext) | AvailFlags(pos.wrap));
    Descriptor& desc = ring_.desc(pos.index);
    desc.addr = addr;
    desc.len = static_cast<std::uint32_t>(len);
    desc.id = id;
    if (emitted == 0) {
      head_flags = flags;
    } else {
      std::atomic_ref<std::uint16_t>(desc.flags).store(flags, std::memory_order_relaxed);
    }
    ++emitted;
    pos.Advance(1, size);
  };
  // Readable descriptors carry exactly the bytes written into each segment.
  std::size_t remaining = chain.written_;
  for (const Allocation& a : chain.readable_) {
    const std::size_t len = std::min(a.len, remaining);
    remaining -= len;
    emit(a.addr, len, 0);
  }
  // Writable descriptors offer exactly the requested response length.
  remaining = chain.writable_len_;
  for (const Allocation& a : chain.writable_) {
    const std::size_t len = std::min(a.len, remaining);
    remaining -= len;
    emit(a.addr, len, kDescFWrite);
  }
  StoreFlagsRelease(ring_.desc(head.index), head_flags);

  InFlight& slot = in_flight_[id];
  slot.readable = std::move(chain.readable_);
  slot.writable = std::move(chain.writable_);
  slot.writable_len = chain.writable_len_;
  chain.pool_ = nullptr;
  id_num_[id] = static_cast<std::uint16_t>(count);
  num_free_ = static_cast<std::uint16_t>(num_free_ - count);
  avail_ = pos;

  // The flag stores above must be visible before the device's suppression
  // area is read, or a device that just re-enabled notifications could be
  // missed (store-load ordering needs a full fence, as virtio_mb in Linux).
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (NeedsNotify(ring_.device_event(), head, avail_, size)) notifier_->NotifyDevice();
  return id;
}

template <BufferProvider Pool>
Result<std::optional<UsedChain<Pool>>, RingError> Producer<Pool>::Poll() {
  Descriptor& desc = ring_.desc(used_.index);
  if (!IsUsed(LoadFlagsAcquire(desc), used_.wrap)) return std::optional<UsedChain<Pool>>();
  const std::uint16_t id = desc.id;
  const std::uint32_t written = desc.len;
  if (id >= ring_.size() || id_num_[id] == 0) return RingError::kBadUsedId;

  const std::uint16_t count = std::exchange(id_num_[id], 0);
  used_.Advance(count, ring_.size());
  num_free_ = static_cast<std::uint16_t>(num_free_ + count);
  id_free_.push_back(id);

  InFlight& slot = in_flight_[id];
  for (const Allocation& a : slot.readable) (void)pool_->Dealloc(a.addr);
  slot.readable.clear();

  std::optional<UsedChain<Pool>> used(std::in_place);
  used->id = id;
  used->descriptors = count;
  used->written = written;
  if (!slot.writable.empty()) {
    // A device claiming more than was offered is clamped rather than trusted.
    const std::size_t size = std::min<std::size_t>(written, slot.writable_len);
    used->data.emplace(ReceivedData<Pool>(pool_, std::move(slot.writable), size));
    slot.writable.clear();
  }
  return used;
}

}  // namespace vmbench::virtq

#endif  // VMBENCH_SUITES_VIRTQ_PRODUCER_H_
