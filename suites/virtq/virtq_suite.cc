// The `virtq` suite: the virtqueue buffer allocators and the packed-ring round trip, pure CPU.
//
// Reproduces Hyperlight's `buffer_pool.rs` and `virtq_api.rs` benchmarks (reference:
// shared/reference/hyperlight-benchmarks.md section 4) with byte-identical ids and the same
// timed/untimed boundaries: pools are built before the timed loop, and each timed iteration does
// exactly what the reference's closure does. Allocator pools are built over a fake address range
// (no memory is touched); the round trips use one real heap buffer for ring and pool.

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "buffer_pool.h"
#include "recycle_pool.h"
#include "virtq_harness.h"
#include "vmbench/plugin/suite.h"

namespace vmbench::virtq {
namespace {

// The pools of the buffer_pool.rs groups (section 4.2).
constexpr std::uint64_t kPoolBase = 0x10000;
constexpr std::uint64_t kRecycleBase = 0x80000;
constexpr std::size_t kPoolLen = std::size_t{4} << 20;
constexpr std::size_t kPayloads[] = {8192, 65536, 262144};

using Body = std::function<void(benchmark::State&)>;

BenchmarkSpec Spec(std::string group, std::string function, std::string param,
                   Throughput throughput, Body body) {
  return BenchmarkSpec{{std::move(group), std::move(function), std::move(param)},
                       throughput,
                       false,
                       std::move(body)};
}

Throughput Elements(std::uint64_t n) { return {Throughput::Kind::kElements, n}; }
Throughput Bytes(std::uint64_t n) { return {Throughput::Kind::kBytes, n}; }

std::string ErrorName(AllocError error) { return std::string(AllocErrorName(error)); }
std::string ErrorName(RingError error) { return std::string(RingErrorName(error)); }

// Stops the benchmark with the allocator's or ring's error; returns false so loops can stop.
template <typename R>
bool Check(benchmark::State& state, const R& result, const char* what) {
  if (result.ok()) return true;
  state.SkipWithError(
      absl::StrCat("virtq: ", what, " failed: ", ErrorName(result.error())).c_str());
  return false;
}

// Builds a pool, or stops the benchmark and returns nullopt.
std::optional<BufferPool<>> MakeBufferPool(benchmark::State& state) {
  Result<BufferPool<>> pool = BufferPool<>::Create(kPoolBase, kPoolLen);
  if (!Check(state, pool, "BufferPool::Create")) return std::nullopt;
  return std::move(pool).value();
}

std::optional<RecyclePool> MakeRecyclePool(benchmark::State& state, std::size_t slot) {
  Result<RecyclePool> pool = RecyclePool::Create(kRecycleBase, kPoolLen, slot);
  if (!Check(state, pool, "RecyclePool::Create")) return std::nullopt;
  return std::move(pool).value();
}

// One timed alloc(size) + dealloc on `pool`, as alloc_single, free and recycle_pool time it.
template <typename Pool>
bool AllocDealloc(benchmark::State& state, Pool& pool, std::size_t size) {
  benchmark::DoNotOptimize(size);
  AllocResult allocation = pool.Alloc(size);
  if (!Check(state, allocation, "alloc")) return false;
  std::uint64_t addr = allocation.value().addr;
  benchmark::DoNotOptimize(addr);
  return Check(state, pool.Dealloc(addr), "dealloc");
}

Body AllocSingle(std::size_t size) {
  return [size](benchmark::State& state) {
    std::optional<BufferPool<>> pool = MakeBufferPool(state);
    if (!pool) return;
    for (auto _ : state) {
      if (!AllocDealloc(state, *pool, size)) break;
    }
  };
}

Body AllocLifo(std::size_t size) {
  return [size](benchmark::State& state) {
    std::optional<BufferPool<>> pool = MakeBufferPool(state);
    if (!pool) return;
    for (auto _ : state) {
      for (int i = 0; i < 100; ++i) {
        if (!AllocDealloc(state, *pool, size)) return;
      }
    }
  };
}

// 100 live 128 B allocations in lower slots 0..99, then every other one (0, 2, ..., 98) freed.
void AllocFragmented(benchmark::State& state) {
  std::optional<BufferPool<>> pool = MakeBufferPool(state);
  if (!pool) return;
  std::vector<std::uint64_t> live;
  for (int i = 0; i < 100; ++i) {
    AllocResult a = pool->Alloc(128);
    if (!Check(state, a, "setup alloc")) return;
    live.push_back(a.value().addr);
  }
  for (std::size_t i = 0; i < live.size(); i += 2) {
    if (!Check(state, pool->Dealloc(live[i]), "setup dealloc")) return;
  }
  for (auto _ : state) {
    if (!AllocDealloc(state, *pool, 256)) break;
  }
}

void LifoPattern(benchmark::State& state) {
  std::optional<BufferPool<>> pool = MakeBufferPool(state);
  if (!pool) return;
  for (auto _ : state) {
    if (!AllocDealloc(state, *pool, 256) || !AllocDealloc(state, *pool, 256)) break;
  }
}

// A queue of 10 live allocations: free the oldest, allocate a new one at the back.
void FifoPattern(benchmark::State& state) {
  std::optional<BufferPool<>> pool = MakeBufferPool(state);
  if (!pool) return;
  std::deque<std::uint64_t> queue;
  for (int i = 0; i < 10; ++i) {
    AllocResult a = pool->Alloc(256);
    if (!Check(state, a, "setup alloc")) return;
    queue.push_back(a.value().addr);
  }
  for (auto _ : state) {
    const std::uint64_t oldest = queue.front();
    queue.pop_front();
    if (!Check(state, pool->Dealloc(oldest), "dealloc")) break;
    AllocResult a = pool->Alloc(256);
    if (!Check(state, a, "alloc")) break;
    queue.push_back(a.value().addr);
  }
}

// alloc_sg(payload) and a dealloc per segment, on `pool`.
template <typename Pool>
bool AllocSgDealloc(benchmark::State& state, Pool& pool, std::size_t payload) {
  benchmark::DoNotOptimize(payload);
  SgResult segments = pool.AllocSg(payload);
  if (!Check(state, segments, "alloc_sg")) return false;
  for (const Allocation& a : segments.value()) {
    if (!Check(state, pool.Dealloc(a.addr), "dealloc")) return false;
  }
  return true;
}

Body SegmentedPayload(std::size_t payload) {
  return [payload](benchmark::State& state) {
    std::optional<BufferPool<>> pool = MakeBufferPool(state);
    if (!pool) return;
    for (auto _ : state) {
      if (!AllocSgDealloc(state, *pool, payload)) break;
    }
  };
}

Body RecycleAllocDealloc(std::size_t slot, std::size_t size) {
  return [slot, size](benchmark::State& state) {
    std::optional<RecyclePool> pool = MakeRecyclePool(state, slot);
    if (!pool) return;
    for (auto _ : state) {
      if (!AllocDealloc(state, *pool, size)) break;
    }
  };
}

void RecycleAllocSg64k(benchmark::State& state) {
  std::optional<RecyclePool> pool = MakeRecyclePool(state, 4096);
  if (!pool) return;
  for (auto _ : state) {
    if (!AllocSgDealloc(state, *pool, 65536)) break;
  }
}

// One round-trip benchmark over a fresh producer/consumer pair whose pool `factory` builds.
template <typename Factory>
Body Roundtrip(Factory factory, std::size_t size, bool readwrite) {
  return [factory, size, readwrite](benchmark::State& state) {
    auto pair = MakePair(kBenchRingSize, factory);
    if (!Check(state, pair, "MakePair")) return;
    const std::vector<std::uint8_t> request(size, readwrite ? 0x11 : 0xA5);
    const std::vector<std::uint8_t> response(readwrite ? size : 0, 0x22);
    for (auto _ : state) {
      auto stats = readwrite ? ReadwriteRoundtrip(*pair.value(), request, response)
                             : ReadonlyRoundtrip(*pair.value(), request);
      if (!Check(state, stats, readwrite ? "readwrite round trip" : "readonly round trip")) {
        break;
      }
      benchmark::DoNotOptimize(stats.value());
    }
  };
}

void AddStrategies(std::vector<BenchmarkSpec>* specs, bool readwrite) {
  const std::string group =
      readwrite ? "virtq_readwrite_allocator_strategy" : "virtq_readonly_allocator_strategy";
  for (std::size_t size : kPayloads) {
    const Throughput throughput = Bytes(readwrite ? 2 * size : size);
    const std::string param = absl::StrCat(size);
    specs->push_back(Spec(group, "buffer_pool_run", param, throughput,
                          Roundtrip(RunBufferPoolFactory(), size, readwrite)));
    specs->push_back(Spec(group, "buffer_pool_run_fragmented", param, throughput,
                          Roundtrip(FragmentedRunBufferPoolFactory(size), size, readwrite)));
    specs->push_back(Spec(group, "recycle_pool_segmented", param, throughput,
                          Roundtrip(RecyclePoolFactory(), size, readwrite)));
    specs->push_back(Spec(group, "recycle_pool_segmented_fragmented", param, throughput,
                          Roundtrip(FragmentedRecyclePoolFactory(size), size, readwrite)));
  }
}

class VirtqSuite final : public Suite {
 public:
  bool NeedsHypervisor() const noexcept override { return false; }

  absl::StatusOr<std::vector<BenchmarkSpec>> Benchmarks(
      const SuiteContext& context) noexcept override {
    if (!context.options.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown option '", context.options.begin()->first, "' (the virtq suite takes none)"));
    }
    std::vector<BenchmarkSpec> specs;
    // Ids from BenchmarkId::from_parameter have no function part: "alloc_single/64".
    for (std::size_t size : {64, 128, 256, 512, 1024, 1500, 4096}) {
      specs.push_back(Spec("alloc_single", "", absl::StrCat(size), Elements(1), AllocSingle(size)));
    }
    for (std::size_t size : {256, 1500, 4096}) {
      specs.push_back(Spec("alloc_lifo", "", absl::StrCat(size), Elements(100), AllocLifo(size)));
    }
    specs.push_back(Spec("alloc_fragmented", "fragmented_256", "", {}, AllocFragmented));
    // `free` times exactly what alloc_single does (the reference's own quirk), kept for parity.
    for (std::size_t size : {256, 1500, 4096}) {
      specs.push_back(Spec("free", "", absl::StrCat(size), {}, AllocSingle(size)));
    }
    specs.push_back(Spec("free_list_reuse", "lifo_pattern", "", {}, LifoPattern));
    specs.push_back(Spec("free_list_reuse", "fifo_pattern", "", {}, FifoPattern));
    for (std::size_t payload : kPayloads) {
      specs.push_back(Spec("segmented_payload", "", absl::StrCat(payload), Bytes(payload),
                           SegmentedPayload(payload)));
    }
    specs.push_back(
        Spec("recycle_pool", "alloc_dealloc_4096", "", {}, RecycleAllocDealloc(4096, 4096)));
    specs.push_back(
        Spec("recycle_pool", "alloc_dealloc_128", "", {}, RecycleAllocDealloc(256, 128)));
    specs.push_back(
        Spec("recycle_pool", "alloc_dealloc_1500", "", {}, RecycleAllocDealloc(4096, 1500)));
    specs.push_back(Spec("recycle_pool", "alloc_sg_64k", "", {}, RecycleAllocSg64k));
    AddStrategies(&specs, false);
    AddStrategies(&specs, true);
    return specs;
  }
};

}  // namespace
}  // namespace vmbench::virtq

VMBENCH_PLUGIN(vmbench::virtq::VirtqSuite, "virtq", "0.1.0",
               "Virtqueue buffer allocators and packed-ring round trips (pure CPU, no VM)");
