// The host side of a sandbox's guest memory: one anonymous, demand-zero mapping with an
// inaccessible guard page on each side, so that a host bug that runs off either end faults at once
// instead of corrupting a neighbour. Creating it costs the same for 128 KiB and 256 MiB: the
// kernel supplies zero pages on first touch.

#ifndef VMBENCH_SANDBOX_SHARED_MEMORY_H_
#define VMBENCH_SANDBOX_SHARED_MEMORY_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace vmbench::sandbox {

inline constexpr std::size_t kPageSize = 4096;

class SharedMemory {
 public:
  // Maps `size` bytes (rounded up to whole pages) of zeroed memory.
  static absl::StatusOr<SharedMemory> Create(std::size_t size);

  SharedMemory() = default;
  SharedMemory(SharedMemory&& other) noexcept;
  SharedMemory& operator=(SharedMemory&& other) noexcept;
  ~SharedMemory();

  std::uint8_t* base() const { return base_; }
  std::size_t size() const { return size_; }
  std::span<std::uint8_t> bytes() const { return {base_, size_}; }

  // `length` bytes at `offset`, or OutOfRange naming both when they do not fit.
  absl::StatusOr<std::span<std::uint8_t>> Slice(std::size_t offset, std::size_t length) const;

  // Hyperlight's names: fill a range with a byte, copy out of the memory into `destination`
  // (copy_to_slice), copy `source` into the memory (copy_from_slice). All bounds-checked.
  absl::Status Fill(std::uint8_t value, std::size_t offset, std::size_t length);
  absl::Status CopyToSlice(std::span<std::uint8_t> destination, std::size_t offset) const;
  absl::Status CopyFromSlice(std::span<const std::uint8_t> source, std::size_t offset);

  // Returns whole pages to the kernel (MADV_DONTNEED): they read as zero again and use no memory.
  absl::Status Discard(std::size_t offset, std::size_t length);

 private:
  SharedMemory(std::uint8_t* mapping, std::size_t size);

  std::uint8_t* base_ = nullptr;  // first usable byte, one guard page after the mapping start
  std::size_t size_ = 0;
};

}  // namespace vmbench::sandbox

#endif  // VMBENCH_SANDBOX_SHARED_MEMORY_H_
