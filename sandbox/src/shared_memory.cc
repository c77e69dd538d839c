#include "vmbench/sandbox/shared_memory.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "vmbench/plugin/status_macros.h"

namespace vmbench::sandbox {
namespace {

std::size_t RoundUpToPage(std::size_t size) {
  return (size + kPageSize - 1) / kPageSize * kPageSize;
}

absl::Status OutOfRange(std::size_t offset, std::size_t length, std::size_t size) {
  return absl::OutOfRangeError(absl::StrCat("shared memory: ", length, " bytes at offset ", offset,
                                            " exceed the ", size, "-byte region"));
}

}  // namespace

absl::StatusOr<SharedMemory> SharedMemory::Create(std::size_t size) {
  if (size == 0) return absl::InvalidArgumentError("shared memory: size must not be 0");
  const std::size_t usable = RoundUpToPage(size);
  const std::size_t total = usable + 2 * kPageSize;
  // PROT_NONE reserves the whole range with its guard pages; only the middle becomes usable.
  // MAP_NORESERVE: a 256 MiB sandbox that touches 1 MiB must not need 256 MiB of commit.
  void* mapping =
      mmap(nullptr, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mapping == MAP_FAILED) {
    return absl::ResourceExhaustedError(
        absl::StrCat("shared memory: mmap of ", total, " bytes failed: ", std::strerror(errno)));
  }
  auto* start = static_cast<std::uint8_t*>(mapping);
  if (mprotect(start + kPageSize, usable, PROT_READ | PROT_WRITE) != 0) {
    const int error = errno;
    munmap(mapping, total);
    return absl::ResourceExhaustedError(absl::StrCat("shared memory: mprotect of ", usable,
                                                     " bytes failed: ", std::strerror(error)));
  }
  return SharedMemory(start + kPageSize, usable);
}

SharedMemory::SharedMemory(std::uint8_t* base, std::size_t size) : base_(base), size_(size) {}

SharedMemory::SharedMemory(SharedMemory&& other) noexcept
    : base_(std::exchange(other.base_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SharedMemory& SharedMemory::operator=(SharedMemory&& other) noexcept {
  if (this != &other) {
    SharedMemory old(std::move(*this));
    base_ = std::exchange(other.base_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SharedMemory::~SharedMemory() {
  if (base_ != nullptr) munmap(base_ - kPageSize, size_ + 2 * kPageSize);
}

absl::StatusOr<std::span<std::uint8_t>> SharedMemory::Slice(std::size_t offset,
                                                            std::size_t length) const {
  if (offset > size_ || length > size_ - offset) return OutOfRange(offset, length, size_);
  return std::span<std::uint8_t>(base_ + offset, length);
}

absl::Status SharedMemory::Fill(std::uint8_t value, std::size_t offset, std::size_t length) {
  VMB_ASSIGN_OR_RETURN(const std::span<std::uint8_t> range, Slice(offset, length));
  std::memset(range.data(), value, range.size());
  return absl::OkStatus();
}

absl::Status SharedMemory::CopyToSlice(std::span<std::uint8_t> destination,
                                       std::size_t offset) const {
  VMB_ASSIGN_OR_RETURN(const std::span<std::uint8_t> range, Slice(offset, destination.size()));
  std::memcpy(destination.data(), range.data(), range.size());
  return absl::OkStatus();
}

absl::Status SharedMemory::CopyFromSlice(std::span<const std::uint8_t> source, std::size_t offset) {
  VMB_ASSIGN_OR_RETURN(const std::span<std::uint8_t> range, Slice(offset, source.size()));
  std::memcpy(range.data(), source.data(), source.size());
  return absl::OkStatus();
}

absl::Status SharedMemory::Discard(std::size_t offset, std::size_t length) {
  if (offset % kPageSize != 0 || length % kPageSize != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "shared memory: discard of ", length, " bytes at offset ", offset, " is not page-aligned"));
  }
  VMB_ASSIGN_OR_RETURN(const std::span<std::uint8_t> range, Slice(offset, length));
  if (length != 0 && madvise(range.data(), length, MADV_DONTNEED) != 0) {
    return absl::InternalError(absl::StrCat("shared memory: madvise(MADV_DONTNEED) of ", length,
                                            " bytes failed: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace vmbench::sandbox
