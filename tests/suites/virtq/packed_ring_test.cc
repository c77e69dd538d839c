#include "packed_ring.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <tuple>
#include <vector>

#include "consumer.h"
#include "descriptor.h"
#include "producer.h"
#include "virtq_harness.h"

namespace vmbench::virtq {
namespace {

std::vector<std::uint8_t> Pattern(std::size_t size, std::uint8_t seed) {
  std::vector<std::uint8_t> out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(seed + i * 7 + i / 251);
  return out;
}

// Records what both sides saw during a round trip.
struct Capture {
  std::vector<std::uint8_t> received;
  std::vector<std::uint8_t> response;
  std::size_t response_segments = 0;
  void OnRequest(const Request& request) { received = request.ConcatReadable(); }
  template <typename Used>
  void OnUsed(const Used& used) {
    if (used.data.has_value()) {
      response = used.data->ToVector();
      response_segments = used.data->segment_count();
    }
  }
};

TEST_CASE("Packed ring layout", "[virtq][packed_ring]") {
  CHECK(RingLayout::QuerySize(128) == 2056);
  CHECK(RingLayout::QuerySize(1) == 24);
  alignas(16) static std::uint8_t memory[4096];
  CHECK(RingLayout::Create(memory, sizeof(memory), 0).error() == RingError::kInvalidSize);
  CHECK(RingLayout::Create(memory + 8, 2056, 128).error() == RingError::kMisaligned);
  CHECK(RingLayout::Create(memory, 2055, 128).error() == RingError::kRegionTooSmall);
  Result<RingLayout, RingError> ring = RingLayout::Create(memory, 2056, 128);
  REQUIRE(ring.ok());
  std::memset(memory, 0xff, sizeof(memory));
  ring.value().Initialize();
  CHECK(ring.value().desc(127).flags == 0);
  CHECK(reinterpret_cast<std::uint8_t*>(&ring.value().driver_event()) == memory + 2048);
  CHECK(reinterpret_cast<std::uint8_t*>(&ring.value().device_event()) == memory + 2052);
  CHECK(ring.value().driver_event().flags == kEventFlagsEnable);
  CHECK(ring.value().device_event().flags == kEventFlagsEnable);
  CHECK(memory[2056] == 0xff);  // Nothing past the layout is touched.
}

TEST_CASE("Wrap counters and flag encoding", "[virtq][packed_ring]") {
  RingPosition pos;
  CHECK(pos == RingPosition{0, true});
  pos.Advance(127, 128);
  CHECK(pos == RingPosition{127, true});
  pos.Advance(3, 128);
  CHECK(pos == RingPosition{2, false});
  pos.Advance(128, 128);
  CHECK(pos == RingPosition{2, true});

  CHECK(IsAvailable(AvailFlags(true), true));
  CHECK_FALSE(IsAvailable(AvailFlags(true), false));
  CHECK(IsAvailable(AvailFlags(false), false));
  CHECK_FALSE(IsAvailable(0, true));  // A zeroed ring has nothing available.
  CHECK(IsUsed(UsedFlags(true), true));
  CHECK(IsUsed(UsedFlags(false), false));
  CHECK_FALSE(IsUsed(AvailFlags(true), true));
  CHECK_FALSE(IsAvailable(UsedFlags(true), true));
  CHECK(AvailFlags(false) == kDescFUsed);
  CHECK(UsedFlags(true) == (kDescFAvail | kDescFUsed));
}

TEST_CASE("Event suppression decisions", "[virtq][packed_ring]") {
  EventSuppression area{0, kEventFlagsEnable};
  const RingPosition before{10, true};
  const RingPosition after{14, true};
  CHECK(NeedsNotify(area, before, after, 128));
  area.flags = kEventFlagsDisable;
  CHECK_FALSE(NeedsNotify(area, before, after, 128));
  area.flags = kEventFlagsDesc;
  area.off_wrap = MakeOffWrap(12, true);
  CHECK(NeedsNotify(area, before, after, 128));
  area.off_wrap = MakeOffWrap(14, true);
  CHECK_FALSE(NeedsNotify(area, before, after, 128));
  area.off_wrap = MakeOffWrap(12, false);  // Same offset, next lap.
  CHECK_FALSE(NeedsNotify(area, before, after, 128));
  // A batch crossing the end of the ring: 126 (wrap 1) .. 2 (wrap 0).
  area.off_wrap = MakeOffWrap(0, false);
  CHECK(NeedsNotify(area, RingPosition{126, true}, RingPosition{2, false}, 128));
  area.off_wrap = MakeOffWrap(0, true);
  CHECK_FALSE(NeedsNotify(area, RingPosition{126, true}, RingPosition{2, false}, 128));
}

TEST_CASE("MakePair lays out ring and pool like the reference harness", "[virtq][packed_ring]") {
  auto made = MakePair(kBenchRingSize, RunBufferPoolFactory());
  REQUIRE(made.ok());
  auto& pair = *made.value();
  const auto ring_base = reinterpret_cast<std::uintptr_t>(pair.ring().base());
  const auto mem_base = reinterpret_cast<std::uintptr_t>(pair.region().base);
  CHECK(ring_base % 16 == 0);
  CHECK(ring_base - mem_base < 16);
  CHECK(pair.pool_base() % 4096 == 0);
  CHECK(pair.pool_base() >= ring_base + 2056 + 0x1000);
  CHECK(pair.pool_base() < ring_base + 2056 + 0x1000 + 4096);
  CHECK(pair.region().size == 2056 + (8u << 20) + 0x20000);
  CHECK(pair.pool_base() + (8u << 20) <= mem_base + pair.region().size);
  CHECK(pair.pool().lower().slot_count() == 4096);
  CHECK(pair.pool().upper().slot_count() == 1792);
  CHECK(pair.producer().free_descriptors() == 128);

  auto recycle = MakePair(kBenchRingSize, RecyclePoolFactory());
  REQUIRE(recycle.ok());
  CHECK(recycle.value()->pool().slot_count() == 2048);

  CHECK(MakePair(0, RecyclePoolFactory()).error() == RingError::kInvalidSize);
}

TEST_CASE("Fragmented pool factories", "[virtq][packed_ring]") {
  auto run = MakePair(kBenchRingSize, FragmentedRunBufferPoolFactory(65536));
  REQUIRE(run.ok());
  BufferPool<>& pool = run.value()->pool();
  CHECK(pool.upper().free_slots() == 1792 - 64);
  CHECK(pool.upper().IsUsed(31));
  CHECK_FALSE(pool.upper().IsUsed(32));
  CHECK_FALSE(pool.upper().IsUsed(47));
  CHECK(pool.upper().IsUsed(48));
  CHECK(pool.upper().IsUsed(79));
  CHECK_FALSE(pool.upper().IsUsed(80));
  AllocResult hole = pool.Alloc(65536);
  CHECK(hole.value().addr == pool.upper().base() + 32 * 4096);

  auto recycle = MakePair(kBenchRingSize, FragmentedRecyclePoolFactory(65536));
  REQUIRE(recycle.ok());
  RecyclePool& rp = recycle.value()->pool();
  CHECK(rp.free_slots() == 2048 - 32 - 16 + 16);
  SgResult sg = rp.AllocSg(65536);
  REQUIRE(sg.ok());
  REQUIRE(sg.value().size() == 16);
  for (std::size_t i = 1; i < 16; ++i) {
    CHECK(sg.value()[i].addr == sg.value()[i - 1].addr + 8192);
  }
}

template <typename Factory>
void CheckRoundtrips(const Factory& factory, std::size_t size, std::size_t ro_descriptors,
                     std::size_t rw_descriptors) {
  INFO("payload " << size);
  auto made = MakePair(kBenchRingSize, factory);
  REQUIRE(made.ok());
  auto& pair = *made.value();
  const std::vector<std::uint8_t> payload(size, 0xA5);
  const std::vector<std::uint8_t> request = Pattern(size, 0x11);
  const std::vector<std::uint8_t> response = Pattern(size, 0x22);
  for (int iteration = 0; iteration < 3; ++iteration) {
    Capture ro;
    auto stats = ReadonlyRoundtrip(pair, payload, ro);
    REQUIRE(stats.ok());
    CHECK(stats.value().descriptors == ro_descriptors);
    CHECK(stats.value().segments == ro_descriptors);
    CHECK(stats.value().bytes_received == size);
    CHECK(stats.value().response_bytes == 0);
    CHECK(ro.received == payload);

    Capture rw;
    auto rw_stats = ReadwriteRoundtrip(pair, request, response, rw);
    REQUIRE(rw_stats.ok());
    CHECK(rw_stats.value().descriptors == rw_descriptors);
    CHECK(rw_stats.value().segments == rw_descriptors / 2);
    CHECK(rw_stats.value().bytes_received == size);
    CHECK(rw_stats.value().response_bytes == size);
    CHECK(rw.received == request);
    CHECK(rw.response == response);
    CHECK(rw.response_segments == rw_descriptors / 2);
  }
  CHECK(pair.producer().free_descriptors() == 128);
  CHECK(pair.producer().in_flight() == 0);
  CHECK(pair.consumer().outstanding_descriptors() == 0);
}

TEST_CASE("Round trips use the reference descriptor counts", "[virtq][packed_ring]") {
  for (auto [size, segments] :
       {std::pair<std::size_t, std::size_t>{8192, 2}, {65536, 16}, {262144, 64}}) {
    CheckRoundtrips(RunBufferPoolFactory(), size, 1, 2);
    CheckRoundtrips(FragmentedRunBufferPoolFactory(size), size, 1, 2);
    CheckRoundtrips(RecyclePoolFactory(), size, segments, 2 * segments);
    CheckRoundtrips(FragmentedRecyclePoolFactory(size), size, segments, 2 * segments);
  }
}

TEST_CASE("Round trips wrap the ring many times and leak nothing", "[virtq][packed_ring]") {
  auto made = MakePair(kBenchRingSize, RecyclePoolFactory());
  REQUIRE(made.ok());
  auto& pair = *made.value();
  const std::size_t free_before = pair.pool().free_slots();
  std::size_t descriptors = 0;
  for (int i = 0; i < 300; ++i) {
    // Sizes vary so chains straddle the end of the ring at different offsets.
    const std::size_t size = 1 + static_cast<std::size_t>(i * 977) % 20000;
    const auto request = Pattern(size, static_cast<std::uint8_t>(i));
    const auto response = Pattern(size / 2 + 1, static_cast<std::uint8_t>(i + 1));
    Capture capture;
    auto stats = ReadwriteRoundtrip(pair, request, response, capture);
    REQUIRE(stats.ok());
    REQUIRE(capture.received == request);
    REQUIRE(capture.response == response);
    descriptors += stats.value().descriptors;
  }
  CHECK(descriptors > 4 * 128);
  const RingPosition expected{static_cast<std::uint16_t>(descriptors % 128),
                              (descriptors / 128) % 2 == 0};
  CHECK(pair.producer().avail_position() == expected);
  CHECK(pair.producer().used_position() == expected);
  CHECK(pair.consumer().avail_position() == expected);
  CHECK(pair.consumer().used_position() == expected);
  CHECK(pair.pool().free_slots() == free_before);
  CHECK(pair.notifier().device_notifications() == 300);
  CHECK(pair.notifier().driver_notifications() == 300);
}

TEST_CASE("BufferPool round trips wrap the ring", "[virtq][packed_ring]") {
  auto made = MakePair(kBenchRingSize, RunBufferPoolFactory());
  REQUIRE(made.ok());
  auto& pair = *made.value();
  const std::vector<std::uint8_t> payload = Pattern(1500, 3);
  for (int i = 0; i < 3 * 128 + 5; ++i) {
    Capture capture;
    REQUIRE(ReadonlyRoundtrip(pair, payload, capture).ok());
    REQUIRE(capture.received == payload);
  }
  CHECK(pair.producer().avail_position() == RingPosition{5, false});
  CHECK(pair.pool().free_slots() == 4096 + 1792);
}

TEST_CASE("A 256 KiB read-write chain fills the whole ring", "[virtq][packed_ring]") {
  auto made = MakePair(kBenchRingSize, RecyclePoolFactory());
  REQUIRE(made.ok());
  auto& pair = *made.value();
  auto& producer = pair.producer();
  const std::size_t free_before = pair.pool().free_slots();

  auto chain = producer.NewChain(262144, 262144);
  REQUIRE(chain.ok());
  CHECK(chain.value().descriptor_count() == 128);
  REQUIRE(producer.Submit(std::move(chain).value()).ok());
  CHECK(producer.free_descriptors() == 0);

  // No room for anything else: Submit refuses and the chain keeps its buffers.
  auto extra = producer.NewChain(100, 0);
  REQUIRE(extra.ok());
  CHECK(producer.Submit(std::move(extra.value())).error() == RingError::kBackpressure);
  CHECK(extra.value().descriptor_count() == 1);
  CHECK(pair.pool().free_slots() == free_before - 129);
  extra = RingError::kInvalidArg;  // Destroys the chain, returning its slot.
  CHECK(pair.pool().free_slots() == free_before - 128);

  auto polled = pair.consumer().Poll();
  REQUIRE(polled.ok());
  REQUIRE(polled.value().has_value());
  Request& request = *polled.value();
  CHECK(request.descriptor_count() == 128);
  CHECK(request.writable_segment_count() == 64);
  CHECK(request.writable_capacity() == 262144);
  REQUIRE(pair.consumer().Complete(std::move(request)).ok());
  auto used = producer.Poll();
  REQUIRE(used.ok());
  REQUIRE(used.value().has_value());
  CHECK(used.value()->descriptors == 128);
  CHECK(used.value()->written == 0);
  REQUIRE(used.value()->data.has_value());
  CHECK(used.value()->data->size() == 0);
  used.value()->data->Release();
  CHECK(pair.pool().free_slots() == free_before);
  CHECK(producer.free_descriptors() == 128);
}

TEST_CASE("Chains longer than the ring are rejected before submission", "[virtq][packed_ring]") {
  auto made = MakePair(kBenchRingSize, RecyclePoolFactory());
  REQUIRE(made.ok());
  auto& pair = *made.value();
  const std::size_t free_before = pair.pool().free_slots();
  CHECK(pair.producer().NewChain(262144, 262144 + 4096).error() == RingError::kChainTooLong);
  CHECK(pair.producer().NewChain(0, 0).error() == RingError::kInvalidArg);
  CHECK(pair.producer().NewChain(9u << 20, 0).error() == RingError::kBackpressure);
  CHECK(pair.pool().free_slots() == free_before);
}

TEST_CASE("Chain and Request writes are bounded", "[virtq][packed_ring]") {
  auto made = MakePair(kBenchRingSize, RecyclePoolFactory());
  REQUIRE(made.ok());
  auto& pair = *made.value();
  auto chain = pair.producer().NewChain(5000, 3000);
  REQUIRE(chain.ok());
  const auto first = Pattern(4000, 1);
  const auto second = Pattern(1000, 2);
  REQUIRE(chain.value().WriteAll(first).ok());
  CHECK(chain.value().WriteAll(Pattern(1001, 3)).error() == RingError::kBufferTooSmall);
  REQUIRE(chain.value().WriteAll(second).ok());  // Appends across the segment boundary.
  REQUIRE(pair.producer().Submit(std::move(chain).value()).ok());

  auto polled = pair.consumer().Poll();
  REQUIRE(polled.ok());
  Request& request = *polled.value();
  // Built by copy into a sized vector: vector::insert here trips GCC 12's
  // -Warray-bounds false positive at -O2.
  std::vector<std::uint8_t> expected(first.size() + second.size());
  std::copy(first.begin(), first.end(), expected.begin());
  std::copy(second.begin(), second.end(),
            expected.begin() + static_cast<std::ptrdiff_t>(first.size()));
  CHECK(request.ConcatReadable() == expected);
  CHECK(request.segments()[0].size() == 4096);
  CHECK(request.segments()[1].size() == 904);
  CHECK(request.writable_capacity() == 3000);
  CHECK(request.WriteAll(Pattern(3001, 4)).error() == RingError::kBufferTooSmall);
  REQUIRE(request.WriteAll(Pattern(2000, 5)).ok());
  REQUIRE(pair.consumer().Complete(std::move(request)).ok());
  CHECK(pair.consumer().Complete(std::move(request)).error() == RingError::kInvalidArg);

  auto used = pair.producer().Poll();
  REQUIRE(used.ok());
  REQUIRE(used.value()->data.has_value());
  CHECK(used.value()->written == 2000);
  CHECK(used.value()->data->ToVector() == Pattern(2000, 5));
  CHECK(used.value()->data->segment(0).size() == 2000);
  CHECK(used.value()->data->segment(0)[0] == Pattern(1, 5)[0]);
  auto again = pair.producer().Poll();
  REQUIRE(again.ok());
  CHECK_FALSE(again.value().has_value());
}

TEST_CASE("Out-of-order completion is matched by buffer id", "[virtq][packed_ring]") {
  auto made = MakePair(kBenchRingSize, RecyclePoolFactory());
  REQUIRE(made.ok());
  auto& pair = *made.value();
  std::vector<std::uint16_t> ids;
  for (int i = 0; i < 3; ++i) {
    auto chain = pair.producer().NewChain(4096 * (i + 1), 100);
    REQUIRE(chain.ok());
    auto id = pair.producer().Submit(std::move(chain).value());
    REQUIRE(id.ok());
    ids.push_back(id.value());
  }
  CHECK(ids == std::vector<std::uint16_t>{0, 1, 2});
  std::vector<Request> requests;
  for (int i = 0; i < 3; ++i) {
    auto polled = pair.consumer().Poll();
    REQUIRE(polled.ok());
    REQUIRE(polled.value().has_value());
    requests.push_back(std::move(*polled.value()));
  }
  CHECK(pair.consumer().outstanding_descriptors() == 2 + 3 + 4);
  auto none = pair.consumer().Poll();
  REQUIRE(none.ok());
  CHECK_FALSE(none.value().has_value());

  for (int i : {2, 0, 1}) {
    const std::uint8_t tag = static_cast<std::uint8_t>(i);
    REQUIRE(requests[i].WriteAll(std::vector<std::uint8_t>(10, tag)).ok());
    REQUIRE(pair.consumer().Complete(std::move(requests[i])).ok());
  }
  for (int i : {2, 0, 1}) {
    auto used = pair.producer().Poll();
    REQUIRE(used.ok());
    REQUIRE(used.value().has_value());
    CHECK(used.value()->id == ids[i]);
    CHECK(used.value()->descriptors == i + 2);
    CHECK(used.value()->data->ToVector() ==
          std::vector<std::uint8_t>(10, static_cast<std::uint8_t>(i)));
  }
  CHECK(pair.producer().free_descriptors() == 128);
  CHECK(pair.pool().free_slots() == 2048);
}

TEST_CASE("Event suppression controls notifications", "[virtq][packed_ring]") {
  auto made = MakePair(kBenchRingSize, RunBufferPoolFactory());
  REQUIRE(made.ok());
  auto& pair = *made.value();
  const std::vector<std::uint8_t> payload(64, 1);

  pair.consumer().SetAvailNotifications(kEventFlagsDisable);
  pair.producer().SetUsedNotifications(kEventFlagsDisable);
  for (int i = 0; i < 5; ++i) REQUIRE(ReadonlyRoundtrip(pair, payload).ok());
  CHECK(pair.notifier().device_notifications() == 0);
  CHECK(pair.notifier().driver_notifications() == 0);

  // Ask to be kicked only when the driver reaches slot 7 and called back at slot 9.
  pair.consumer().SetAvailNotifications(kEventFlagsDesc, MakeOffWrap(7, true));
  pair.producer().SetUsedNotifications(kEventFlagsDesc, MakeOffWrap(9, true));
  for (int i = 5; i < 12; ++i) REQUIRE(ReadonlyRoundtrip(pair, payload).ok());
  CHECK(pair.notifier().device_notifications() == 1);
  CHECK(pair.notifier().driver_notifications() == 1);

  pair.consumer().SetAvailNotifications(kEventFlagsEnable);
  pair.producer().SetUsedNotifications(kEventFlagsEnable);
  REQUIRE(ReadonlyRoundtrip(pair, payload).ok());
  CHECK(pair.notifier().device_notifications() == 2);
  CHECK(pair.notifier().driver_notifications() == 2);
}

// A hand-driven ring for feeding the consumer descriptors a driver would not write.
class RawRing {
 public:
  static constexpr std::uint16_t kSize = 8;
  static constexpr std::size_t kRingBytes = RingLayout::QuerySize(kSize);
  static constexpr std::size_t kDataBytes = 4096;

  RawRing()
      : memory_(kRingBytes + kDataBytes + 16),
        ring_base_(Align16(memory_.data())),
        ring_(RingLayout::Create(ring_base_, kRingBytes, kSize).value()),
        consumer_(ring_, SharedRegion{ring_base_ + kRingBytes, kDataBytes}, notifier_) {
    ring_.Initialize();
  }

  std::uint64_t data_addr(std::size_t offset = 0) const {
    return reinterpret_cast<std::uintptr_t>(ring_base_ + kRingBytes) + offset;
  }
  // Writes descriptor `index` made available in lap `wrap` (flags are extra bits).
  void Put(std::uint16_t index, std::uint64_t addr, std::uint32_t len, std::uint16_t flags,
           bool wrap = true, std::uint16_t id = 0) {
    Descriptor& d = ring_.desc(index);
    d.addr = addr;
    d.len = len;
    d.id = id;
    StoreFlagsRelease(d, static_cast<std::uint16_t>(flags | AvailFlags(wrap)));
  }
  Consumer& consumer() { return consumer_; }
  RingLayout& ring() { return ring_; }

 private:
  static std::uint8_t* Align16(std::uint8_t* p) {
    const auto addr = reinterpret_cast<std::uintptr_t>(p);
    return p + ((16 - addr % 16) % 16);
  }

  std::vector<std::uint8_t> memory_;
  std::uint8_t* ring_base_;
  RingLayout ring_;
  CountingNotifier notifier_;
  Consumer consumer_;
};

TEST_CASE("Consumer rejects malformed descriptors", "[virtq][packed_ring]") {
  RawRing raw;
  const std::uint64_t ok_addr = raw.data_addr();

  SECTION("a valid chain is accepted and copied") {
    raw.Put(1, raw.data_addr(100), 10, kDescFWrite);
    raw.Put(0, ok_addr, 4, kDescFNext);
    auto polled = raw.consumer().Poll();
    REQUIRE(polled.ok());
    REQUIRE(polled.value().has_value());
    CHECK(polled.value()->descriptor_count() == 2);
    CHECK(polled.value()->readable_bytes() == 4);
    CHECK(polled.value()->writable_capacity() == 10);
  }
  SECTION("buffer outside the shared region") {
    raw.Put(0, ok_addr + RawRing::kDataBytes - 4, 5, 0);
    CHECK(raw.consumer().Poll().error() == RingError::kOutOfBounds);
    raw.Put(0, ok_addr - 1, 1, 0);
    CHECK(raw.consumer().Poll().error() == RingError::kOutOfBounds);
    raw.Put(0, UINT64_MAX - 2, 16, 0);
    CHECK(raw.consumer().Poll().error() == RingError::kOutOfBounds);
    raw.Put(0, reinterpret_cast<std::uintptr_t>(raw.ring().base()), 16, 0);  // The ring itself.
    CHECK(raw.consumer().Poll().error() == RingError::kOutOfBounds);
  }
  SECTION("indirect descriptors") {
    raw.Put(0, ok_addr, 16, kDescFIndirect);
    CHECK(raw.consumer().Poll().error() == RingError::kIndirect);
  }
  SECTION("a tail that is not available") {
    raw.Put(0, ok_addr, 16, kDescFNext);
    CHECK(raw.consumer().Poll().error() == RingError::kMalformedChain);
    raw.Put(1, ok_addr, 16, 0, /*wrap=*/false);  // Marked for the wrong lap.
    CHECK(raw.consumer().Poll().error() == RingError::kMalformedChain);
  }
  SECTION("a readable descriptor after a writable one") {
    raw.Put(1, ok_addr, 16, 0);
    raw.Put(0, ok_addr, 16, kDescFNext | kDescFWrite);
    CHECK(raw.consumer().Poll().error() == RingError::kMalformedChain);
  }
  SECTION("a chain that never ends") {
    for (std::uint16_t i = 1; i < RawRing::kSize; ++i) raw.Put(i, ok_addr, 1, kDescFNext);
    raw.Put(0, ok_addr, 1, kDescFNext);
    CHECK(raw.consumer().Poll().error() == RingError::kChainTooLong);
  }
  SECTION("more readable bytes than the caller accepts") {
    raw.Put(1, ok_addr, 600, 0);
    raw.Put(0, ok_addr, 500, kDescFNext);
    CHECK(raw.consumer().Poll(1000).error() == RingError::kTooLarge);
    CHECK(raw.consumer().Poll(1100).ok());
  }
  // Whatever the error, nothing was consumed.
  CHECK(raw.consumer().outstanding_descriptors() <= 2);
}

TEST_CASE("Errors do not advance the consumer", "[virtq][packed_ring]") {
  RawRing raw;
  raw.Put(0, raw.data_addr(), 16, kDescFIndirect);
  CHECK(raw.consumer().Poll().error() == RingError::kIndirect);
  CHECK(raw.consumer().Poll().error() == RingError::kIndirect);
  CHECK(raw.consumer().avail_position() == RingPosition{0, true});
  CHECK(raw.consumer().outstanding_descriptors() == 0);
}

TEST_CASE("Producer rejects a used descriptor with an unknown id", "[virtq][packed_ring]") {
  auto made = MakePair(kBenchRingSize, RunBufferPoolFactory());
  REQUIRE(made.ok());
  auto& pair = *made.value();
  auto chain = pair.producer().NewChain(64, 0);
  REQUIRE(chain.ok());
  REQUIRE(pair.producer().Submit(std::move(chain).value()).ok());
  Descriptor& head = pair.ring().desc(0);
  head.id = 77;  // Not in flight.
  StoreFlagsRelease(head, UsedFlags(true));
  CHECK(pair.producer().Poll().error() == RingError::kBadUsedId);
  head.id = 0;
  auto used = pair.producer().Poll();
  REQUIRE(used.ok());
  REQUIRE(used.value().has_value());
  CHECK(used.value()->is_ack());
}

TEST_CASE("RingErrorName names errors", "[virtq][packed_ring]") {
  CHECK(RingErrorName(RingError::kBackpressure) == "Backpressure");
  CHECK(RingErrorName(RingError::kOutOfBounds) == "OutOfBounds");
  CHECK(FromAllocError(AllocError::kNoSpace) == RingError::kBackpressure);
  CHECK(FromAllocError(AllocError::kOutOfMemory) == RingError::kAllocFailed);
}

}  // namespace
}  // namespace vmbench::virtq
