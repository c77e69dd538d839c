// The interface every virtq buffer allocator implements, as a C++20 concept,
// and the generic scatter-gather split that pools without a native AllocSg use.
//
// A concept (rather than an abstract base class) keeps Alloc/Dealloc calls in
// the producer's hot path direct and inlinable: the producer is instantiated
// per pool type, the way the Rust reference monomorphises over its
// BufferProvider trait. A runtime-polymorphic wrapper can be layered on top if
// a caller ever needs to choose the pool at run time.

#ifndef VMBENCH_SUITES_VIRTQ_BUFFER_PROVIDER_H_
#define VMBENCH_SUITES_VIRTQ_BUFFER_PROVIDER_H_

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>

#include "allocation.h"

namespace vmbench::virtq {

// A single-threaded allocator of guest buffers.
//   Alloc(len)        reserves at least `len` bytes; kInvalidArg for 0.
//   Dealloc(addr)     returns the allocation that starts at `addr`.
//   AllocSg(total)    reserves `total` bytes as one or more segments, all or nothing.
//   Reset()           frees everything.
//   MaxAllocLen()     the largest length a single segment should carry.
template <typename P>
concept BufferProvider = requires(P& pool, const P& const_pool, std::size_t len,
                                  std::uint64_t addr) {
  { pool.Alloc(len) } -> std::same_as<AllocResult>;
  { pool.Dealloc(addr) } -> std::same_as<AllocStatus>;
  { pool.AllocSg(len) } -> std::same_as<SgResult>;
  {pool.Reset()};
  { const_pool.MaxAllocLen() } -> std::convertible_to<std::size_t>;
};

// Splits `total` bytes into ceil(total / MaxAllocLen()) segments of
// min(remaining, MaxAllocLen()) bytes, each from pool.Alloc. If one segment
// fails, the segments already allocated are returned to the pool and the
// error is reported, so the pool is unchanged (for a LIFO pool, including
// the free-list order). kInvalidArg for total == 0.
template <typename P>
SgResult DefaultAllocSg(P& pool, std::size_t total) {
  if (total == 0) return AllocError::kInvalidArg;
  const std::size_t max_len = pool.MaxAllocLen();
  if (max_len == 0) return AllocError::kInvalidArg;
  SgList segments;
  segments.reserve((total + max_len - 1) / max_len);
  std::size_t remaining = total;
  while (remaining > 0) {
    const std::size_t len = std::min(remaining, max_len);
    AllocResult segment = pool.Alloc(len);
    if (!segment.ok()) {
      // Freed newest first so that a LIFO pool ends up exactly as before;
      // rollback cannot fail because every address came from this pool just now.
      for (auto it = segments.rbegin(); it != segments.rend(); ++it) (void)pool.Dealloc(it->addr);
      return segment.error();
    }
    segments.push_back(segment.value());
    remaining -= len;
  }
  return segments;
}

}  // namespace vmbench::virtq

#endif  // VMBENCH_SUITES_VIRTQ_BUFFER_PROVIDER_H_
