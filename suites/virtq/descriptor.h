// Wire format of a VIRTIO 1.1 packed virtqueue (VIRTIO 1.1 spec, section 2.7):
// the 16-byte descriptor, the event suppression structure, and their flag bits.
// These structs are overlaid on shared memory, so their layout is fixed.

#ifndef VMBENCH_SUITES_VIRTQ_DESCRIPTOR_H_
#define VMBENCH_SUITES_VIRTQ_DESCRIPTOR_H_

#include <cstddef>
#include <cstdint>

namespace vmbench::virtq {

// Descriptor flag: the buffer continues in the next descriptor (VIRTIO 1.1 section 2.7, "Next Flag:
// Descriptor Chaining").
inline constexpr std::uint16_t kDescFNext = 1;
// Descriptor flag: the buffer is device-writable (otherwise device-readable).
inline constexpr std::uint16_t kDescFWrite = 2;
// Descriptor flag: indirect descriptor table; not supported, chains using it are rejected.
inline constexpr std::uint16_t kDescFIndirect = 4;
// Descriptor flag: available bit, set to the driver's wrap counter when made available.
inline constexpr std::uint16_t kDescFAvail = 1 << 7;
// Descriptor flag: used bit, set to the device's wrap counter when used.
inline constexpr std::uint16_t kDescFUsed = 1 << 15;

// One element of the packed descriptor ring (VIRTIO 1.1 section 2.7, "The Virtqueue Descriptor
// Format", struct pvirtq_desc). The driver writes addr/len/id before publishing `flags`; for a used
// descriptor the device writes id, len (bytes written) and then `flags`.
struct alignas(16) Descriptor {
  std::uint64_t addr;   // Guest address of the buffer.
  std::uint32_t len;    // Buffer length; on a used descriptor, bytes the device wrote.
  std::uint16_t id;     // Buffer id, echoed back by the device in the used descriptor.
  std::uint16_t flags;  // kDescF* bits; accessed atomically (acquire/release).
};
static_assert(sizeof(Descriptor) == 16 && alignof(Descriptor) == 16);
static_assert(offsetof(Descriptor, flags) == 14);

// Event suppression flag: notify on every event.
inline constexpr std::uint16_t kEventFlagsEnable = 0;
// Event suppression flag: never notify.
inline constexpr std::uint16_t kEventFlagsDisable = 1;
// Event suppression flag: notify when the descriptor at `off_wrap` is passed
// (requires VIRTIO_F_RING_EVENT_IDX, which this implementation always offers).
inline constexpr std::uint16_t kEventFlagsDesc = 2;

// Driver or device event suppression area (VIRTIO 1.1 section 2.7, "Event Suppression Structure
// Format", struct pvirtq_event_suppress): bits 0-14 of off_wrap are a ring offset, bit 15 the wrap
// counter that offset refers to.
struct EventSuppression {
  std::uint16_t off_wrap;  // Descriptor offset (bits 0-14) and wrap counter (bit 15).
  std::uint16_t flags;     // One of kEventFlags*.
};
static_assert(sizeof(EventSuppression) == 4);

// Encodes an event offset and wrap counter as an off_wrap field.
constexpr std::uint16_t MakeOffWrap(std::uint16_t offset, bool wrap) {
  return static_cast<std::uint16_t>((offset & 0x7fff) | (wrap ? 0x8000 : 0));
}

}  // namespace vmbench::virtq

#endif  // VMBENCH_SUITES_VIRTQ_DESCRIPTOR_H_
