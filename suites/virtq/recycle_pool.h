// RecyclePool: the single-tier fixed-slot allocator of the virtq benchmarks
// (reference: hyperlight_common virtq/recycle_pool.rs, section 4.1 of
// shared/reference/hyperlight-benchmarks.md).
//
// The region is carved into equal slots kept on a LIFO free list that starts
// in ascending address order, so the first allocations return the highest
// slots. Every operation is O(1). A request larger than one slot is served by
// AllocSg as ceil(total / slot) separate, generally non-contiguous segments.
// Single-threaded; only addresses are computed, no memory is touched.

#ifndef VMBENCH_SUITES_VIRTQ_RECYCLE_POOL_H_
#define VMBENCH_SUITES_VIRTQ_RECYCLE_POOL_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "allocation.h"
#include "buffer_provider.h"
#include "slot_bitmap.h"

namespace vmbench::virtq {

// Fixed-slot LIFO allocator; satisfies BufferProvider.
class RecyclePool {
 public:
  // Carves [align_up(base, slot_size), base + len) into floor(usable /
  // slot_size) slots. Errors: kInvalidArg for slot_size == 0, kOverflow if
  // the region wraps, kEmptyRegion if no whole slot fits.
  static Result<RecyclePool> Create(std::uint64_t base, std::size_t len, std::size_t slot_size);

  // Pops one slot. kInvalidArg for len == 0, kOutOfMemory for len >
  // slot_size(), kNoSpace when every slot is in use. The returned length is
  // always slot_size().
  AllocResult Alloc(std::size_t len) {
    if (len == 0) return AllocError::kInvalidArg;
    if (len > slot_size_) return AllocError::kOutOfMemory;
    if (free_.empty()) return AllocError::kNoSpace;
    const std::uint64_t addr = free_.back();
    free_.pop_back();
    allocated_.Set(static_cast<std::size_t>((addr - base_) / slot_size_));
    return Allocation{addr, slot_size_};
  }

  // Pushes the slot at `addr` back on the free list. kInvalidFree if `addr`
  // is outside the pool, not slot-aligned, or not allocated (double free).
  AllocStatus Dealloc(std::uint64_t addr) {
    if (addr < base_) return AllocError::kInvalidFree;
    const std::uint64_t offset = addr - base_;
    if (offset % slot_size_ != 0 || offset / slot_size_ >= slot_count_) {
      return AllocError::kInvalidFree;
    }
    const auto index = static_cast<std::size_t>(offset / slot_size_);
    if (!allocated_.Test(index)) return AllocError::kInvalidFree;
    allocated_.Clear(index);
    free_.push_back(addr);
    return {};
  }

  // ceil(total / slot_size()) single-slot segments (DefaultAllocSg), all or nothing.
  SgResult AllocSg(std::size_t total) { return DefaultAllocSg(*this, total); }

  // Marks every slot free again, with the free list back in its initial order.
  void Reset();

  // Rebuilds the pool so that exactly the slots starting at `addrs` are
  // allocated and all others are free (ascending, as after Create). Used to
  // re-synchronise with buffers that survived a snapshot restore. kInvalidFree
  // for an address that is not a slot start or appears twice; the pool is
  // unchanged on error.
  AllocStatus RestoreAllocated(std::span<const std::uint64_t> addrs);

  // The slot size: no single allocation can be larger.
  std::size_t MaxAllocLen() const { return slot_size_; }

  // Address of slot 0.
  std::uint64_t base() const { return base_; }
  // Slot size in bytes.
  std::size_t slot_size() const { return slot_size_; }
  // Total number of slots.
  std::size_t slot_count() const { return slot_count_; }
  // Number of slots on the free list.
  std::size_t free_slots() const { return free_.size(); }
  // Whether the slot starting at `addr` is allocated (false for non-slot addresses).
  bool IsAllocated(std::uint64_t addr) const;

 private:
  RecyclePool(std::uint64_t base, std::size_t slot_size, std::size_t slot_count);

  // Refills free_ with every slot whose allocated_ bit is clear, ascending.
  void RebuildFreeList();

  std::uint64_t base_;
  std::size_t slot_size_;
  std::size_t slot_count_;
  // LIFO stack of free slot addresses; capacity reserved for all slots, so
  // pushes never reallocate.
  std::vector<std::uint64_t> free_;
  SlotBitmap allocated_;
};

static_assert(BufferProvider<RecyclePool>);

}  // namespace vmbench::virtq

#endif  // VMBENCH_SUITES_VIRTQ_RECYCLE_POOL_H_
