#include "recycle_pool.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <set>
#include <vector>

namespace vmbench::virtq {
namespace {

constexpr std::uint64_t kBase = 0x80000;
constexpr std::size_t kFourMiB = std::size_t{4} << 20;

RecyclePool MakePool(std::size_t slot = 4096, std::size_t len = kFourMiB,
                     std::uint64_t base = kBase) {
  Result<RecyclePool> pool = RecyclePool::Create(base, len, slot);
  REQUIRE(pool.ok());
  return std::move(pool).value();
}

TEST_CASE("RecyclePool geometry", "[virtq][recycle_pool]") {
  CHECK(MakePool(4096).slot_count() == 1024);
  CHECK(MakePool(256).slot_count() == 16384);
  CHECK(MakePool(4096, std::size_t{8} << 20).slot_count() == 2048);
  RecyclePool pool = MakePool(4096, 3 * 4096 + 100, 0x80001);
  CHECK(pool.base() == 0x81000);
  CHECK(pool.slot_count() == 2);
  CHECK(pool.MaxAllocLen() == 4096);
}

TEST_CASE("RecyclePool construction errors", "[virtq][recycle_pool]") {
  CHECK(RecyclePool::Create(kBase, kFourMiB, 0).error() == AllocError::kInvalidArg);
  CHECK(RecyclePool::Create(kBase, 4095, 4096).error() == AllocError::kEmptyRegion);
  CHECK(RecyclePool::Create(kBase + 1, 4096, 4096).error() == AllocError::kEmptyRegion);
  CHECK(RecyclePool::Create(UINT64_MAX - 10, 4096, 4096).error() == AllocError::kOverflow);
}

TEST_CASE("RecyclePool hands out the highest slots first, LIFO", "[virtq][recycle_pool]") {
  RecyclePool pool = MakePool();
  const std::uint64_t top = kBase + 1023 * 4096;
  AllocResult first = pool.Alloc(1);
  REQUIRE(first.ok());
  CHECK(first.value() == Allocation{top, 4096});
  CHECK(pool.Alloc(4096).value().addr == top - 4096);
  CHECK(pool.Alloc(1500).value().addr == top - 2 * 4096);
  REQUIRE(pool.Dealloc(top).ok());
  CHECK(pool.Alloc(10).value().addr == top);
  REQUIRE(pool.Dealloc(top - 4096).ok());
  REQUIRE(pool.Dealloc(top - 2 * 4096).ok());
  CHECK(pool.Alloc(10).value().addr == top - 2 * 4096);
  CHECK(pool.Alloc(10).value().addr == top - 4096);
  CHECK(pool.free_slots() == 1021);
}

TEST_CASE("RecyclePool errors leave the pool unchanged", "[virtq][recycle_pool]") {
  RecyclePool pool = MakePool(4096, 4 * 4096);
  const std::uint64_t a = pool.Alloc(4096).value().addr;
  const std::uint64_t b = pool.Alloc(4096).value().addr;
  REQUIRE(pool.Dealloc(b).ok());
  CHECK(pool.Alloc(0).error() == AllocError::kInvalidArg);
  CHECK(pool.Alloc(4097).error() == AllocError::kOutOfMemory);
  CHECK(pool.Dealloc(kBase - 4096).error() == AllocError::kInvalidFree);
  CHECK(pool.Dealloc(a + 8).error() == AllocError::kInvalidFree);
  CHECK(pool.Dealloc(kBase + 4 * 4096).error() == AllocError::kInvalidFree);
  CHECK(pool.Dealloc(b).error() == AllocError::kInvalidFree);      // Double free.
  CHECK(pool.Dealloc(kBase).error() == AllocError::kInvalidFree);  // Never allocated.
  CHECK(pool.free_slots() == 3);
  CHECK(pool.Alloc(1).value().addr == b);
  CHECK(pool.Alloc(1).ok());
  CHECK(pool.Alloc(1).ok());
  CHECK(pool.Alloc(1).error() == AllocError::kNoSpace);
  CHECK(pool.free_slots() == 0);
  CHECK(pool.IsAllocated(a));
  CHECK_FALSE(pool.IsAllocated(a + 1));
}

TEST_CASE("RecyclePool AllocSg splits into slot-sized segments", "[virtq][recycle_pool]") {
  RecyclePool pool = MakePool(4096, std::size_t{8} << 20);
  for (auto [size, segments] : {std::pair<std::size_t, std::size_t>{8192, 2},
                                {65536, 16},
                                {262144, 64},
                                {4097, 2},
                                {1, 1}}) {
    SgResult sg = pool.AllocSg(size);
    REQUIRE(sg.ok());
    CHECK(sg.value().size() == segments);
    std::set<std::uint64_t> distinct;
    for (const Allocation& a : sg.value()) {
      CHECK(a.len == 4096);
      distinct.insert(a.addr);
    }
    CHECK(distinct.size() == segments);
    CHECK(pool.free_slots() == 2048 - segments);
    for (const Allocation& a : sg.value()) REQUIRE(pool.Dealloc(a.addr).ok());
  }
  CHECK(pool.AllocSg(0).error() == AllocError::kInvalidArg);
}

TEST_CASE("RecyclePool AllocSg rolls back on failure", "[virtq][recycle_pool]") {
  RecyclePool pool = MakePool(4096, 10 * 4096);
  const std::uint64_t held = pool.Alloc(1).value().addr;
  CHECK(pool.AllocSg(10 * 4096).error() == AllocError::kNoSpace);
  CHECK(pool.free_slots() == 9);
  // The free list order is restored too: the next pop is the slot below `held`.
  CHECK(pool.Alloc(1).value().addr == held - 4096);
}

TEST_CASE("RecyclePool RestoreAllocated and Reset", "[virtq][recycle_pool]") {
  RecyclePool pool = MakePool(4096, 8 * 4096);
  const std::vector<std::uint64_t> live = {kBase + 3 * 4096, kBase + 7 * 4096};
  REQUIRE(pool.RestoreAllocated(live).ok());
  CHECK(pool.free_slots() == 6);
  CHECK(pool.IsAllocated(live[0]));
  CHECK(pool.IsAllocated(live[1]));
  CHECK(pool.Alloc(1).value().addr == kBase + 6 * 4096);
  CHECK(pool.Dealloc(live[1]).ok());

  const std::vector<std::uint64_t> duplicate = {kBase, kBase};
  const std::vector<std::uint64_t> misaligned = {kBase + 1};
  const std::vector<std::uint64_t> outside = {kBase + 8 * 4096};
  CHECK(pool.RestoreAllocated(duplicate).error() == AllocError::kInvalidFree);
  CHECK(pool.RestoreAllocated(misaligned).error() == AllocError::kInvalidFree);
  CHECK(pool.RestoreAllocated(outside).error() == AllocError::kInvalidFree);
  CHECK(pool.free_slots() == 6);  // Unchanged by the failed restores.

  pool.Reset();
  CHECK(pool.free_slots() == 8);
  CHECK(pool.Alloc(1).value().addr == kBase + 7 * 4096);
}

}  // namespace
}  // namespace vmbench::virtq
