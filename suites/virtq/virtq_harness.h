// The benchmark harness around one producer/consumer pair, mirroring
// hyperlight's benches/common (section 4.3 of
// shared/reference/hyperlight-benchmarks.md): one heap buffer holds the ring
// and an 8 MiB buffer pool, guest addresses are host pointers, the notifier
// only counts. Also provides the four pool strategies of the
// virtq_*_allocator_strategy groups and the two timed round trips.
//
// Usage from a benchmark:
//   auto pair = MakePair(kBenchRingSize, RecyclePoolFactory()).value();
//   std::vector<std::uint8_t> payload(65536, 0xA5);
//   for (...) DoNotOptimize(ReadonlyRoundtrip(*pair, payload).value());

#ifndef VMBENCH_SUITES_VIRTQ_VIRTQ_HARNESS_H_
#define VMBENCH_SUITES_VIRTQ_VIRTQ_HARNESS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <type_traits>
#include <utility>

#include "allocation.h"
#include "buffer_pool.h"
#include "buffer_provider.h"
#include "consumer.h"
#include "packed_ring.h"
#include "producer.h"
#include "recycle_pool.h"

namespace vmbench::virtq {

// Ring size used by every virtq_api benchmark.
inline constexpr std::uint16_t kBenchRingSize = 128;
// Size of the buffer pool behind the ring (POOL_SIZE in the reference).
inline constexpr std::size_t kBenchPoolSize = std::size_t{8} << 20;
// Extra bytes in BenchMem beyond ring and pool, to absorb alignment and the
// 4 KiB gap between ring and pool.
inline constexpr std::size_t kBenchMemSlack = 0x20000;
// Gap left between the end of the ring and the pool.
inline constexpr std::size_t kBenchRingPoolGap = 0x1000;

// Builds a pool over [base, base + len). Called once per pair, outside timing.
template <typename Pool>
using PoolFactory = std::function<Result<Pool>(std::uint64_t base, std::size_t len)>;

// "buffer_pool_run": BufferPool<256, 4096> over the whole region (lower 4096 x
// 256 B, upper 1792 x 4 KiB for 8 MiB).
PoolFactory<BufferPool<>> RunBufferPoolFactory();

// "buffer_pool_run_fragmented": as RunBufferPoolFactory, then p =
// ceil(payload / 4096) leaves a p-slot hole at upper slot 32 between live
// single-slot allocations (slots 0..31 and 32+p..63+p stay allocated).
PoolFactory<BufferPool<>> FragmentedRunBufferPoolFactory(std::size_t payload);

// "recycle_pool_segmented": RecyclePool with 4 KiB slots over the whole region.
PoolFactory<RecyclePool> RecyclePoolFactory();

// "recycle_pool_segmented_fragmented": as RecyclePoolFactory, then 2p + 16
// slots are allocated and every other one of the first 2p freed, so the top
// of the free list holds p slots 8 KiB apart (p = ceil(payload / 4096)).
PoolFactory<RecyclePool> FragmentedRecyclePoolFactory(std::size_t payload);

// One producer and one consumer sharing a ring, a pool and a notifier in a
// single zeroed heap buffer ("BenchMem"). Not movable: the producer, the
// consumer and any outstanding Chain/ReceivedData point into it.
template <BufferProvider Pool>
class VirtqPair {
 public:
  VirtqPair(const VirtqPair&) = delete;
  VirtqPair& operator=(const VirtqPair&) = delete;

  // The driver side.
  Producer<Pool>& producer() { return producer_; }
  // The device side.
  Consumer& consumer() { return consumer_; }
  // The buffer pool (also reachable as producer().pool()).
  Pool& pool() { return pool_; }
  // Counts notifications in both directions.
  CountingNotifier& notifier() { return *notifier_; }
  // The ring memory.
  const RingLayout& ring() const { return ring_; }
  // The whole BenchMem buffer, which is what the consumer accepts addresses in.
  SharedRegion region() const { return {memory_.get(), memory_size_}; }
  // First byte of the pool region.
  std::uint64_t pool_base() const { return pool_base_; }

 private:
  template <typename Factory>
  friend auto MakePair(std::uint16_t ring_size, const Factory& factory);

  VirtqPair(std::unique_ptr<std::uint8_t[]> memory, std::size_t memory_size,
            std::unique_ptr<CountingNotifier> notifier, RingLayout ring, Pool pool,
            std::uint64_t pool_base)
      : memory_(std::move(memory)),
        memory_size_(memory_size),
        notifier_(std::move(notifier)),
        ring_(ring),
        pool_(std::move(pool)),
        pool_base_(pool_base),
        producer_(ring_, pool_, *notifier_),
        consumer_(ring_, region(), *notifier_) {}

  std::unique_ptr<std::uint8_t[]> memory_;
  std::size_t memory_size_;
  std::unique_ptr<CountingNotifier> notifier_;
  RingLayout ring_;
  Pool pool_;
  std::uint64_t pool_base_;
  Producer<Pool> producer_;
  Consumer consumer_;
};

// Builds a pair with a `ring_size`-descriptor ring at align_up(base, 16) and
// a kBenchPoolSize pool (made by `factory`) at align_up(ring end + 4 KiB,
// 4096). Returns Result<std::unique_ptr<VirtqPair<Pool>>, RingError>; a pool
// factory failure is reported as kAllocFailed.
template <typename Factory>
auto MakePair(std::uint16_t ring_size, const Factory& factory) {
  using Pool = std::remove_cvref_t<decltype(factory(std::uint64_t{}, std::size_t{}).value())>;
  using Out = Result<std::unique_ptr<VirtqPair<Pool>>, RingError>;
  if (ring_size == 0 || ring_size > RingLayout::kMaxSize) return Out(RingError::kInvalidSize);
  const std::size_t ring_bytes = RingLayout::QuerySize(ring_size);
  const std::size_t mem_size = ring_bytes + kBenchPoolSize + kBenchMemSlack;
  std::unique_ptr<std::uint8_t[]> memory(new std::uint8_t[mem_size]());
  const auto base = reinterpret_cast<std::uintptr_t>(memory.get());
  std::uint64_t ring_base = 0;
  std::uint64_t pool_base = 0;
  if (!AlignUp(base, alignof(Descriptor), ring_base) ||
      !AlignUp(ring_base + ring_bytes + kBenchRingPoolGap, 4096, pool_base)) {
    return Out(RingError::kInvalidArg);
  }
  Result<RingLayout, RingError> ring =
      RingLayout::Create(GuestToHost(ring_base), ring_bytes, ring_size);
  if (!ring.ok()) return Out(ring.error());
  ring.value().Initialize();
  Result<Pool> pool = factory(pool_base, kBenchPoolSize);
  if (!pool.ok()) return Out(RingError::kAllocFailed);
  return Out(std::unique_ptr<VirtqPair<Pool>>(
      new VirtqPair<Pool>(std::move(memory), mem_size, std::make_unique<CountingNotifier>(),
                          ring.value(), std::move(pool).value(), pool_base)));
}

// What a round trip observed, for tests to check and benchmarks to consume.
struct RoundtripStats {
  std::size_t descriptors = 0;     // Ring slots the chain used.
  std::size_t segments = 0;        // Readable segments the device copied (segment_count()).
  std::size_t bytes_received = 0;  // Readable bytes the device copied.
  std::size_t response_bytes = 0;  // Response bytes the driver got back (0 when read-only).
};

// Default inspector for the round trips: looks at nothing, costs nothing.
struct NoInspection {
  // Called with the device's view of the chain before it is completed.
  void OnRequest(const Request& /*request*/) const {}
  // Called with the driver's view of the used chain before it is dropped.
  template <typename Used>
  void OnUsed(const Used& /*used*/) const {}
};

// Steps 1-6 of virtq_readonly_allocator_strategy: a chain with
// payload.size() readable bytes is built, filled, submitted, polled and
// copied by the device, acknowledged (written = 0), and reclaimed by the
// driver. `inspect` (OnRequest / OnUsed, see NoInspection) lets tests look at
// the intermediate objects. kNotReady if a side finds nothing to poll, or if
// the driver receives data instead of an acknowledgement.
template <BufferProvider Pool, typename Inspector = NoInspection>
Result<RoundtripStats, RingError> ReadonlyRoundtrip(VirtqPair<Pool>& pair,
                                                    std::span<const std::uint8_t> payload,
                                                    Inspector&& inspect = {}) {
  Result<Chain<Pool>, RingError> chain = pair.producer().NewChain(payload.size(), 0);
  if (!chain.ok()) return chain.error();
  if (Result<void, RingError> w = chain.value().WriteAll(payload); !w.ok()) return w.error();
  if (auto s = pair.producer().Submit(std::move(chain).value()); !s.ok()) return s.error();

  Result<std::optional<Request>, RingError> polled = pair.consumer().Poll();
  if (!polled.ok()) return polled.error();
  if (!polled.value().has_value()) return RingError::kNotReady;
  Request& request = *polled.value();
  RoundtripStats stats;
  stats.descriptors = request.descriptor_count();
  stats.segments = request.segment_count();
  stats.bytes_received = request.readable_bytes();
  inspect.OnRequest(request);
  if (auto c = pair.consumer().Complete(std::move(request)); !c.ok()) return c.error();

  Result<std::optional<UsedChain<Pool>>, RingError> used = pair.producer().Poll();
  if (!used.ok()) return used.error();
  if (!used.value().has_value() || !used.value()->is_ack()) return RingError::kNotReady;
  inspect.OnUsed(*used.value());
  return stats;
}

// Steps of virtq_readwrite_allocator_strategy: like ReadonlyRoundtrip with
// request.size() readable bytes and response.size() writable bytes; the
// device writes `response` into the writable segments and completes with
// written = response.size(); the driver receives it as ReceivedData, whose
// slots return to the pool when it goes out of scope at the end of this call.
template <BufferProvider Pool, typename Inspector = NoInspection>
Result<RoundtripStats, RingError> ReadwriteRoundtrip(VirtqPair<Pool>& pair,
                                                     std::span<const std::uint8_t> request_bytes,
                                                     std::span<const std::uint8_t> response,
                                                     Inspector&& inspect = {}) {
  Result<Chain<Pool>, RingError> chain =
      pair.producer().NewChain(request_bytes.size(), response.size());
  if (!chain.ok()) return chain.error();
  if (Result<void, RingError> w = chain.value().WriteAll(request_bytes); !w.ok()) {
    return w.error();
  }
  if (auto s = pair.producer().Submit(std::move(chain).value()); !s.ok()) return s.error();

  Result<std::optional<Request>, RingError> polled = pair.consumer().Poll();
  if (!polled.ok()) return polled.error();
  if (!polled.value().has_value()) return RingError::kNotReady;
  Request& request = *polled.value();
  RoundtripStats stats;
  stats.descriptors = request.descriptor_count();
  stats.segments = request.segment_count();
  stats.bytes_received = request.readable_bytes();
  if (Result<void, RingError> w = request.WriteAll(response); !w.ok()) return w.error();
  inspect.OnRequest(request);
  if (auto c = pair.consumer().Complete(std::move(request)); !c.ok()) return c.error();

  Result<std::optional<UsedChain<Pool>>, RingError> used = pair.producer().Poll();
  if (!used.ok()) return used.error();
  if (!used.value().has_value() || used.value()->is_ack()) return RingError::kNotReady;
  stats.response_bytes = used.value()->data->size();
  inspect.OnUsed(*used.value());
  return stats;
}

}  // namespace vmbench::virtq

#endif  // VMBENCH_SUITES_VIRTQ_VIRTQ_HARNESS_H_
