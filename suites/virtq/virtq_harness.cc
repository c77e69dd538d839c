#include "virtq_harness.h"

#include <vector>

namespace vmbench::virtq {

namespace {

constexpr std::size_t kPageSlot = 4096;

std::size_t SlotsFor(std::size_t payload) { return (payload + kPageSlot - 1) / kPageSlot; }

}  // namespace

PoolFactory<BufferPool<>> RunBufferPoolFactory() {
  return [](std::uint64_t base, std::size_t len) { return BufferPool<>::Create(base, len); };
}

PoolFactory<BufferPool<>> FragmentedRunBufferPoolFactory(std::size_t payload) {
  return [payload](std::uint64_t base, std::size_t len) -> Result<BufferPool<>> {
    Result<BufferPool<>> made = BufferPool<>::Create(base, len);
    if (!made.ok()) return made;
    BufferPool<>& pool = made.value();
    const std::size_t p = SlotsFor(payload);
    std::vector<std::uint64_t> addrs;
    addrs.reserve(64 + p);
    // 4096-byte requests skip the lower slab, so these fill upper slots 0..63+p in order.
    for (std::size_t i = 0; i < 64 + p; ++i) {
      AllocResult a = pool.Alloc(kPageSlot);
      if (!a.ok()) return a.error();
      addrs.push_back(a.value().addr);
    }
    for (std::size_t i = 32; i < 32 + p; ++i) {
      if (AllocStatus s = pool.Dealloc(addrs[i]); !s.ok()) return s.error();
    }
    return made;
  };
}

PoolFactory<RecyclePool> RecyclePoolFactory() {
  return
      [](std::uint64_t base, std::size_t len) { return RecyclePool::Create(base, len, kPageSlot); };
}

PoolFactory<RecyclePool> FragmentedRecyclePoolFactory(std::size_t payload) {
  return [payload](std::uint64_t base, std::size_t len) -> Result<RecyclePool> {
    Result<RecyclePool> made = RecyclePool::Create(base, len, kPageSlot);
    if (!made.ok()) return made;
    RecyclePool& pool = made.value();
    const std::size_t p = SlotsFor(payload);
    std::vector<std::uint64_t> addrs;
    addrs.reserve(2 * p + 16);
    for (std::size_t i = 0; i < 2 * p + 16; ++i) {
      AllocResult a = pool.Alloc(kPageSlot);
      if (!a.ok()) return a.error();
      addrs.push_back(a.value().addr);
    }
    // Freeing indices 0, 2, ..., 2p-2 leaves every freed slot between two live ones.
    for (std::size_t i = 0; i < p; ++i) {
      if (AllocStatus s = pool.Dealloc(addrs[2 * i]); !s.ok()) return s.error();
    }
    return made;
  };
}

}  // namespace vmbench::virtq
