// The x86-64 register encodings that the Microsoft Hypervisor's two user-space APIs share: MSHV
// (hv_x64_segment_register, Linux /dev/mshv) and WHP (WHV_X64_SEGMENT_REGISTER, Windows) lay out a
// segment register the same way, {u64 base; u32 limit; u16 selector; u16 attributes}, with the
// attributes packed as in a segment descriptor's access-rights word:
//
//   bits 0-3 type | 4 S (code/data) | 5-6 DPL | 7 present | 8-11 reserved | 12 available |
//   13 L (64-bit code) | 14 D/B | 15 G (granularity)
//
// so a 64-bit code segment is 0xA09B, a flat data segment 0xC093 and a busy 64-bit TSS 0x008B.
// Neither API advances RIP at an I/O-port intercept, and both report the operand in RAX; the
// helpers below turn an intercept's fields into the neutral exit.
//
// Header-only and free of Abseil, so the whp backend's Windows layer can use it.

#ifndef VMBENCH_X86_HYPERV_X64_H_
#define VMBENCH_X86_HYPERV_X64_H_

#include <cstdint>

#include "vmbench/plugin/vcpu_types.h"

namespace vmbench::x86 {

// The attributes word of `segment`.
constexpr std::uint16_t HyperVSegmentAttributes(const Segment& segment) {
  return static_cast<std::uint16_t>((segment.type & 0xF) | (segment.s ? 1u << 4 : 0u) |
                                    ((segment.dpl & 0x3u) << 5) | (segment.present ? 1u << 7 : 0u) |
                                    (segment.l ? 1u << 13 : 0u) | (segment.db ? 1u << 14 : 0u) |
                                    (segment.g ? 1u << 15 : 0u));
}

// The segment whose fields are `base`, `limit`, `selector` and the attributes word `attributes`.
// The reserved and "available" bits have no place in Segment and are dropped.
constexpr Segment SegmentFromHyperV(std::uint64_t base, std::uint32_t limit, std::uint16_t selector,
                                    std::uint16_t attributes) {
  Segment segment;
  segment.base = base;
  segment.limit = limit;
  segment.selector = selector;
  segment.type = static_cast<std::uint8_t>(attributes & 0xF);
  segment.s = (attributes & (1u << 4)) != 0;
  segment.dpl = static_cast<std::uint8_t>((attributes >> 5) & 0x3);
  segment.present = (attributes & (1u << 7)) != 0;
  segment.l = (attributes & (1u << 13)) != 0;
  segment.db = (attributes & (1u << 14)) != 0;
  segment.g = (attributes & (1u << 15)) != 0;
  return segment;
}

// Whether `size` is the operand size of a single (non-string) OUT: 1, 2 or 4 bytes.
constexpr bool IsPortAccessSize(std::uint8_t size) { return size == 1 || size == 2 || size == 4; }

// The exit for `out` of `size` bytes (1, 2 or 4) to `port` with `rax` holding the operand: only
// the low `size` bytes are the guest's data (Hyperlight once passed all 8 bytes of RAX on, a bug
// it fixed).
constexpr IoOutExit IoOutFromRax(std::uint16_t port, std::uint8_t size, std::uint64_t rax) {
  const std::uint64_t mask = size >= 4 ? 0xFFFFFFFFull : (1ull << (8 * size)) - 1;
  return IoOutExit{.port = port, .size = size, .value = static_cast<std::uint32_t>(rax & mask)};
}

// Where the guest resumes after an intercepted instruction at `rip` of `length` bytes (1-15): the
// hypervisor leaves RIP at the instruction, and the host moves it on.
constexpr std::uint64_t RipAfter(std::uint64_t rip, std::uint8_t length) { return rip + length; }

}  // namespace vmbench::x86

#endif  // VMBENCH_X86_HYPERV_X64_H_
