#include "recycle_pool.h"

#include <utility>

namespace vmbench::virtq {

Result<RecyclePool> RecyclePool::Create(std::uint64_t base, std::size_t len,
                                        std::size_t slot_size) {
  if (slot_size == 0) return AllocError::kInvalidArg;
  if (len > UINT64_MAX - base) return AllocError::kOverflow;
  const std::uint64_t end = base + len;
  std::uint64_t aligned = 0;
  if (!AlignUp(base, slot_size, aligned)) return AllocError::kOverflow;
  if (aligned >= end) return AllocError::kEmptyRegion;
  const auto count = static_cast<std::size_t>((end - aligned) / slot_size);
  if (count == 0) return AllocError::kEmptyRegion;
  return RecyclePool(aligned, slot_size, count);
}

RecyclePool::RecyclePool(std::uint64_t base, std::size_t slot_size, std::size_t slot_count)
    : base_(base), slot_size_(slot_size), slot_count_(slot_count), allocated_(slot_count) {
  free_.reserve(slot_count);
  RebuildFreeList();
}

void RecyclePool::RebuildFreeList() {
  // Ascending order means the highest slot is on top of the stack, which is
  // the order the reference hands slots out in; benchmarks depend on it.
  free_.clear();
  for (std::size_t i = 0; i < slot_count_; ++i) {
    if (!allocated_.Test(i)) free_.push_back(base_ + static_cast<std::uint64_t>(i) * slot_size_);
  }
}

void RecyclePool::Reset() {
  allocated_.ClearAll();
  RebuildFreeList();
}

AllocStatus RecyclePool::RestoreAllocated(std::span<const std::uint64_t> addrs) {
  // Validate into a scratch bitmap first so that a bad list leaves the pool as it was.
  SlotBitmap restored(slot_count_);
  for (const std::uint64_t addr : addrs) {
    if (addr < base_) return AllocError::kInvalidFree;
    const std::uint64_t offset = addr - base_;
    if (offset % slot_size_ != 0 || offset / slot_size_ >= slot_count_) {
      return AllocError::kInvalidFree;
    }
    const auto index = static_cast<std::size_t>(offset / slot_size_);
    if (restored.Test(index)) return AllocError::kInvalidFree;
    restored.Set(index);
  }
  allocated_ = std::move(restored);
  RebuildFreeList();
  return {};
}

bool RecyclePool::IsAllocated(std::uint64_t addr) const {
  if (addr < base_) return false;
  const std::uint64_t offset = addr - base_;
  if (offset % slot_size_ != 0 || offset / slot_size_ >= slot_count_) return false;
  return allocated_.Test(static_cast<std::size_t>(offset / slot_size_));
}

}  // namespace vmbench::virtq
