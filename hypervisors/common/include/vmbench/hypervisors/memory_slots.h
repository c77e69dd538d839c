// The checks every backend makes on Vm::MapMemory before asking its hypervisor: alignment, size,
// wrap-around, a slot mapped twice, and overlaps with the other slots, each reported with the
// backend, the slot and the ranges involved (the hypervisors' own answers, EINVAL or EEXIST, say
// none of that).

#ifndef VMBENCH_HYPERVISORS_MEMORY_SLOTS_H_
#define VMBENCH_HYPERVISORS_MEMORY_SLOTS_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace vmbench::hypervisors {

inline constexpr std::uint64_t kPageSize = 0x1000;

// "[0x<begin>,0x<end>)".
inline std::string DescribeRange(std::uint64_t begin, std::uint64_t end) {
  return absl::StrCat("[0x", absl::Hex(begin), ",0x", absl::Hex(end), ")");
}

// InvalidArgument naming `backend` and `slot` unless `size` bytes at `host` may be mapped at
// guest-physical `gpa` as slot `slot`, given the slots already mapped (`Slot` has members `gpa`
// and `size`).
template <typename Slot>
absl::Status CheckMapRequest(absl::string_view backend, std::uint32_t slot, std::uint64_t gpa,
                             const void* host, std::size_t size,
                             const std::map<std::uint32_t, Slot>& slots) {
  const std::uint64_t end = gpa + size;
  const auto host_address = reinterpret_cast<std::uintptr_t>(host);
  if (host == nullptr || size == 0 || gpa % kPageSize != 0 || size % kPageSize != 0 ||
      host_address % kPageSize != 0 || end < gpa) {
    return absl::InvalidArgumentError(absl::StrCat(
        backend, ": MapMemory slot ", slot, ": guest-physical address 0x", absl::Hex(gpa),
        ", host address 0x", absl::Hex(host_address), " and size 0x", absl::Hex(size),
        " must be 4 KiB-aligned, non-null and non-empty, and must not wrap around"));
  }
  if (const auto it = slots.find(slot); it != slots.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat(backend, ": MapMemory slot ", slot, ": the slot is already mapped at ",
                     DescribeRange(it->second.gpa, it->second.gpa + it->second.size)));
  }
  for (const auto& [other, mapped] : slots) {
    if (gpa < mapped.gpa + mapped.size && mapped.gpa < end) {
      return absl::InvalidArgumentError(absl::StrCat(
          backend, ": MapMemory slot ", slot, " ", DescribeRange(gpa, end), " overlaps slot ",
          other, " ", DescribeRange(mapped.gpa, mapped.gpa + mapped.size)));
    }
  }
  return absl::OkStatus();
}

}  // namespace vmbench::hypervisors

#endif  // VMBENCH_HYPERVISORS_MEMORY_SLOTS_H_
