// The vmbench guest image: the freestanding x86-64 program the sandbox runtime loads into every
// micro-VM (built from guest/ by the host C compiler and embedded at build time).
//
// The image is flat: copy it to guest-physical address VMB_IMAGE_GPA. Its first bytes are a
// `struct vmb_image_header` (<vmbench/sandbox/guest_abi.h>) with the entry points and
// `image_end`, the first address after the image and its .bss; the .bss is not in the image, so
// map [VMB_IMAGE_GPA, image_end) and let the guest's init entry zero what lies past the image.
// The host validates the header like anything else the guest provides.
#ifndef VMBENCH_GUEST_IMAGE_H_
#define VMBENCH_GUEST_IMAGE_H_

#include <cstdint>
#include <span>

namespace vmbench {

// The bytes of the guest image. Static storage, valid for the life of the process.
std::span<const std::uint8_t> GuestImage() noexcept;

}  // namespace vmbench

#endif  // VMBENCH_GUEST_IMAGE_H_
