/* Symbols that cross the boundary between the guest's C code, guest_entry.S and guest.ld. */
#ifndef VMBENCH_GUEST_GUEST_SYMBOLS_H_
#define VMBENCH_GUEST_GUEST_SYMBOLS_H_

#include <stdint.h>
#include <stdnoreturn.h>

#include "vmbench/sandbox/guest_abi.h"

/* Defined in guest_entry.S: the entry points named by the image header, and the address of the
 * exception stub of each vector 0..31. */
extern const char vmb_init_entry[];
extern const char vmb_dispatch_entry[];
extern const uint64_t vmb_exception_stubs[32];

/* Defined in guest.ld: the first address after the image and its .bss. */
extern const char vmb_image_end[];

/* Defined in C and called by the stubs in guest_entry.S, on the host's stack (init, dispatch)
 * or on the interrupted code's stack (exceptions). None of them returns: each ends with an
 * `out` to the host and `hlt`. */
noreturn void GuestInit(const struct vmb_boot_info* info);
noreturn void GuestDispatch(void);
struct ExceptionFrame;
noreturn void GuestHandleException(const struct ExceptionFrame* frame);

#endif /* VMBENCH_GUEST_GUEST_SYMBOLS_H_ */
