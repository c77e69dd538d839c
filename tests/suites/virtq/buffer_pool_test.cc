#include "buffer_pool.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

namespace vmbench::virtq {
namespace {

constexpr std::uint64_t kBase = 0x10000;
constexpr std::size_t kFourMiB = std::size_t{4} << 20;
constexpr std::size_t kEightMiB = std::size_t{8} << 20;

BufferPool<> MakePool(std::uint64_t base = kBase, std::size_t len = kFourMiB) {
  Result<BufferPool<>> pool = BufferPool<>::Create(base, len);
  REQUIRE(pool.ok());
  return std::move(pool).value();
}

std::uint64_t UpperSlot(const BufferPool<>& pool, std::size_t index) {
  return pool.upper().base() + index * 4096;
}

TEST_CASE("BufferPool geometry over 4 MiB matches the reference benchmarks",
          "[virtq][buffer_pool]") {
  BufferPool<> pool = MakePool();
  CHECK(pool.lower().base() == 0x10000);
  CHECK(pool.lower().end() == 0x90000);
  CHECK(pool.lower().slot_count() == 2048);
  CHECK(pool.upper().base() == 0x90000);
  CHECK(pool.upper().end() == 0x410000);
  CHECK(pool.upper().slot_count() == 896);
  CHECK(pool.free_slots() == 2048 + 896);
  CHECK(pool.MaxAllocLen() == 4096);
  CHECK_FALSE(pool.lower().cached_free_run().has_value());
}

TEST_CASE("BufferPool geometry over 8 MiB is 4096 lower and 1792 upper slots",
          "[virtq][buffer_pool]") {
  BufferPool<> pool = MakePool(0x200000, kEightMiB);
  CHECK(pool.lower().slot_count() == 4096);
  CHECK(pool.upper().slot_count() == 1792);
  CHECK(pool.upper().end() == 0x200000 + kEightMiB);
}

TEST_CASE("BufferPool aligns an unaligned base up", "[virtq][buffer_pool]") {
  BufferPool<> pool = MakePool(0x10001, kFourMiB);
  CHECK(pool.lower().base() == 0x10100);
  CHECK(pool.upper().base() % 4096 == 0);
  CHECK(pool.upper().end() <= 0x10001 + kFourMiB);
}

TEST_CASE("BufferPool construction errors", "[virtq][buffer_pool]") {
  CHECK(BufferPool<>::Create(kBase, 0).error() == AllocError::kEmptyRegion);
  // 1 KiB: the lower slab would get 128 bytes, less than one 256-byte slot.
  CHECK(BufferPool<>::Create(kBase, 1024).error() == AllocError::kEmptyRegion);
  // 4 KiB + 2 KiB: the lower slab fits 3 slots but nothing is left for a 4 KiB upper slot.
  CHECK(BufferPool<>::Create(0, 6144).error() == AllocError::kEmptyRegion);
  CHECK(BufferPool<>::Create(UINT64_MAX - 100, 4096).error() == AllocError::kOverflow);
  CHECK(RunSlab<256>::Create(0x10010, 4096).error() == AllocError::kInvalidAlign);
  CHECK(RunSlab<256>::Create(0x10000, 255).error() == AllocError::kEmptyRegion);
  CHECK(RunSlab<256>::Create(UINT64_MAX - 255, 512).error() == AllocError::kOverflow);
}

TEST_CASE("BufferPool routes small requests to the lower slab and large ones up",
          "[virtq][buffer_pool]") {
  for (std::size_t size : {64, 128, 256}) {
    BufferPool<> pool = MakePool();
    AllocResult a = pool.Alloc(size);
    REQUIRE(a.ok());
    CHECK(a.value().addr == pool.lower().base());
    CHECK(a.value().len == 256);
    CHECK(pool.lower().free_slots() == 2047);
  }
  for (std::size_t size : {512, 1024, 1500, 4096}) {
    BufferPool<> pool = MakePool();
    AllocResult a = pool.Alloc(size);
    REQUIRE(a.ok());
    CHECK(a.value().addr == pool.upper().base());
    CHECK(a.value().len == 4096);
    CHECK(pool.upper().free_slots() == 895);
  }
  BufferPool<> pool = MakePool();
  AllocResult big = pool.Alloc(8193);
  REQUIRE(big.ok());
  CHECK(big.value().len == 3 * 4096);
}

TEST_CASE("BufferPool falls through to the upper slab when the lower one is full",
          "[virtq][buffer_pool]") {
  // 64 KiB: lower 8 KiB = 32 slots at 0, upper 14 slots at 0x2000.
  BufferPool<> pool = MakePool(0, 64 * 1024);
  REQUIRE(pool.lower().slot_count() == 32);
  REQUIRE(pool.upper().slot_count() == 14);
  for (int i = 0; i < 32; ++i) REQUIRE(pool.Alloc(100).ok());
  AllocResult spill = pool.Alloc(100);
  REQUIRE(spill.ok());
  CHECK(spill.value().addr == pool.upper().base());
  CHECK(spill.value().len == 4096);
}

TEST_CASE("BufferPool last-free-run cache", "[virtq][buffer_pool]") {
  BufferPool<> pool = MakePool();

  SECTION("the most recently freed run wins over first fit") {
    std::vector<std::uint64_t> a;
    for (int i = 0; i < 3; ++i) a.push_back(pool.Alloc(4096).value().addr);
    REQUIRE(pool.Dealloc(a[0]).ok());
    REQUIRE(pool.Dealloc(a[2]).ok());  // Overwrites the cache entry for a[0].
    REQUIRE(pool.upper().cached_free_run() == Allocation{a[2], 4096});
    CHECK(pool.Alloc(4096).value().addr == a[2]);
    CHECK_FALSE(pool.upper().cached_free_run().has_value());
    CHECK(pool.Alloc(4096).value().addr == a[0]);  // Now first fit.
  }

  SECTION("a larger cached run is taken from its start and then dropped") {
    const std::uint64_t run = pool.Alloc(8192).value().addr;
    const std::uint64_t next = pool.Alloc(4096).value().addr;
    CHECK(next == run + 8192);
    REQUIRE(pool.Dealloc(run).ok());
    REQUIRE(pool.upper().cached_free_run() == Allocation{run, 8192});
    CHECK(pool.Alloc(4096).value().addr == run);
    CHECK_FALSE(pool.upper().cached_free_run().has_value());
    CHECK(pool.Alloc(4096).value().addr == run + 4096);  // First fit finds the rest.
  }

  SECTION("a cached run too small for the request is skipped but kept") {
    std::vector<std::uint64_t> a;
    for (int i = 0; i < 4; ++i) a.push_back(pool.Alloc(4096).value().addr);
    REQUIRE(pool.Dealloc(a[1]).ok());
    AllocResult two = pool.Alloc(8192);
    CHECK(two.value().addr == UpperSlot(pool, 4));
    CHECK(pool.upper().cached_free_run() == Allocation{a[1], 4096});
  }

  SECTION("an allocation overlapping the cached run invalidates it") {
    std::vector<std::uint64_t> a;
    for (int i = 0; i < 4; ++i) a.push_back(pool.Alloc(4096).value().addr);
    REQUIRE(pool.Dealloc(a[0]).ok());
    REQUIRE(pool.Dealloc(a[1]).ok());    // Cache = slot 1; slots 0 and 1 free.
    AllocResult two = pool.Alloc(8192);  // Cache too small; first fit takes slots 0-1.
    CHECK(two.value().addr == a[0]);
    CHECK_FALSE(pool.upper().cached_free_run().has_value());
    REQUIRE(pool.Dealloc(a[2]).ok());
    CHECK(pool.upper().cached_free_run() == Allocation{a[2], 4096});
  }

  SECTION("alloc_fragmented setup leaves slot 98 cached") {
    std::vector<std::uint64_t> a;
    for (int i = 0; i < 100; ++i) a.push_back(pool.Alloc(128).value().addr);
    CHECK(a[99] == pool.lower().base() + 99 * 256);
    for (int i = 0; i < 100; i += 2) REQUIRE(pool.Dealloc(a[i]).ok());
    CHECK(pool.Alloc(256).value().addr == a[98]);
  }
}

TEST_CASE("BufferPool first fit skips holes that are too small", "[virtq][buffer_pool]") {
  BufferPool<> pool = MakePool();
  std::vector<std::uint64_t> a;
  for (int i = 0; i < 20; ++i) a.push_back(pool.Alloc(4096).value().addr);
  for (int i : {10, 11, 12, 5}) REQUIRE(pool.Dealloc(a[i]).ok());  // Cache = slot 5.
  CHECK(pool.Alloc(8192).value().addr == a[10]);
  CHECK(pool.Alloc(4096).value().addr == a[5]);   // From the cache.
  CHECK(pool.Alloc(4096).value().addr == a[12]);  // First fit.
  CHECK(pool.Alloc(4096).value().addr == UpperSlot(pool, 20));
}

TEST_CASE("BufferPool first fit crosses 64-slot word boundaries", "[virtq][buffer_pool]") {
  BufferPool<> pool = MakePool();
  std::vector<std::uint64_t> a;
  for (int i = 0; i < 200; ++i) a.push_back(pool.Alloc(4096).value().addr);
  // A 3-slot hole straddling slots 63..65 and a 1-slot hole at 10.
  for (int i : {63, 64, 65, 10}) REQUIRE(pool.Dealloc(a[i]).ok());
  CHECK(pool.Alloc(3 * 4096).value().addr == a[63]);
  CHECK(pool.Alloc(2 * 4096).value().addr == UpperSlot(pool, 200));
}

TEST_CASE("BufferPool dealloc frees exactly one run", "[virtq][buffer_pool]") {
  BufferPool<> pool = MakePool();
  const std::uint64_t first = pool.Alloc(8192).value().addr;
  const std::uint64_t second = pool.Alloc(8192).value().addr;
  REQUIRE(second == first + 8192);
  REQUIRE(pool.Dealloc(first).ok());
  CHECK(pool.upper().free_slots() == 896 - 2);
  CHECK(pool.upper().IsUsed(2));
  CHECK(pool.upper().cached_free_run() == Allocation{first, 8192});
  REQUIRE(pool.Dealloc(second).ok());
  CHECK(pool.upper().free_slots() == 896);
}

TEST_CASE("BufferPool errors leave the pool unchanged", "[virtq][buffer_pool]") {
  BufferPool<> pool = MakePool();
  const std::uint64_t small = pool.Alloc(64).value().addr;
  const std::uint64_t run = pool.Alloc(3 * 4096).value().addr;
  const std::uint64_t freed = pool.Alloc(4096).value().addr;
  REQUIRE(pool.Dealloc(freed).ok());
  const std::size_t free_before = pool.free_slots();
  const auto cache_before = pool.upper().cached_free_run();

  CHECK(pool.Alloc(0).error() == AllocError::kInvalidArg);
  CHECK(pool.AllocSg(0).error() == AllocError::kInvalidArg);
  CHECK(pool.Alloc(896 * 4096 + 1).error() == AllocError::kOutOfMemory);
  CHECK(pool.Alloc(SIZE_MAX).error() == AllocError::kOutOfMemory);
  CHECK(pool.Alloc(894 * 4096).error() == AllocError::kNoSpace);       // 893 slots free in one run.
  CHECK(pool.Dealloc(0).error() == AllocError::kInvalidFree);          // Below base.
  CHECK(pool.Dealloc(small + 1).error() == AllocError::kInvalidFree);  // Misaligned.
  CHECK(pool.Dealloc(run + 4096).error() == AllocError::kInvalidFree);             // Inside a run.
  CHECK(pool.Dealloc(run + 8192 + 4096 * 5).error() == AllocError::kInvalidFree);  // Free slot.
  CHECK(pool.Dealloc(freed).error() == AllocError::kInvalidFree);                  // Double free.
  CHECK(pool.Dealloc(0x410000).error() == AllocError::kInvalidFree);               // Past the end.
  CHECK(pool.Dealloc(UINT64_MAX).error() == AllocError::kInvalidFree);

  CHECK(pool.free_slots() == free_before);
  CHECK(pool.upper().cached_free_run() == cache_before);
  CHECK(pool.Dealloc(small).ok());
  CHECK(pool.Dealloc(small).error() == AllocError::kInvalidFree);
  CHECK(pool.Dealloc(run).ok());
}

TEST_CASE("BufferPool reports NoSpace when full and recovers", "[virtq][buffer_pool]") {
  BufferPool<> pool = MakePool();
  std::vector<std::uint64_t> a;
  for (int i = 0; i < 896; ++i) a.push_back(pool.Alloc(4096).value().addr);
  CHECK(pool.Alloc(4096).error() == AllocError::kNoSpace);
  CHECK(pool.Alloc(8192).error() == AllocError::kNoSpace);
  REQUIRE(pool.Dealloc(a[400]).ok());
  CHECK(pool.Alloc(4096).value().addr == a[400]);
}

TEST_CASE("BufferPool AllocSg returns one contiguous run", "[virtq][buffer_pool]") {
  BufferPool<> pool = MakePool();
  for (std::size_t size : {8192, 65536, 262144}) {
    SgResult sg = pool.AllocSg(size);
    REQUIRE(sg.ok());
    REQUIRE(sg.value().size() == 1);
    CHECK(sg.value()[0].len == size);
    CHECK(pool.upper().free_slots() == 896 - size / 4096);
    REQUIRE(pool.Dealloc(sg.value()[0].addr).ok());
  }
  SgResult small = pool.AllocSg(100);
  REQUIRE(small.ok());
  CHECK(small.value()[0] == Allocation{pool.lower().base(), 256});
}

TEST_CASE("BufferPool Reset frees everything and drops caches", "[virtq][buffer_pool]") {
  BufferPool<> pool = MakePool();
  for (int i = 0; i < 10; ++i) REQUIRE(pool.Alloc(i % 2 == 0 ? 100 : 5000).ok());
  const std::uint64_t last = pool.Alloc(4096).value().addr;
  REQUIRE(pool.Dealloc(last).ok());
  pool.Reset();
  CHECK(pool.free_slots() == 2048 + 896);
  CHECK_FALSE(pool.upper().cached_free_run().has_value());
  CHECK(pool.Alloc(4096).value().addr == pool.upper().base());
}

TEST_CASE("AllocErrorName names every error", "[virtq][buffer_pool]") {
  CHECK(AllocErrorName(AllocError::kInvalidAlign) == "InvalidAlign");
  CHECK(AllocErrorName(AllocError::kInvalidFree) == "InvalidFree");
  CHECK(AllocErrorName(AllocError::kInvalidArg) == "InvalidArg");
  CHECK(AllocErrorName(AllocError::kEmptyRegion) == "EmptyRegion");
  CHECK(AllocErrorName(AllocError::kNoSpace) == "NoSpace");
  CHECK(AllocErrorName(AllocError::kOutOfMemory) == "OutOfMemory");
  CHECK(AllocErrorName(AllocError::kOverflow) == "Overflow");
}

}  // namespace
}  // namespace vmbench::virtq
