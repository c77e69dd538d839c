// BufferPool: the two-tier bitmap "run" allocator of the virtq benchmarks
// (reference: hyperlight_common virtq/pool.rs, summarised in section 4.1 of
// shared/reference/hyperlight-benchmarks.md).
//
// A region [base, base + len) is split into a lower slab of small slots (L
// bytes, one eighth of the region) and an upper slab of large slots (U bytes,
// the rest). An allocation is a run of consecutive slots in one slab, found by
// a one-entry "last freed run" cache or else a first-fit bitmap scan.
// AllocSg always returns a single contiguous run. Single-threaded; no memory
// is touched, only addresses are computed, so the region may be fictitious.

#ifndef VMBENCH_SUITES_VIRTQ_BUFFER_POOL_H_
#define VMBENCH_SUITES_VIRTQ_BUFFER_POOL_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include "allocation.h"
#include "buffer_provider.h"
#include "slot_bitmap.h"

namespace vmbench::virtq {

// One tier of BufferPool: `slot_count()` slots of N bytes starting at `base()`.
template <std::size_t N>
class RunSlab {
 public:
  static_assert(N > 0, "slot size must be positive");

  // Slot size in bytes.
  static constexpr std::size_t kSlotSize = N;

  // Builds a slab over [base, base + floor(len / N) * N). Errors:
  // kInvalidAlign if base % N != 0, kEmptyRegion if len < N, kOverflow if
  // the slab would end past 2^64.
  static Result<RunSlab> Create(std::uint64_t base, std::size_t len);

  // Allocates ceil(len / N) consecutive slots. kOutOfMemory if that exceeds
  // slot_count(), kNoSpace if no such run is free now, kInvalidArg for 0.
  AllocResult Alloc(std::size_t len);

  // Frees the run starting at `addr`. kInvalidFree unless `addr` is the first
  // slot of a live run (so double frees and interior addresses are rejected).
  AllocStatus Dealloc(std::uint64_t addr);

  // Frees every run and drops the free-run cache.
  void Reset();

  // Whether `addr` lies inside the slab's address range.
  bool Contains(std::uint64_t addr) const { return addr >= base_ && addr - base_ < Bytes(); }

  // First byte of the slab.
  std::uint64_t base() const { return base_; }
  // One past the last byte of the slab.
  std::uint64_t end() const { return base_ + Bytes(); }
  // Number of slots.
  std::size_t slot_count() const { return slot_count_; }
  // Number of slots not in any live run.
  std::size_t free_slots() const { return slot_count_ - used_count_; }
  // Whether slot `index` belongs to a live run.
  bool IsUsed(std::size_t index) const { return used_.Test(index); }
  // The cached most recently freed run, if it is still valid.
  std::optional<Allocation> cached_free_run() const;

 private:
  RunSlab(std::uint64_t base, std::size_t slot_count)
      : base_(base), slot_count_(slot_count), used_(slot_count), run_starts_(slot_count) {}

  std::uint64_t Bytes() const { return static_cast<std::uint64_t>(slot_count_) * N; }

  std::uint64_t base_;
  std::size_t slot_count_;
  std::size_t used_count_ = 0;
  SlotBitmap used_;
  SlotBitmap run_starts_;
  // The last freed run as [cache_start_, cache_start_ + cache_slots_); empty when cache_slots_ ==
  // 0.
  std::size_t cache_start_ = 0;
  std::size_t cache_slots_ = 0;
};

// Two-tier run allocator: requests of at most L bytes go to the lower slab
// (falling through to the upper slab when the lower one has no space), larger
// requests go to the upper slab. Satisfies BufferProvider. Copyable and
// movable; copies are independent pools over the same addresses.
template <std::size_t L = 256, std::size_t U = 4096>
class BufferPool {
 public:
  static_assert(L > 0 && U > 0, "slot sizes must be positive");

  // Share of the usable region given to the lower slab (1 / kLowerFraction).
  static constexpr std::size_t kLowerFraction = 8;

  // Builds the pool over [base, base + len): the lower slab starts at
  // align_up(base, L) and gets usable / 8 bytes; the upper slab starts at the
  // next multiple of U after the lower slab and takes the rest. Errors:
  // kOverflow if the region wraps, kEmptyRegion if either slab gets no slot.
  static Result<BufferPool> Create(std::uint64_t base, std::size_t len);

  // Allocates `len` bytes (see class comment for tier routing). The returned
  // length is rounded up to whole slots. kInvalidArg for 0, kOutOfMemory when
  // larger than the upper slab, kNoSpace when no fitting run is free.
  AllocResult Alloc(std::size_t len);

  // Frees the allocation starting at `addr`; kInvalidFree for anything that
  // is not the start of a live allocation. A failed call changes nothing.
  AllocStatus Dealloc(std::uint64_t addr);

  // One contiguous run of `total` bytes (never split, unlike DefaultAllocSg).
  SgResult AllocSg(std::size_t total);

  // Frees everything.
  void Reset();

  // The upper slot size, U (the reference reports it even though AllocSg does not split).
  std::size_t MaxAllocLen() const { return U; }

  // The lower (small-slot) slab.
  const RunSlab<L>& lower() const { return lower_; }
  // The upper (large-slot) slab.
  const RunSlab<U>& upper() const { return upper_; }
  // Free slots of both slabs together.
  std::size_t free_slots() const { return lower_.free_slots() + upper_.free_slots(); }

 private:
  BufferPool(RunSlab<L> lower, RunSlab<U> upper)
      : lower_(std::move(lower)), upper_(std::move(upper)) {}

  RunSlab<L> lower_;
  RunSlab<U> upper_;
};

// ---------------------------------------------------------------------------
// Implementation.

template <std::size_t N>
Result<RunSlab<N>> RunSlab<N>::Create(std::uint64_t base, std::size_t len) {
  if (base % N != 0) return AllocError::kInvalidAlign;
  const std::size_t slots = len / N;
  if (slots == 0) return AllocError::kEmptyRegion;
  if (static_cast<std::uint64_t>(slots) * N > UINT64_MAX - base) return AllocError::kOverflow;
  return RunSlab(base, slots);
}

template <std::size_t N>
AllocResult RunSlab<N>::Alloc(std::size_t len) {
  if (len == 0) return AllocError::kInvalidArg;
  if (len > Bytes()) return AllocError::kOutOfMemory;
  const std::size_t need = (len + N - 1) / N;
  std::size_t start;
  if (cache_slots_ >= need) {
    // The cached run is free by construction (cleared when reused or overlapped).
    start = cache_start_;
    cache_slots_ = 0;
  } else {
    start = used_.FindClearRun(need);
    if (start == slot_count_) return AllocError::kNoSpace;
    if (cache_slots_ != 0 && start < cache_start_ + cache_slots_ && cache_start_ < start + need) {
      cache_slots_ = 0;
    }
  }
  used_.SetRange(start, need);
  run_starts_.Set(start);
  used_count_ += need;
  return Allocation{base_ + static_cast<std::uint64_t>(start) * N, need * N};
}

template <std::size_t N>
AllocStatus RunSlab<N>::Dealloc(std::uint64_t addr) {
  if (addr < base_) return AllocError::kInvalidFree;
  const std::uint64_t offset = addr - base_;
  if (offset % N != 0 || offset / N >= slot_count_) return AllocError::kInvalidFree;
  const auto start = static_cast<std::size_t>(offset / N);
  if (!used_.Test(start) || !run_starts_.Test(start)) return AllocError::kInvalidFree;
  // The run ends at the first slot that is free or starts another run. The run-start search is
  // bounded by the first free slot, so freeing a short run costs O(run), not O(slab).
  const std::size_t used_end = used_.FindNextClear(start + 1);
  const std::size_t end = run_starts_.FindNextSet(start + 1, used_end);
  const std::size_t run = end - start;
  used_.ClearRange(start, run);
  run_starts_.Clear(start);
  used_count_ -= run;
  cache_start_ = start;
  cache_slots_ = run;
  return {};
}

template <std::size_t N>
void RunSlab<N>::Reset() {
  used_.ClearAll();
  run_starts_.ClearAll();
  used_count_ = 0;
  cache_slots_ = 0;
}

template <std::size_t N>
std::optional<Allocation> RunSlab<N>::cached_free_run() const {
  if (cache_slots_ == 0) return std::nullopt;
  return Allocation{base_ + static_cast<std::uint64_t>(cache_start_) * N, cache_slots_ * N};
}

template <std::size_t L, std::size_t U>
Result<BufferPool<L, U>> BufferPool<L, U>::Create(std::uint64_t base, std::size_t len) {
  if (len > UINT64_MAX - base) return AllocError::kOverflow;
  const std::uint64_t end = base + len;
  std::uint64_t lower_base = 0;
  if (!AlignUp(base, L, lower_base)) return AllocError::kOverflow;
  if (lower_base >= end) return AllocError::kEmptyRegion;
  const std::uint64_t usable = end - lower_base;
  Result<RunSlab<L>> lower =
      RunSlab<L>::Create(lower_base, static_cast<std::size_t>(usable / kLowerFraction));
  if (!lower.ok()) return lower.error();
  std::uint64_t upper_base = 0;
  if (!AlignUp(lower.value().end(), U, upper_base)) return AllocError::kOverflow;
  if (upper_base >= end) return AllocError::kEmptyRegion;
  Result<RunSlab<U>> upper =
      RunSlab<U>::Create(upper_base, static_cast<std::size_t>(end - upper_base));
  if (!upper.ok()) return upper.error();
  return BufferPool(std::move(lower).value(), std::move(upper).value());
}

template <std::size_t L, std::size_t U>
AllocResult BufferPool<L, U>::Alloc(std::size_t len) {
  if (len == 0) return AllocError::kInvalidArg;
  if (len <= L) {
    AllocResult small = lower_.Alloc(len);
    if (small.ok() || small.error() != AllocError::kNoSpace) return small;
  }
  return upper_.Alloc(len);
}

template <std::size_t L, std::size_t U>
AllocStatus BufferPool<L, U>::Dealloc(std::uint64_t addr) {
  return lower_.Contains(addr) ? lower_.Dealloc(addr) : upper_.Dealloc(addr);
}

template <std::size_t L, std::size_t U>
SgResult BufferPool<L, U>::AllocSg(std::size_t total) {
  AllocResult run = Alloc(total);
  if (!run.ok()) return run.error();
  return SgList{run.value()};
}

template <std::size_t L, std::size_t U>
void BufferPool<L, U>::Reset() {
  lower_.Reset();
  upper_.Reset();
}

// Header-only on purpose: the benchmarks time single Alloc/Dealloc calls, and
// keeping the definitions visible lets them inline as the Rust reference does.
static_assert(BufferProvider<BufferPool<>>);

}  // namespace vmbench::virtq

#endif  // VMBENCH_SUITES_VIRTQ_BUFFER_POOL_H_
