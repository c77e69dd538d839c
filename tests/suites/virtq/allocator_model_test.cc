// Randomised comparison of BufferPool and RecyclePool against slow,
// obviously-correct reference models of the algorithms in section 4.1.

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <vector>

#include "buffer_pool.h"
#include "recycle_pool.h"

namespace vmbench::virtq {
namespace {

// One slab as a vector<bool>, a map of live runs and the one-entry cache.
struct SlabModel {
  std::uint64_t base;
  std::size_t slot;
  std::vector<bool> used;
  std::map<std::size_t, std::size_t> runs;  // start slot -> slot count
  std::optional<std::pair<std::size_t, std::size_t>> cache;

  std::size_t FreeSlots() const {
    std::size_t n = 0;
    for (bool u : used) n += u ? 0 : 1;
    return n;
  }
  std::optional<std::size_t> FirstFit(std::size_t need) const {
    for (std::size_t i = 0; i + need <= used.size(); ++i) {
      bool free = true;
      for (std::size_t j = i; j < i + need && free; ++j) free = !used[j];
      if (free) return i;
    }
    return std::nullopt;
  }
  // Expected allocation, or nullopt for NoSpace; applies it to the model.
  std::optional<Allocation> Alloc(std::size_t len) {
    const std::size_t need = (len + slot - 1) / slot;
    std::size_t start;
    if (cache && cache->second >= need) {
      start = cache->first;
      cache.reset();
    } else {
      std::optional<std::size_t> fit = FirstFit(need);
      if (!fit) return std::nullopt;
      start = *fit;
      if (cache && start < cache->first + cache->second && cache->first < start + need)
        cache.reset();
    }
    for (std::size_t j = start; j < start + need; ++j) used[j] = true;
    runs[start] = need;
    return Allocation{base + start * slot, need * slot};
  }
  bool Owns(std::uint64_t addr) const { return addr >= base && addr < base + used.size() * slot; }
  bool Dealloc(std::uint64_t addr) {
    if (addr < base || (addr - base) % slot != 0) return false;
    auto it = runs.find((addr - base) / slot);
    if (it == runs.end()) return false;
    for (std::size_t j = it->first; j < it->first + it->second; ++j) used[j] = false;
    cache = std::make_pair(it->first, it->second);
    runs.erase(it);
    return true;
  }
};

template <std::size_t N>
SlabModel ModelOf(const RunSlab<N>& slab) {
  return SlabModel{slab.base(), N, std::vector<bool>(slab.slot_count(), false), {}, std::nullopt};
}

template <std::size_t N>
void CheckSlab(const RunSlab<N>& slab, const SlabModel& model) {
  REQUIRE(slab.free_slots() == model.FreeSlots());
  for (std::size_t i = 0; i < model.used.size(); ++i) REQUIRE(slab.IsUsed(i) == model.used[i]);
  if (model.cache) {
    REQUIRE(slab.cached_free_run() ==
            Allocation{model.base + model.cache->first * N, model.cache->second * N});
  } else {
    REQUIRE_FALSE(slab.cached_free_run().has_value());
  }
}

std::size_t RandomLength(std::mt19937_64& rng, std::size_t max) {
  switch (rng() % 8) {
    case 0:
      return 0;
    case 1:
      return rng() % 257;  // Lower-slab sizes.
    case 2:
    case 3:
      return 1 + rng() % 4096;
    case 4:
      return max + 1 + rng() % 4096;  // Never fits.
    default:
      return 1 + rng() % (6 * 4096);
  }
}

// A mix of live starts, interior and misaligned addresses, past-the-end and
// just-freed (double free) addresses.
std::uint64_t RandomFreeTarget(std::mt19937_64& rng, const std::vector<std::uint64_t>& live,
                               const std::vector<std::uint64_t>& dead, std::uint64_t lo,
                               std::uint64_t hi) {
  const auto pick = [&rng](const std::vector<std::uint64_t>& v) { return v[rng() % v.size()]; };
  switch (rng() % 6) {
    case 0:
    case 1:
    case 2:
      if (!live.empty()) return pick(live);
      [[fallthrough]];
    case 3:
      if (!dead.empty()) return pick(dead);
      [[fallthrough]];
    case 4:
      return lo + rng() % (hi - lo);
    default:
      return rng() % 2 == 0 ? lo - 256 : hi + (rng() % 3) * 4096;
  }
}

TEST_CASE("BufferPool matches the reference model", "[virtq][model]") {
  for (std::uint64_t seed : {1, 2, 3, 42}) {
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    // 256 KiB keeps the pool small enough to run out of space regularly.
    BufferPool<> pool = BufferPool<>::Create(0x100000, 256 * 1024).value();
    SlabModel lower = ModelOf(pool.lower());
    SlabModel upper = ModelOf(pool.upper());
    const std::size_t upper_bytes = upper.used.size() * 4096;
    std::vector<std::uint64_t> live;
    std::vector<std::uint64_t> dead;
    for (int op = 0; op < 5000; ++op) {
      if (rng() % 500 == 0) {
        pool.Reset();
        lower = ModelOf(pool.lower());
        upper = ModelOf(pool.upper());
        live.clear();
        continue;
      }
      if (rng() % 2 == 0) {
        const std::size_t len = RandomLength(rng, upper_bytes);
        const bool sg = rng() % 4 == 0;
        std::optional<AllocError> expected_error;
        std::optional<Allocation> expected;
        if (len == 0) {
          expected_error = AllocError::kInvalidArg;
        } else {
          if (len <= 256) expected = lower.Alloc(len);
          if (!expected) {
            if (len > upper_bytes) {
              expected_error = AllocError::kOutOfMemory;
            } else {
              expected = upper.Alloc(len);
              if (!expected) expected_error = AllocError::kNoSpace;
            }
          }
        }
        AllocResult got = AllocError::kInvalidArg;
        if (sg) {
          SgResult list = pool.AllocSg(len);
          if (list.ok()) {
            REQUIRE(list.value().size() == 1);
            got = list.value()[0];
          } else {
            got = list.error();
          }
        } else {
          got = pool.Alloc(len);
        }
        if (expected_error) {
          REQUIRE_FALSE(got.ok());
          REQUIRE(got.error() == *expected_error);
        } else {
          REQUIRE(got.ok());
          REQUIRE(got.value() == *expected);
          for (std::uint64_t other : live) REQUIRE(other != got.value().addr);
          live.push_back(got.value().addr);
        }
      } else {
        const std::uint64_t addr =
            RandomFreeTarget(rng, live, dead, pool.lower().base(), pool.upper().end());
        const bool expected = lower.Owns(addr) ? lower.Dealloc(addr) : upper.Dealloc(addr);
        const AllocStatus got = pool.Dealloc(addr);
        REQUIRE(got.ok() == expected);
        if (!expected) REQUIRE(got.error() == AllocError::kInvalidFree);
        if (expected) {
          std::erase(live, addr);
          dead.push_back(addr);
        }
      }
      REQUIRE(pool.free_slots() == lower.FreeSlots() + upper.FreeSlots());
      if (op % 50 == 0) {
        CheckSlab(pool.lower(), lower);
        CheckSlab(pool.upper(), upper);
      }
    }
  }
}

TEST_CASE("RecyclePool matches the reference model", "[virtq][model]") {
  for (std::uint64_t seed : {7, 8, 9, 1234}) {
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    constexpr std::uint64_t kBase = 0x40000;
    constexpr std::size_t kSlot = 4096;
    constexpr std::size_t kSlots = 48;
    RecyclePool pool = RecyclePool::Create(kBase, kSlots * kSlot, kSlot).value();
    std::vector<std::uint64_t> stack;  // Model free list, top at the back.
    std::vector<bool> allocated(kSlots, false);
    const auto reset_model = [&] {
      stack.clear();
      for (std::size_t i = 0; i < kSlots; ++i) stack.push_back(kBase + i * kSlot);
      allocated.assign(kSlots, false);
    };
    reset_model();
    std::vector<std::uint64_t> live;
    std::vector<std::uint64_t> dead;
    for (int op = 0; op < 5000; ++op) {
      const std::uint64_t choice = rng() % 100;
      if (choice == 0) {
        pool.Reset();
        reset_model();
        live.clear();
      } else if (choice < 35) {
        const std::size_t len = RandomLength(rng, kSlot);
        AllocResult got = pool.Alloc(len);
        if (len == 0) {
          REQUIRE(got.error() == AllocError::kInvalidArg);
        } else if (len > kSlot) {
          REQUIRE(got.error() == AllocError::kOutOfMemory);
        } else if (stack.empty()) {
          REQUIRE(got.error() == AllocError::kNoSpace);
        } else {
          REQUIRE(got.value() == Allocation{stack.back(), kSlot});
          allocated[(stack.back() - kBase) / kSlot] = true;
          live.push_back(stack.back());
          stack.pop_back();
        }
      } else if (choice < 50) {
        const std::size_t total = rng() % (12 * kSlot);
        SgResult got = pool.AllocSg(total);
        const std::size_t need = (total + kSlot - 1) / kSlot;
        if (total == 0) {
          REQUIRE(got.error() == AllocError::kInvalidArg);
        } else if (need > stack.size()) {
          REQUIRE(got.error() == AllocError::kNoSpace);
        } else {
          REQUIRE(got.value().size() == need);
          for (const Allocation& a : got.value()) {
            REQUIRE(a == Allocation{stack.back(), kSlot});
            allocated[(a.addr - kBase) / kSlot] = true;
            live.push_back(a.addr);
            stack.pop_back();
          }
        }
      } else {
        const std::uint64_t addr = RandomFreeTarget(rng, live, dead, kBase, kBase + kSlots * kSlot);
        const bool valid = addr >= kBase && (addr - kBase) % kSlot == 0 &&
                           (addr - kBase) / kSlot < kSlots && allocated[(addr - kBase) / kSlot];
        const AllocStatus got = pool.Dealloc(addr);
        REQUIRE(got.ok() == valid);
        if (valid) {
          allocated[(addr - kBase) / kSlot] = false;
          stack.push_back(addr);
          std::erase(live, addr);
          dead.push_back(addr);
        } else {
          REQUIRE(got.error() == AllocError::kInvalidFree);
        }
      }
      REQUIRE(pool.free_slots() == stack.size());
      for (std::size_t i = 0; i < kSlots; i += 7) {
        REQUIRE(pool.IsAllocated(kBase + i * kSlot) == allocated[i]);
      }
    }
  }
}

}  // namespace
}  // namespace vmbench::virtq
