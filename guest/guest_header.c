/* The image header: the first bytes of the guest image (guest.ld places section .vmb_header
 * first and fails the link otherwise). The host reads it to find the entry points and the
 * extent of the image. */
#include <stdint.h>

#include "guest_symbols.h"
#include "vmbench/sandbox/guest_abi.h"

_Static_assert(sizeof(struct vmb_image_header) == 32, "guest_abi.h: the image header is 32 bytes");

/* `used`: nothing in the guest refers to the header, but the host does. */
__attribute__((section(".vmb_header"), used)) const struct vmb_image_header vmb_header = {
    .magic = VMB_IMAGE_MAGIC,
    .abi_version = VMB_GUEST_ABI_VERSION,
    .init_entry = (uint64_t)(uintptr_t)vmb_init_entry,
    .dispatch_entry = (uint64_t)(uintptr_t)vmb_dispatch_entry,
    .image_end = (uint64_t)(uintptr_t)vmb_image_end,
};
